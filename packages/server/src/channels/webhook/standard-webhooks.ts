/**
 * Standard Webhooks (https://www.standardwebhooks.com), written out so every step is visible:
 *
 *   headers   webhook-id, webhook-timestamp (unix seconds), webhook-signature
 *   signature v1,<base64 HMAC-SHA256(key, `${webhook-id}.${webhook-timestamp}.${rawBody}`)>
 *             — the header may hold several space-separated signatures (key rotation); one match is enough
 *   key       the secret is `whsec_` + base64(key): the HMAC key is the DECODED bytes
 *   window    ±5 minutes between webhook-timestamp and the time the request was received
 *
 * Used both ways: custom webhook channels verify inbound requests with the connection's
 * `inboundSecret`, and sign outbound deliveries with the `outboundSecret` credential.
 */
import { createHmac } from 'node:crypto';
import { InboundAuthError } from '../adapter.js';
import { safeEqual } from '../safe-equal.js';

export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;
const SECRET_PREFIX = 'whsec_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The HMAC key of a `whsec_` secret (the prefix is optional, as in the reference libraries). */
export function standardWebhooksKey(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!BASE64.test(encoded)) throw new Error('a Standard Webhooks secret is "whsec_" followed by base64');
  const key = Buffer.from(encoded, 'base64');
  if (key.length === 0) throw new Error('the Standard Webhooks secret is empty');
  return key;
}

/** `v1,<base64 signature>` of one message. */
export function signStandardWebhook(secret: string, id: string, timestampSeconds: number, body: Buffer | string): string {
  const mac = createHmac('sha256', standardWebhooksKey(secret));
  mac.update(`${id}.${timestampSeconds}.`, 'utf8');
  mac.update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body);
  return `v1,${mac.digest('base64')}`;
}

/** The three headers of a signed delivery. */
export function standardWebhookHeaders(secret: string, id: string, body: Buffer | string, now = Date.now()): Record<string, string> {
  const timestamp = Math.floor(now / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signStandardWebhook(secret, id, timestamp, body),
  };
}

/**
 * Throws InboundAuthError (401) unless the headers carry a valid signature of `body` made with
 * `secret` inside the tolerance window around `receivedAt` (epoch ms). Returns the webhook-id.
 */
export function verifyStandardWebhook(
  secret: string,
  headers: Record<string, string | undefined>,
  body: Buffer,
  receivedAt: number,
  toleranceSeconds = WEBHOOK_TOLERANCE_SECONDS,
): string {
  const id = headers['webhook-id']?.trim();
  const timestampHeader = headers['webhook-timestamp']?.trim();
  const signatureHeader = headers['webhook-signature']?.trim();
  if (!id) throw new InboundAuthError(401, 'Missing webhook-id header (Standard Webhooks)');
  if (!timestampHeader) throw new InboundAuthError(401, 'Missing webhook-timestamp header (Standard Webhooks)');
  if (!signatureHeader) throw new InboundAuthError(401, 'Missing webhook-signature header (Standard Webhooks)');
  if (!/^\d{1,15}$/.test(timestampHeader)) {
    throw new InboundAuthError(401, `webhook-timestamp must be unix seconds, got '${timestampHeader.slice(0, 40)}'`);
  }
  const timestamp = Number(timestampHeader);
  const skew = Math.round(receivedAt / 1000 - timestamp);
  if (Math.abs(skew) > toleranceSeconds) {
    throw new InboundAuthError(
      401,
      `webhook-timestamp ${timestamp} is ${Math.abs(skew)} s ${skew > 0 ? 'in the past' : 'in the future'}: outside the ±${toleranceSeconds} s tolerance (replayed or clock skew)`,
    );
  }
  let expected: string;
  try {
    expected = signStandardWebhook(secret, id, timestamp, body);
  } catch (error) {
    throw new InboundAuthError(401, `The connection's inbound secret is not usable: ${(error as Error).message}`);
  }
  const candidates = signatureHeader.split(' ').filter((part) => part.length > 0);
  let sawV1 = false;
  let matched = false;
  for (const candidate of candidates) {
    if (!candidate.startsWith('v1,')) continue;
    sawV1 = true;
    // No early exit: every candidate is compared.
    if (safeEqual(candidate, expected)) matched = true;
  }
  if (!sawV1) throw new InboundAuthError(401, "webhook-signature holds no 'v1,<base64>' signature");
  if (!matched) throw new InboundAuthError(401, 'webhook-signature does not match the body signed with the connection secret');
  return id;
}

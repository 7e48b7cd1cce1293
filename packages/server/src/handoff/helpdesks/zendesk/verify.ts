/**
 * Authenticating what Zendesk sends back.
 *
 * Ticket mode — Zendesk webhooks (called by a trigger) sign every request:
 *   X-Zendesk-Webhook-Signature           = base64(HMAC-SHA256(signingSecret, timestamp + rawBody))
 *   X-Zendesk-Webhook-Signature-Timestamp = the timestamp signed (ISO 8601, e.g. 2025-06-09T10:00:00Z)
 * The timestamp must be within ±5 minutes of the receive time (replays are refused).
 *
 * Sunshine mode — a Conversations integration's webhook presents its secret in `X-API-Key`.
 *
 * The secret: Zendesk generates both (the webhook's signing secret, the integration's webhook
 * secret), so an operator who cannot give Zendesk the connection's inbound secret stores Zendesk's
 * value as the optional `webhookSecret` credential, which then takes its place.
 */
import { InboundAuthError, type ConnectionContext, type RawInbound } from '../../../channels/adapter.js';
import { hmacBase64, safeEqual } from '../inbound.js';
import { zendeskMode } from './settings.js';

export const ZENDESK_SIGNATURE_HEADER = 'x-zendesk-webhook-signature';
export const ZENDESK_TIMESTAMP_HEADER = 'x-zendesk-webhook-signature-timestamp';
export const SUNSHINE_API_KEY_HEADER = 'x-api-key';
export const ZENDESK_TOLERANCE_SECONDS = 5 * 60;

/** The secret Zendesk signs with / presents: the `webhookSecret` credential if set, else the inbound secret. */
export function zendeskInboundSecret(connection: ConnectionContext): string {
  return connection.secrets?.webhookSecret || connection.inboundSecret;
}

/** The Zendesk webhook signature of `body` made at `timestamp` (as sent in the timestamp header). */
export function zendeskWebhookSignature(secret: string, timestamp: string, body: Buffer | string): string {
  return hmacBase64(secret, timestamp, typeof body === 'string' ? Buffer.from(body, 'utf8') : body);
}

/** Epoch ms of the timestamp header: ISO 8601 as Zendesk sends it (unix seconds also accepted). */
function timestampMs(value: string): number | undefined {
  if (/^\d{9,12}$/.test(value)) return Number(value) * 1000;
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

export function verifyZendeskWebhook(raw: RawInbound, connection: ConnectionContext, toleranceSeconds = ZENDESK_TOLERANCE_SECONDS): void {
  const secret = zendeskInboundSecret(connection);
  if (!secret) throw new InboundAuthError(401, 'Zendesk webhook refused: the connection has no secret to check the signature with');
  const signature = raw.headers[ZENDESK_SIGNATURE_HEADER]?.trim();
  const timestamp = raw.headers[ZENDESK_TIMESTAMP_HEADER]?.trim();
  if (!signature) throw new InboundAuthError(401, 'Zendesk webhook refused: the X-Zendesk-Webhook-Signature header is missing');
  if (!timestamp) throw new InboundAuthError(401, 'Zendesk webhook refused: the X-Zendesk-Webhook-Signature-Timestamp header is missing');
  const at = timestampMs(timestamp);
  if (at === undefined) {
    throw new InboundAuthError(401, `Zendesk webhook refused: X-Zendesk-Webhook-Signature-Timestamp '${timestamp.slice(0, 40)}' is not an ISO 8601 time`);
  }
  const skew = Math.round((raw.receivedAt - at) / 1000);
  if (Math.abs(skew) > toleranceSeconds) {
    throw new InboundAuthError(
      401,
      `Zendesk webhook refused: the signature timestamp is ${Math.abs(skew)} s ${skew > 0 ? 'old' : 'in the future'}, outside the ±${toleranceSeconds} s window (replayed or clock skew)`,
    );
  }
  const expected = zendeskWebhookSignature(secret, timestamp, raw.body);
  if (!safeEqual(signature, expected)) {
    throw new InboundAuthError(401, "Zendesk webhook refused: X-Zendesk-Webhook-Signature does not match the body signed with the webhook's signing secret");
  }
}

export function verifySunshineWebhook(raw: RawInbound, connection: ConnectionContext): void {
  const secret = zendeskInboundSecret(connection);
  const given = raw.headers[SUNSHINE_API_KEY_HEADER];
  if (!given) throw new InboundAuthError(401, 'Sunshine Conversations webhook refused: the X-API-Key header is missing');
  if (!secret || !safeEqual(given, secret)) {
    throw new InboundAuthError(401, "Sunshine Conversations webhook refused: X-API-Key does not match the integration's webhook secret");
  }
}

/** By the connection's mode: tickets are signed, Sunshine webhooks carry X-API-Key. */
export function verifyZendesk(raw: RawInbound, connection: ConnectionContext): void {
  if (zendeskMode(connection) === 'sunshine') verifySunshineWebhook(raw, connection);
  else verifyZendeskWebhook(raw, connection);
}

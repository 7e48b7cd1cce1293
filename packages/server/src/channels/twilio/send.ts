import {
  DeliveryError,
  deliveryErrorFrom,
  type ConnectionContext,
  type DeliveryReceipt,
  type OutboundMessage,
} from '../adapter.js';
import { isWhatsAppAddress, stripWhatsApp, WHATSAPP_PREFIX } from './parse.js';
import { textWithChoices } from '../quick-replies.js';

/** Twilio's limit for a message Body (SMS is split into segments by Twilio up to this; WhatsApp alike). */
export const MAX_BODY_LENGTH = 1600;
/** Messages one reply may become when its delivery does not say (MAX_REPLY_SEGMENTS). */
export const DEFAULT_MAX_REPLY_SEGMENTS = 10;
const REQUEST_TIMEOUT_MS = 30_000;

/** Whether a reply goes out over WhatsApp (else SMS), from the most explicit fact available. */
export function isWhatsAppMessage(message: OutboundMessage): boolean {
  const context = message.replyContext ?? {};
  if (context.channelType === 'whatsapp') return true;
  if (context.channelType === 'sms') return false;
  if (isWhatsAppAddress(context.to as string | undefined) || isWhatsAppAddress(context.from as string | undefined)) return true;
  const configuration = message.channelConfiguration ?? {};
  const declared = configuration.channelType ?? configuration.deploymentType;
  if (declared === 'whatsapp') return true;
  if (declared === 'sms') return false;
  if (isWhatsAppAddress(message.to.externalId) || isWhatsAppAddress(message.channelIdentifier)) return true;
  // WhatsApp channels are provider channels (configuration `{ connectionId, … }`); SMS channels point at a
  // phone configuration (`{ phoneConfigurationId }`).
  return typeof configuration.connectionId === 'string' && configuration.phoneConfigurationId === undefined;
}

/** Where to end a part of at most `limit` characters: a line break, else a space, else `limit`, never inside a surrogate pair. */
function cutPoint(text: string, limit: number): number {
  let cut = text.lastIndexOf('\n', limit);
  if (cut < limit / 2) cut = text.lastIndexOf(' ', limit);
  if (cut < limit / 2) {
    cut = limit;
    const code = text.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  }
  return cut;
}

/**
 * Splits text into Body-sized parts, preferring line breaks, then spaces; never inside a surrogate pair.
 * At most `maxParts` parts: text beyond them is dropped, and the last part ends with an ellipsis.
 */
export function splitBody(text: string, limit = MAX_BODY_LENGTH, maxParts = Number.POSITIVE_INFINITY): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    if (parts.length >= maxParts - 1) {
      parts.push(`${rest.slice(0, cutPoint(rest, limit - 1)).trimEnd()}…`);
      return parts;
    }
    const cut = cutPoint(rest, limit);
    const part = rest.slice(0, cut).trimEnd();
    if (part) parts.push(part);
    rest = rest.slice(cut).replace(/^[ \n]+/, '');
  }
  if (rest.trim()) parts.push(rest);
  return parts;
}

function basicAuth(accountSid: string, authToken: string): string {
  return `Basic ${Buffer.from(`${accountSid}:${authToken}`, 'utf8').toString('base64')}`;
}

/**
 * Sends the reply through the Messages API:
 * `POST {apiBaseUrl}/2010-04-01/Accounts/{AccountSid}/Messages.json`, Basic auth AccountSid:AuthToken,
 * form body `To`, `From`, `Body` (`whatsapp:` addresses for WhatsApp), with
 * `I-Twilio-Idempotency-Token: <idempotencyKey>` so a retried request creates no second message.
 * Text longer than 1600 characters goes out as several messages (tokens `<key>`, `<key>:2`, …), at most
 * `message.maxSegments` of them. Returns the `sid` of the first message.
 */
export async function sendTwilioMessage(
  message: OutboundMessage,
  connection: ConnectionContext,
  fetchImpl: typeof fetch = fetch,
): Promise<DeliveryReceipt> {
  const accountSid = connection.settings.accountSid;
  const authToken = connection.secrets.authToken;
  if (typeof accountSid !== 'string' || !accountSid) {
    throw new DeliveryError('Twilio connection has no accountSid setting', { retryable: false });
  }
  if (!authToken) throw new DeliveryError('Twilio connection has no authToken credential', { retryable: false });

  const parts = splitBody(textWithChoices(message), MAX_BODY_LENGTH, message.maxSegments ?? DEFAULT_MAX_REPLY_SEGMENTS);
  if (parts.length === 0) throw new DeliveryError('Twilio cannot send an empty message', { retryable: false });

  const whatsapp = isWhatsAppMessage(message);
  const address = (value: string) => (whatsapp ? `${WHATSAPP_PREFIX}${stripWhatsApp(value)}` : stripWhatsApp(value));
  const from = address(message.channelIdentifier);
  const to = address(message.to.externalId);
  const url = `${connection.apiBaseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Messages.json`;

  const sids: string[] = [];
  for (const [index, part] of parts.entries()) {
    const token = index === 0 ? message.idempotencyKey : `${message.idempotencyKey}:${index + 1}`;
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method: 'POST',
        headers: {
          authorization: basicAuth(accountSid, authToken),
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          'i-twilio-idempotency-token': token,
        },
        body: new URLSearchParams({ To: to, From: from, Body: part }).toString(),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw new DeliveryError(`Twilio Messages API unreachable: ${error instanceof Error ? error.message : String(error)}`, {
        retryable: true,
      });
    }
    if (!response.ok) throw await deliveryErrorFrom(response, 'Twilio Messages API');
    const payload = (await response.json().catch(() => undefined)) as { sid?: unknown } | undefined;
    if (typeof payload?.sid !== 'string') {
      // Accepted but unreadable: retrying with the same idempotency token cannot send it twice.
      throw new DeliveryError(`Twilio Messages API answered ${response.status} without a message sid`, {
        retryable: true,
        status: response.status,
      });
    }
    sids.push(payload.sid);
  }
  return { providerMessageId: sids[0] };
}

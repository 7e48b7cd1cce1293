/**
 * Replies through the LINE Messaging API (Bearer channel access token):
 *
 * 1. Reply `POST /v2/bot/message/reply {replyToken, messages}` while the event's reply token is
 *    fresh. Reply tokens are single-use and expire about a minute after LINE issues them (LINE
 *    does not promise an exact lifetime), so Switchboard only uses one within
 *    REPLY_TOKEN_WINDOW_MS (50 s) of receiving the event, and never for a redelivered event (its
 *    token was issued when the event first failed to arrive). Replies are free of the monthly
 *    message quota; the reply endpoint accepts no retry key.
 * 2. Otherwise, or when the reply answers 400 "Invalid reply token" (used or expired), push once:
 *    `POST /v2/bot/message/push {to, messages}` with `X-Line-Retry-Key` = a UUID derived from the
 *    idempotency key, so every retry of the same message carries the same key. LINE accepts a
 *    retry key once (for 24 h) and answers 409 to a repeat: that means already delivered.
 *
 * A reply that fails with 5xx or a timeout may still have been delivered; its retry then finds
 * the token used and pushes, which can duplicate that one message (LINE offers no way to tell).
 */
import { createHash, randomUUID } from 'node:crypto';
import { DeliveryError, deliveryErrorFrom, retryAfterMs, type ConnectionContext, type DeliveryReceipt, type OutboundMessage } from '../adapter.js';

/** How long after receipt a reply token is still used (LINE's tokens last about a minute). */
export const REPLY_TOKEN_WINDOW_MS = 50_000;
/** LINE's limits: 5000 characters per text message, 5 messages per request. */
export const MAX_TEXT_LENGTH = 5000;
export const MAX_MESSAGES = 5;

/** The UUID namespace of Switchboard's LINE retry keys (fixed: retry keys must be stable across releases). */
const RETRY_KEY_NAMESPACE = Buffer.from('6f0b8c1e4d2a5b7c9e3f1a2b3c4d5e6f', 'hex');

/** A name-based (version 5) UUID of the idempotency key: the same key always gives the same X-Line-Retry-Key. */
export function lineRetryKey(idempotencyKey: string): string {
  const bytes = createHash('sha1').update(RETRY_KEY_NAMESPACE).update(idempotencyKey, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Splits text into LINE text messages of at most 5000 UTF-16 units, never inside a surrogate pair. */
interface LineTextMessage {
  type: 'text';
  text: string;
  quickReply?: { items: Array<{ type: 'action'; action: { type: 'message'; label: string; text: string } }> };
}

function textMessages(text: string): LineTextMessage[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > MAX_TEXT_LENGTH) {
    let cut = MAX_TEXT_LENGTH;
    const code = rest.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut--;
    parts.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  parts.push(rest);
  return parts.map((part) => ({ type: 'text' as const, text: part }));
}

function base(connection: ConnectionContext): string {
  return connection.apiBaseUrl.replace(/\/+$/, '');
}

async function post(fetchImpl: typeof fetch, url: string, token: string, body: unknown, extraHeaders: Record<string, string>, label: string): Promise<Response> {
  try {
    return await fetchImpl(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...extraHeaders },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    throw new DeliveryError(`${label} could not be reached: ${(error as Error).message}`, { retryable: true });
  }
}

async function jsonOf(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text().catch(() => '');
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** sentMessages[0].id when LINE returns it, else the request id header. */
function receiptOf(body: Record<string, unknown>, response: Response, requestIdHeader = 'x-line-request-id'): DeliveryReceipt {
  const sent = Array.isArray(body.sentMessages) ? (body.sentMessages[0] as Record<string, unknown> | undefined) : undefined;
  const id = sent && (typeof sent.id === 'string' || typeof sent.id === 'number') ? String(sent.id) : undefined;
  const requestId = response.headers.get(requestIdHeader) ?? response.headers.get('x-line-request-id') ?? undefined;
  const providerMessageId = id ?? requestId;
  return providerMessageId ? { providerMessageId } : {};
}

/** Maps a LINE error: 429 is a rate limit (retry) unless it is the monthly quota (no retry until next month). */
async function lineError(response: Response, label: string): Promise<DeliveryError> {
  if (response.status === 429) {
    const body = await jsonOf(response.clone());
    const text = typeof body.message === 'string' ? body.message : '';
    if (/monthly limit/i.test(text)) {
      return new DeliveryError(`${label} answered 429: ${text} (the channel's monthly message quota is used up)`, { retryable: false, status: 429 });
    }
    const wait = retryAfterMs(response.headers.get('retry-after'));
    return new DeliveryError(`${label} answered 429: ${text || 'Too Many Requests'}`, {
      retryable: true,
      status: 429,
      ...(wait !== undefined && { retryAfterMs: wait }),
    });
  }
  return deliveryErrorFrom(response, label);
}

export async function sendLine(message: OutboundMessage, connection: ConnectionContext, fetchImpl: typeof fetch = fetch): Promise<DeliveryReceipt> {
  const token = connection.secrets.channelAccessToken;
  if (!token) throw new DeliveryError('LINE send: the connection has no channelAccessToken credential', { retryable: false });
  if (message.text.trim() === '') throw new DeliveryError('LINE send: the message is empty', { retryable: false });
  const messages = textMessages(message.text);
  if (messages.length > MAX_MESSAGES) {
    throw new DeliveryError(`LINE send: the text is longer than ${MAX_TEXT_LENGTH * MAX_MESSAGES} characters (LINE takes ${MAX_MESSAGES} messages of ${MAX_TEXT_LENGTH})`, {
      retryable: false,
    });
  }

  const labels = message.quickReplies ?? [];
  if (labels.length > 0) {
    // Quick reply buttons ride on the last message; a tap sends the label as the user's message.
    messages[messages.length - 1]!.quickReply = { items: labels.map((label) => ({ type: 'action', action: { type: 'message', label, text: label } })) };
  }

  const context = message.replyContext ?? {};
  const replyToken = typeof context.replyToken === 'string' ? context.replyToken : undefined;
  const fresh =
    replyToken !== undefined &&
    !/^(?:0{32}|f{32})$/i.test(replyToken) && // the console's verify dummies
    context.isRedelivery !== true &&
    message.inboundReceivedAt !== undefined &&
    Date.now() - message.inboundReceivedAt <= REPLY_TOKEN_WINDOW_MS;

  if (fresh) {
    const label = 'LINE /v2/bot/message/reply';
    const response = await post(fetchImpl, `${base(connection)}/v2/bot/message/reply`, token, { replyToken, messages }, {}, label);
    if (response.ok) return receiptOf(await jsonOf(response), response);
    const invalidToken = response.status === 400 && /invalid reply token/i.test(String((await jsonOf(response.clone())).message ?? ''));
    if (!invalidToken) throw await lineError(response, label);
    await response.body?.cancel().catch(() => undefined);
    // The token expired or was used: push instead (once).
  }

  if (!message.to.externalId) throw new DeliveryError('LINE send: the recipient has no user, group or room id', { retryable: false });
  const label = 'LINE /v2/bot/message/push';
  const retryKey = message.idempotencyKey ? lineRetryKey(message.idempotencyKey) : randomUUID();
  const response = await post(
    fetchImpl,
    `${base(connection)}/v2/bot/message/push`,
    token,
    { to: message.to.externalId, messages },
    { 'x-line-retry-key': retryKey },
    label,
  );
  if (response.ok) return receiptOf(await jsonOf(response), response);
  // 409 to a request with a retry key: "already accepted" — an earlier attempt was delivered.
  if (response.status === 409) return receiptOf(await jsonOf(response), response, 'x-line-accepted-request-id');
  throw await lineError(response, label);
}

/**
 * Replies go back to the gateway, which speaks them on the call:
 *
 *   POST {settings.callbackUrl}
 *   content-type: application/json
 *   idempotency-key: {idempotencyKey}
 *   x-timestamp / x-signature: signed as in signature.ts with the connection's inbound secret
 *
 *   { "callId": "call_…", "text": "Sure, …", "idempotencyKey": "…" }   ← same key on every retry
 *
 * 2xx delivers (a JSON `{"id": …}` answer becomes the provider message id); 429 / 408 / 5xx /
 * network errors retry; other answers (e.g. 404 or 410 for a call that has ended) do not.
 */
import { DeliveryError, type ConnectionContext, type DeliveryReceipt, type OutboundMessage } from '../adapter.js';
import { postForDelivery, requireHttpUrl } from '../webhook/http.js';
import { voiceGatewayHeaders } from './signature.js';

export async function sendVoiceGatewayReply(
  message: OutboundMessage,
  connection: ConnectionContext,
  fetchImpl: typeof fetch = fetch,
): Promise<DeliveryReceipt> {
  const url = requireHttpUrl(connection.settings.callbackUrl, 'callbackUrl');
  const callId = message.replyContext?.callId;
  if (typeof callId !== 'string' || callId.length === 0) {
    throw new DeliveryError('A voice gateway reply needs the callId of the transcript it answers (replyContext.callId)', { retryable: false });
  }
  if (!connection.inboundSecret) throw new DeliveryError('The connection has no inbound secret to sign callbacks with', { retryable: false });
  const body = JSON.stringify({ callId, text: message.text, idempotencyKey: message.idempotencyKey });
  const response = await postForDelivery(
    fetchImpl,
    url,
    {
      'content-type': 'application/json',
      'user-agent': 'Switchboard-VoiceGateway/1',
      'idempotency-key': message.idempotencyKey,
      ...voiceGatewayHeaders(connection.inboundSecret, body),
    },
    body,
    `The voice gateway ${url.origin}`,
  );
  const answer = await response.text().catch(() => '');
  let providerMessageId = message.idempotencyKey;
  try {
    const json = JSON.parse(answer) as { id?: unknown };
    if (typeof json.id === 'string' && json.id.length > 0) providerMessageId = json.id;
  } catch {
    // Not JSON: the idempotency key identifies the delivery.
  }
  return { providerMessageId };
}

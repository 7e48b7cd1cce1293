/**
 * Outbound custom webhook delivery:
 *
 *   POST {settings.outboundUrl}
 *   content-type: application/json
 *   webhook-id: {idempotencyKey}     ← the same on every retry: receivers drop duplicates on it
 *   webhook-timestamp / webhook-signature: Standard Webhooks, signed with the `outboundSecret` credential
 *
 *   { "type": "message", "channel": "support-desk", "contact": { "id": "user-42" },
 *     "text": "Hi Ada!", "inReplyTo": "msg_…" }   ← inReplyTo: the webhook-id being answered, if any
 *
 * Any 2xx delivers; 429 / 408 / 5xx / network errors retry (Retry-After honoured); other answers do not.
 */
import { DeliveryError, type ConnectionContext, type DeliveryReceipt, type OutboundMessage } from '../adapter.js';
import { postForDelivery, requireHttpUrl } from './http.js';
import { standardWebhookHeaders, standardWebhooksKey } from './standard-webhooks.js';
import { textWithChoices } from '../quick-replies.js';

export async function sendWebhookMessage(
  message: OutboundMessage,
  connection: ConnectionContext,
  fetchImpl: typeof fetch = fetch,
): Promise<DeliveryReceipt> {
  const url = requireHttpUrl(connection.settings.outboundUrl, 'outboundUrl');
  const secret = connection.secrets.outboundSecret;
  if (!secret) throw new DeliveryError('The connection has no outboundSecret credential to sign deliveries with', { retryable: false });
  try {
    standardWebhooksKey(secret);
  } catch (error) {
    throw new DeliveryError(`The outboundSecret credential is not usable: ${(error as Error).message}`, { retryable: false });
  }
  const inReplyTo = message.replyContext?.webhookId;
  const body = JSON.stringify({
    type: 'message',
    channel: message.channelIdentifier,
    contact: { id: message.to.externalId },
    text: textWithChoices(message),
    ...(typeof inReplyTo === 'string' && inReplyTo.length > 0 ? { inReplyTo } : {}),
  });
  const response = await postForDelivery(
    fetchImpl,
    url,
    {
      'content-type': 'application/json',
      'user-agent': 'Switchboard-Webhooks/1',
      ...standardWebhookHeaders(secret, message.idempotencyKey, body),
    },
    body,
    `The webhook endpoint ${url.origin}`,
  );
  await response.arrayBuffer().catch(() => undefined);
  return { providerMessageId: message.idempotencyKey };
}

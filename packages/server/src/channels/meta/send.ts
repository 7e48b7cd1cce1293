/**
 * Replies through the Graph API.
 *
 * The Graph API accepts no idempotency key (no header, no body field), so `message.idempotencyKey`
 * cannot be passed on: exactly-once delivery on Meta channels rests on the outbox's claim protocol
 * (one claimed attempt at a time, the receipt recorded in the same step). An attempt whose answer
 * is lost (timeout, dropped connection) is retried and may reach the person twice; that is the
 * documented at-least-once edge of a provider without idempotency.
 */
import { DeliveryError, type ConnectionContext, type DeliveryReceipt, type OutboundMessage } from '../adapter.js';
import { accessTokenOf, authQuery, graphError, graphFetch } from './graph.js';
import { graphRoot } from './settings.js';

export type MetaChannelType = 'whatsapp' | 'facebook' | 'instagram';

const str = (value: unknown): string | undefined =>
  typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : typeof value === 'string' && value.length > 0 ? value : undefined;

/**
 * Which Meta channel a reply is for. OutboundMessage carries no channel type, so: the
 * replyContext's `channelType` (set by parse), else a WhatsApp channel's E.164 identifier
 * or configured phoneNumberId, else a page (Messenger and Instagram send the same way).
 */
export function metaChannelTypeOf(message: OutboundMessage): MetaChannelType {
  const declared = message.replyContext?.channelType;
  if (declared === 'whatsapp' || declared === 'facebook' || declared === 'instagram') return declared;
  if (message.channelIdentifier.startsWith('+') || str(message.channelConfiguration.phoneNumberId)) return 'whatsapp';
  return 'facebook';
}

/** The WhatsApp phone number id to send from: channel configuration, then connection settings, then the inbound message's. */
export function whatsappPhoneNumberId(message: OutboundMessage, connection: ConnectionContext): string | undefined {
  return (
    str(message.channelConfiguration.phoneNumberId) ?? str(connection.settings.phoneNumberId) ?? str(message.replyContext?.phoneNumberId)
  );
}

async function sendWhatsApp(message: OutboundMessage, connection: ConnectionContext, fetchImpl: typeof fetch): Promise<DeliveryReceipt> {
  const what = 'WhatsApp Cloud API';
  const phoneNumberId = whatsappPhoneNumberId(message, connection);
  if (!phoneNumberId) {
    throw new DeliveryError(
      `${what}: no phone number id: set configuration.phoneNumberId on the WhatsApp channel or phoneNumberId on the connection`,
      { retryable: false },
    );
  }
  const token = accessTokenOf(connection, what);
  const query = authQuery(connection, token, false).toString();
  const url = `${graphRoot(connection)}/${encodeURIComponent(phoneNumberId)}/messages${query ? `?${query}` : ''}`;
  const response = await graphFetch(
    fetchImpl,
    url,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: message.to.externalId,
        type: 'text',
        text: { body: message.text },
      }),
    },
    what,
  );
  if (!response.ok) throw await graphError(response, what);
  // Delivered: never throw past this point, a retry would send it again.
  const body = (await response.json().catch(() => undefined)) as { messages?: { id?: unknown }[] } | undefined;
  const id = str(body?.messages?.[0]?.id);
  return id ? { providerMessageId: id } : {};
}

async function sendToPage(
  message: OutboundMessage,
  connection: ConnectionContext,
  fetchImpl: typeof fetch,
  channelType: 'facebook' | 'instagram',
): Promise<DeliveryReceipt> {
  const what = channelType === 'instagram' ? 'Instagram Messaging API' : 'Messenger Send API';
  const pageId = str(message.channelIdentifier) ?? str(message.replyContext?.pageId);
  if (!pageId) throw new DeliveryError(`${what}: the channel has no page id`, { retryable: false });
  const token = accessTokenOf(connection, what);
  const url = `${graphRoot(connection)}/${encodeURIComponent(pageId)}/messages?${authQuery(connection, token, true).toString()}`;
  const response = await graphFetch(
    fetchImpl,
    url,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ recipient: { id: message.to.externalId }, messaging_type: 'RESPONSE', message: { text: message.text } }),
    },
    what,
  );
  if (!response.ok) throw await graphError(response, what);
  const body = (await response.json().catch(() => undefined)) as { message_id?: unknown } | undefined;
  const id = str(body?.message_id);
  return id ? { providerMessageId: id } : {};
}

export async function sendMetaMessage(
  message: OutboundMessage,
  connection: ConnectionContext,
  fetchImpl: typeof fetch = fetch,
): Promise<DeliveryReceipt> {
  const channelType = metaChannelTypeOf(message);
  return channelType === 'whatsapp' ? sendWhatsApp(message, connection, fetchImpl) : sendToPage(message, connection, fetchImpl, channelType);
}

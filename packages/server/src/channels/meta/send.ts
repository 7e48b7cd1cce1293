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
import { numberedText } from '../quick-replies.js';

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

/** WhatsApp Cloud API limits: 3 reply buttons, 10 list rows, 1024 characters of interactive body text. */
const WHATSAPP_MAX_BUTTONS = 3;
export const WHATSAPP_MAX_LIST_ROWS = 10;
export const WHATSAPP_MAX_INTERACTIVE_BODY = 1024;
/** The label of the button that opens a list message's rows. */
export const WHATSAPP_LIST_BUTTON = 'Choose';

/**
 * The message content of a WhatsApp reply: a text message; with quick replies, interactive reply
 * buttons (up to 3) or a list message (up to 10 rows), whose choice comes back as the contact's
 * message; numbered text when the body is too long for an interactive message.
 */
export function whatsappContent(text: string, quickReplies: readonly string[] = []): Record<string, unknown> {
  if (quickReplies.length === 0 || quickReplies.length > WHATSAPP_MAX_LIST_ROWS || [...text].length > WHATSAPP_MAX_INTERACTIVE_BODY) {
    return { type: 'text', text: { body: numberedText(text, quickReplies) } };
  }
  const id = (index: number) => `qr_${index + 1}`;
  if (quickReplies.length <= WHATSAPP_MAX_BUTTONS) {
    const buttons = quickReplies.map((title, index) => ({ type: 'reply', reply: { id: id(index), title } }));
    return { type: 'interactive', interactive: { type: 'button', body: { text }, action: { buttons } } };
  }
  const rows = quickReplies.map((title, index) => ({ id: id(index), title }));
  return { type: 'interactive', interactive: { type: 'list', body: { text }, action: { button: WHATSAPP_LIST_BUTTON, sections: [{ rows }] } } };
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
        ...whatsappContent(message.text, message.quickReplies),
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
      body: JSON.stringify({
        recipient: { id: message.to.externalId },
        messaging_type: 'RESPONSE',
        message: {
          text: message.text,
          // Tapped, a quick reply comes back as a message whose text is its title.
          ...(message.quickReplies?.length && {
            quick_replies: message.quickReplies.map((title) => ({ content_type: 'text', title, payload: title })),
          }),
        },
      }),
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

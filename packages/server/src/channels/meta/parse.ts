import { InboundFormatError, type InboundEvent, type InboundMedia, type RawInbound } from '../adapter.js';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : undefined);
/** Graph ids arrive as strings, but be lenient with numbers. */
const id = (value: unknown): string | undefined =>
  typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : text(value);

function list(value: unknown, where: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new InboundFormatError(`Meta webhook: ${where} must be an array`);
  return value;
}

/** `+` and the digits of WhatsApp's display_phone_number (`15551234567`, `+1 555-123-4567` → `+15551234567`). */
export function whatsappChannelIdentifier(displayPhoneNumber: string): string | undefined {
  const digits = displayPhoneNumber.replace(/\D/g, '');
  return digits.length > 0 ? `+${digits}` : undefined;
}

/** The text of a WhatsApp message: a text's body, or the title of the reply button or list row the contact chose. */
function whatsappText(message: Json): string | undefined {
  if (message.type === 'text') return isObject(message.text) ? text(message.text.body) : undefined;
  if (message.type === 'interactive' && isObject(message.interactive)) {
    const chosen = message.interactive.button_reply ?? message.interactive.list_reply;
    return isObject(chosen) ? text(chosen.title) : undefined;
  }
  // A template's quick-reply button.
  if (message.type === 'button' && isObject(message.button)) return text(message.button.text);
  return undefined;
}

const IMAGE_EXTENSIONS: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'image/gif': 'gif' };

/** A WhatsApp image as media to fetch by its id (attachments/inbound-media.ts), named after it. */
function whatsappImage(message: Json): { text: string; media: InboundMedia } | undefined {
  if (message.type !== 'image' || !isObject(message.image)) return undefined;
  const mediaId = id(message.image.id);
  if (!mediaId) return undefined;
  const contentType = text(message.image.mime_type)?.split(';')[0]!.trim().toLowerCase() ?? 'image/jpeg';
  const name = `image-${mediaId.replace(/[^A-Za-z0-9_-]/g, '')}.${IMAGE_EXTENSIONS[contentType] ?? 'jpg'}`;
  return { text: text(message.image.caption) ?? name, media: { ref: mediaId, name, contentType } };
}

/**
 * WhatsApp Cloud API: `entry[].changes[]` with `field: "messages"`. Text messages become events,
 * and so do images (their caption, or the file's name, as the text; the media id to fetch);
 * `statuses[]` (sent/delivered/read/failed), errors and other messages yield nothing.
 */
function parseWhatsApp(entries: unknown[]): InboundEvent[] {
  const events: InboundEvent[] = [];
  for (const [e, entry] of entries.entries()) {
    if (!isObject(entry)) throw new InboundFormatError(`Meta webhook: entry[${e}] must be an object`);
    for (const [c, change] of list(entry.changes, `entry[${e}].changes`).entries()) {
      if (!isObject(change)) throw new InboundFormatError(`Meta webhook: entry[${e}].changes[${c}] must be an object`);
      if (change.field !== undefined && change.field !== 'messages') continue;
      const value = change.value;
      if (!isObject(value)) continue;
      const metadata = isObject(value.metadata) ? value.metadata : {};
      const displayPhoneNumber = text(metadata.display_phone_number);
      const channelIdentifier = displayPhoneNumber ? whatsappChannelIdentifier(displayPhoneNumber) : undefined;
      const phoneNumberId = id(metadata.phone_number_id);
      const contacts = list(value.contacts, `entry[${e}].changes[${c}].value.contacts`).filter(isObject);
      const nameOf = (waId: string): string | undefined => {
        const contact = contacts.find((candidate) => id(candidate.wa_id) === waId) ?? (contacts.length === 1 ? contacts[0] : undefined);
        return contact && isObject(contact.profile) ? text(contact.profile.name) : undefined;
      };
      for (const message of list(value.messages, `entry[${e}].changes[${c}].value.messages`)) {
        if (!isObject(message)) continue;
        const image = whatsappImage(message);
        const body = whatsappText(message) ?? image?.text;
        const wamid = text(message.id);
        const from = id(message.from);
        if (!body || !wamid || !from || !channelIdentifier) continue;
        const displayName = nameOf(from);
        const timestamp = Number(message.timestamp);
        events.push({
          providerEventId: wamid,
          channelIdentifier,
          contact: { externalId: from, ...(displayName !== undefined && { displayName }) },
          text: body,
          ...(image && { media: [image.media] }),
          replyContext: {
            channelType: 'whatsapp',
            messageId: wamid,
            ...(phoneNumberId !== undefined && { phoneNumberId }),
            ...(Number.isFinite(timestamp) && timestamp > 0 && { sentAt: timestamp * 1000 }),
          },
        });
      }
    }
  }
  return events;
}

/**
 * Messenger (`object: "page"`) and Instagram (`object: "instagram"`): `entry[].messaging[]`.
 * Text messages become events; echoes of our own sends, deliveries, reads, reactions,
 * postbacks and attachment-only messages yield nothing.
 */
function parseMessaging(entries: unknown[], channelType: 'facebook' | 'instagram'): InboundEvent[] {
  const events: InboundEvent[] = [];
  for (const [e, entry] of entries.entries()) {
    if (!isObject(entry)) throw new InboundFormatError(`Meta webhook: entry[${e}] must be an object`);
    for (const item of list(entry.messaging, `entry[${e}].messaging`)) {
      if (!isObject(item) || !isObject(item.message)) continue;
      const message = item.message;
      if (message.is_echo === true || message.is_deleted === true || message.is_unsupported === true) continue;
      const body = text(message.text);
      const mid = text(message.mid);
      const sender = isObject(item.sender) ? id(item.sender.id) : undefined;
      const recipient = (isObject(item.recipient) ? id(item.recipient.id) : undefined) ?? id(entry.id);
      if (!body || !mid || !sender || !recipient) continue;
      const timestamp = Number(item.timestamp);
      events.push({
        providerEventId: mid,
        channelIdentifier: recipient,
        contact: { externalId: sender },
        text: body,
        replyContext: {
          channelType,
          pageId: recipient,
          messageId: mid,
          ...(Number.isFinite(timestamp) && timestamp > 0 && { sentAt: timestamp }),
        },
      });
    }
  }
  return events;
}

/** Normalised events of one Meta webhook body (possibly none). Throws InboundFormatError on garbage. */
export function parseMetaWebhook(raw: RawInbound): InboundEvent[] {
  let payload: unknown;
  try {
    payload = JSON.parse(raw.body.toString('utf8'));
  } catch {
    throw new InboundFormatError('Meta webhook: the body is not JSON');
  }
  if (!isObject(payload) || typeof payload.object !== 'string') {
    throw new InboundFormatError('Meta webhook: expected a JSON object with "object" and "entry"');
  }
  const entries = list(payload.entry, 'entry');
  switch (payload.object) {
    case 'whatsapp_business_account':
      return parseWhatsApp(entries);
    case 'page':
      return parseMessaging(entries, 'facebook');
    case 'instagram':
      return parseMessaging(entries, 'instagram');
    default:
      // Other subscriptions of the same app (user, permissions, …): acknowledge, nothing to record.
      return [];
  }
}

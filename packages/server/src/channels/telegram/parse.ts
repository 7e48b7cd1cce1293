import { InboundFormatError, type ConnectionContext, type InboundEvent, type RawInbound } from '../adapter.js';
import { botUsernameOf } from './settings.js';

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const name = (value: unknown): string | undefined => (typeof value === 'string' && value.trim().length > 0 ? value.trim() : undefined);

/** "First Last", else "First", else the username, else nothing. */
export function telegramDisplayName(from: Json): string | undefined {
  const full = [name(from.first_name), name(from.last_name)].filter(Boolean).join(' ');
  if (full) return full;
  const username = name(from.username);
  return username;
}

/** The largest size of a photo (Telegram lists each photo in several sizes, smallest first). */
function largestPhoto(photo: unknown): Json | undefined {
  if (!Array.isArray(photo)) return undefined;
  const sizes = photo.filter((size): size is Json => isObject(size) && typeof size.file_id === 'string' && size.file_id.length > 0);
  return sizes[sizes.length - 1];
}

/**
 * One Telegram Update. A `message` from a person with `text`, or with a `photo` (its caption, or
 * its file name, as the text; the largest size as media to fetch), becomes an event
 * (providerEventId = update_id); edited messages, channel posts, callback queries, member
 * updates and other messages (stickers, documents, …) yield nothing.
 */
export function parseTelegramUpdate(raw: RawInbound, connection: ConnectionContext): InboundEvent[] {
  let update: unknown;
  try {
    update = JSON.parse(raw.body.toString('utf8'));
  } catch {
    throw new InboundFormatError('Telegram webhook: the body is not JSON');
  }
  if (!isObject(update) || typeof update.update_id !== 'number' || !Number.isSafeInteger(update.update_id)) {
    throw new InboundFormatError('Telegram webhook: expected an Update object with a numeric update_id');
  }
  const message = update.message;
  if (!isObject(message)) return [];
  const photo = largestPhoto(message.photo);
  const photoName = photo && `photo-${String(name(photo.file_unique_id) ?? update.update_id).replace(/[^A-Za-z0-9_-]/g, '')}.jpg`;
  const text = typeof message.text === 'string' && message.text.length > 0 ? message.text : photoName && (name(message.caption) ?? photoName);
  if (!text) return [];
  const from = message.from;
  const chat = message.chat;
  if (!isObject(from) || (typeof from.id !== 'number' && typeof from.id !== 'string') || from.is_bot === true) return [];
  if (!isObject(chat) || (typeof chat.id !== 'number' && typeof chat.id !== 'string')) return [];
  const channelIdentifier = botUsernameOf(connection);
  if (!channelIdentifier) {
    throw new InboundFormatError('Telegram webhook: the connection has no botUsername setting, so the update cannot be matched to a channel');
  }
  const displayName = telegramDisplayName(from);
  return [
    {
      providerEventId: String(update.update_id),
      channelIdentifier,
      contact: { externalId: String(from.id), ...(displayName !== undefined && { displayName }) },
      text,
      ...(photo && { media: [{ ref: String(photo.file_id), name: photoName!, contentType: 'image/jpeg' }] }),
      replyContext: {
        chatId: chat.id,
        ...(typeof chat.type === 'string' && { chatType: chat.type }),
        ...(typeof message.message_id === 'number' && { messageId: message.message_id }),
        ...(typeof message.date === 'number' && { sentAt: message.date * 1000 }),
      },
    },
  ];
}

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

/**
 * One Telegram Update. Only `message` with `text` from a person becomes an event
 * (providerEventId = update_id); edited messages, channel posts, callback queries, member
 * updates and non-text messages (photos, stickers, …) yield nothing.
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
  if (!isObject(message) || typeof message.text !== 'string' || message.text.length === 0) return [];
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
      text: message.text,
      replyContext: {
        chatId: chat.id,
        ...(typeof chat.type === 'string' && { chatType: chat.type }),
        ...(typeof message.message_id === 'number' && { messageId: message.message_id }),
        ...(typeof message.date === 'number' && { sentAt: message.date * 1000 }),
      },
    },
  ];
}

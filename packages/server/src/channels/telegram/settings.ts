import { z } from 'zod';
import type { ConnectionContext } from '../adapter.js';

const BOT_USERNAME = /^[A-Za-z][A-Za-z0-9_]{4,31}$/;

/** Non-secret settings of a `telegram` connection. */
export const telegramSettingsSchema = z.strictObject({
  /** The bot's username without `@` (a leading `@` is accepted and dropped): the channelIdentifier of its Telegram channels. */
  botUsername: z
    .string()
    .trim()
    .transform((value) => value.replace(/^@/, ''))
    .pipe(z.string().regex(BOT_USERNAME, 'must be the bot username (5-32 letters, digits or _, starting with a letter; without @)')),
});

export type TelegramSettings = z.output<typeof telegramSettingsSchema>;

/** The connection's bot username, `@` dropped, or undefined. */
export function botUsernameOf(connection: ConnectionContext): string | undefined {
  const value = connection.settings.botUsername;
  if (typeof value !== 'string') return undefined;
  const name = value.trim().replace(/^@/, '');
  return name.length > 0 ? name : undefined;
}

export function telegramApiRoot(connection: ConnectionContext): string {
  return connection.apiBaseUrl.replace(/\/+$/, '');
}

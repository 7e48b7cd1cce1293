import type { ChannelAdapter, ProviderDefinition } from '../adapter.js';
import { parseTelegramUpdate } from './parse.js';
import { sendTelegramMessage } from './send.js';
import { fetchTelegramMedia } from './media.js';
import { telegramSettingsSchema } from './settings.js';
import { verifyTelegramSecret } from './verify.js';

export { telegramSettingsSchema, type TelegramSettings } from './settings.js';
export { verifyTelegramSecret } from './verify.js';
export { parseTelegramUpdate, telegramDisplayName } from './parse.js';
export { sendTelegramMessage } from './send.js';
export { setWebhookRequest, TELEGRAM_SECRET_TOKEN, type SetWebhookRequest } from './webhook.js';

export const TELEGRAM_DEFAULT_API_BASE_URL = 'https://api.telegram.org';

export const telegramAdapter: ChannelAdapter = {
  provider: 'telegram',
  defaultApiBaseUrl: TELEGRAM_DEFAULT_API_BASE_URL,
  verify: verifyTelegramSecret,
  parse: parseTelegramUpdate,
  // Any 2xx tells Telegram the update is delivered; an empty JSON object is the conventional body.
  acknowledge: () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '{}' }),
  send: (message, connection, fetchImpl) => sendTelegramMessage(message, connection, fetchImpl),
  fetchMedia: fetchTelegramMedia,
  // Quick replies are a reply keyboard.
  numberedChoices: () => false,
};

export const telegramProvider: ProviderDefinition = {
  adapter: telegramAdapter,
  settings: telegramSettingsSchema,
  credentials: [
    {
      name: 'botToken',
      required: true,
      description: 'The bot token @BotFather gave when the bot was created (123456789:AA…): sends replies and registers the webhook.',
    },
  ],
  inboundSecret: 'token',
  channelTypes: ['telegram'],
  setup:
    "Create the bot with @BotFather, store its token as the `botToken` credential and its username (without @) as the `botUsername` setting, then register the webhook by calling the Bot API's `setWebhook` with `url` = `{inboundUrl}` and `secret_token` = `{inboundSecret}`, for example `curl -X POST https://api.telegram.org/bot<botToken>/setWebhook -H 'content-type: application/json' -d '{\"url\":\"{inboundUrl}\",\"secret_token\":\"{inboundSecret}\",\"allowed_updates\":[\"message\"]}'`; Telegram then presents the secret in X-Telegram-Bot-Api-Secret-Token on every update and Switchboard refuses any update without it. The URL must be HTTPS on port 443, 80, 88 or 8443, and a bot has only one webhook, so this replaces any other webhook or getUpdates polling.",
};

export default telegramProvider;

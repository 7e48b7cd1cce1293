/**
 * Provider connections the end-to-end provider tests share: the fake provider's credentials, and
 * a connection to it made through the control-plane API, stored secrets and all.
 */
import { lineSignature } from '../../packages/server/src/channels/line/index.js';
import type { FakeLine } from '../fakes/line.js';
import { createConnection, createSecret, deployEcho, inboundPath, type Api, type ConnectionView, type ProviderHarness } from './harness.js';

export const META_APP_SECRET = 'a3f0c9d1e2b4567890abcdef12345678';
export const META_ACCESS_TOKEN = 'EAAGm0PX4ZCpsBAKZCe2eAccessToken';
export const PHONE_NUMBER_ID = '106540352242922';
/** What Meta puts in metadata.display_phone_number; the WhatsApp channel is its E.164 form. */
export const DISPLAY_PHONE_NUMBER = '12025550123';
export const WHATSAPP_NUMBER = '+12025550123';
export const WA_USER = '16505551234';
export const PAGE_ID = '104745862412345';
export const PSID = '6543210987654321';

/** The bot token the fake Telegram API is started with. */
export const TELEGRAM_BOT_TOKEN = '7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';

/** A Telegram connection for `botUsername` to the fake Bot API at `telegramUrl` (started with TELEGRAM_BOT_TOKEN). */
export async function createTelegramConnection(api: Api, telegramUrl: string, botUsername: string, name = 'Telegram bot'): Promise<ConnectionView> {
  return createConnection(api, {
    provider: 'telegram',
    name,
    settings: { botUsername },
    credentials: { botToken: await createSecret(api, 'telegram-bot-token', TELEGRAM_BOT_TOKEN) },
    apiBaseUrl: telegramUrl,
  });
}

/** A Meta connection (Graph v21.0) to the fake Graph API at `graphUrl`. */
export async function createMetaConnection(api: Api, graphUrl: string): Promise<ConnectionView> {
  return createConnection(api, {
    provider: 'meta',
    name: 'Meta',
    settings: { graphVersion: '21.0' },
    credentials: {
      appSecret: await createSecret(api, 'meta-app-secret', META_APP_SECRET),
      accessToken: await createSecret(api, 'meta-access-token', META_ACCESS_TOKEN),
    },
    apiBaseUrl: graphUrl,
  });
}

export const LINE_CHANNEL_SECRET = '8c57e1f5a7b0e2d9c3f4a6b8d0e1f2a3';
/** The bot's user id: the webhook `destination`, and so the LINE channel's identifier. */
export const LINE_BOT = 'U0123456789abcdef0123456789abcdef';
export const LINE_USER = 'U4af4980629aaaaaaaaaaaaaaaaaaaaaa';

/** A LINE connection to the fake LINE API, answered by an echo agent; resolves with the connection's id. */
export async function deployLineEcho(api: Api, line: FakeLine): Promise<string> {
  const connection = await createConnection(api, {
    provider: 'line',
    name: 'LINE',
    settings: { botUserId: LINE_BOT },
    credentials: {
      channelSecret: await createSecret(api, 'line-channel-secret', LINE_CHANNEL_SECRET),
      channelAccessToken: await createSecret(api, 'line-channel-access-token', line.accessToken),
    },
    apiBaseUrl: line.url,
  });
  await deployEcho(api, { deploymentType: 'line', channelIdentifier: LINE_BOT, configuration: { connectionId: connection.id } });
  return connection.id;
}

/**
 * Posts a LINE webhook with `events` to the connection's inbound URL, signed with the channel
 * secret (or `secret`); `signature` overrides the header, and `null` leaves it out.
 */
export function postLineEvents(h: ProviderHarness, connectionId: string, events: unknown[], options: { secret?: string; signature?: string | null } = {}) {
  const body = JSON.stringify({ destination: LINE_BOT, events });
  const signature = options.signature === undefined ? lineSignature(options.secret ?? LINE_CHANNEL_SECRET, body) : options.signature;
  return fetch(`${h.server.baseUrl}${inboundPath('line', connectionId)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', ...(signature !== null && { 'x-line-signature': signature }) },
    body,
  });
}

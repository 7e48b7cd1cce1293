import type { ConnectionContext } from '../adapter.js';
import { telegramApiRoot } from './settings.js';

/** Telegram's rule for `secret_token`: 1-256 characters, letters, digits, `_` and `-`. */
export const TELEGRAM_SECRET_TOKEN = /^[A-Za-z0-9_-]{1,256}$/;

export interface SetWebhookRequest {
  method: 'POST';
  /** `{apiBaseUrl}/bot{botToken}/setWebhook`: contains the bot token. */
  url: string;
  headers: { 'content-type': 'application/json' };
  body: { url: string; secret_token: string; allowed_updates: string[] };
  /** The same call as a shell command, for operator docs. */
  curl: string;
}

/**
 * The Bot API call that points a bot at Switchboard: `setWebhook` with the connection's inbound
 * URL and its inbound secret as `secret_token` (Telegram then sends it back in
 * X-Telegram-Bot-Api-Secret-Token on every update). Only `message` updates are requested: they
 * are the only ones Switchboard turns into conversation turns. Telegram requires an HTTPS URL on
 * port 443, 80, 88 or 8443.
 */
export function setWebhookRequest(connection: ConnectionContext, inboundUrl: string): SetWebhookRequest {
  if (!TELEGRAM_SECRET_TOKEN.test(connection.inboundSecret)) {
    throw new Error('Telegram accepts a secret_token of 1-256 letters, digits, "_" or "-": rotate this connection\'s inbound secret');
  }
  const token = connection.secrets.botToken ?? '<botToken>';
  const url = `${telegramApiRoot(connection)}/bot${token}/setWebhook`;
  const body = { url: inboundUrl, secret_token: connection.inboundSecret, allowed_updates: ['message'] };
  const json = JSON.stringify(body).replace(/'/g, `'\\''`);
  return {
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json' },
    body,
    curl: `curl -X POST '${url.replace(/'/g, `'\\''`)}' -H 'content-type: application/json' -d '${json}'`,
  };
}

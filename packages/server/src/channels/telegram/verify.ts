import { InboundAuthError, type ConnectionContext, type RawInbound } from '../adapter.js';
import { safeEqual } from '../safe-equal.js';

const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

/**
 * Telegram presents the `secret_token` given to setWebhook in `X-Telegram-Bot-Api-Secret-Token`
 * on every update: it must equal the connection's inbound secret. Any failure is a 403.
 */
export function verifyTelegramSecret(raw: RawInbound, connection: ConnectionContext): void {
  const given = raw.headers[SECRET_HEADER];
  if (!given) {
    throw new InboundAuthError(
      403,
      'Telegram webhook refused: the X-Telegram-Bot-Api-Secret-Token header is missing (call setWebhook with secret_token set to this connection\'s inbound secret)',
    );
  }
  if (!connection.inboundSecret || !safeEqual(given, connection.inboundSecret)) {
    throw new InboundAuthError(403, "Telegram webhook refused: X-Telegram-Bot-Api-Secret-Token does not match this connection's inbound secret");
  }
}

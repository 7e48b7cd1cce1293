import { timingSafeEqual } from 'node:crypto';
import { InboundAuthError, type ConnectionContext, type RawInbound } from '../adapter.js';

const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

/** Constant-time string equality (length checked first; the length of a secret is not secret). */
export function safeEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

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

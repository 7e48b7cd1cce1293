/**
 * `X-Line-Signature` = base64(HMAC-SHA256(channelSecret, rawBody)), checked over the raw bytes in
 * constant time. LINE signs no timestamp (and redelivers old events on purpose), so there is no
 * replay window: duplicates are caught by the pipeline's dedupe on webhookEventId.
 */
import { createHmac } from 'node:crypto';
import { InboundAuthError, type ConnectionContext, type RawInbound } from '../adapter.js';
import { safeEqual } from '../safe-equal.js';

const HEADER = 'x-line-signature';

/** base64 HMAC-SHA256(channelSecret, body): the value LINE puts in X-Line-Signature. */
export function lineSignature(channelSecret: string, body: Buffer | string): string {
  return createHmac('sha256', channelSecret).update(body).digest('base64');
}

export function verifyLine(raw: RawInbound, connection: ConnectionContext): void {
  const channelSecret = connection.secrets.channelSecret;
  if (!channelSecret) {
    throw new InboundAuthError(403, 'LINE webhook refused: the connection has no channelSecret credential to check X-Line-Signature with');
  }
  const header = raw.headers[HEADER]?.trim();
  if (!header) throw new InboundAuthError(401, 'LINE webhook refused: the X-Line-Signature header is missing');
  if (!/^[A-Za-z0-9+/]{43}=$/.test(header)) {
    throw new InboundAuthError(401, 'LINE webhook refused: X-Line-Signature must be the base64 of a 32-byte HMAC-SHA256');
  }
  const given = Buffer.from(header, 'utf8');
  const expected = Buffer.from(lineSignature(channelSecret, raw.body), 'utf8');
  if (!safeEqual(given, expected)) {
    throw new InboundAuthError(
      403,
      'LINE webhook refused: X-Line-Signature does not match the body (check the channel secret; the signature covers the raw bytes)',
    );
  }
}

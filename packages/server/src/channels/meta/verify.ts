import { createHmac } from 'node:crypto';
import { InboundAuthError, type ConnectionContext, type HttpReply, type RawInbound } from '../adapter.js';
import { safeEqual } from '../safe-equal.js';

const SIGNATURE_HEADER = 'x-hub-signature-256';

/** hex HMAC-SHA256(appSecret, body): the value Meta puts after `sha256=`. */
export function metaSignature(appSecret: string, body: Buffer | string): string {
  return createHmac('sha256', appSecret).update(body).digest('hex');
}

/**
 * The subscription handshake Meta sends when a callback URL is saved:
 * `GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`. Answers the raw
 * challenge when the verify token is the connection's inbound secret, else 403.
 * Any other request is not a handshake (undefined).
 */
export function metaHandshake(raw: RawInbound, connection: ConnectionContext): HttpReply | undefined {
  if (raw.method !== 'GET') return undefined;
  const mode = raw.query['hub.mode'];
  const token = raw.query['hub.verify_token'];
  const challenge = raw.query['hub.challenge'];
  if (mode === undefined && token === undefined && challenge === undefined) return undefined;
  if (mode !== 'subscribe') {
    throw new InboundAuthError(403, `Meta handshake refused: hub.mode must be "subscribe", got ${JSON.stringify(mode ?? null)}`);
  }
  if (!token) throw new InboundAuthError(403, 'Meta handshake refused: hub.verify_token is missing');
  if (!connection.inboundSecret || !safeEqual(token, connection.inboundSecret)) {
    throw new InboundAuthError(403, "Meta handshake refused: hub.verify_token does not match this connection's verify token");
  }
  if (!challenge) throw new InboundAuthError(403, 'Meta handshake refused: hub.challenge is missing');
  return {
    status: 200,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
    body: challenge,
  };
}

/**
 * Checks `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(appSecret, rawBody)>` over the raw
 * bytes. Meta signs the body as it sent it (non-ASCII escaped as `\u00e4`), so re-serialised
 * JSON would not verify: only `raw.body` is ever hashed.
 */
export function verifyMetaSignature(raw: RawInbound, connection: ConnectionContext): void {
  const appSecret = connection.secrets.appSecret;
  if (!appSecret) {
    throw new InboundAuthError(403, 'Meta webhook refused: the connection has no appSecret credential to check X-Hub-Signature-256 with');
  }
  const header = raw.headers[SIGNATURE_HEADER];
  if (!header) {
    throw new InboundAuthError(401, 'Meta webhook refused: the X-Hub-Signature-256 header is missing');
  }
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  if (!match) {
    throw new InboundAuthError(401, 'Meta webhook refused: X-Hub-Signature-256 must be "sha256=" followed by 64 hex digits');
  }
  const given = Buffer.from(match[1]!, 'hex');
  const expected = createHmac('sha256', appSecret).update(raw.body).digest();
  if (!safeEqual(given, expected)) {
    throw new InboundAuthError(
      403,
      'Meta webhook refused: X-Hub-Signature-256 does not match the body (check the app secret; the signature covers the raw bytes)',
    );
  }
}

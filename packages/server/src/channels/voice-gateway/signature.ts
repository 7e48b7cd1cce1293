/**
 * Voice gateway request signing — the same scheme both ways (gateway → Switchboard events,
 * Switchboard → gateway callbacks), keyed with the connection's inbound secret (its UTF-8 bytes):
 *
 *   X-Timestamp: <unix seconds>                      (optional, recommended)
 *   X-Signature: sha256=<hex HMAC-SHA256(secret, signed)>   (a bare 64-hex value is accepted too)
 *
 *   signed = `${X-Timestamp}.` + rawBody   when X-Timestamp is present
 *   signed = rawBody                        when it is absent
 *
 * With X-Timestamp the request must arrive within ±5 minutes of it. Without it there is no replay
 * window: a replayed event is then only dropped by the inbound dedupe on its `eventId`. Hex is
 * compared case-insensitively, in constant time.
 */
import { createHmac } from 'node:crypto';
import { InboundAuthError } from '../adapter.js';
import { safeEqual } from '../safe-equal.js';

export const VOICE_GATEWAY_TOLERANCE_SECONDS = 5 * 60;

export function voiceGatewaySignature(secret: string, body: Buffer | string, timestamp?: number | string): string {
  const mac = createHmac('sha256', Buffer.from(secret, 'utf8'));
  if (timestamp !== undefined) mac.update(`${timestamp}.`, 'utf8');
  mac.update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body);
  return mac.digest('hex');
}

/** Headers for a signed request: `X-Timestamp` and `X-Signature: sha256=…`. */
export function voiceGatewayHeaders(secret: string, body: Buffer | string, now = Date.now()): Record<string, string> {
  const timestamp = Math.floor(now / 1000);
  return { 'x-timestamp': String(timestamp), 'x-signature': `sha256=${voiceGatewaySignature(secret, body, timestamp)}` };
}

export function verifyVoiceGatewaySignature(
  secret: string,
  headers: Record<string, string | undefined>,
  body: Buffer,
  receivedAt: number,
): void {
  const header = headers['x-signature']?.trim();
  if (!header) throw new InboundAuthError(401, 'Missing X-Signature header (sha256=<hex HMAC-SHA256 of the body>)');
  const hex = header.toLowerCase().startsWith('sha256=') ? header.slice('sha256='.length) : header;
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new InboundAuthError(401, 'X-Signature must be sha256=<64 hex characters> (or the bare hex)');
  }
  const timestampHeader = headers['x-timestamp']?.trim();
  let timestamp: string | undefined;
  if (timestampHeader !== undefined && timestampHeader !== '') {
    if (!/^\d{1,15}$/.test(timestampHeader)) {
      throw new InboundAuthError(401, `X-Timestamp must be unix seconds, got '${timestampHeader.slice(0, 40)}'`);
    }
    const skew = Math.round(receivedAt / 1000 - Number(timestampHeader));
    if (Math.abs(skew) > VOICE_GATEWAY_TOLERANCE_SECONDS) {
      throw new InboundAuthError(
        401,
        `X-Timestamp ${timestampHeader} is ${Math.abs(skew)} s ${skew > 0 ? 'in the past' : 'in the future'}: outside the ±${VOICE_GATEWAY_TOLERANCE_SECONDS} s window (replayed or clock skew)`,
      );
    }
    timestamp = timestampHeader;
  }
  if (!secret) throw new InboundAuthError(401, 'The connection has no inbound secret to check X-Signature with');
  const expected = Buffer.from(voiceGatewaySignature(secret, body, timestamp), 'utf8');
  const given = Buffer.from(hex.toLowerCase(), 'utf8');
  if (!safeEqual(given, expected)) {
    throw new InboundAuthError(
      401,
      `X-Signature does not match the body${timestamp ? ' and X-Timestamp' : ''} signed with the connection's inbound secret`,
    );
  }
}

/**
 * Genesys Cloud Open Messaging signs every outbound webhook call with the integration's
 * "Outbound Notification Webhook Signature Secret Token":
 *   X-Hub-Signature-256: sha256=<base64 HMAC-SHA256(secret, rawBody)>
 * — base64, unlike Meta's hex. The connection's inbound secret is that token. There is no
 * timestamp to bound replays: message ids deduplicate.
 */
import { InboundAuthError, type ConnectionContext, type RawInbound } from '../../../channels/adapter.js';
import { hmacBase64, safeEqual } from '../inbound.js';

export const GENESYS_SIGNATURE_HEADER = 'x-hub-signature-256';

export function genesysSignature(secret: string, body: Buffer | string): string {
  return `sha256=${hmacBase64(secret, typeof body === 'string' ? Buffer.from(body, 'utf8') : body)}`;
}

export function verifyGenesysSignature(raw: RawInbound, connection: ConnectionContext): void {
  const given = raw.headers[GENESYS_SIGNATURE_HEADER]?.trim();
  if (!given) throw new InboundAuthError(401, 'Genesys Open Messaging webhook refused: the X-Hub-Signature-256 header is missing');
  if (!given.startsWith('sha256=')) throw new InboundAuthError(401, "Genesys Open Messaging webhook refused: X-Hub-Signature-256 must be 'sha256=<base64 HMAC>'");
  if (!connection.inboundSecret) throw new InboundAuthError(401, 'Genesys Open Messaging webhook refused: the connection has no inbound secret');
  if (!safeEqual(given, genesysSignature(connection.inboundSecret, raw.body))) {
    throw new InboundAuthError(401, "Genesys Open Messaging webhook refused: X-Hub-Signature-256 does not match the body signed with the integration's outbound secret token");
  }
}

/**
 * What ServiceNow sends back — a business rule's REST message (incident mode) or the Virtual
 * Agent's configured response endpoint (live-agent mode) — carries
 * `Authorization: Bearer <the connection's inbound secret>`, compared in constant time.
 */
import { InboundAuthError, type ConnectionContext, type RawInbound } from '../../../channels/adapter.js';
import { safeEqual } from '../inbound.js';

export function verifyServiceNowBearer(raw: RawInbound, connection: ConnectionContext): void {
  const header = raw.headers.authorization?.trim();
  if (!header) throw new InboundAuthError(401, 'ServiceNow callback refused: the Authorization header is missing (send "Bearer <inbound secret>")');
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new InboundAuthError(401, 'ServiceNow callback refused: the Authorization header is not "Bearer <inbound secret>"');
  if (!connection.inboundSecret || !safeEqual(match[1]!, connection.inboundSecret)) {
    throw new InboundAuthError(401, "ServiceNow callback refused: the bearer token does not match this connection's inbound secret");
  }
}

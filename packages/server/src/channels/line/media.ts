/**
 * Fetches the content of a LINE message (an image the user sent): `GET /v2/bot/message/{id}/content`
 * with the channel access token. LINE serves content from api-data.line.me; a connection whose API
 * base URL is overridden (a proxy, a local fake) gets it from that base instead.
 */
import type { ConnectionContext, InboundMedia } from '../adapter.js';

const TIMEOUT_MS = 30_000;
const LINE_API = 'https://api.line.me';
const LINE_DATA_API = 'https://api-data.line.me';

export async function fetchLineMedia(media: InboundMedia, connection: ConnectionContext, fetchImpl: typeof fetch): Promise<Response> {
  const token = connection.secrets.channelAccessToken;
  if (!token) throw new Error('LINE content: the connection has no channelAccessToken credential');
  const base = connection.apiBaseUrl.replace(/\/+$/, '');
  const root = base === LINE_API ? LINE_DATA_API : base;
  const response = await fetchImpl(`${root}/v2/bot/message/${encodeURIComponent(media.ref)}/content`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!response.ok || !response.body) throw new Error(`LINE content answered ${response.status}`);
  return response;
}

/**
 * Fetches a file a WhatsApp message carries: `GET {graph}/{media-id}` gives a short-lived `url`
 * (and its type), then that URL, with the same bearer token, gives the bytes. Both go through the
 * egress policy like every Graph call.
 */
import type { ConnectionContext, InboundMedia } from '../adapter.js';
import { accessTokenOf, authQuery, graphError, graphFetch } from './graph.js';
import { graphRoot } from './settings.js';

export async function fetchWhatsAppMedia(media: InboundMedia, connection: ConnectionContext, fetchImpl: typeof fetch): Promise<Response> {
  const what = 'WhatsApp media';
  const token = accessTokenOf(connection, what);
  const query = authQuery(connection, token, false).toString();
  const headers = { authorization: `Bearer ${token}` };
  const info = await graphFetch(fetchImpl, `${graphRoot(connection)}/${encodeURIComponent(media.ref)}${query ? `?${query}` : ''}`, { headers }, what);
  if (!info.ok) throw await graphError(info, what);
  const answer = (await info.json().catch(() => ({}))) as { url?: unknown };
  if (typeof answer.url !== 'string' || !/^https?:\/\//i.test(answer.url)) throw new Error(`${what}: the media answer has no download url`);
  const file = await graphFetch(fetchImpl, answer.url, { headers }, `${what} download`);
  if (!file.ok || !file.body) throw await graphError(file, `${what} download`);
  return file;
}

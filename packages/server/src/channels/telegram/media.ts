/**
 * Fetches a file a Telegram message carries: `getFile` gives its `file_path`, then
 * `GET {apiBaseUrl}/file/bot{token}/{file_path}` gives the bytes (the Bot API serves files of up to 20 MB).
 */
import type { ConnectionContext, InboundMedia } from '../adapter.js';
import { telegramApiRoot } from './settings.js';

const TIMEOUT_MS = 30_000;

export async function fetchTelegramMedia(media: InboundMedia, connection: ConnectionContext, fetchImpl: typeof fetch): Promise<Response> {
  const root = telegramApiRoot(connection);
  const token = connection.secrets.botToken ?? '';
  const info = await fetchImpl(`${root}/bot${token}/getFile?file_id=${encodeURIComponent(media.ref)}`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  const answer = (await info.json().catch(() => ({}))) as { ok?: boolean; result?: { file_path?: unknown }; description?: string };
  const path = answer.result?.file_path;
  if (!info.ok || answer.ok !== true || typeof path !== 'string' || path === '') {
    throw new Error(`Telegram getFile answered ${info.status}: ${answer.description ?? 'no file_path'}`);
  }
  const file = await fetchImpl(`${root}/file/bot${token}/${path.split('/').map(encodeURIComponent).join('/')}`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!file.ok || !file.body) throw new Error(`Telegram file download answered ${file.status}`);
  return file;
}

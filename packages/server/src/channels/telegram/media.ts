/**
 * Fetches a file a Telegram message carries: `getFile` gives its `file_path`, then
 * `GET {apiBaseUrl}/file/bot{token}/{file_path}` gives the bytes (the Bot API serves files of up to 20 MB).
 */
import type { ConnectionContext, InboundMedia } from '../adapter.js';
import { botApiAnswer, botApiFetch } from './bot-api.js';
import { telegramApiRoot } from './settings.js';

/** A 20 MB download is given longer than a method call. */
const DOWNLOAD_TIMEOUT_MS = 30_000;

export async function fetchTelegramMedia(media: InboundMedia, connection: ConnectionContext, fetchImpl: typeof fetch): Promise<Response> {
  const root = telegramApiRoot(connection);
  const token = connection.secrets.botToken ?? '';
  const info = await botApiFetch(fetchImpl, `${root}/bot${token}/getFile?file_id=${encodeURIComponent(media.ref)}`, {}, 'Telegram getFile');
  const answer = await botApiAnswer(info);
  const path = answer.result?.file_path;
  if (!info.ok || answer.ok !== true || typeof path !== 'string' || path === '') {
    throw new Error(`Telegram getFile answered ${info.status}: ${answer.description ?? 'no file_path'}`);
  }
  const fileUrl = `${root}/file/bot${token}/${path.split('/').map(encodeURIComponent).join('/')}`;
  const file = await botApiFetch(fetchImpl, fileUrl, {}, 'Telegram file download', DOWNLOAD_TIMEOUT_MS);
  if (!file.ok || !file.body) throw new Error(`Telegram file download answered ${file.status}`);
  return file;
}

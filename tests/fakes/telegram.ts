/**
 * A fake Telegram Bot API on 127.0.0.1: `/bot{token}/{method}` with JSON, form or query
 * parameters, answering `{ok, result}` or `{ok:false, error_code, description, parameters}`
 * like the real one (429 carries `parameters.retry_after`; a group upgraded to a supergroup
 * answers 400 with `parameters.migrate_to_chat_id`).
 *
 * The Bot API has no idempotency key, so the fake deduplicates nothing: it records every
 * request and every message it accepted.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TelegramRequest {
  method: string;
  path: string;
  /** Bot API method name (sendMessage, setWebhook, …), or undefined for other paths. */
  apiMethod?: string;
  /** Token found in the path. */
  token?: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** Parameters, from JSON, form or query string. */
  params: Record<string, unknown>;
}

export interface TelegramSentMessage {
  chatId: string;
  text: string;
  messageId: number;
  /** The reply_markup sent with it, parsed. */
  replyMarkup?: Record<string, unknown>;
}

export interface TelegramFailure {
  status: number;
  description?: string;
  /** Seconds, sent as parameters.retry_after (Telegram sends no Retry-After header). */
  retryAfter?: number;
  /** Record the message, then answer the failure anyway (the answer is "lost"). */
  afterDelivery?: boolean;
  /** Destroy the connection instead of answering. */
  drop?: boolean;
}

export interface FakeTelegram {
  url: string;
  requests: TelegramRequest[];
  messages: TelegramSentMessage[];
  /** What setWebhook last set. */
  webhook: { url: string; secret_token?: string; allowed_updates?: unknown } | undefined;
  failNext(status: number, options?: Omit<TelegramFailure, 'status'>): void;
  dropNext(options?: { afterDelivery?: boolean }): void;
  /** Sends to `from` now fail as Telegram does for a group upgraded to the supergroup `to`. */
  migrateChat(from: string | number, to: string | number): void;
  /** A file users sent: getFile answers its file_path, and /file/bot{token}/{file_path} serves its bytes. */
  addFile(fileId: string, bytes: Buffer, contentType?: string): void;
  reset(): void;
  close(): Promise<void>;
}

export interface FakeTelegramOptions {
  botToken: string;
  botUsername?: string;
}

/** An update as Telegram POSTs it to a webhook: JSON body and the secret-token header. */
export function telegramUpdateRequest(update: unknown, secretToken: string): { body: string; headers: Record<string, string> } {
  return {
    body: JSON.stringify(update),
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secretToken },
  };
}

function paramsOf(req: IncomingMessage, url: URL, raw: string): Record<string, unknown> | undefined {
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (raw.length === 0) return params;
  if (type === 'application/json') {
    try {
      const json = JSON.parse(raw) as unknown;
      if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
      return { ...params, ...(json as Record<string, unknown>) };
    } catch {
      return undefined;
    }
  }
  if (type === 'application/x-www-form-urlencoded') return { ...params, ...Object.fromEntries(new URLSearchParams(raw)) };
  return params;
}

export async function startFakeTelegram(options: FakeTelegramOptions): Promise<FakeTelegram> {
  const failures: TelegramFailure[] = [];
  const migrations = new Map<string, string | number>();
  const nextIds = new Map<string, number>();
  const files = new Map<string, { path: string; bytes: Buffer; contentType: string }>();
  const botId = Number(options.botToken.split(':')[0]) || 7_000_000_001;
  const fake: FakeTelegram = {
    url: '',
    requests: [],
    messages: [],
    webhook: undefined,
    failNext: (status, failure = {}) => void failures.push({ status, ...failure }),
    dropNext: (failure = {}) => void failures.push({ status: 0, drop: true, ...failure }),
    migrateChat: (from, to) => void migrations.set(String(from), to),
    addFile: (fileId, bytes, contentType = 'image/jpeg') => void files.set(fileId, { path: `photos/file_${files.size}.jpg`, bytes, contentType }),
    reset: () => {
      fake.requests.length = 0;
      fake.messages.length = 0;
      failures.length = 0;
      migrations.clear();
      nextIds.clear();
      fake.webhook = undefined;
    },
    close: async () => undefined,
  };

  const answer = (res: ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const error = (res: ServerResponse, status: number, description: string, parameters?: Record<string, unknown>) =>
    answer(res, status, { ok: false, error_code: status, description, ...(parameters && { parameters }) });

  const failWith = (res: ServerResponse, failure: TelegramFailure) => {
    if (failure.drop) {
      res.socket?.destroy();
      return;
    }
    const description =
      failure.description ??
      (failure.status === 429
        ? `Too Many Requests: retry after ${failure.retryAfter ?? 1}`
        : failure.status >= 500
          ? 'Internal Server Error'
          : 'Bad Request: something went wrong');
    error(res, failure.status, description, failure.retryAfter !== undefined ? { retry_after: failure.retryAfter } : undefined);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const url = new URL(req.url ?? '/', 'http://telegram.local');
    const route = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    const params = paramsOf(req, url, raw);
    fake.requests.push({
      method: req.method ?? '',
      path: url.pathname,
      ...(route && { token: route[1]!, apiMethod: route[2]! }),
      headers: req.headers,
      body: raw,
      params: params ?? {},
    });
    const failure = failures.shift();
    if (failure && !failure.afterDelivery) return failWith(res, failure);
    const download = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (download) {
      const file = [...files.values()].find((f) => f.path === decodeURIComponent(download[2]!));
      if (download[1] !== options.botToken || !file) return error(res, 404, 'Not Found');
      return res.writeHead(200, { 'content-type': file.contentType, 'content-length': String(file.bytes.length) }).end(file.bytes);
    }
    if (!route) return error(res, 404, 'Not Found');
    if (route[1] !== options.botToken) return error(res, 401, 'Unauthorized');
    if (!params) return error(res, 400, "Bad Request: can't parse JSON object");
    const bot = { id: botId, is_bot: true, first_name: 'Switchboard Test', username: options.botUsername ?? 'switchboard_test_bot' };

    switch (route[2]) {
      case 'getMe':
        return answer(res, 200, { ok: true, result: bot });
      case 'getFile': {
        const file = files.get(String(params.file_id ?? ''));
        if (!file) return error(res, 400, 'Bad Request: invalid file_id');
        return answer(res, 200, { ok: true, result: { file_id: params.file_id, file_unique_id: 'AQADu', file_size: file.bytes.length, file_path: file.path } });
      }
      case 'setWebhook': {
        const secret = params.secret_token;
        if (secret !== undefined && (typeof secret !== 'string' || !/^[A-Za-z0-9_-]{1,256}$/.test(secret))) {
          return error(res, 400, 'Bad Request: secret token contains unallowed characters');
        }
        if (typeof params.url !== 'string' || params.url === '') {
          fake.webhook = undefined;
          return answer(res, 200, { ok: true, result: true, description: 'Webhook was deleted' });
        }
        fake.webhook = { url: params.url, ...(typeof secret === 'string' && { secret_token: secret }), allowed_updates: params.allowed_updates };
        return answer(res, 200, { ok: true, result: true, description: 'Webhook was set' });
      }
      case 'getWebhookInfo':
        return answer(res, 200, { ok: true, result: { url: fake.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: 0 } });
      case 'sendMessage': {
        const chatId = params.chat_id;
        if (chatId === undefined || chatId === '') return error(res, 400, 'Bad Request: chat_id is empty');
        if (typeof chatId !== 'string' && typeof chatId !== 'number') return error(res, 400, 'Bad Request: chat not found');
        const text = params.text;
        if (typeof text !== 'string' || text.trim() === '') return error(res, 400, 'Bad Request: message text is empty');
        if (text.length > 4096) return error(res, 400, 'Bad Request: message is too long');
        let replyMarkup: Record<string, unknown> | undefined;
        if (params.reply_markup !== undefined) {
          try {
            replyMarkup = (typeof params.reply_markup === 'string' ? JSON.parse(params.reply_markup) : params.reply_markup) as Record<string, unknown>;
          } catch {
            return error(res, 400, "Bad Request: can't parse reply keyboard markup JSON object");
          }
          const rows = replyMarkup?.keyboard;
          const button = (b: any) => (typeof b === 'string' ? b : b?.text);
          if (rows !== undefined && (!Array.isArray(rows) || rows.some((row) => !Array.isArray(row) || row.some((b) => typeof button(b) !== 'string' || button(b) === '')))) {
            return error(res, 400, 'Bad Request: keyboard buttons must be non-empty texts in rows');
          }
        }
        const migrated = migrations.get(String(chatId));
        if (migrated !== undefined) {
          return error(res, 400, 'Bad Request: group chat was upgraded to a supergroup chat', { migrate_to_chat_id: migrated });
        }
        const key = String(chatId);
        const messageId = (nextIds.get(key) ?? 100) + 1;
        nextIds.set(key, messageId);
        fake.messages.push({ chatId: key, text, messageId, ...(replyMarkup && { replyMarkup }) });
        if (failure) return failWith(res, failure);
        const numeric = Number(chatId);
        return answer(res, 200, {
          ok: true,
          result: {
            message_id: messageId,
            from: bot,
            chat: { id: Number.isSafeInteger(numeric) ? numeric : chatId, type: numeric < 0 ? 'group' : 'private' },
            date: Math.floor(Date.now() / 1000),
            text,
          },
        });
      }
      default:
        return error(res, 404, 'Not Found');
    }
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        handle(req, res, Buffer.concat(chunks).toString('utf8'));
      } catch (err) {
        if (!res.headersSent) res.writeHead(500);
        res.end(String(err));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}

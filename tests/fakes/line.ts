/**
 * A fake LINE Messaging API on 127.0.0.1: the real paths, Bearer auth, JSON bodies and answers of
 * `POST /v2/bot/message/reply` and `POST /v2/bot/message/push`, and `GET /v2/bot/info` when `botInfo` is given.
 *
 * - Reply tokens exist only when issued with `issueReplyToken`, are single-use, and can be expired
 *   on demand; any other token answers 400 `{"message":"Invalid reply token"}` like LINE.
 * - Push honours `X-Line-Retry-Key` like LINE: a key is accepted once; a repeat answers 409
 *   `{"message":"The retry key is already accepted","sentMessages":[…]}` with
 *   `x-line-accepted-request-id`, and delivers nothing. The reply endpoint refuses a retry key (400).
 * - `failNext(status, {retryAfter, afterDelivery})` fails the next request; with `afterDelivery`
 *   the request is delivered first and then answered with the failure (the lost-answer case).
 * - Every request is recorded; `delivered` lists the messages that reached users, once each.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LineRecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  json: unknown;
}

export interface LineDelivery {
  via: 'reply' | 'push';
  to: string;
  messages: Array<{ type: string; text: string; quickReply?: { items: Array<{ type: string; action: { type: string; label: string; text: string } }> } }>;
  requestId: string;
  retryKey?: string;
  sentMessageIds: string[];
}

export interface LineFailure {
  status: number;
  retryAfter?: string;
  body?: unknown;
  /** Only fail a request to this path (default: the next request, whatever its path). */
  path?: string;
  /** Deliver the request, then answer with the failure (the answer is "lost"). */
  afterDelivery?: boolean;
}

export interface FakeLine {
  url: string;
  accessToken: string;
  requests: LineRecordedRequest[];
  delivered: LineDelivery[];
  /** A fresh reply token for a chat with `to` (a user, group or room id). */
  issueReplyToken(to: string): string;
  expireReplyToken(token: string): void;
  failNext(status: number, options?: Omit<LineFailure, 'status'>): void;
  /** The content of a message a user sent (an image): `GET /v2/bot/message/{id}/content` serves it. */
  addContent(messageId: string, bytes: Buffer, contentType?: string): void;
  close(): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RECIPIENT = /^[UCR][0-9a-f]{32}$/;

/** What `GET /v2/bot/info` answers (LINE's bot info; `userId` is the webhook `destination`). */
export interface LineBotInfo {
  userId: string;
  basicId?: string;
  displayName?: string;
}

export async function startFakeLine(options: { accessToken?: string; botInfo?: LineBotInfo } = {}): Promise<FakeLine> {
  const accessToken = options.accessToken ?? `line-token-${randomUUID()}`;
  const requests: LineRecordedRequest[] = [];
  const delivered: LineDelivery[] = [];
  const replyTokens = new Map<string, { to: string; state: 'fresh' | 'used' | 'expired' }>();
  const retryKeys = new Map<string, { requestId: string; body: string; sentMessages: Array<{ id: string; quoteToken: string }> }>();
  const failures: LineFailure[] = [];
  const contents = new Map<string, { bytes: Buffer; contentType: string }>();
  let nextMessageId = 500_000_000_000_000;

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  const checkMessages = (json: Record<string, unknown>): string | undefined => {
    const messages = json.messages;
    if (!Array.isArray(messages) || messages.length < 1 || messages.length > 5) return "The property, 'messages', must be an array of 1 to 5 messages";
    for (const m of messages as Array<Record<string, unknown>>) {
      if (m?.type !== 'text') return 'The property, type, in the request body is invalid';
      if (typeof m.text !== 'string' || m.text.length === 0 || m.text.length > 5000) return 'The property, text, in the request body is invalid';
      if (m.quickReply !== undefined) {
        // 1-13 items; a message action has a label of 1-20 characters and a text of 1-300.
        const items = (m.quickReply as { items?: unknown }).items;
        if (!Array.isArray(items) || items.length < 1 || items.length > 13) return 'The property, quickReply.items, must be an array of 1 to 13 items';
        for (const item of items as Array<Record<string, any>>) {
          const action = item?.action;
          if (item?.type !== 'action' || action?.type !== 'message') return 'The property, quickReply.items[].action.type, in the request body is invalid';
          const label = [...String(action.label ?? '')].length;
          const text = [...String(action.text ?? '')].length;
          if (label < 1 || label > 20 || text < 1 || text > 300) return 'The property, quickReply.items[].action, in the request body is invalid';
        }
      }
    }
    return undefined;
  };

  const deliver = (via: 'reply' | 'push', to: string, json: Record<string, unknown>, requestId: string, retryKey?: string) => {
    const messages = json.messages as Array<{ type: string; text: string }>;
    const sentMessages = messages.map(() => ({ id: String(nextMessageId++), quoteToken: `q-${randomUUID()}` }));
    delivered.push({ via, to, messages, requestId, ...(retryKey && { retryKey }), sentMessageIds: sentMessages.map((m) => m.id) });
    return sentMessages;
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '/').split('?')[0]!;
      let json: unknown;
      try {
        json = body ? JSON.parse(body) : undefined;
      } catch {
        json = undefined;
      }
      requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body, json });
      const requestId = randomUUID();
      const headers = { 'x-line-request-id': requestId };

      const failureIndex = failures.findIndex((f) => f.path === undefined || f.path === path);
      const failure = failureIndex >= 0 ? failures.splice(failureIndex, 1)[0] : undefined;
      const fail = () =>
        send(res, failure!.status, failure!.body ?? { message: failure!.status === 429 ? 'Too Many Requests' : 'An error occurred' }, {
          ...headers,
          ...(failure!.retryAfter !== undefined && { 'retry-after': failure!.retryAfter }),
        });
      if (failure && !failure.afterDelivery) return fail();

      const content = /^\/v2\/bot\/message\/([^/]+)\/content$/.exec(path);
      if (req.method === 'GET' && content) {
        if (req.headers.authorization !== `Bearer ${accessToken}`) return send(res, 401, { message: 'Authentication failed.' }, headers);
        const file = contents.get(decodeURIComponent(content[1]!));
        if (!file) return send(res, 404, { message: 'Not found' }, headers);
        res.writeHead(200, { ...headers, 'content-type': file.contentType, 'content-length': String(file.bytes.length) });
        return res.end(file.bytes);
      }
      if (req.method === 'GET' && path === '/v2/bot/info' && options.botInfo) {
        if (req.headers.authorization !== `Bearer ${accessToken}`) {
          return send(res, 401, { message: 'Authentication failed. Confirm that the access token in the authorization header is valid.' }, headers);
        }
        const info = options.botInfo;
        return send(res, 200, { basicId: '@000abcde', displayName: 'Bot', chatMode: 'bot', markAsReadMode: 'auto', ...info }, headers);
      }
      if (req.method !== 'POST' || (path !== '/v2/bot/message/reply' && path !== '/v2/bot/message/push')) {
        return send(res, 404, { message: 'Not found' }, headers);
      }
      if (req.headers.authorization !== `Bearer ${accessToken}`) {
        return send(res, 401, { message: 'Authentication failed. Confirm that the access token in the authorization header is valid.' }, headers);
      }
      if (!String(req.headers['content-type'] ?? '').startsWith('application/json') || json === null || typeof json !== 'object') {
        return send(res, 400, { message: 'The request body has 1 error(s)' }, headers);
      }
      const request = json as Record<string, unknown>;
      const invalid = checkMessages(request);
      if (invalid) return send(res, 400, { message: 'The request body has 1 error(s)', details: [{ message: invalid, property: 'messages' }] }, headers);
      const retryKey = req.headers['x-line-retry-key'];
      const key = typeof retryKey === 'string' ? retryKey : undefined;

      if (path === '/v2/bot/message/reply') {
        if (key !== undefined) return send(res, 400, { message: 'The retry key cannot be used with this API' }, headers);
        const token = typeof request.replyToken === 'string' ? replyTokens.get(request.replyToken) : undefined;
        if (!token || token.state !== 'fresh') return send(res, 400, { message: 'Invalid reply token' }, headers);
        token.state = 'used';
        const sentMessages = deliver('reply', token.to, request, requestId);
        return failure ? fail() : send(res, 200, { sentMessages }, headers);
      }

      // push
      if (typeof request.to !== 'string' || !RECIPIENT.test(request.to)) {
        return send(res, 400, { message: "The property, 'to', in the request body is invalid (line: -, column: -)" }, headers);
      }
      if (key !== undefined) {
        if (!UUID.test(key)) return send(res, 400, { message: 'The value of the X-Line-Retry-Key header is invalid' }, headers);
        const accepted = retryKeys.get(key);
        if (accepted) {
          return send(res, 409, { message: 'The retry key is already accepted', sentMessages: accepted.sentMessages }, {
            ...headers,
            'x-line-accepted-request-id': accepted.requestId,
          });
        }
      }
      const sentMessages = deliver('push', request.to, request, requestId, key);
      if (key !== undefined) retryKeys.set(key, { requestId, body, sentMessages });
      return failure ? fail() : send(res, 200, { sentMessages }, headers);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    accessToken,
    requests,
    delivered,
    issueReplyToken(to) {
      const token = randomUUID().replace(/-/g, '');
      replyTokens.set(token, { to, state: 'fresh' });
      return token;
    },
    expireReplyToken(token) {
      const entry = replyTokens.get(token);
      if (entry) entry.state = 'expired';
    },
    failNext(status, failureOptions = {}) {
      failures.push({ status, ...failureOptions });
    },
    addContent(messageId, bytes, contentType = 'image/jpeg') {
      contents.set(messageId, { bytes, contentType });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

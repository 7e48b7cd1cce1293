/**
 * A fake Genesys Cloud on 127.0.0.1 serving both the login and the API host:
 *
 * - `POST /oauth/token` — client credentials (Basic clientId:clientSecret, form
 *   `grant_type=client_credentials`) → `{access_token, token_type: 'bearer', expires_in}`;
 *   400/401 `{error, description}` otherwise.
 * - `POST /api/v2/conversations/messages/{integrationId}/inbound/open/message` — Bearer token
 *   (401 for unknown or expired tokens), validates the Open Messaging inbound message
 *   (`channel.messageId`, `channel.from.{id, idType}`, `channel.time`, `type: 'Text'`, `text`),
 *   groups messages into conversations by `from.id` and answers 202 with the normalized message
 *   (its Genesys `id`). A repeated `channel.messageId` is not stored twice.
 *
 * It records every request, fails on demand, can expire every issued token (`expireTokens`), and
 * makes what Genesys sends back: `agentReply` / `disconnect` return the integration's outbound
 * webhook call, signed `X-Hub-Signature-256: sha256=<base64 HMAC-SHA256(secret, body)>`.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { answerPlannedFailure, parseJsonBody, serveHttp, type CallbackRequest, type PlannedFailure } from './http-fake.js';

export interface GenesysRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  json?: unknown;
  status: number;
}

export interface GenesysInboundMessage {
  id: string;
  messageId: string;
  fromId: string;
  nickname?: string;
  text: string;
  customAttributes?: Record<string, unknown>;
  body: Record<string, unknown>;
}

export interface GenesysFailure extends PlannedFailure {
  /** Only requests to this path prefix fail (e.g. '/oauth'); others pass. */
  path?: string;
}

export type { CallbackRequest } from './http-fake.js';

export interface FakeGenesysOptions {
  clientId: string;
  clientSecret: string;
  integrationId: string;
  /** Seconds issued tokens live. Default 86400. */
  expiresIn?: number;
}

export interface FakeGenesys {
  url: string;
  requests: GenesysRequest[];
  /** Inbound Open Messaging messages, in arrival order (duplicates of a messageId dropped). */
  messages: GenesysInboundMessage[];
  tokensIssued: number;
  agent: { id: string; name: string };
  failNext(status: number, options?: Omit<GenesysFailure, 'status'> & { count?: number }): void;
  dropNext(): void;
  /** Invalidates every token issued so far (the API answers 401 until a new one is fetched). */
  expireTokens(): void;
  /** An agent's reply to the Opaque user `toId`, as the integration's signed outbound webhook call. */
  agentReply(input: { toId: string; text: string; secret: string }): CallbackRequest;
  /** The agent disconnecting the conversation: a Presence Disconnect event. */
  disconnect(input: { toId: string; secret: string }): CallbackRequest;
  reset(): void;
  close(): Promise<void>;
}

/** `sha256=<base64 HMAC-SHA256(secret, body)>`. */
export function genesysHubSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('base64')}`;
}

/** An outbound webhook call carrying `payload`, signed as Genesys signs it. */
export function genesysWebhookRequest(secret: string, payload: unknown): CallbackRequest {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'Genesys-Cloud-Open-Messaging', 'x-hub-signature-256': genesysHubSignature(secret, body) },
    body,
  };
}

/** An Open Messaging outbound message (agent → user) as Genesys posts it. */
export function genesysOutboundMessage(input: { integrationId: string; toId: string; text?: string; type?: string; nickname?: string; events?: unknown[]; id?: string }) {
  return {
    id: input.id ?? randomBytes(16).toString('hex'),
    channel: {
      id: input.integrationId,
      platform: 'Open',
      type: 'Private',
      to: { id: input.toId, idType: 'Opaque' },
      from: { nickname: input.nickname ?? 'Alex Agent', id: input.integrationId, idType: 'Opaque', image: 'https://api.mypurecloud.com/avatar.png' },
      time: new Date().toISOString(),
      messageId: randomUUID(),
    },
    type: input.type ?? 'Text',
    ...(input.text !== undefined && { text: input.text }),
    ...(input.events && { events: input.events }),
    originatingEntity: 'Human',
    direction: 'Outbound',
  };
}

export async function startFakeGenesys(options: FakeGenesysOptions): Promise<FakeGenesys> {
  const failures: GenesysFailure[] = [];
  const tokens = new Map<string, number>();

  const fake: FakeGenesys = {
    url: '',
    requests: [],
    messages: [],
    tokensIssued: 0,
    agent: { id: randomUUID(), name: 'Alex Agent' },
    failNext: (status, { count = 1, ...rest } = {}) => {
      for (let i = 0; i < count; i += 1) failures.push({ status, ...rest });
    },
    dropNext: () => void failures.push({ status: 0, drop: true }),
    expireTokens: () => tokens.clear(),
    agentReply: ({ toId, text, secret }) =>
      genesysWebhookRequest(secret, genesysOutboundMessage({ integrationId: options.integrationId, toId, text, nickname: fake.agent.name })),
    disconnect: ({ toId, secret }) =>
      genesysWebhookRequest(
        secret,
        genesysOutboundMessage({ integrationId: options.integrationId, toId, type: 'Event', events: [{ eventType: 'Presence', presence: { type: 'Disconnect' } }] }),
      ),
    reset: () => {
      fake.requests.length = 0;
      fake.messages.length = 0;
      fake.tokensIssued = 0;
      failures.length = 0;
      tokens.clear();
    },
    close: async () => undefined,
  };

  const answer = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    return status;
  };
  const apiError = (res: ServerResponse, status: number, code: string, message: string) =>
    answer(res, status, { message, code, status, messageParams: {}, contextId: randomUUID(), details: [], errors: [] });

  function oauth(req: IncomingMessage, res: ServerResponse, raw: string): number {
    const basic = `Basic ${Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64')}`;
    if (req.headers.authorization !== basic) return answer(res, 401, { error: 'invalid_client', description: 'client not found', error_description: 'client not found' });
    if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return answer(res, 400, { error: 'invalid_request', description: 'form body expected' });
    if (new URLSearchParams(raw).get('grant_type') !== 'client_credentials') return answer(res, 400, { error: 'unsupported_grant_type', description: 'grant_type must be client_credentials' });
    const token = randomBytes(32).toString('base64url');
    const expiresIn = options.expiresIn ?? 86_400;
    tokens.set(token, Date.now() + expiresIn * 1000);
    fake.tokensIssued += 1;
    return answer(res, 200, { access_token: token, token_type: 'bearer', expires_in: expiresIn });
  }

  function inbound(req: IncomingMessage, res: ServerResponse, integrationId: string, json: unknown): number {
    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const expiresAt = bearer ? tokens.get(bearer) : undefined;
    if (!expiresAt || expiresAt < Date.now()) return apiError(res, 401, 'bad.credentials', 'Invalid login credentials.');
    if (integrationId !== options.integrationId) return apiError(res, 404, 'not.found', `Integration ${integrationId} not found`);
    const body = (json ?? {}) as Record<string, unknown>;
    const channel = (body.channel ?? {}) as Record<string, unknown>;
    const from = (channel.from ?? {}) as Record<string, unknown>;
    const invalid = (message: string) => apiError(res, 400, 'bad.request', message);
    if (typeof channel.messageId !== 'string' || channel.messageId === '') return invalid('channel.messageId is required');
    if (typeof from.id !== 'string' || from.id === '') return invalid('channel.from.id is required');
    if (!['Opaque', 'Email', 'Phone'].includes(String(from.idType))) return invalid('channel.from.idType must be Opaque, Email or Phone');
    if (typeof channel.time !== 'string' || Number.isNaN(Date.parse(channel.time))) return invalid('channel.time must be an ISO 8601 time');
    if (body.type !== 'Text') return invalid('type must be Text');
    if (typeof body.text !== 'string' || body.text === '') return invalid('text is required for type Text');
    if (body.text.length > 4000) return invalid('text must be at most 4000 characters');
    let stored = fake.messages.find((m) => m.messageId === channel.messageId);
    if (!stored) {
      const metadata = (channel.metadata ?? {}) as Record<string, unknown>;
      stored = {
        id: randomBytes(16).toString('hex'),
        messageId: channel.messageId,
        fromId: from.id,
        ...(typeof from.nickname === 'string' && { nickname: from.nickname }),
        text: body.text,
        ...(typeof metadata.customAttributes === 'object' && metadata.customAttributes !== null && { customAttributes: metadata.customAttributes as Record<string, unknown> }),
        body,
      };
      fake.messages.push(stored);
    }
    return answer(res, 202, {
      id: stored.id,
      channel: { id: options.integrationId, platform: 'Open', type: 'Private', messageId: stored.messageId, from, time: channel.time },
      type: 'Text',
      text: stored.text,
      direction: 'Inbound',
    });
  }

  const server = await serveHttp((req, res, body) => {
    const raw = body.toString('utf8');
    const url = new URL(req.url ?? '/', 'http://genesys.local');
    const json = (req.headers['content-type'] ?? '').includes('json') ? parseJsonBody(raw) : undefined;
    const record: GenesysRequest = { method: req.method ?? '', path: url.pathname, headers: req.headers, body: raw, ...(json !== undefined && { json }), status: 0 };
    fake.requests.push(record);
    const index = failures.findIndex((f) => !f.path || url.pathname.startsWith(f.path));
    const planned = index >= 0 ? failures.splice(index, 1)[0] : undefined;
    const failed = answerPlannedFailure(res, planned, answer, planned && { message: 'Failure on demand', code: 'failure', status: planned.status });
    if (failed !== undefined) {
      record.status = failed;
      return;
    }
    const route = /^\/api\/v2\/conversations\/messages\/([^/]+)\/inbound\/open\/message$/.exec(url.pathname);
    if (url.pathname === '/oauth/token' && req.method === 'POST') record.status = oauth(req, res, raw);
    else if (route && req.method === 'POST') record.status = inbound(req, res, decodeURIComponent(route[1]!), json);
    else record.status = apiError(res, 404, 'not.found', 'Resource not found');
  });
  fake.url = server.url;
  fake.close = server.close;
  return fake;
}

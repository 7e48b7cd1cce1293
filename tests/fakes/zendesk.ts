/**
 * A fake Zendesk on 127.0.0.1 speaking the two APIs a handoff uses:
 *
 * - Support tickets: `POST /api/v2/tickets.json`, `PUT|GET /api/v2/tickets/{id}.json` with Basic
 *   `{email}/token:{apiToken}` (401 otherwise), Zendesk's error bodies (`RecordInvalid` 422,
 *   `RecordNotFound` 404), and `Idempotency-Key` on create (a repeated key with the same body
 *   returns the same ticket with `x-idempotency-lookup: hit`; with another body, 400).
 * - Sunshine Conversations v2 under `/v2/apps/{appId}` (and `/sc/v2/apps/{appId}`, the Zendesk-hosted
 *   path) with Basic `{keyId}:{keySecret}`: users (409 on a taken externalId), personal
 *   conversations (409 for a second one unless `multiConversations`), `?filter[userExternalId]=`,
 *   messages (text ≤ 4096 characters, authors must be participants) and `passControl`.
 *
 * It records every request, fails on demand (status + Retry-After, or a dropped connection), and
 * makes what Zendesk sends back: `agentReply` adds an agent comment to a ticket and returns the
 * webhook call a trigger would make, signed with `X-Zendesk-Webhook-Signature`; `sunshineAgentReply`
 * adds a business message and returns the Conversations webhook call with `X-API-Key`.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { answerPlannedFailure, parseJsonBody, serveHttp, type CallbackRequest, type PlannedFailure } from './http-fake.js';

export interface ZendeskRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  body: string;
  json?: unknown;
  status: number;
}

export interface FakeTicketComment {
  id: number;
  body: string;
  public: boolean;
  authorId: number;
}

export interface FakeTicket {
  id: number;
  subject?: string;
  externalId?: string;
  requesterId: number;
  requester?: { name?: string; email?: string };
  tags: string[];
  groupId?: number;
  priority?: string;
  status: string;
  comments: FakeTicketComment[];
}

export interface SunshineMessage {
  id: string;
  author: Record<string, unknown>;
  content: Record<string, unknown>;
  received: string;
}

export interface SunshineConversation {
  id: string;
  type: string;
  participants: string[];
  displayName?: string;
  metadata?: Record<string, unknown>;
  messages: SunshineMessage[];
  passControls: Record<string, unknown>[];
}

export type ZendeskFailure = PlannedFailure;

export type { CallbackRequest } from './http-fake.js';

export interface FakeZendeskOptions {
  email: string;
  apiToken: string;
  keyId?: string;
  keySecret?: string;
  appId?: string;
  /** Sunshine apps with multi-conversations allow several personal conversations per user. Default false. */
  multiConversations?: boolean;
}

export interface FakeZendesk {
  url: string;
  requests: ZendeskRequest[];
  tickets: Map<number, FakeTicket>;
  /** The agent who answers in agentReply. */
  agent: { id: number; name: string };
  sunshine: { users: Map<string, { id: string; externalId: string; profile?: unknown }>; conversations: Map<string, SunshineConversation> };
  failNext(status: number, options?: Omit<ZendeskFailure, 'status'> & { count?: number }): void;
  dropNext(): void;
  /** An agent's public comment on the ticket (optionally a status change) and the signed trigger webhook call reporting it. */
  agentReply(input: { ticketId: number | string; text: string; secret: string; status?: string; timestamp?: string }): CallbackRequest;
  /** An agent's business message in a Sunshine conversation and the Conversations webhook call reporting it. */
  sunshineAgentReply(input: { conversationId: string; text: string; secret: string; displayName?: string }): CallbackRequest;
  reset(): void;
  close(): Promise<void>;
}

/** `X-Zendesk-Webhook-Signature`: base64(HMAC-SHA256(secret, timestamp + body)). */
export function zendeskSignature(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(timestamp + body, 'utf8').digest('base64');
}

/** A Zendesk webhook call as a trigger makes it: JSON body, signature and timestamp headers. */
export function zendeskWebhookRequest(secret: string, payload: unknown, options: { timestamp?: string; invocationId?: string } = {}): CallbackRequest {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const timestamp = options.timestamp ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    method: 'POST',
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'Zendesk Webhook',
      'x-zendesk-account-id': '9876543',
      'x-zendesk-webhook-id': '01HZX3W9F3M2V0Q5N5Y1Z7ABCD',
      'x-zendesk-webhook-invocation-id': options.invocationId ?? String(BigInt('0x' + randomBytes(7).toString('hex'))),
      'x-zendesk-webhook-signature-timestamp': timestamp,
      'x-zendesk-webhook-signature': zendeskSignature(secret, timestamp, body),
    },
    body,
  };
}

/** A Sunshine Conversations v2 webhook call carrying `events`, authenticated with `X-API-Key`. */
export function sunshineWebhookRequest(secret: string, events: unknown[], options: { appId?: string } = {}): CallbackRequest {
  const body = JSON.stringify({ app: { id: options.appId ?? '5f1c0a7e3b2d4c0012345678' }, webhook: { id: '6a2b', version: 'v2' }, events });
  return { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': secret }, body };
}

const hex24 = () => randomBytes(12).toString('hex');

/** A `conversation:message` event for a business (agent) message. */
export function sunshineMessageEvent(input: { conversationId: string; text: string; messageId?: string; authorType?: 'business' | 'user'; displayName?: string }) {
  return {
    id: hex24(),
    createdAt: new Date().toISOString(),
    type: 'conversation:message',
    payload: {
      conversation: { id: input.conversationId, type: 'personal' },
      message: {
        id: input.messageId ?? hex24(),
        received: new Date().toISOString(),
        author: input.authorType === 'user' ? { type: 'user', userId: hex24() } : { type: 'business', displayName: input.displayName ?? 'Sam Agent', avatarUrl: 'https://example.zendesk.com/avatar.png' },
        content: { type: 'text', text: input.text },
        source: { type: input.authorType === 'user' ? 'api:conversations' : 'zd:agentWorkspace' },
      },
    },
  };
}

/** A `switchboard:*` event (acceptControl, releaseControl, passControl). */
export function sunshineSwitchboardEvent(type: 'switchboard:acceptControl' | 'switchboard:releaseControl' | 'switchboard:passControl', conversationId: string, integrationType = 'zd:agentWorkspace') {
  return {
    id: hex24(),
    createdAt: new Date().toISOString(),
    type,
    payload: {
      conversation: { id: conversationId, type: 'personal' },
      switchboardIntegration: { id: hex24(), name: integrationType === 'zd:agentWorkspace' ? 'zd-agentWorkspace' : 'switchboard-bot', integrationId: hex24(), integrationType },
      ...(type === 'switchboard:releaseControl' && { reason: 'ticketClosed' }),
    },
  };
}

/** Sends a callback to a URL (Switchboard's inbound route) and returns the response. */
export function postCallback(url: string, request: CallbackRequest): Promise<Response> {
  return fetch(url, { method: request.method, headers: request.headers, body: request.body });
}

export async function startFakeZendesk(options: FakeZendeskOptions): Promise<FakeZendesk> {
  const appId = options.appId ?? '5f1c0a7e3b2d4c0012345678';
  const failures: ZendeskFailure[] = [];
  const idempotency = new Map<string, { body: string; ticketId: number }>();
  const usersByEmail = new Map<string, number>();
  let nextTicket = 4100;
  let nextUser = 36_000_000_000;
  let nextComment = 9_000_000_000;

  const fake: FakeZendesk = {
    url: '',
    requests: [],
    tickets: new Map(),
    agent: { id: 35_000_000_001, name: 'Sam Agent' },
    sunshine: { users: new Map(), conversations: new Map() },
    failNext: (status, { count = 1, ...rest } = {}) => {
      for (let i = 0; i < count; i += 1) failures.push({ status, ...rest });
    },
    dropNext: () => void failures.push({ status: 0, drop: true }),
    agentReply({ ticketId, text, secret, status, timestamp }) {
      const ticket = fake.tickets.get(Number(ticketId));
      if (!ticket) throw new Error(`fake Zendesk: no ticket ${ticketId}`);
      const comment = { id: (nextComment += 1), body: text, public: true, authorId: fake.agent.id };
      ticket.comments.push(comment);
      ticket.status = status ?? (ticket.status === 'new' ? 'open' : ticket.status);
      return zendeskWebhookRequest(
        secret,
        {
          ticket_id: String(ticket.id),
          // {{ticket.status}} renders the status title-cased ("Open", "Solved").
          status: ticket.status.replace(/^./, (c) => c.toUpperCase()),
          comment: { body: text, public: true },
          author: { id: String(fake.agent.id), name: fake.agent.name },
        },
        timestamp ? { timestamp } : {},
      );
    },
    sunshineAgentReply({ conversationId, text, secret, displayName }) {
      const conversation = fake.sunshine.conversations.get(conversationId);
      if (!conversation) throw new Error(`fake Sunshine: no conversation ${conversationId}`);
      const message: SunshineMessage = {
        id: hex24(),
        author: { type: 'business', displayName: displayName ?? fake.agent.name },
        content: { type: 'text', text },
        received: new Date().toISOString(),
      };
      conversation.messages.push(message);
      return sunshineWebhookRequest(secret, [sunshineMessageEvent({ conversationId, text, messageId: message.id, displayName: displayName ?? fake.agent.name })], { appId });
    },
    reset: () => {
      fake.requests.length = 0;
      fake.tickets.clear();
      fake.sunshine.users.clear();
      fake.sunshine.conversations.clear();
      failures.length = 0;
      idempotency.clear();
      usersByEmail.clear();
    },
    close: async () => undefined,
  };

  const answer = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(body === undefined ? '' : JSON.stringify(body));
    return status;
  };
  const basic = (req: IncomingMessage) => {
    const header = req.headers.authorization ?? '';
    return header.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString('utf8') : undefined;
  };
  const ticketView = (ticket: FakeTicket) => ({
    id: ticket.id,
    url: `${fake.url}/api/v2/tickets/${ticket.id}.json`,
    external_id: ticket.externalId ?? null,
    subject: ticket.subject ?? null,
    description: ticket.comments[0]?.body ?? '',
    status: ticket.status,
    priority: ticket.priority ?? null,
    requester_id: ticket.requesterId,
    submitter_id: fake.agent.id,
    group_id: ticket.groupId ?? null,
    tags: ticket.tags,
    created_at: new Date().toISOString(),
  });
  const invalid = (res: ServerResponse, description: string) =>
    answer(res, 422, { error: 'RecordInvalid', description: 'Record validation errors', details: { base: [{ description }] } });

  function tickets(req: IncomingMessage, res: ServerResponse, path: string, json: unknown, raw: string): number {
    if (basic(req) !== `${options.email}/token:${options.apiToken}`) return answer(res, 401, { error: "Couldn't authenticate you" });
    if (path === '/api/v2/tickets.json' && req.method === 'POST') {
      const ticket = (json as { ticket?: Record<string, unknown> } | undefined)?.ticket;
      if (!ticket || typeof ticket !== 'object') return answer(res, 400, { error: 'InvalidEndpoint', description: 'ticket is required' });
      const key = req.headers['idempotency-key'];
      if (typeof key === 'string') {
        const seen = idempotency.get(key);
        if (seen && seen.body !== raw) return answer(res, 400, { error: 'IdempotentRequestError', description: 'Request parameters do not match the original request' });
        if (seen) return answer(res, 201, { ticket: ticketView(fake.tickets.get(seen.ticketId)!) }, { 'x-idempotency-lookup': 'hit' });
      }
      const comment = ticket.comment as { body?: unknown; public?: unknown } | undefined;
      if (typeof comment?.body !== 'string' || comment.body.trim() === '') return invalid(res, 'Description: cannot be blank');
      if (comment.body.length > 65_536) return invalid(res, 'Comment: is too long');
      const requester = ticket.requester as { name?: string; email?: string } | undefined;
      let requesterId = fake.agent.id;
      if (requester) {
        if (typeof requester.name !== 'string' || requester.name.trim() === '') return invalid(res, 'Requester: Name: is too short');
        requesterId = (requester.email && usersByEmail.get(requester.email)) || (nextUser += 1);
        if (requester.email) usersByEmail.set(requester.email, requesterId);
      }
      const created: FakeTicket = {
        id: (nextTicket += 1),
        ...(typeof ticket.subject === 'string' && { subject: ticket.subject }),
        ...(typeof ticket.external_id === 'string' && { externalId: ticket.external_id }),
        requesterId,
        ...(requester && { requester }),
        tags: Array.isArray(ticket.tags) ? ticket.tags.map(String) : [],
        ...(typeof ticket.group_id === 'number' && { groupId: ticket.group_id }),
        ...(typeof ticket.priority === 'string' && { priority: ticket.priority }),
        status: 'new',
        comments: [{ id: (nextComment += 1), body: comment.body, public: comment.public !== false, authorId: fake.agent.id }],
      };
      fake.tickets.set(created.id, created);
      if (typeof key === 'string') idempotency.set(key, { body: raw, ticketId: created.id });
      return answer(res, 201, { ticket: ticketView(created), audit: { id: nextComment, ticket_id: created.id } }, typeof key === 'string' ? { 'x-idempotency-lookup': 'miss' } : {});
    }
    const match = /^\/api\/v2\/tickets\/(\d+)\.json$/.exec(path);
    if (!match) return answer(res, 404, { error: 'InvalidEndpoint', description: 'Not found' });
    const ticket = fake.tickets.get(Number(match[1]));
    if (!ticket) return answer(res, 404, { error: 'RecordNotFound', description: 'Not found' });
    if (req.method === 'GET') return answer(res, 200, { ticket: ticketView(ticket) });
    if (req.method !== 'PUT') return answer(res, 405, { error: 'MethodNotAllowed' });
    if (ticket.status === 'closed') return invalid(res, 'Status: closed prevents ticket update');
    const update = (json as { ticket?: Record<string, unknown> } | undefined)?.ticket;
    if (!update) return answer(res, 400, { error: 'InvalidEndpoint', description: 'ticket is required' });
    const comment = update.comment as { body?: unknown; public?: unknown; author_id?: unknown } | undefined;
    if (comment) {
      if (typeof comment.body !== 'string' || comment.body.trim() === '') return invalid(res, 'Comment: cannot be blank');
      ticket.comments.push({ id: (nextComment += 1), body: comment.body, public: comment.public !== false, authorId: typeof comment.author_id === 'number' ? comment.author_id : fake.agent.id });
    }
    if (typeof update.status === 'string') ticket.status = update.status;
    return answer(res, 200, { ticket: ticketView(ticket), audit: { id: nextComment, ticket_id: ticket.id } });
  }

  function sunshine(req: IncomingMessage, res: ServerResponse, path: string, query: Record<string, string>, json: unknown): number {
    const error = (status: number, code: string, title: string) => answer(res, status, { errors: [{ code, title }] });
    if (!options.keyId || basic(req) !== `${options.keyId}:${options.keySecret}`) return error(401, 'unauthorized', 'Authorization is required');
    const match = /^\/v2\/apps\/([^/]+)(\/.*)$/.exec(path);
    if (!match || match[1] !== appId) return error(404, 'app_not_found', 'App not found');
    const rest = match[2]!;
    const body = (json ?? {}) as Record<string, unknown>;
    const { users, conversations } = fake.sunshine;

    if (rest === '/users' && req.method === 'POST') {
      if (typeof body.externalId !== 'string' || body.externalId === '') return error(400, 'bad_request', 'externalId is required');
      if (users.has(body.externalId)) return error(409, 'conflict', 'A user with this externalId already exists');
      const user = { id: hex24(), externalId: body.externalId, profile: body.profile };
      users.set(user.externalId, user);
      return answer(res, 201, { user: { ...user, signedUpAt: new Date().toISOString(), authenticated: false } });
    }
    if (rest === '/conversations' && req.method === 'GET') {
      const wanted = query['filter[userExternalId]'];
      const list = [...conversations.values()].filter((c) => !wanted || c.participants.includes(wanted));
      return answer(res, 200, { conversations: list.map(({ messages: _m, passControls: _p, ...c }) => c), meta: { hasMore: false } });
    }
    if (rest === '/conversations' && req.method === 'POST') {
      if (body.type !== 'personal' && body.type !== 'sdkGroup') return error(400, 'bad_request', 'type must be personal or sdkGroup');
      const participants = Array.isArray(body.participants) ? body.participants : [];
      const ids = participants.map((p) => (p as { userExternalId?: unknown }).userExternalId).filter((v): v is string => typeof v === 'string');
      if (body.type === 'personal' && ids.length !== 1) return error(400, 'bad_request', 'A personal conversation has exactly one participant');
      if (ids.some((id) => !users.has(id))) return error(404, 'user_not_found', 'User not found');
      if (body.type === 'personal' && !options.multiConversations && [...conversations.values()].some((c) => c.type === 'personal' && c.participants.includes(ids[0]!))) {
        return error(409, 'conflict', 'The user already has a personal conversation');
      }
      const conversation: SunshineConversation = {
        id: hex24(),
        type: body.type,
        participants: ids,
        ...(typeof body.displayName === 'string' && { displayName: body.displayName }),
        ...(body.metadata !== undefined && { metadata: body.metadata as Record<string, unknown> }),
        messages: [],
        passControls: [],
      };
      conversations.set(conversation.id, conversation);
      const { messages: _m, passControls: _p, ...view } = conversation;
      return answer(res, 201, { conversation: { ...view, isDefault: false, activeSwitchboardIntegration: { name: 'switchboard', integrationType: 'custom' } } });
    }
    const inConversation = /^\/conversations\/([^/]+)\/(messages|passControl)$/.exec(rest);
    if (inConversation && req.method === 'POST') {
      const conversation = conversations.get(inConversation[1]!);
      if (!conversation) return error(404, 'conversation_not_found', 'Conversation not found');
      if (inConversation[2] === 'passControl') {
        if (typeof body.switchboardIntegration !== 'string') return error(400, 'bad_request', 'switchboardIntegration is required');
        conversation.passControls.push(body);
        return answer(res, 200, {});
      }
      const author = (body.author ?? {}) as Record<string, unknown>;
      const content = (body.content ?? {}) as Record<string, unknown>;
      if (author.type !== 'user' && author.type !== 'business') return error(400, 'bad_request', 'author.type must be user or business');
      if (author.type === 'user' && !conversation.participants.includes(String(author.userExternalId))) return error(400, 'bad_request', 'The author is not a participant');
      if (content.type !== 'text' || typeof content.text !== 'string' || content.text.trim() === '') return error(400, 'bad_request', 'content.text is required');
      if (content.text.length > 4096) return error(400, 'bad_request', 'content.text must be at most 4096 characters');
      const message: SunshineMessage = { id: hex24(), author, content, received: new Date().toISOString() };
      conversation.messages.push(message);
      return answer(res, 201, { messages: [message] });
    }
    return error(404, 'not_found', 'Not found');
  }

  const server = await serveHttp((req, res, body) => {
    const raw = body.toString('utf8');
    const url = new URL(req.url ?? '/', 'http://zendesk.local');
    const json = parseJsonBody(raw);
    const record: ZendeskRequest = { method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body: raw, ...(json !== undefined && { json }), status: 0 };
    fake.requests.push(record);
    const failed = answerPlannedFailure(res, failures.shift(), answer, { error: 'Failure on demand' });
    if (failed !== undefined) {
      record.status = failed;
      return;
    }
    if (raw && json === undefined) {
      record.status = answer(res, 400, { error: 'Unprocessable JSON' });
      return;
    }
    const path = url.pathname.replace(/^\/sc(?=\/v2\/)/, '');
    record.status = path.startsWith('/api/v2/') ? tickets(req, res, path, json, raw) : path.startsWith('/v2/apps/') ? sunshine(req, res, path, record.query, json) : answer(res, 404, { error: 'InvalidEndpoint' });
  });
  fake.url = server.url;
  fake.close = server.close;
  return fake;
}

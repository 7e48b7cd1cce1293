/**
 * A fake ServiceNow instance on 127.0.0.1:
 *
 * - Table API for incidents: `POST /api/now/table/incident` → 201 `{result: {sys_id, number, …}}`,
 *   `PATCH|PUT|GET /api/now/table/incident/{sys_id}`; `comments` / `work_notes` written on create
 *   or update become journal entries. Basic auth of the integration user (401 with ServiceNow's
 *   `{error: {message, detail}, status: 'failure'}` otherwise); unknown records 404.
 * - Virtual Agent Bot Integration API: `POST /api/sn_va_as_service/bot/integration` (Basic, and the
 *   `token` header when a bot token is configured) validates requestId / userId / message and
 *   answers `{status: 'success'}`; sessions escalated with `action: 'AGENT'` are kept with their
 *   history and later messages.
 *
 * It records every request, fails on demand, and makes what ServiceNow sends back with
 * `Authorization: Bearer <secret>`: `agentComment` (a business rule's REST message after an agent
 * comments on or changes the state of an incident) and `liveAgentReply` / `liveAgentEnd` (the
 * Virtual Agent's asynchronous responses to the configured response endpoint).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { answerPlannedFailure, parseJsonBody, serveHttp, type CallbackRequest, type PlannedFailure } from './http-fake.js';

export interface ServiceNowRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  body: string;
  json?: unknown;
  status: number;
}

export interface JournalEntry {
  element: 'comments' | 'work_notes';
  value: string;
  createdBy: string;
  createdOn: string;
}

export interface FakeIncident {
  sysId: string;
  number: string;
  fields: Record<string, string>;
  journal: JournalEntry[];
}

export interface FakeLiveSession {
  clientSessionId: string;
  userId: string;
  escalation: Record<string, unknown>;
  messages: Record<string, unknown>[];
}

export type ServiceNowFailure = PlannedFailure;

export type { CallbackRequest } from './http-fake.js';

export interface FakeServiceNowOptions {
  username: string;
  password: string;
  /** When set, the bot integration API also requires `token: <botToken>`. */
  botToken?: string;
}

export interface FakeServiceNow {
  url: string;
  requests: ServiceNowRequest[];
  incidents: Map<string, FakeIncident>;
  /** Live Agent sessions by clientSessionId. */
  sessions: Map<string, FakeLiveSession>;
  agent: { userName: string; name: string; sysId: string };
  failNext(status: number, options?: Omit<ServiceNowFailure, 'status'> & { count?: number }): void;
  dropNext(): void;
  /** An agent's Additional comment (and optional state change) on the incident, and the business rule's signed call. */
  agentComment(input: { sysId: string; text?: string; state?: string; secret: string; workNote?: boolean }): CallbackRequest;
  /** A live agent's chat message and the Virtual Agent's response to the response endpoint. */
  liveAgentReply(input: { clientSessionId: string; text: string; secret: string }): CallbackRequest;
  /** The live agent closing the chat: the Virtual Agent's final response (`completed: true`). */
  liveAgentEnd(input: { clientSessionId: string; secret: string }): CallbackRequest;
  reset(): void;
  close(): Promise<void>;
}

const sysId = () => randomBytes(16).toString('hex');
const now = () => new Date().toISOString().slice(0, 19).replace('T', ' ');

/** A request ServiceNow sends to Switchboard: JSON with the bearer token. */
export function serviceNowCallbackRequest(secret: string, payload: unknown): CallbackRequest {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${secret}`, 'user-agent': 'ServiceNow/1.0' },
    body: typeof payload === 'string' ? payload : JSON.stringify(payload),
  };
}

export async function startFakeServiceNow(options: FakeServiceNowOptions): Promise<FakeServiceNow> {
  const failures: ServiceNowFailure[] = [];
  let nextNumber = 10_040;

  const fake: FakeServiceNow = {
    url: '',
    requests: [],
    incidents: new Map(),
    sessions: new Map(),
    agent: { userName: 'beth.anglin', name: 'Beth Anglin', sysId: sysId() },
    failNext: (status, { count = 1, ...rest } = {}) => {
      for (let i = 0; i < count; i += 1) failures.push({ status, ...rest });
    },
    dropNext: () => void failures.push({ status: 0, drop: true }),
    agentComment({ sysId: id, text, state, secret, workNote }) {
      const incident = fake.incidents.get(id);
      if (!incident) throw new Error(`fake ServiceNow: no incident ${id}`);
      const createdOn = now();
      let entry = '';
      if (text) {
        const element = workNote ? 'work_notes' : 'comments';
        incident.journal.push({ element, value: text, createdBy: fake.agent.userName, createdOn });
        entry = `${createdOn} - ${fake.agent.name} (${workNote ? 'Work notes' : 'Additional comments'})\n${text}\n\n`;
      }
      if (state) incident.fields.state = state;
      incident.fields.sys_updated_on = createdOn;
      incident.fields.sys_mod_count = String(Number(incident.fields.sys_mod_count ?? '0') + 1);
      // What the setup text's business rule sends.
      return serviceNowCallbackRequest(secret, {
        sys_id: incident.sysId,
        number: incident.number,
        state: incident.fields.state,
        sys_mod_count: incident.fields.sys_mod_count,
        comment: entry,
        author: { id: fake.agent.userName, name: fake.agent.name },
        assigned_to: fake.agent.name,
      });
    },
    liveAgentReply({ clientSessionId, text, secret }) {
      const session = fake.sessions.get(clientSessionId);
      if (!session) throw new Error(`fake ServiceNow: no live agent session ${clientSessionId}`);
      return serviceNowCallbackRequest(secret, {
        requestId: randomUUID(),
        clientSessionId,
        nowSessionId: '',
        userId: session.userId,
        body: [
          {
            uiType: 'OutputText',
            group: 'DefaultText',
            value: text,
            maskType: 'NONE',
            messageId: sysId(),
            agentInfo: { sentFromAgent: true, agentName: fake.agent.name, agentId: fake.agent.sysId, agentAvatar: `${fake.url}/avatar.iix` },
          },
        ],
        agentChat: true,
        score: 1,
      });
    },
    liveAgentEnd({ clientSessionId, secret }) {
      const session = fake.sessions.get(clientSessionId);
      if (!session) throw new Error(`fake ServiceNow: no live agent session ${clientSessionId}`);
      return serviceNowCallbackRequest(secret, {
        requestId: randomUUID(),
        clientSessionId,
        nowSessionId: '',
        userId: session.userId,
        body: [{ uiType: 'OutputText', group: 'DefaultText', value: 'The conversation has ended. If you need help again, type hi.', maskType: 'NONE' }],
        completed: true,
        score: 1,
      });
    },
    reset: () => {
      fake.requests.length = 0;
      fake.incidents.clear();
      fake.sessions.clear();
      failures.length = 0;
    },
    close: async () => undefined,
  };

  const answer = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', ...headers }).end(JSON.stringify(body));
    return status;
  };
  const failure = (res: ServerResponse, status: number, message: string, detail: string | null = null) => answer(res, status, { error: { message, detail }, status: 'failure' });
  const authenticated = (req: IncomingMessage) => req.headers.authorization === `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;

  const view = (incident: FakeIncident, fields?: string) => {
    const all = { sys_id: incident.sysId, number: incident.number, ...incident.fields };
    if (!fields) return all;
    const wanted = new Set(fields.split(','));
    return Object.fromEntries(Object.entries(all).filter(([key]) => wanted.has(key)));
  };

  const journal = (incident: FakeIncident, body: Record<string, unknown>) => {
    for (const element of ['comments', 'work_notes'] as const) {
      if (typeof body[element] === 'string' && body[element] !== '') incident.journal.push({ element, value: body[element] as string, createdBy: options.username, createdOn: now() });
    }
  };

  function table(req: IncomingMessage, res: ServerResponse, path: string, query: Record<string, string>, json: unknown): number {
    if (!authenticated(req)) return failure(res, 401, 'User Not Authenticated', 'Required to provide Auth information');
    const body = (json ?? {}) as Record<string, unknown>;
    if (path === '/api/now/table/incident' && req.method === 'POST') {
      const fields: Record<string, string> = { state: '1', sys_mod_count: '0', sys_updated_on: now() };
      for (const [key, value] of Object.entries(body)) {
        if (key !== 'comments' && key !== 'work_notes' && (typeof value === 'string' || typeof value === 'number')) fields[key] = String(value);
      }
      const incident: FakeIncident = { sysId: sysId(), number: `INC00${(nextNumber += 1)}`, fields, journal: [] };
      journal(incident, body);
      fake.incidents.set(incident.sysId, incident);
      return answer(res, 201, { result: view(incident, query.sysparm_fields) }, { location: `${fake.url}/api/now/table/incident/${incident.sysId}` });
    }
    const match = /^\/api\/now\/table\/incident\/([0-9a-f]{32})$/.exec(path);
    if (!match) return failure(res, 400, 'Invalid table or path');
    const incident = fake.incidents.get(match[1]!);
    if (!incident) return failure(res, 404, 'No Record found', 'Record doesn\'t exist or ACL restricts the record retrieval');
    if (req.method === 'GET') return answer(res, 200, { result: view(incident, query.sysparm_fields) });
    if (req.method !== 'PATCH' && req.method !== 'PUT') return failure(res, 405, 'Method not Supported');
    for (const [key, value] of Object.entries(body)) {
      if (key !== 'comments' && key !== 'work_notes' && (typeof value === 'string' || typeof value === 'number')) incident.fields[key] = String(value);
    }
    journal(incident, body);
    incident.fields.sys_updated_on = now();
    incident.fields.sys_mod_count = String(Number(incident.fields.sys_mod_count ?? '0') + 1);
    return answer(res, 200, { result: view(incident, query.sysparm_fields) });
  }

  function bot(req: IncomingMessage, res: ServerResponse, json: unknown): number {
    if (!authenticated(req)) return failure(res, 401, 'User Not Authenticated', 'Required to provide Auth information');
    if (options.botToken && req.headers.token !== options.botToken) return failure(res, 401, 'Token validation failed');
    const body = (json ?? {}) as Record<string, unknown>;
    const message = body.message as Record<string, unknown> | undefined;
    if (typeof body.requestId !== 'string' || body.requestId === '') return answer(res, 400, { status: 'failure', error: { message: 'requestId is required' } });
    if (typeof body.userId !== 'string' || body.userId === '') return answer(res, 400, { status: 'failure', error: { message: 'userId is required' } });
    if (!message || typeof message.typed !== 'boolean') return answer(res, 400, { status: 'failure', error: { message: 'message.typed is required' } });
    if (body.action !== 'END_CONVERSATION' && (typeof message.text !== 'string' || message.text === '')) {
      return answer(res, 400, { status: 'failure', error: { message: 'message.text is required' } });
    }
    const clientSessionId = typeof body.clientSessionId === 'string' ? body.clientSessionId : '';
    if (body.action === 'AGENT') {
      fake.sessions.set(clientSessionId, { clientSessionId, userId: body.userId, escalation: body, messages: [] });
    } else {
      const session = fake.sessions.get(clientSessionId);
      if (session) session.messages.push(body);
    }
    return answer(res, 200, { status: 'success' });
  }

  const server = await serveHttp((req, res, body) => {
    const raw = body.toString('utf8');
    const url = new URL(req.url ?? '/', 'http://servicenow.local');
    const json = parseJsonBody(raw);
    const record: ServiceNowRequest = { method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body: raw, ...(json !== undefined && { json }), status: 0 };
    fake.requests.push(record);
    const failed = answerPlannedFailure(res, failures.shift(), answer, { error: { message: 'Failure on demand', detail: null }, status: 'failure' });
    if (failed !== undefined) {
      record.status = failed;
      return;
    }
    if (raw && json === undefined) {
      record.status = failure(res, 400, 'Exception while reading request', 'The payload is not valid JSON.');
      return;
    }
    if (url.pathname.startsWith('/api/now/table/')) record.status = table(req, res, url.pathname, record.query, json);
    else if (url.pathname === '/api/sn_va_as_service/bot/integration' && req.method === 'POST') record.status = bot(req, res, json);
    else record.status = failure(res, 400, 'Requested URI does not represent any resource');
  });
  fake.url = server.url;
  fake.close = server.close;
  return fake;
}

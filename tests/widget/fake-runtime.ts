/**
 * A fake Switchboard public runtime (docs/runtime-api.md) for the widget's browser tests, on
 * node:http at 127.0.0.1. It follows the contract as written: origin and token checks with the
 * documented messages, CORS only for origins some active deployment allows (preflights otherwise
 * 403 without CORS headers, so the browser withholds the answer), `origin-check` to explain such
 * a refusal, `config` (creates nothing), idempotent sends, an SSE stream with stored (id'd)
 * `message`/`error` events replayed after `Last-Event-ID`, live `typing`/`delta` events, a last
 * `closed` event when the deployment is revoked, and history.
 *
 * Its agent echoes: the reply to "hi" is "Echo: hi", streamed as `delta` chunks between `typing`
 * events, then the final `message`. A text containing "xss" is answered with HTML that would run
 * script if it were ever parsed as markup.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveWidgetLocale } from '../../packages/server/src/runtime/widget-locales.js';

const WIDGET_DIST = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'packages', 'widget', 'dist');

export const XSS_REPLY = '<img src=x onerror="window.__pwned=1"><b>bold?</b>';

export interface FakeDeployment {
  token: string;
  allowedOrigins: string[];
  revoked: boolean;
  agent: { id: string; name: string };
  greeting: string;
  theme: Record<string, unknown>;
}

export interface FakeMessage {
  id: string;
  sessionId: string;
  role: 'contact' | 'agent';
  text: string | null;
  clientMessageId: string | null;
  quickReplies?: string[];
  createdAt: number;
}

interface StoredEvent {
  id: string;
  event: 'message' | 'error';
  data: string;
}

export interface FakeSession {
  id: string;
  visitorToken: string;
  deployment: FakeDeployment;
  messages: FakeMessage[];
  events: StoredEvent[];
  streams: Set<ServerResponse>;
}

export interface RequestRecord {
  method: string;
  path: string;
  origin: string | undefined;
  status: number;
  visitorToken?: string;
  lastEventId?: string;
  /** The deployment token it carried. */
  token?: string;
}

const ALLOWED_HEADERS = 'authorization, content-type, x-visitor-token, last-event-id';
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class FakeRuntime {
  readonly deployments = new Map<string, FakeDeployment>();
  readonly sessions = new Map<string, FakeSession>();
  readonly requests: RequestRecord[] = [];
  /** Every session start: status, session id, resumed. */
  readonly starts: Array<{ status: number; sessionId: string; resumed: boolean; token: string }> = [];
  /** Serve GET …/origin-check (false: behave like a server without it). */
  originCheckEnabled = true;
  /** Serve GET …/config (false: behave like a server without it). */
  configEnabled = true;
  /** Milliseconds between reply chunks. */
  chunkDelayMs = 60;
  private server: Server;
  private port = 0;
  private seq = 0;
  private gate: { reached: () => void; release: Promise<void>; open: () => void; reachedPromise: Promise<void> } | null = null;
  private dropSendAnswers = 0;
  private sendGate: Promise<void> | null = null;
  private pings = new Set<NodeJS.Timeout>();

  constructor() {
    this.server = this.createServer();
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Goes offline: stops listening and cuts every open connection (streams included). */
  async stop(): Promise<void> {
    for (const session of this.sessions.values()) session.streams.clear();
    for (const timer of this.pings) clearInterval(timer);
    this.pings.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
    this.server = this.createServer();
  }

  addDeployment(input: Partial<FakeDeployment> & { allowedOrigins: string[] }): FakeDeployment {
    const deployment: FakeDeployment = {
      token: `cdp_${randomUUID().replace(/-/g, '')}`,
      revoked: false,
      agent: { id: `agent_${randomUUID().slice(0, 8)}`, name: 'Concierge' },
      greeting: 'Hi! How can I help?',
      theme: {
        primaryColor: '#0b5fff',
        launcherColor: '#0b5fff',
        launcherIcon: 'chat',
        position: 'right',
        greeting: 'Hi! How can I help?',
        avatarUrl: null,
        headerTitle: 'Concierge',
        fontFamily: 'system-ui, sans-serif',
      },
      ...input,
    };
    this.deployments.set(deployment.token, deployment);
    return deployment;
  }

  /** Revokes the token; open streams get a last `closed` event and end, as the real runtime's do. */
  revoke(token: string): void {
    this.deployments.get(token)!.revoked = true;
    const closed = { status: 401, code: 'UNAUTHORIZED', reason: 'TOKEN_REVOKED', message: 'Deployment token was revoked' };
    for (const session of this.sessionsOf(token)) {
      for (const stream of session.streams) stream.end(frame('closed', JSON.stringify(closed)));
      session.streams.clear();
    }
  }

  /** The requests that carried this deployment token. */
  requestsOf(token: string): RequestRecord[] {
    return this.requests.filter((r) => r.token === token);
  }

  /** Sends are stored but not answered until `release()` (the visitor's message stays pending). */
  holdSends(): { release: () => void } {
    let open!: () => void;
    this.sendGate = new Promise<void>((resolve) => (open = resolve));
    return {
      release: () => {
        this.sendGate = null;
        open();
      },
    };
  }

  sessionsOf(token: string): FakeSession[] {
    return [...this.sessions.values()].filter((session) => session.deployment.token === token);
  }

  /**
   * The next reply stops after its first chunk until `release()`. `reached` resolves once that
   * first chunk has been written to the stream.
   */
  holdNextReply(): { reached: Promise<void>; release: () => void } {
    let open!: () => void;
    let reached!: () => void;
    const release = new Promise<void>((resolve) => (open = resolve));
    const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
    this.gate = { reached, release, open, reachedPromise };
    return { reached: reachedPromise, release: open };
  }

  /** The next `count` sends are stored but their answers are lost (the connection is cut). */
  loseNextSendAnswers(count = 1): void {
    this.dropSendAnswers = count;
  }

  /** An agent message out of the blue (a proactive message, or one from a human taking over), with its quick replies if any. */
  say(session: FakeSession, text: string, quickReplies?: string[]): FakeMessage {
    const message = this.store(session, 'agent', text, null);
    if (quickReplies) message.quickReplies = quickReplies;
    this.publishStored(session, 'message', message);
    return message;
  }

  async close(): Promise<void> {
    await this.stop();
  }

  // ---- internals

  private createServer(): Server {
    return createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ success: false, status: 500, code: 'INTERNAL', message: String(error) }));
      });
    });
  }

  private corsFor(origin: string | undefined): Record<string, string> | null {
    if (!origin) return null;
    for (const deployment of this.deployments.values()) {
      if (!deployment.revoked && deployment.allowedOrigins.includes(origin)) {
        return { 'access-control-allow-origin': origin, vary: 'Origin', 'access-control-expose-headers': 'retry-after' };
      }
    }
    return null;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://fake');
    const origin = request.headers.origin;
    const cors = this.corsFor(origin);
    const header = (name: string) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const record: RequestRecord = { method: request.method ?? 'GET', path: url.pathname, origin, status: 0 };
    const visitorHeader = header('x-visitor-token');
    if (visitorHeader) record.visitorToken = visitorHeader;
    const lastEventId = header('last-event-id');
    if (lastEventId) record.lastEventId = lastEventId;
    this.requests.push(record);

    const send = (status: number, body: unknown) => {
      record.status = status;
      response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...cors });
      response.end(JSON.stringify(body));
    };
    const ok = (status: number, data: unknown) => send(status, { success: true, data, metadata: { timestamp: Date.now(), version: 'v1' } });
    const fail = (status: number, code: string, message: string, reason?: string) =>
      send(status, { success: false, status, code, message, meta: reason ? { reason } : {}, timestamp: Date.now(), error: { code, message, details: null } });

    // The embed scripts too, as the real server serves them beside its API.
    const script = { '/embed/v1.js': 'loader.js', '/embed/v1/widget.js': 'widget.js' }[url.pathname];
    if (script) {
      record.status = 200;
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'access-control-allow-origin': '*' });
      response.end(readFileSync(join(WIDGET_DIST, script)));
      return;
    }

    if (!url.pathname.startsWith('/v1/public/runtime/')) return fail(404, 'NOT_FOUND', `Route ${request.method} ${url.pathname} not found`);

    if (url.pathname === '/v1/public/runtime/origin-check' && request.method === 'GET' && this.originCheckEnabled) {
      // No preflight, readable from any origin: says why a page would be refused.
      const prefix = url.searchParams.get('tokenPrefix') ?? '';
      const candidates = /^cdp_[0-9A-Za-z]{6}$/.test(prefix) ? [...this.deployments.values()].filter((d) => d.token.startsWith(prefix)) : [];
      const active = candidates.filter((d) => !d.revoked);
      const allowed = origin !== undefined && active.some((d) => d.allowedOrigins.includes(origin));
      const [reason, message] =
        candidates.length === 0
          ? ['TOKEN_INVALID', 'Deployment token is not valid']
          : active.length === 0
            ? ['TOKEN_REVOKED', 'Deployment token was revoked']
            : allowed
              ? ['ALLOWED', 'Origin is allowed']
              : origin === undefined
                ? ['ORIGIN_MISSING', 'Origin header is required: this deployment accepts requests only from its allowed origins']
                : ['ORIGIN_NOT_ALLOWED', `Origin ${origin} is not allowed for this deployment`];
      record.status = 200;
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'access-control-allow-origin': '*' });
      response.end(JSON.stringify({ success: true, data: { origin: origin ?? null, allowed, reason, message }, metadata: { timestamp: Date.now(), version: 'v1' } }));
      return;
    }

    if (request.method === 'OPTIONS') {
      record.status = cors ? 204 : 403;
      if (!cors) {
        response.writeHead(403);
        response.end();
        return;
      }
      response.writeHead(204, {
        ...cors,
        'access-control-allow-methods': 'GET, POST, OPTIONS',
        'access-control-allow-headers': ALLOWED_HEADERS,
      });
      response.end();
      return;
    }

    const bearer = /^Bearer\s+(\S+)$/i.exec(header('authorization') ?? '');
    if (bearer) record.token = bearer[1]!;
    if (!bearer) return fail(401, 'UNAUTHORIZED', 'Deployment token is missing: send Authorization: Bearer cdp_…', 'TOKEN_MISSING');
    const deployment = this.deployments.get(bearer[1]!);
    if (!deployment) return fail(401, 'UNAUTHORIZED', 'Deployment token is not valid', 'TOKEN_INVALID');
    if (deployment.revoked) return fail(401, 'UNAUTHORIZED', 'Deployment token was revoked', 'TOKEN_REVOKED');
    if (!origin) return fail(403, 'FORBIDDEN', 'Origin header is required: this deployment accepts requests only from its allowed origins', 'ORIGIN_MISSING');
    if (!deployment.allowedOrigins.includes(origin)) return fail(403, 'FORBIDDEN', `Origin ${origin} is not allowed for this deployment`, 'ORIGIN_NOT_ALLOWED');

    const body = request.method === 'POST' ? await readJson(request) : undefined;
    if (body === INVALID) return fail(400, 'VALIDATION_ERROR', 'Malformed JSON body');

    if (url.pathname === '/v1/public/runtime/config' && request.method === 'GET' && this.configEnabled) {
      const language = resolveWidgetLocale(url.searchParams.get('locale') ?? undefined, deployment.theme.strings as never);
      return ok(200, { agent: deployment.agent, greeting: deployment.greeting, widget: { theme: deployment.theme, ...language } });
    }

    if (url.pathname === '/v1/public/runtime/sessions' && request.method === 'POST') {
      const input = (body ?? {}) as { visitorToken?: string; locale?: string };
      const existing = [...this.sessions.values()].find(
        (session) => session.deployment === deployment && input.visitorToken !== undefined && session.visitorToken === input.visitorToken,
      );
      const session: FakeSession = existing ?? {
        id: `conv_${randomUUID().slice(0, 12)}`,
        visitorToken: `vt_${randomUUID().replace(/-/g, '')}`,
        deployment,
        messages: [],
        events: [],
        streams: new Set(),
      };
      this.sessions.set(session.id, session);
      const status = existing ? 200 : 201;
      this.starts.push({ status, sessionId: session.id, resumed: !!existing, token: deployment.token });
      return ok(status, {
        sessionId: session.id,
        visitorToken: session.visitorToken,
        resumed: !!existing,
        agent: deployment.agent,
        greeting: deployment.greeting,
        widget: { theme: deployment.theme, ...resolveWidgetLocale(input.locale, deployment.theme.strings as never) },
      });
    }

    const match = /^\/v1\/public\/runtime\/sessions\/([^/]+)\/(messages|events)$/.exec(url.pathname);
    if (!match) return fail(404, 'NOT_FOUND', `Route ${request.method} ${url.pathname} not found`);
    const session = this.sessions.get(decodeURIComponent(match[1]!));
    if (!session || session.deployment !== deployment || session.visitorToken !== visitorHeader) {
      return fail(404, 'NOT_FOUND', 'Session not found');
    }

    if (match[2] === 'messages' && request.method === 'GET') return ok(200, session.messages);

    if (match[2] === 'messages' && request.method === 'POST') {
      const input = (body ?? {}) as { text?: unknown; clientMessageId?: unknown };
      if (typeof input.text !== 'string' || input.text.length < 1 || input.text.length > 4000) {
        return fail(400, 'VALIDATION_ERROR', 'text must be 1–4000 characters');
      }
      if (typeof input.clientMessageId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(input.clientMessageId)) {
        return fail(400, 'VALIDATION_ERROR', 'clientMessageId must be 1–64 of [A-Za-z0-9_-]');
      }
      if (this.sendGate) await this.sendGate;
      const duplicate = session.messages.find((message) => message.clientMessageId === input.clientMessageId);
      if (duplicate) return ok(202, { message: duplicate, duplicate: true });
      const message = this.store(session, 'contact', input.text, input.clientMessageId);
      this.publishStored(session, 'message', message);
      void this.reply(session, input.text);
      if (this.dropSendAnswers > 0) {
        this.dropSendAnswers--;
        record.status = -1;
        request.socket.destroy();
        return;
      }
      return ok(202, { message, duplicate: false });
    }

    if (match[2] === 'events' && request.method === 'GET') {
      record.status = 200;
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        ...cors,
      });
      response.flushHeaders();
      if (lastEventId !== undefined) {
        const after = Number(lastEventId);
        for (const event of session.events) if (Number(event.id) > after) response.write(frame(event.event, event.data, event.id));
      }
      session.streams.add(response);
      const ping = setInterval(() => response.write(': ping\n\n'), 20_000);
      this.pings.add(ping);
      const done = () => {
        clearInterval(ping);
        this.pings.delete(ping);
        session.streams.delete(response);
      };
      response.on('close', done);
      return;
    }

    return fail(404, 'NOT_FOUND', `Route ${request.method} ${url.pathname} not found`);
  }

  private store(session: FakeSession, role: 'contact' | 'agent', text: string, clientMessageId: string | null): FakeMessage {
    const message: FakeMessage = {
      id: `msg_${randomUUID().slice(0, 12)}`,
      sessionId: session.id,
      role,
      text,
      clientMessageId,
      createdAt: Date.now(),
    };
    session.messages.push(message);
    return message;
  }

  private publishStored(session: FakeSession, event: 'message' | 'error', data: unknown): void {
    const stored: StoredEvent = { id: String(++this.seq), event, data: JSON.stringify(data) };
    session.events.push(stored);
    for (const stream of session.streams) stream.write(frame(stored.event, stored.data, stored.id));
  }

  private publishLive(session: FakeSession, event: 'typing' | 'delta', data: unknown): void {
    for (const stream of session.streams) stream.write(frame(event, JSON.stringify(data)));
  }

  private async reply(session: FakeSession, text: string): Promise<void> {
    const gate = this.gate;
    this.gate = null;
    const reply = text.toLowerCase().includes('xss') ? XSS_REPLY : `Echo: ${text}`;
    const id = `msg_${randomUUID().slice(0, 12)}`;
    const chunks = reply.match(/[\s\S]{1,6}/g) ?? [reply];
    await delay(this.chunkDelayMs);
    this.publishLive(session, 'typing', { active: true });
    for (const [index, chunk] of chunks.entries()) {
      await delay(this.chunkDelayMs);
      this.publishLive(session, 'delta', { messageId: id, text: chunk });
      if (index === 0 && gate) {
        gate.reached();
        await gate.release;
      }
    }
    const message: FakeMessage = { id, sessionId: session.id, role: 'agent', text: reply, clientMessageId: null, createdAt: Date.now() };
    session.messages.push(message);
    this.publishStored(session, 'message', message);
    this.publishLive(session, 'typing', { active: false });
  }
}

const INVALID = Symbol('invalid');

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return INVALID;
  }
}

function frame(event: string, data: string, id?: string): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${data}\n\n`;
}

export async function startFakeRuntime(): Promise<FakeRuntime> {
  const runtime = new FakeRuntime();
  await runtime.start();
  return runtime;
}

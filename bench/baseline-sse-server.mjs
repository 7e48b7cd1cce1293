// Baseline for bench/runtime.mjs: the widget's message round trip on bare node:http, with no
// framework, database or auth. It speaks the same paths, envelope and event sequence as the
// runtime API (docs/runtime-api.md), so the load generator and its parsing work are identical:
//
//   POST /v1/public/runtime/sessions                  -> 201 {sessionId, visitorToken}
//   GET  /v1/public/runtime/sessions/{id}/events      -> text/event-stream ("retry: 2000", ": ping" every 20 s)
//   POST /v1/public/runtime/sessions/{id}/messages    -> 202, and on that session's open streams:
//        message (the contact's), typing {active:true}, delta, message (the echo), typing {active:false}
//
// Sessions live in a Map; the visitor token is compared as a plain string.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

const PREFIX = '/v1/public/runtime/sessions';
const HEARTBEAT_MS = 20_000;
const port = Number(process.env.PORT ?? 0);
const host = process.env.HOST ?? '127.0.0.1';

/** sessionId -> { visitorToken, streams: Set<ServerResponse>, seq } */
const sessions = new Map();
let counter = 0;
let messageCounter = 0;

function json(response, status, body) {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

function fail(response, status, code, message) {
  json(response, status, { success: false, status, code, message });
}

function readBody(request, done) {
  let body = '';
  request.setEncoding('utf8');
  request.on('data', (chunk) => {
    body += chunk;
  });
  request.on('end', () => done(body));
}

function publish(session, type, data, stored) {
  const id = stored ? ++session.seq : undefined;
  const frame = `${id !== undefined ? `id: ${id}\n` : ''}event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
  for (const stream of session.streams) stream.write(frame);
}

function lookup(request, response, sessionId) {
  const session = sessions.get(sessionId);
  if (!session || session.visitorToken !== request.headers['x-visitor-token']) {
    fail(response, 404, 'NOT_FOUND', 'Session not found');
    return undefined;
  }
  return session;
}

const server = createServer((request, response) => {
  const path = request.url.split('?')[0];
  if (request.method === 'GET' && path === '/health') return json(response, 200, { status: 'ok' });
  if (!path.startsWith(PREFIX)) return fail(response, 404, 'NOT_FOUND', `Route ${request.method} ${path} not found`);
  const rest = path.slice(PREFIX.length); // "", "/{id}/events", "/{id}/messages"

  if (request.method === 'POST' && rest === '') {
    return readBody(request, () => {
      const sessionId = `conv_${(++counter).toString(36)}${randomBytes(6).toString('hex')}`;
      const visitorToken = `vt_${randomBytes(24).toString('base64url')}`;
      sessions.set(sessionId, { visitorToken, streams: new Set(), seq: 0 });
      json(response, 201, { success: true, data: { sessionId, visitorToken, resumed: false } });
    });
  }

  const match = /^\/([^/]+)\/(events|messages)$/.exec(rest);
  if (!match) return fail(response, 404, 'NOT_FOUND', `Route ${request.method} ${path} not found`);
  const [, sessionId, what] = match;

  if (request.method === 'GET' && what === 'events') {
    const session = lookup(request, response, sessionId);
    if (!session) return;
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
    });
    response.write('retry: 2000\n\n');
    session.streams.add(response);
    const heartbeat = setInterval(() => response.write(': ping\n\n'), HEARTBEAT_MS);
    response.on('close', () => {
      clearInterval(heartbeat);
      session.streams.delete(response);
    });
    return;
  }

  if (request.method === 'POST' && what === 'messages') {
    return readBody(request, (body) => {
      const session = lookup(request, response, sessionId);
      if (!session) return;
      let input;
      try {
        input = JSON.parse(body);
      } catch {
        return fail(response, 400, 'VALIDATION_ERROR', 'Malformed JSON body');
      }
      if (typeof input?.text !== 'string' || typeof input.clientMessageId !== 'string') {
        return fail(response, 400, 'VALIDATION_ERROR', 'text and clientMessageId are required');
      }
      const now = Date.now();
      const message = { id: `msg_${++messageCounter}`, sessionId, role: 'contact', text: input.text, clientMessageId: input.clientMessageId, createdAt: now };
      publish(session, 'message', message, true);
      const replyId = `msg_${++messageCounter}`;
      publish(session, 'typing', { active: true }, false);
      publish(session, 'delta', { messageId: replyId, text: input.text }, false);
      publish(session, 'message', { id: replyId, sessionId, role: 'agent', text: input.text, clientMessageId: null, createdAt: now }, true);
      publish(session, 'typing', { active: false }, false);
      json(response, 202, { success: true, data: { message, duplicate: false } });
    });
  }

  return fail(response, 404, 'NOT_FOUND', `Route ${request.method} ${path} not found`);
});
server.keepAliveTimeout = 72_000; // as Fastify's default

server.listen(port, host, () => {
  const address = server.address();
  process.stdout.write(`baseline SSE server listening on http://${host}:${typeof address === 'object' && address ? address.port : port}\n`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}

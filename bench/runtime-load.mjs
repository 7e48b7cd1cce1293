// Load generator for bench/runtime.mjs, forked as its own process (so the server under test
// keeps a core of its own) and driven over IPC. It speaks the runtime API as the widget does:
// POST /sessions, one SSE stream per session (GET …/events, parsed into event/data blocks),
// POST …/messages, waiting for the agent's `message` event that echoes the text.
//
// Commands (process.on('message')):
//   { cmd: 'chat', target, sessions, warmupMs, durationMs, openConcurrency, replyTimeoutMs }
//        -> { type: 'opened' }, { type: 'window-start' }, { type: 'window-end' }, { type: 'chat-result', … }
//   { cmd: 'open', target, count, openConcurrency }  -> { type: 'opened', … }   (streams stay open)
//   { cmd: 'check' }                                  -> { type: 'alive', open, errors }
//   { cmd: 'close' }                                  -> { type: 'closed' }
// `target` = { url, token, origin }. Any failure is reported as { type: 'fatal', message }.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

const PREFIX = '/v1/public/runtime/sessions';
const REQUEST_TIMEOUT_MS = 30_000;

let target; // { host, port, headers }
const postAgent = new http.Agent({ keepAlive: true, maxSockets: 1024, maxFreeSockets: 1024, scheduling: 'lifo' });
const sseAgent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

/** Live sessions: { i, id, visitorToken, request, response, … } */
let sessions = [];
let closing = false;
const errors = new Map(); // kind -> { count, sample }

function error(kind, detail) {
  const entry = errors.get(kind);
  if (entry) entry.count++;
  else errors.set(kind, { count: 1, sample: String(detail ?? '').slice(0, 300) });
}
const errorList = () => [...errors].map(([kind, { count, sample }]) => ({ kind, count, sample }));
const errorTotal = () => [...errors.values()].reduce((sum, e) => sum + e.count, 0);

function setTarget(t) {
  const url = new URL(t.url);
  target = {
    host: url.hostname,
    port: Number(url.port),
    headers: { authorization: `Bearer ${t.token}`, origin: t.origin },
  };
}

/** POST a JSON body on a keep-alive agent; cb(err, status, text) exactly once. */
function postJson(agent, path, body, extraHeaders, cb) {
  const payload = JSON.stringify(body);
  let called = false;
  const done = (err, status, text) => {
    if (called) return;
    called = true;
    cb(err, status, text);
  };
  const request = http.request({
    host: target.host,
    port: target.port,
    method: 'POST',
    path,
    agent,
    headers: { ...target.headers, ...extraHeaders, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
  });
  request.setTimeout(REQUEST_TIMEOUT_MS, () => request.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
  request.on('response', (response) => {
    let text = '';
    response.setEncoding('utf8');
    response.on('data', (chunk) => {
      text += chunk;
    });
    response.on('end', () => done(null, response.statusCode, text));
    response.on('error', (err) => done(err));
  });
  request.on('error', (err) => done(err));
  request.end(payload);
}

const postJsonAsync = (agent, path, body, headers) =>
  new Promise((resolve, reject) => postJson(agent, path, body, headers, (err, status, text) => (err ? reject(err) : resolve({ status, text }))));

/** Parses one SSE block ("event: x\ndata: …"); returns { event, data } or undefined for comments/retry. */
function parseBlock(block) {
  let event = 'message';
  let data;
  for (const rawLine of block.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data = data === undefined ? line.slice(5).trimStart() : `${data}\n${line.slice(5).trimStart()}`;
  }
  return data === undefined ? undefined : { event, data };
}

/** Opens the session's event stream; resolves once the first block (`retry: 2000`) arrived. */
function openStream(session, onEvent) {
  return new Promise((resolve, reject) => {
    let ready = false;
    const request = http.request({
      host: target.host,
      port: target.port,
      method: 'GET',
      path: `${PREFIX}/${session.id}/events`,
      agent: sseAgent,
      headers: { ...target.headers, 'x-visitor-token': session.visitorToken, accept: 'text/event-stream' },
    });
    const timer = setTimeout(() => request.destroy(new Error(`stream not ready within ${REQUEST_TIMEOUT_MS} ms`)), REQUEST_TIMEOUT_MS);
    session.request = request;
    request.on('response', (response) => {
      response.setEncoding('utf8');
      if (response.statusCode !== 200) {
        let text = '';
        response.on('data', (chunk) => {
          text += chunk;
        });
        response.on('end', () => {
          clearTimeout(timer);
          reject(new Error(`GET events answered ${response.statusCode}: ${text.slice(0, 200)}`));
        });
        return;
      }
      session.response = response;
      let buffer = '';
      response.on('data', (chunk) => {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (!ready) {
            ready = true;
            clearTimeout(timer);
            resolve();
          }
          const parsed = parseBlock(block);
          if (parsed) onEvent(session, parsed);
        }
      });
      response.on('close', () => {
        session.response = undefined;
        if (!closing && ready) {
          session.dead = true;
          error('stream closed by server', `session ${session.id}`);
        }
      });
    });
    request.on('error', (err) => {
      clearTimeout(timer);
      if (!ready) reject(err);
      else if (!closing) {
        session.dead = true;
        error('stream error', err.message);
      }
    });
    request.end();
  });
}

/**
 * Starts `count` sessions, each with its stream open, `concurrency` at a time. With `ownAgent`,
 * each session gets a keep-alive agent of its own (one socket, as one browser would keep), whose
 * connection is made by POST /sessions and reused for its messages; otherwise they share one pool.
 */
async function openSessions(count, concurrency, onEvent, ownAgent = false) {
  const opened = [];
  let next = 0;
  let failures = 0;
  const started = performance.now();
  async function worker() {
    while (next < count) {
      const i = next++;
      try {
        const agent = ownAgent ? new http.Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 }) : postAgent;
        const { status, text } = await postJsonAsync(agent, PREFIX, {}, {});
        if (status !== 201 && status !== 200) throw new Error(`POST /sessions answered ${status}: ${text.slice(0, 200)}`);
        const { sessionId, visitorToken } = JSON.parse(text).data;
        const session = { i, id: sessionId, visitorToken, agent };
        await openStream(session, onEvent);
        opened.push(session);
      } catch (err) {
        failures++;
        error('session start', err.message);
        if (failures > Math.max(10, count * 0.01)) throw new Error(`too many failed session starts (${failures}); last: ${err.message}`);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  opened.sort((a, b) => a.i - b.i);
  return { opened, ms: performance.now() - started };
}

function closeAll() {
  closing = true;
  for (const session of sessions) {
    session.request?.destroy();
    session.response?.destroy();
    if (session.agent !== postAgent) session.agent?.destroy();
  }
  sessions = [];
}

// ---------------------------------------------------------------------------------------------
// Chat: every session sends, waits for its echo, sends the next.

async function chat({ sessions: count, warmupMs, durationMs, openConcurrency, replyTimeoutMs }) {
  let windowStart = Infinity;
  let windowEnd = Infinity;
  let stopping = false;
  let latencies = new Float64Array(1 << 16);
  let completed = 0;
  let completedTotal = 0;
  let outstanding = 0;
  let idleResolve;

  const record = (value) => {
    if (completed === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[completed++] = value;
  };

  function finish(session) {
    session.pending = false;
    outstanding--;
    if (stopping && outstanding === 0) idleResolve?.();
  }

  function maybeNext(session) {
    if (!session.pending || !session.replied || !session.posted) return;
    finish(session);
    send(session);
  }

  function retryLater(session) {
    finish(session);
    if (!session.dead) setTimeout(() => send(session), 100);
  }

  function send(session) {
    if (stopping || session.dead) return;
    const n = ++session.n;
    const text = `hello from session ${session.i}, message ${n}`;
    session.expect = text;
    session.pending = true;
    session.replied = false;
    session.posted = false;
    outstanding++;
    session.sentAt = performance.now();
    postJson(session.agent, `${PREFIX}/${session.id}/messages`, { text, clientMessageId: `s${session.i}-m${n}` }, { 'x-visitor-token': session.visitorToken }, (err, status, body) => {
      if (!session.pending || session.expect !== text) return; // timed out already
      if (err) {
        error('POST messages failed', err.message);
        return retryLater(session);
      }
      if (status !== 202) {
        error(`POST messages answered ${status}`, body);
        return retryLater(session);
      }
      session.posted = true;
      maybeNext(session);
    });
  }

  function onEvent(session, { event, data }) {
    if (event === 'error') return error('error event', data);
    if (event !== 'message') return;
    const message = JSON.parse(data);
    if (message.role !== 'agent') return;
    if (!session.pending || session.replied) return error('unexpected agent message', data);
    if (message.text !== session.expect) return error('agent text does not echo the message', `expected "${session.expect}", got ${data}`);
    const now = performance.now();
    session.replied = true;
    completedTotal++;
    if (now >= windowStart && now <= windowEnd) record(now - session.sentAt);
    maybeNext(session);
  }

  // BENCH_SHARED_POOL=1: one shared pool instead, whose connections are opened on demand when the chat starts.
  const { opened, ms: openMs } = await openSessions(count, openConcurrency, onEvent, process.env.BENCH_SHARED_POOL !== '1');
  sessions = opened;
  for (const session of sessions) session.n = 0;
  process.send({ type: 'opened', count: sessions.length, ms: openMs });

  // Replies that never come: count them and let the session go on.
  const sweeper = setInterval(() => {
    const now = performance.now();
    for (const session of sessions) {
      if (session.pending && now - session.sentAt > replyTimeoutMs) {
        error('no reply within timeout', `session ${session.id}, ${replyTimeoutMs} ms`);
        session.expect = undefined;
        retryLater(session);
      }
    }
  }, 1_000);

  for (const session of sessions) send(session);
  await sleep(warmupMs);
  windowStart = performance.now();
  process.send({ type: 'window-start' });
  await sleep(durationMs);
  windowEnd = performance.now();
  process.send({ type: 'window-end' });
  stopping = true;

  // Let the round trips in flight finish (they are not counted), bounded.
  if (outstanding > 0) {
    await Promise.race([new Promise((resolve) => (idleResolve = resolve)), sleep(replyTimeoutMs)]);
  }
  clearInterval(sweeper);
  const inFlightAtEnd = outstanding;
  const alive = sessions.filter((s) => !s.dead && s.response).length;

  const sorted = latencies.subarray(0, completed).sort();
  const pct = (p) => (completed === 0 ? NaN : sorted[Math.min(completed - 1, Math.max(0, Math.ceil((p / 100) * completed) - 1))]);
  const windowMs = windowEnd - windowStart;
  return {
    type: 'chat-result',
    sessions: sessions.length,
    openMs,
    windowMs,
    completed,
    completedTotal,
    perSecond: completed / (windowMs / 1000),
    p50: pct(50),
    p90: pct(90),
    p99: pct(99),
    max: completed ? sorted[completed - 1] : NaN,
    mean: completed ? sorted.reduce((a, b) => a + b, 0) / completed : NaN,
    inFlightAtEnd,
    alive,
    errors: errorList(),
    errorTotal: errorTotal(),
  };
}

// ---------------------------------------------------------------------------------------------

process.on('message', async (command) => {
  try {
    switch (command.cmd) {
      case 'chat': {
        setTarget(command.target);
        const result = await chat(command);
        process.send(result);
        break;
      }
      case 'open': {
        setTarget(command.target);
        closing = false;
        const onEvent = (_session, { event, data }) => {
          if (event === 'error') error('error event', data);
        };
        const { opened, ms } = await openSessions(command.count, command.openConcurrency, onEvent);
        sessions.push(...opened);
        process.send({ type: 'opened', count: opened.length, ms, errors: errorList(), errorTotal: errorTotal() });
        break;
      }
      case 'check':
        process.send({ type: 'alive', open: sessions.filter((s) => !s.dead && s.response && !s.response.destroyed).length, errors: errorList(), errorTotal: errorTotal() });
        break;
      case 'close':
        closeAll();
        process.send({ type: 'closed' });
        break;
      case 'exit':
        closeAll();
        postAgent.destroy();
        process.exit(0);
    }
  } catch (err) {
    process.send({ type: 'fatal', message: err?.stack ?? String(err), errors: errorList() });
  }
});
process.on('disconnect', () => process.exit(0));

// Fault benchmark: `npm run bench:faults`.
//
// Two Switchboard nodes (the built CLI, `switchboard start`, each a child process) share one
// fresh PostgreSQL database (created on BENCH_POSTGRES_URL, dropped at the end) and one Redis
// server this benchmark starts itself on a free port (`redis-server --save '' --appendonly no`),
// with the same SWITCHBOARD_SECRET_KEY, REDIS_URL and PUBLIC_URL. A fake Twilio REST API
// (bench/fake-twilio-server.mjs) runs in a third child. Everything listens on 127.0.0.1.
//
// Through the control-plane API it sets up what bench/webhooks.mjs sets up (the Auth Token as a
// secret, a twilio connection whose apiBaseUrl is the fake, a phone configuration, an sms
// channel, an echo agent, an active deployment) plus a web deployment of the same agent, and
// opens BENCH_SESSIONS widget sessions, half on each node, each with its SSE stream open on its
// node (a stream that ends reconnects with Last-Event-ID after the server's retry delay, as the
// widget does).
//
// Load (open loop: requests leave at a fixed rate whatever the answers, alternating between the
// two nodes; a kind with BENCH_CONCURRENCY requests in flight skips a tick and counts it):
//   - API reads    GET /v1/agents?pageSize=1                                  (BENCH_READ_RATE/s)
//   - API writes   POST /v1/agents; the ids acknowledged with 201 are kept     (BENCH_WRITE_RATE/s)
//   - widget       POST …/sessions/{id}/messages, sessions in turn; each message goes to the node
//                  its session's stream is NOT on every other time, so half of the replies must
//                  cross nodes through Redis; replies are counted on the streams  (BENCH_WIDGET_RATE/s)
//   - webhooks     signed Twilio inbound SMS (the `twilio` package's signature over PUBLIC_URL),
//                  From spread over BENCH_CONTACTS numbers; the echo replies reach the fake Twilio
//                                                                            (BENCH_WEBHOOK_RATE/s)
// Any answer that is not 2xx, a connection error or no answer within BENCH_REQUEST_TIMEOUT s is
// a failure; 503s are counted apart. Nothing is retried by the load generator.
//
// Two runs, each on its own fresh stack (database, Redis, fake Twilio, two nodes), each with
// BENCH_WARMUP s of the same load first (discarded, its backlog left to drain), then
// BENCH_DURATION s measured: first the baseline without faults, then the fault run, which at
// 20 % of the duration terminates every PostgreSQL backend of the database (pg_terminate_backend
// from an admin session), at 40 % kills Redis (SIGKILL) and starts it again on the same port
// BENCH_REDIS_DOWN s later (and reads switchboard_redis_degraded on both nodes meanwhile), and
// at 75 % terminates the backends again.
//
// After the load it waits until no inbound event or delivery is pending and every acknowledged
// widget message was answered (or, the queues empty, no answer came for 5 s), until nothing has
// moved for BENCH_SETTLE s, or at most BENCH_DRAIN_TIMEOUT s; then reads the database and the
// fake Twilio's counts. It prints, the fault run beside the baseline:
//   - per kind: sent, failed (503s apart), acknowledged/s and p99 latency, and the ratios;
//   - per fault and kind, the time to recover: among the requests that failed after this fault
//     and before the next, the last one sent; recovery = fault → the answer to the first
//     successful request sent after it (0 when that came before the fault);
//   - webhooks acknowledged vs their contact messages stored (lost must be 0), replies at the
//     fake Twilio per acknowledged webhook (duplicates counted); widget messages acknowledged vs
//     answered on the open streams (same node / other node) and, for the others, whether the
//     reply is stored (in the session's history) and when; acknowledged agent writes present in
//     the database at the end.
// It exits 1 if an acknowledged webhook, widget message or agent write is missing from the
// database, or if a node died or did not shut down cleanly on SIGTERM.
//
// Environment:
//   BENCH_DURATION          seconds of load per run (default 40)
//   BENCH_WARMUP            seconds of the same load before it, discarded and left to drain (default 5)
//   BENCH_READ_RATE         API reads per second (default 50)
//   BENCH_WRITE_RATE        API writes (agents created) per second (default 10)
//   BENCH_WIDGET_RATE       widget messages per second (default 10)
//   BENCH_WEBHOOK_RATE      Twilio SMS webhooks per second (default 10)
//   BENCH_SESSIONS          widget sessions with an open stream (default 20)
//   BENCH_CONTACTS          distinct SMS From numbers (default 50)
//   BENCH_CONCURRENCY       most requests of one kind in flight (default 50)
//   BENCH_REQUEST_TIMEOUT   seconds before a request without an answer counts as failed (default 10)
//   BENCH_REDIS_DOWN        seconds Redis stays down (default 5)
//   BENCH_DRAIN_TIMEOUT     most seconds to wait for the backlog after the load (default 180)
//   BENCH_SETTLE            seconds without progress after which the drain stops waiting (default 15)
//   BENCH_RUNS              comma list: baseline,faults (default both)
//   BENCH_POSTGRES_URL      admin connection (default postgres://postgres@127.0.0.1:5432/postgres)
//   BENCH_TIMEOUT           seconds the whole benchmark may take (default 1200)
//   BENCH_SERVER_FLAGS      node flags for the Switchboard nodes beyond those `npm start` gives them
import http from 'node:http';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import twilio from 'twilio';
import {
  CLI,
  START_NODE_FLAGS,
  ROOT,
  controlApi,
  cpuPressureFact,
  cpuSeconds,
  machineBusySeconds,
  fmt,
  freePort,
  loadAverageFact,
  machineFacts,
  markdownTable,
  ms,
  onCleanup,
  percentile,
  positiveInt,
  nonNegativeInt,
  ratio,
  requireFromServer,
  runBench,
  serverLog,
  startServerChild,
  setUpTwilioSmsNumber,
} from './lib.mjs';

const FAKE_TWILIO = join(ROOT, 'bench/fake-twilio-server.mjs');
const pg = requireFromServer('pg');

const DURATION = positiveInt('BENCH_DURATION', 40);
const WARMUP = nonNegativeInt('BENCH_WARMUP', 5);
const RATES = {
  read: nonNegativeInt('BENCH_READ_RATE', 50),
  write: nonNegativeInt('BENCH_WRITE_RATE', 10),
  widget: nonNegativeInt('BENCH_WIDGET_RATE', 10),
  webhook: nonNegativeInt('BENCH_WEBHOOK_RATE', 10),
};
const SESSIONS = positiveInt('BENCH_SESSIONS', 20);
const CONTACTS = positiveInt('BENCH_CONTACTS', 50);
const CONCURRENCY = positiveInt('BENCH_CONCURRENCY', 50);
const REQUEST_TIMEOUT_MS = positiveInt('BENCH_REQUEST_TIMEOUT', 10) * 1000;
const REDIS_DOWN = positiveInt('BENCH_REDIS_DOWN', 5);
const DRAIN_TIMEOUT = positiveInt('BENCH_DRAIN_TIMEOUT', 180);
const SETTLE = positiveInt('BENCH_SETTLE', 15);
const TIMEOUT = positiveInt('BENCH_TIMEOUT', 1200);
const RUNS = (process.env.BENCH_RUNS ?? 'baseline,faults').split(',').map((r) => r.trim()).filter(Boolean);
const PG_ADMIN_URL = process.env.BENCH_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const SERVER_FLAGS = (process.env.BENCH_SERVER_FLAGS ?? '').split(/\s+/).filter(Boolean);

const KINDS = ['read', 'write', 'widget', 'webhook'];
const KIND_NAMES = { read: 'API reads', write: 'API writes', widget: 'Widget messages', webhook: 'Twilio SMS webhooks' };
const PUBLIC_URL = 'https://bench.example.com';
const ORIGIN = 'http://bench.local';
const ADMIN_KEY = 'sk_bench_faults_0123456789abcdefgh'; // at least 32 characters: the admin key of the fresh database
const SECRET_KEY = randomBytes(32).toString('base64'); // the same master key on both nodes
const ACCOUNT_SID = `AC${randomBytes(16).toString('hex')}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');
const PHONE_NUMBER = '+14155550100';
const RATE_LIMIT = '999999999'; // runtime requests per minute: out of the way
const RUN_ID = randomBytes(3).toString('hex');

/** When each fault of the fault run happens, in seconds after the load starts. */
function faultPlan() {
  const redisStop = 0.4 * DURATION;
  return [
    { name: 'PostgreSQL backends terminated (1st)', action: 'pg', at: 0.2 * DURATION },
    { name: 'Redis killed', action: 'redis-stop', at: redisStop },
    { name: `Redis started again (${REDIS_DOWN} s later)`, action: 'redis-start', at: redisStop + REDIS_DOWN },
    { name: 'PostgreSQL backends terminated (2nd)', action: 'pg', at: 0.75 * DURATION },
  ].sort((a, b) => a.at - b.at);
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL and Redis

async function pgAdmin() {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** A fresh database; dropped (with its sessions) by the returned function and at cleanup. */
async function createDatabase(admin, name) {
  await admin.query(`create database "${name}"`);
  const drop = async () => {
    const client = await pgAdmin();
    try {
      await client.query(`drop database if exists "${name}" with (force)`);
    } finally {
      await client.end();
    }
  };
  const unregister = onCleanup(drop);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      unregister();
      await drop();
    },
  };
}

const terminateBackends = async (admin, name) =>
  (await admin.query('select pg_terminate_backend(pid) as ok from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name])).rows.filter((r) => r.ok)
    .length;

/** True when a Redis server answers PING on the port. */
function redisPing(port) {
  return new Promise((resolvePing) => {
    const socket = connect(port, '127.0.0.1');
    const done = (ok) => {
      socket.destroy();
      resolvePing(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (chunk) => done(chunk.toString().startsWith('+PONG')));
  });
}

/** A private redis-server on its own port: stop() kills it, start() brings it back on the same port. */
async function ownRedis() {
  const port = await freePort();
  const dir = mkdtempSync(join(os.tmpdir(), 'switchboard-faults-redis-'));
  let child;
  let exited;
  const redis = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
      exited = new Promise((resolveExit) => child.once('exit', resolveExit));
      const error = new Promise((_, reject) => child.once('error', reject));
      const deadline = Date.now() + 10_000;
      while (!(await Promise.race([redisPing(port), error]))) {
        if (Date.now() > deadline) throw new Error(`redis-server did not answer PING on port ${port} within 10 s`);
        await sleep(50);
      }
    },
    async stop() {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
  const unregister = onCleanup(async () => {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  redis.close = async () => {
    unregister();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  await redis.start();
  return redis;
}

// ---------------------------------------------------------------------------------------------
// HTTP

/** One request; resolves { status, text } or { error } (never rejects), after at most REQUEST_TIMEOUT_MS. */
function request(node, method, path, headers, body) {
  return new Promise((resolveRequest) => {
    let settled = false;
    const done = (value) => {
      if (settled) return;
      settled = true;
      resolveRequest(value);
    };
    const req = http.request({ host: '127.0.0.1', port: node.port, method, path, agent: node.agent, headers: body ? { ...headers, 'content-length': body.length } : headers }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('error', (e) => done({ error: e.code ?? e.message }));
      res.on('end', () => done({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (e) => done({ error: e.code ?? e.message }));
    req.end(body);
  });
}

/** Parses one SSE block into { id, event, data, retry } (data undefined for comments). */
function parseBlock(block) {
  let event = 'message';
  let data;
  let id;
  let retry;
  for (const rawLine of block.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data = data === undefined ? line.slice(5).trimStart() : `${data}\n${line.slice(5).trimStart()}`;
    else if (line.startsWith('id:')) id = line.slice(3).trim();
    else if (line.startsWith('retry:')) retry = Number(line.slice(6).trim());
  }
  return { event, data, id, retry };
}

// ---------------------------------------------------------------------------------------------
// One stack: database, Redis, fake Twilio, two nodes, the channels they serve

async function startStack(label) {
  const dbName = `switchboard_bench_faults_${RUN_ID}_${label}`;
  const admin = await pgAdmin();
  onCleanup(() => admin.end().catch(() => undefined));
  const database = await createDatabase(admin, dbName);
  const redis = await ownRedis();
  const fake = await startServerChild('fake Twilio', [FAKE_TWILIO], { TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN });
  const dataDir = mkdtempSync(join(os.tmpdir(), 'switchboard-faults-bench-'));
  const removeDir = onCleanup(() => rmSync(dataDir, { recursive: true, force: true }));

  const nodes = [];
  for (const name of ['A', 'B']) {
    // One after the other: the first creates the schema and the admin key, the second finds them.
    const server = await startServerChild(
      `node ${name}`,
      [...START_NODE_FLAGS, ...SERVER_FLAGS, CLI, 'start'],
      {
        LOG_LEVEL: 'warn',
        PUBLIC_URL,
        DATABASE_URL: database.url,
        REDIS_URL: redis.url,
        SWITCHBOARD_SECRET_KEY: SECRET_KEY,
        SWITCHBOARD_API_KEY: ADMIN_KEY,
        SWITCHBOARD_DATA_DIR: join(dataDir, name),
        RUNTIME_RATE_LIMIT_PER_IP: RATE_LIMIT,
        RUNTIME_RATE_LIMIT_PER_TOKEN: RATE_LIMIT,
        METRICS_TOKEN: '',
      },
      { stopTimeoutMs: 20_000 },
    );
    server.name = name;
    server.agent = new http.Agent({ keepAlive: true, maxSockets: 4 * CONCURRENCY, maxFreeSockets: 4 * CONCURRENCY });
    server.sseAgent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
    nodes.push(server);
  }

  const api = controlApi(nodes[0].url, ADMIN_KEY);
  const { path: webhookPath, agent } = await setUpTwilioSmsNumber(api, { authToken: AUTH_TOKEN, accountSid: ACCOUNT_SID, fakeUrl: fake.url, phoneNumber: PHONE_NUMBER });
  const web = await api('POST', `/v1/agents/${agent.id}/deployments`, { allowedOrigins: [ORIGIN] });
  if (web.status !== 201 || typeof web.body?.data?.token !== 'string') throw new Error(`web deployment: answered ${web.status}: ${web.text.slice(0, 400)}`);

  return {
    label,
    dbName,
    admin,
    database,
    redis,
    fake,
    nodes,
    webhookPath,
    deploymentToken: web.body.data.token,
    async fakeGet(path) {
      const response = await fetch(`${fake.url}${path}`, { signal: AbortSignal.timeout(5_000) });
      return response.json();
    },
    /** Stops the nodes (SIGTERM), then everything else; returns how each node ended. */
    async stop() {
      const endings = [];
      for (const node of nodes) {
        const died = node.exited();
        const started = process.hrtime.bigint();
        let clean = true;
        let message = '';
        try {
          await node.stop();
        } catch (error) {
          clean = false;
          message = String(error?.message ?? error).split('\n')[0];
        }
        node.agent.destroy();
        node.sseAgent.destroy();
        endings.push({ name: node.name, died, clean: clean && !died, seconds: ms(started) / 1000, message, log: serverLog(node, 12) });
      }
      await fake.stop();
      await redis.close();
      await admin.end().catch(() => undefined);
      await database.drop();
      removeDir();
      rmSync(dataDir, { recursive: true, force: true });
      return endings;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Widget sessions and their streams

function widgetHeaders(stack) {
  return { authorization: `Bearer ${stack.deploymentToken}`, origin: ORIGIN };
}

/** Opens the sessions, half on each node, each with its stream open on that node. */
async function openSessions(stack, run) {
  const sessions = [];
  for (let i = 0; i < SESSIONS; i++) {
    const home = stack.nodes[i % 2];
    const answer = await request(home, 'POST', '/v1/public/runtime/sessions', { ...widgetHeaders(stack), 'content-type': 'application/json' }, Buffer.from('{}'));
    if (answer.status !== 201) throw new Error(`POST /v1/public/runtime/sessions on node ${home.name} answered ${answer.status ?? answer.error}: ${answer.text?.slice(0, 300)}`);
    const { sessionId, visitorToken } = JSON.parse(answer.text).data;
    const session = { i, id: sessionId, visitorToken, home, lastEventId: undefined, retryMs: 2000, connects: 0, drops: 0, closing: false };
    sessions.push(session);
    await connectStream(stack, run, session);
  }
  return sessions;
}

/**
 * Opens a session's stream (with Last-Event-ID after the first time); resolves when it answered
 * (or failed). A stream that ends or fails is opened again after the server's `retry:` delay.
 */
function connectStream(stack, run, session) {
  return new Promise((resolveOpen) => {
    const headers = { ...widgetHeaders(stack), 'x-visitor-token': session.visitorToken, accept: 'text/event-stream' };
    if (session.connects > 0) headers['last-event-id'] = session.lastEventId ?? '0';
    session.connects++;
    let reconnecting = false;
    const again = (why) => {
      resolveOpen();
      if (reconnecting || session.closing) return;
      reconnecting = true;
      session.drops++;
      run.streamDrops.push({ t: run.now(), why });
      setTimeout(() => {
        if (!session.closing) connectStream(stack, run, session);
      }, session.retryMs);
    };
    const req = http.request({
      host: '127.0.0.1',
      port: session.home.port,
      method: 'GET',
      path: `/v1/public/runtime/sessions/${session.id}/events`,
      agent: session.home.sseAgent,
      headers,
    });
    session.req = req;
    req.on('response', (res) => {
      res.setEncoding('utf8');
      if (res.statusCode !== 200) {
        res.resume();
        res.on('end', () => again(`HTTP ${res.statusCode}`));
        return;
      }
      resolveOpen();
      let buffer = '';
      res.on('data', (chunk) => {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = parseBlock(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (Number.isFinite(block.retry)) session.retryMs = block.retry;
          if (block.id !== undefined) session.lastEventId = block.id;
          if (block.data !== undefined) run.onStreamEvent(session, block);
        }
      });
      res.on('close', () => again('stream ended'));
      res.on('error', () => again('stream error'));
    });
    req.on('error', (e) => again(e.code ?? e.message));
    req.end();
  });
}

function closeStreams(sessions) {
  for (const session of sessions) {
    session.closing = true;
    session.req?.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// One run: load, faults, drain, checks

/** `+1 202 555 nnnn` for contact n. */
const contactNumber = (n) => `+1202555${String(n).padStart(4, '0')}`;

function smsParams(tag, index) {
  const sid = `SM${tag}${index.toString(16).padStart(32 - tag.length, '0')}`;
  return {
    ToCountry: 'US',
    SmsMessageSid: sid,
    NumMedia: '0',
    SmsSid: sid,
    SmsStatus: 'received',
    Body: `Bench SMS ${tag} ${index}`,
    FromCountry: 'US',
    To: PHONE_NUMBER,
    NumSegments: '1',
    MessageSid: sid,
    AccountSid: ACCOUNT_SID,
    From: contactNumber(index % CONTACTS),
    ApiVersion: '2010-04-01',
  };
}

async function metricValue(node, name) {
  const answer = await request(node, 'GET', '/metrics', {});
  if (answer.status !== 200) return undefined;
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(answer.text);
  return match ? Number(match[1]) : undefined;
}

/** Waits until no inbound event or delivery is pending (own connection); seconds taken, or undefined after `seconds`. */
async function waitForQueues(stack, seconds) {
  const client = new pg.Client({ connectionString: stack.database.url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const started = performance.now();
    while ((performance.now() - started) / 1000 < seconds) {
      const { rows } = await client.query(
        `select (select count(*) from inbound_events where status in ('pending', 'processing'))::int
              + (select count(*) from deliveries where status in ('pending', 'sending'))::int as busy`,
      );
      if (rows[0].busy === 0) return (performance.now() - started) / 1000;
      await sleep(250);
    }
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Polls both nodes' switchboard_redis_degraded until both read `value`; seconds taken, or undefined. */
async function waitForDegraded(stack, value, seconds) {
  const started = performance.now();
  while ((performance.now() - started) / 1000 < seconds) {
    const readings = await Promise.all(stack.nodes.map((node) => metricValue(node, 'switchboard_redis_degraded')));
    if (readings.every((r) => r === value)) return (performance.now() - started) / 1000;
    await sleep(100);
  }
  return undefined;
}

async function runOnce(label, withFaults) {
  const tag = `${RUN_ID}${label === 'faults' ? 'f' : 'b'}`;
  console.log(`\n== ${label === 'faults' ? 'Fault run' : 'Baseline run (no faults)'} ==`);
  const stack = await startStack(label);
  console.log(
    `  nodes: A ${stack.nodes[0].url} (pid ${stack.nodes[0].pid}), B ${stack.nodes[1].url} (pid ${stack.nodes[1].pid}), version ${stack.nodes[0].version ?? '?'}; ` +
      `database ${stack.dbName}; Redis on port ${stack.redis.port}; fake Twilio pid ${stack.fake.pid}`,
  );

  let t0 = performance.now();
  /** What one load phase sent and got back; the warm-up has its own, discarded. */
  const newLoad = (loadTag) => ({
    tag: loadTag,
    records: Object.fromEntries(KINDS.map((k) => [k, []])),
    skipped: Object.fromEntries(KINDS.map((k) => [k, 0])),
    inFlight: Object.fromEntries(KINDS.map((k) => [k, 0])),
    issued: Object.fromEntries(KINDS.map((k) => [k, 0])),
    writes: [], // ids acknowledged with 201
    widget: [], // { i, session, cross, acked, answeredAt, answeredBy }
  });
  const run = {
    label,
    tag,
    now: () => (performance.now() - t0) / 1000,
    load: newLoad(`${tag}w`),
    streamDrops: [],
    agentErrorEvents: 0,
    duplicateAnswers: 0,
    phase: 'live',
    closedEvents: 0,
    faults: [],
    onStreamEvent(session, block) {
      if (block.event === 'error' && run.load.tag === tag) run.agentErrorEvents++;
      if (block.event === 'closed') run.closedEvents++;
      if (block.event !== 'message') return;
      let data;
      try {
        data = JSON.parse(block.data);
      } catch {
        return;
      }
      if (data.role !== 'agent' || typeof data.text !== 'string') return;
      const match = /^Widget (\S+) (\d+)$/.exec(data.text);
      const message = match && match[1] === run.load.tag ? run.load.widget[Number(match[2])] : undefined;
      if (!message || message.session !== session) return;
      if (message.answeredAt !== undefined) {
        run.duplicateAnswers++;
        return;
      }
      message.answeredAt = run.now();
      message.answeredBy = run.phase;
    },
  };

  const sessions = await openSessions(stack, run);
  console.log(`  ${SESSIONS} widget sessions with open streams (${Math.ceil(SESSIONS / 2)} on A, ${Math.floor(SESSIONS / 2)} on B)`);
  const control = { authorization: `Bearer ${ADMIN_KEY}` };
  const widgetJson = { ...widgetHeaders(stack), 'content-type': 'application/json' };

  const senders = {
    read: (load, i) => request(stack.nodes[i % 2], 'GET', '/v1/agents?pageSize=1', control),
    async write(load, i) {
      const body = Buffer.from(JSON.stringify({ name: `Faults ${load.tag} ${i}` }));
      const answer = await request(stack.nodes[i % 2], 'POST', '/v1/agents', { ...control, 'content-type': 'application/json' }, body);
      if (answer.status === 201) {
        try {
          load.writes.push(JSON.parse(answer.text).data.id);
        } catch {
          answer.status = 'unreadable 201';
        }
      }
      return answer;
    },
    async widget(load, i) {
      const session = sessions[i % SESSIONS];
      // Every other round of the sessions goes to the other node: its reply crosses through Redis.
      const cross = Math.floor(i / SESSIONS) % 2 === 1;
      const node = cross ? stack.nodes[(session.i + 1) % 2] : session.home;
      const message = { i, session, cross, sentAt: run.now(), acked: false, answeredAt: undefined, answeredBy: undefined };
      load.widget[i] = message;
      const body = Buffer.from(JSON.stringify({ text: `Widget ${load.tag} ${i}`, clientMessageId: `w-${load.tag}-${i}` }));
      const answer = await request(node, 'POST', `/v1/public/runtime/sessions/${session.id}/messages`, { ...widgetJson, 'x-visitor-token': session.visitorToken }, body);
      message.acked = answer.status >= 200 && answer.status < 300;
      return answer;
    },
    webhook(load, i) {
      const params = smsParams(load.tag, i);
      const body = Buffer.from(new URLSearchParams(params).toString());
      const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${PUBLIC_URL}${stack.webhookPath}`, params);
      return request(
        stack.nodes[i % 2],
        'POST',
        stack.webhookPath,
        { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature, 'user-agent': 'TwilioProxy/1.1' },
        body,
      );
    },
  };

  const pending = new Set();
  const fire = (load, kind) => {
    const i = load.issued[kind]++;
    if (load.inFlight[kind] >= CONCURRENCY) {
      load.skipped[kind]++;
      return;
    }
    load.inFlight[kind]++;
    const start = run.now();
    const work = senders[kind](load, i).then((answer) => {
      load.inFlight[kind]--;
      const ok = typeof answer.status === 'number' && answer.status >= 200 && answer.status < 300;
      load.records[kind].push({
        i,
        start,
        end: run.now(),
        ok,
        outcome: ok ? 'ok' : answer.error ? answer.error : `HTTP ${answer.status}`,
        sample: ok ? undefined : (answer.text ?? '').slice(0, 200),
      });
    });
    pending.add(work);
    work.finally(() => pending.delete(work));
  };

  // Faults
  const plan = withFaults ? faultPlan() : [];
  const faultWork = [];
  const runFault = async (fault) => {
    const at = run.now();
    const entry = { ...fault, at };
    run.faults.push(entry);
    try {
      if (fault.action === 'pg') {
        entry.detail = `${await terminateBackends(stack.admin, stack.dbName)} backends terminated`;
      } else if (fault.action === 'redis-stop') {
        await stack.redis.stop();
        const noticed = await waitForDegraded(stack, 1, REDIS_DOWN);
        entry.detail =
          noticed === undefined ? `switchboard_redis_degraded not 1 on both nodes within ${REDIS_DOWN} s` : `both nodes reported switchboard_redis_degraded 1 within ${fmt(noticed, 1)} s`;
      } else if (fault.action === 'redis-start') {
        await stack.redis.start();
        const ready = run.now() - at;
        const back = await waitForDegraded(stack, 0, 30);
        entry.backAfter = back === undefined ? 30 : ready + back;
        entry.detail =
          `answering PING after ${fmt(ready, 2)} s; ` +
          (back === undefined
            ? 'switchboard_redis_degraded still not 0 on both nodes 30 s later'
            : `both nodes back on Redis (switchboard_redis_degraded 0) ${fmt(ready + back, 1)} s after the start`);
      }
    } catch (error) {
      entry.detail = `FAILED: ${error?.message ?? error}`;
    }
    console.log(`  t=${fmt(at, 1)} s: ${fault.name}: ${entry.detail}`);
  };

  /** A 5 ms tick sends what each kind's rate says is due by now, and starts the faults that are due. */
  const drive = async (load, seconds, faults) => {
    run.load = load;
    t0 = performance.now();
    run.epoch0 = Date.now();
    let nextFault = 0;
    await new Promise((resolveLoad) => {
      const tick = setInterval(() => {
        const now = run.now();
        const t = Math.min(now, seconds);
        for (const kind of KINDS) {
          const due = Math.floor(t * RATES[kind]);
          while (load.issued[kind] < due) fire(load, kind);
        }
        while (nextFault < faults.length && faults[nextFault].at <= now) faultWork.push(runFault(faults[nextFault++]));
        if (now >= seconds) {
          clearInterval(tick);
          resolveLoad();
        }
      }, 5);
    });
    const ended = run.now();
    await Promise.all([...pending]);
    await Promise.all(faultWork);
    return { ended, answered: run.now() };
  };

  if (WARMUP > 0) {
    const warm = newLoad(`${tag}w`);
    await drive(warm, WARMUP, []);
    const failed = KINDS.reduce((sum, k) => sum + warm.records[k].filter((r) => !r.ok).length, 0);
    const settled = await waitForQueues(stack, 60);
    console.log(
      `  warm-up: ${WARMUP} s of the same load (${fmt(failed)} failed), discarded; backlog ${settled === undefined ? 'NOT empty after 60 s' : `empty ${fmt(settled, 1)} s later`}`,
    );
  }

  console.log(`  load: ${KINDS.map((k) => `${KIND_NAMES[k]} ${RATES[k]}/s`).join(', ')}, for ${DURATION} s${withFaults ? `; faults at ${plan.map((f) => `${fmt(f.at, 1)} s`).join(', ')}` : ''}`);
  const load = newLoad(tag);
  const stopMeter = cpuMeter({ nodes: stack.nodes.map((n) => n.pid), 'fake Twilio': [stack.fake.pid] });
  const { ended: loadEnded, answered: answersEnded } = await drive(load, DURATION, plan);
  const cpu = stopMeter();
  console.log(`  CPU during the load, % of one core: ${cpuText(cpu)}`);
  console.log(`  load ended at t=${fmt(loadEnded, 1)} s; last answers in by t=${fmt(answersEnded, 1)} s`);
  for (const kind of KINDS) {
    const k = kindFigures(load, kind);
    console.log(
      `  ${KIND_NAMES[kind]}: ${fmt(k.sent)} sent, ${fmt(k.failed)} failed${k.failed ? ` (${k.outcomes})` : ''}` +
        `${k.skipped ? `, ${fmt(k.skipped)} not sent (${CONCURRENCY} in flight)` : ''}; p50 ${fmt(k.p50, 1)} ms, p99 ${fmt(k.p99, 1)} ms, max ${fmt(k.max, 1)} ms`,
    );
  }

  // Drain
  const checker = new pg.Client({ connectionString: stack.database.url });
  checker.on('error', () => undefined);
  await checker.connect();
  const unregisterChecker = onCleanup(() => checker.end().catch(() => undefined));
  const smsLike = `Bench SMS ${tag} %`;
  const widgetLike = `Widget ${tag} %`;
  const readQueues = async () => {
    const inbound = Object.fromEntries((await checker.query('select status, count(*)::int as n from inbound_events group by status')).rows.map((r) => [r.status, r.n]));
    const deliveries = Object.fromEntries((await checker.query('select status, count(*)::int as n from deliveries group by status')).rows.map((r) => [r.status, r.n]));
    const stats = await stack.fakeGet('/stats');
    return { inbound, deliveries, stats };
  };
  // Until no inbound event or delivery is pending and every acknowledged widget message was
  // answered, or (queues empty) no answer came for 5 s, or nothing moved for BENCH_SETTLE s.
  const drainStart = performance.now();
  let lastChange = performance.now();
  let lastAnswer = performance.now();
  let lastKey = '';
  let lastUnanswered = Infinity;
  let emptyAt;
  let queues;
  let unanswered;
  for (;;) {
    queues = await readQueues();
    unanswered = load.widget.filter((m) => m.acked && m.answeredAt === undefined).length;
    const now = performance.now();
    if (unanswered < lastUnanswered) lastAnswer = now;
    lastUnanswered = unanswered;
    const busy = (queues.inbound.pending ?? 0) + (queues.inbound.processing ?? 0) + (queues.deliveries.pending ?? 0) + (queues.deliveries.sending ?? 0);
    if (busy === 0) emptyAt ??= (now - drainStart) / 1000;
    else emptyAt = undefined;
    if (busy === 0 && (unanswered === 0 || now - lastAnswer >= 5_000)) break;
    const key = JSON.stringify([queues, unanswered]);
    if (key !== lastKey) {
      lastKey = key;
      lastChange = now;
    }
    if ((now - lastChange) / 1000 >= SETTLE || (now - drainStart) / 1000 >= DRAIN_TIMEOUT) break;
    await sleep(250);
  }
  const drained = emptyAt !== undefined;
  const drainSeconds = drained ? emptyAt : (performance.now() - drainStart) / 1000;
  console.log(
    `  drain: ${drained ? `no inbound event or delivery pending ${fmt(drainSeconds, 1)} s after the last answer` : `backlog NOT empty after ${fmt(drainSeconds, 1)} s`}` +
      `${unanswered ? `; ${fmt(unanswered)} acknowledged widget messages still unanswered on their streams` : ''}; ` +
      `inbound events: ${statusText(queues.inbound)}; deliveries: ${statusText(queues.deliveries)}`,
  );

  closeStreams(sessions);

  // Checks against the database and the fake Twilio
  const indices = (rows) => new Set(rows.map((r) => Number(/ (\d+)$/.exec(r.text)?.[1])));
  const smsReplyTwice = (
    await checker.query(`select count(*)::int as n from (select text from messages where role = 'agent' and text like $1 group by text having count(*) > 1) as twice`, [smsLike])
  ).rows[0].n;
  const smsStored = indices((await checker.query(`select text from messages where role = 'contact' and text like $1`, [smsLike])).rows);
  const widgetStored = indices((await checker.query(`select text from messages where role = 'contact' and text like $1`, [widgetLike])).rows);
  // Agent replies by message index, with when they were stored (s on the run's clock).
  const widgetReplies = new Map(
    (await checker.query(`select text, created_at from messages where role = 'agent' and text like $1`, [widgetLike])).rows.map((r) => [
      Number(/ (\d+)$/.exec(r.text)?.[1]),
      (Number(r.created_at) - run.epoch0) / 1000,
    ]),
  );
  const agentsPresent = new Set((await checker.query('select id from agents where id = any($1::text[])', [load.writes])).rows.map((r) => r.id));
  const agentsNamed = (await checker.query('select count(*)::int as n from agents where name like $1', [`Faults ${tag} %`])).rows[0].n;
  const bodies = await stack.fakeGet('/bodies');
  const finalQueues = await readQueues();
  unregisterChecker();
  await checker.end().catch(() => undefined);

  const ackedSms = webhookIndices(load);
  const ackedSmsSet = new Set(ackedSms);
  const replyCounts = ackedSms.map((i) => bodies[`Bench SMS ${tag} ${i}`] ?? 0);
  const ackedWidget = load.widget.filter((m) => m.acked);
  const result = {
    label,
    run,
    drained,
    drainSeconds,
    queues: finalQueues,
    webhooks: {
      acked: ackedSms.length,
      stored: ackedSms.filter((i) => smsStored.has(i)).length,
      lost: ackedSms.filter((i) => !smsStored.has(i)).length,
      storedUnacked: [...smsStored].filter((i) => !ackedSmsSet.has(i)).length,
      answered: replyCounts.filter((n) => n > 0).length,
      replies: replyCounts.reduce((a, b) => a + b, 0),
      duplicates: replyCounts.reduce((a, n) => a + Math.max(0, n - 1), 0),
      unanswered: replyCounts.filter((n) => n === 0).length,
      storedReplyTwice: smsReplyTwice,
      repliesTotal: finalQueues.stats.created,
    },
    widget: {
      acked: ackedWidget.length,
      live: ackedWidget.filter((m) => m.answeredBy === 'live').length,
      liveSame: ackedWidget.filter((m) => m.answeredBy === 'live' && !m.cross).length,
      liveCross: ackedWidget.filter((m) => m.answeredBy === 'live' && m.cross).length,
      same: ackedWidget.filter((m) => !m.cross).length,
      cross: ackedWidget.filter((m) => m.cross).length,
      unanswered: ackedWidget.filter((m) => m.answeredAt === undefined).length,
      missedStored: ackedWidget.filter((m) => m.answeredAt === undefined && widgetReplies.has(m.i)).length,
      missedStoredRedisDown: ackedWidget.filter((m) => m.answeredAt === undefined && widgetReplies.has(m.i) && m.cross && redisDown(run.faults, widgetReplies.get(m.i))).length,
      noReply: ackedWidget.filter((m) => !widgetReplies.has(m.i)).length,
      stored: ackedWidget.filter((m) => widgetStored.has(m.i)).length,
      lost: ackedWidget.filter((m) => !widgetStored.has(m.i)).length,
      repliesStored: ackedWidget.filter((m) => widgetReplies.has(m.i)).length,
      storedUnacked: [...widgetStored].filter((i) => !load.widget[i]?.acked).length,
      duplicates: run.duplicateAnswers,
      agentErrors: run.agentErrorEvents,
      streamDrops: run.streamDrops.length,
      dropReasons: outcomeText(run.streamDrops.map((d) => ({ outcome: d.why }))),
      closedEvents: run.closedEvents,
    },
    writes: {
      acked: load.writes.length,
      present: load.writes.filter((id) => agentsPresent.has(id)).length,
      lost: load.writes.filter((id) => !agentsPresent.has(id)).length,
      presentUnacked: agentsNamed - agentsPresent.size,
    },
    cpu,
    kinds: Object.fromEntries(KINDS.map((k) => [k, kindFigures(load, k)])),
    recoveries: withFaults ? recoveries(run.faults, load) : [],
  };
  console.log(
    `  webhooks: ${fmt(result.webhooks.acked)} acknowledged, ${fmt(result.webhooks.stored)} of them stored (${fmt(result.webhooks.lost)} lost, ${fmt(result.webhooks.storedUnacked)} stored without an acknowledgement); ` +
      `${fmt(result.webhooks.replies)} replies at the fake Twilio for them (${fmt(result.webhooks.duplicates)} duplicates, ${fmt(result.webhooks.unanswered)} unanswered); ` +
      `${fmt(result.webhooks.storedReplyTwice)} webhooks with more than one agent reply stored; ` +
      `fake Twilio: ${fmt(finalQueues.stats.created)} messages created from ${fmt(finalQueues.stats.requests)} requests (${fmt(finalQueues.stats.replays)} idempotent replays, ${fmt(finalQueues.stats.rejected)} rejected)`,
  );
  console.log(
    `  widget: ${fmt(result.widget.acked)} acknowledged, ${fmt(result.widget.live)} answered live on their streams (same node ${fmt(result.widget.liveSame)}/${fmt(result.widget.same)}, other node ${fmt(result.widget.liveCross)}/${fmt(result.widget.cross)}), ` +
      `${fmt(result.widget.unanswered)} not (${fmt(result.widget.missedStored)} of them with a stored reply, ${fmt(result.widget.missedStoredRedisDown)} of those for the other node, stored while Redis was down); ` +
      `${fmt(result.widget.stored)} stored (${fmt(result.widget.lost)} lost), ${fmt(result.widget.repliesStored)} replies stored, ${fmt(result.widget.noReply)} without a reply; ` +
      `${fmt(result.widget.agentErrors)} error events, ${fmt(result.widget.closedEvents)} closed events, ${fmt(result.widget.streamDrops)} stream drops${result.widget.streamDrops ? ` (${result.widget.dropReasons})` : ''}, ${fmt(result.widget.duplicates)} duplicate answers`,
  );
  const missed = ackedWidget.filter((m) => m.answeredAt === undefined);
  if (missed.length > 0) {
    console.log(
      `  widget messages not answered on their stream, by send time: ${missed
        .map((m) => `${fmt(m.sentAt, 1)} s ${m.cross ? 'other node' : 'same node'}${widgetReplies.has(m.i) ? ` (reply stored at ${fmt(widgetReplies.get(m.i), 1)} s)` : ' (no reply stored)'}`)
        .join(', ')}`,
    );
  }
  console.log(`  agent writes: ${fmt(result.writes.acked)} acknowledged, ${fmt(result.writes.present)} present (${fmt(result.writes.lost)} lost, ${fmt(result.writes.presentUnacked)} present without an acknowledgement)`);

  result.endings = await stack.stop();
  for (const ending of result.endings) {
    const state = ending.died ? `DIED during the run (${ending.died.code ?? ending.died.signal})` : ending.clean ? `shut down cleanly in ${fmt(ending.seconds, 2)} s` : `did NOT shut down cleanly: ${ending.message}`;
    console.log(`  node ${ending.name}: ${state}`);
    if (ending.log) console.log(`  node ${ending.name} output (last lines):\n${ending.log}`);
  }
  return result;
}

/**
 * CPU use, in cores, between the call and the call of the function it returns: of the given
 * process groups, of this process (the load generator) and of everything else on the machine
 * (PostgreSQL and Redis included, and whatever else runs there).
 */
function cpuMeter(groups) {
  const safe = (pid) => {
    try {
      return cpuSeconds(pid);
    } catch {
      return 0; // exited
    }
  };
  const read = () => ({
    t: performance.now(),
    machine: machineBusySeconds(),
    self: process.cpuUsage(),
    groups: Object.fromEntries(Object.entries(groups).map(([name, pids]) => [name, pids.reduce((sum, pid) => sum + safe(pid), 0)])),
  });
  const start = read();
  return () => {
    const end = read();
    const wall = (end.t - start.t) / 1000;
    const out = {};
    for (const name of Object.keys(groups)) out[name] = (end.groups[name] - start.groups[name]) / wall;
    out['load generator'] = (end.self.user - start.self.user + end.self.system - start.self.system) / 1e6 / wall;
    const machine = (end.machine - start.machine) / wall;
    out['everything else (PostgreSQL, Redis, other processes)'] = Math.max(0, machine - Object.values(out).reduce((a, b) => a + b, 0));
    return out;
  };
}
const cpuText = (cpu) =>
  Object.entries(cpu)
    .map(([name, cores]) => `${name} ${fmt(cores * 100)} %`)
    .join(', ');

/** True when `t` (s) falls between Redis being killed and both nodes being back on it. */
function redisDown(faults, t) {
  const stop = faults.find((f) => f.action === 'redis-stop');
  const start = faults.find((f) => f.action === 'redis-start');
  return stop !== undefined && t >= stop.at && t <= (start ? start.at + (start.backAfter ?? 0) : Infinity);
}

/** Indices of the webhooks acknowledged. */
const webhookIndices = (load) => load.records.webhook.filter((r) => r.ok).map((r) => r.i);

const statusText = (counts) =>
  Object.entries(counts)
    .map(([k, v]) => `${k} ${fmt(v)}`)
    .join(', ') || 'none';

function outcomeText(failed) {
  const counts = new Map();
  for (const r of failed) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([outcome, n]) => `${outcome} ×${fmt(n)}`)
    .join(', ');
}

function kindFigures(load, kind) {
  const records = load.records[kind];
  const ok = records.filter((r) => r.ok);
  const failed = records.filter((r) => !r.ok);
  const latencies = ok.map((r) => (r.end - r.start) * 1000).sort((a, b) => a - b);
  const samples = new Map();
  for (const r of failed) if (!samples.has(r.outcome) && r.sample) samples.set(r.outcome, r.sample);
  return {
    sent: records.length,
    ok: ok.length,
    failed: failed.length,
    s503: failed.filter((r) => r.outcome === 'HTTP 503').length,
    s5xx: failed.filter((r) => /^HTTP 5/.test(r.outcome) && r.outcome !== 'HTTP 503').length,
    outcomes: outcomeText(failed),
    samples: [...samples].map(([k, v]) => `${k}: ${v}`),
    skipped: load.skipped[kind],
    perSecond: ok.length / DURATION,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.length ? latencies[latencies.length - 1] : NaN,
  };
}

/**
 * For each fault and kind: the requests that failed after this fault and before the next one;
 * recovery = fault → the first answer to a successful request sent after the last of them was
 * sent (0 when that came before the fault: a request sent before the fault, e.g. one that timed
 * out, failed last). undefined when none failed.
 */
function recoveries(faults, load) {
  const owner = (r) => {
    let n = -1;
    for (let f = 0; f < faults.length; f++) if (faults[f].at <= r.end) n = f;
    return n;
  };
  return faults.map((fault, n) => {
    const byKind = {};
    for (const kind of KINDS) {
      const failures = load.records[kind].filter((r) => !r.ok && owner(r) === n);
      if (failures.length === 0) {
        byKind[kind] = { failures: 0 };
        continue;
      }
      const last = Math.max(...failures.map((r) => r.start));
      const after = load.records[kind].filter((r) => r.ok && r.start > last);
      const first = after.length ? Math.min(...after.map((r) => r.end)) : undefined;
      byKind[kind] = { failures: failures.length, seconds: first === undefined ? undefined : Math.max(0, first - fault.at) };
    }
    const times = Object.values(byKind).filter((k) => k.failures > 0);
    const longest = times.some((k) => k.seconds === undefined) ? undefined : Math.max(0, ...times.map((k) => k.seconds));
    return { name: fault.name, at: fault.at, detail: fault.detail, byKind, longest, anyFailures: times.length > 0 };
  });
}

// ---------------------------------------------------------------------------------------------
// Report

function loadTable(base, faults) {
  const header = ['Kind', 'Rate /s', 'Sent (baseline / faults)', 'Failed: baseline', 'Failed: faults', 'of which 503', 'OK/s: baseline', 'OK/s: faults', 'OK/s faults ÷ baseline', 'p99 ms: baseline', 'p99 ms: faults', 'p99 faults ÷ baseline'];
  const rows = KINDS.map((kind) => {
    const b = base?.kinds[kind];
    const f = faults?.kinds[kind];
    return [
      KIND_NAMES[kind],
      fmt(RATES[kind]),
      `${b ? fmt(b.sent) : 'n/a'} / ${f ? fmt(f.sent) : 'n/a'}`,
      b ? fmt(b.failed) : 'n/a',
      f ? fmt(f.failed) : 'n/a',
      f ? fmt(f.s503) : 'n/a',
      b ? fmt(b.perSecond, 1) : 'n/a',
      f ? fmt(f.perSecond, 1) : 'n/a',
      b && f ? ratio(f.perSecond, b.perSecond) : 'n/a',
      b ? fmt(b.p99, 1) : 'n/a',
      f ? fmt(f.p99, 1) : 'n/a',
      b && f ? ratio(f.p99, b.p99) : 'n/a',
    ];
  });
  return markdownTable(header, rows, 1);
}

function recoveryTable(faults) {
  const header = ['Fault', 'At s', ...KINDS.map((k) => KIND_NAMES[k]), 'Longest recovery'];
  const cell = (k) => (k.failures === 0 ? 'no failures' : k.seconds === undefined ? `not recovered (${fmt(k.failures)} failed)` : `${fmt(k.seconds, 2)} s (${fmt(k.failures)} failed)`);
  const rows = faults.recoveries.map((r) => [
    r.name,
    fmt(r.at, 1),
    ...KINDS.map((kind) => cell(r.byKind[kind])),
    !r.anyFailures ? 'no failures' : r.longest === undefined ? 'not recovered' : `${fmt(r.longest, 2)} s`,
  ]);
  return markdownTable(header, rows, 1);
}

function checksTable(results) {
  const header = ['Check', ...results.map((r) => (r.label === 'faults' ? 'Fault run' : 'Baseline'))];
  const col = (fn) => results.map(fn);
  const rows = [
    ['Webhooks acknowledged (200)', ...col((r) => fmt(r.webhooks.acked))],
    ['… their contact messages stored / lost', ...col((r) => `${fmt(r.webhooks.stored)} / ${fmt(r.webhooks.lost)}`)],
    ['… replies at the fake Twilio (duplicates, unanswered)', ...col((r) => `${fmt(r.webhooks.replies)} (${fmt(r.webhooks.duplicates)}, ${fmt(r.webhooks.unanswered)})`)],
    ['… replies per acknowledged webhook', ...col((r) => fmt(r.webhooks.replies / r.webhooks.acked, 3))],
    ['Widget messages acknowledged (202)', ...col((r) => fmt(r.widget.acked))],
    ['… answered live on the open stream: same node / other node', ...col((r) => `${fmt(r.widget.liveSame)}/${fmt(r.widget.same)} / ${fmt(r.widget.liveCross)}/${fmt(r.widget.cross)}`)],
    ['… not answered on the stream: reply stored (in the session history) / no reply', ...col((r) => `${fmt(r.widget.missedStored)} / ${fmt(r.widget.noReply)}`)],
    ['… contact messages stored / lost; agent replies stored', ...col((r) => `${fmt(r.widget.stored)} / ${fmt(r.widget.lost)}; ${fmt(r.widget.repliesStored)}`)],
    ['Agent writes acknowledged (201)', ...col((r) => fmt(r.writes.acked))],
    ['… present in the database at the end / lost', ...col((r) => `${fmt(r.writes.present)} / ${fmt(r.writes.lost)}`)],
    ['Backlog empty after the load (s)', ...col((r) => (r.drained ? fmt(r.drainSeconds, 1) : `not after ${fmt(r.drainSeconds, 1)}`))],
    ['Nodes shut down cleanly on SIGTERM', ...col((r) => r.endings.map((e) => `${e.name} ${e.died ? 'died' : e.clean ? 'yes' : 'no'}`).join(', '))],
  ];
  return markdownTable(header, rows, 1);
}

async function main() {
  for (const r of RUNS) if (r !== 'baseline' && r !== 'faults') throw new Error(`unknown run "${r}" in BENCH_RUNS`);
  const plan = faultPlan();
  if (plan.at(-1).at >= DURATION || plan.some((f, i) => i > 0 && f.at <= plan[i - 1].at)) {
    throw new Error(`BENCH_DURATION=${DURATION} with BENCH_REDIS_DOWN=${REDIS_DOWN} leaves no room for the faults in order: ${plan.map((f) => `${f.name} at ${fmt(f.at, 1)} s`).join(', ')}`);
  }
  const admin = await pgAdmin();
  const pgVersion = (await admin.query('show server_version')).rows[0].server_version.split(' ')[0];
  await admin.end();
  let redisVersion = 'unknown';
  try {
    const { execFileSync } = await import('node:child_process');
    redisVersion = /v=(\S+)/.exec(execFileSync('redis-server', ['--version'], { encoding: 'utf8' }))?.[1] ?? redisVersion;
  } catch (error) {
    throw new Error(`redis-server is needed: ${error.message}`);
  }
  const machine = [...machineFacts(), `PostgreSQL ${pgVersion}, Redis ${redisVersion}`, loadAverageFact(), cpuPressureFact()].filter(Boolean);
  console.log('Switchboard fault benchmark');
  for (const line of machine) console.log(`  ${line}`);

  const results = [];
  for (const r of RUNS) results.push(await runOnce(r, r === 'faults'));
  const base = results.find((r) => r.label === 'baseline');
  const faults = results.find((r) => r.label === 'faults');

  console.log('\n== Results (Markdown) ==\n');
  console.log(`${machine.slice(0, 5).join(' · ')}.`);
  console.log(
    `Two nodes of the built CLI on one PostgreSQL database and one Redis, a fake Twilio, the load generator: all on this machine, over loopback. ` +
      `${DURATION} s of open-loop load per run (each run on a fresh database, Redis and nodes), requests alternating between the nodes; ` +
      `${SESSIONS} widget sessions with open streams, half of the widget messages sent to the node that does not hold the stream.` +
      (faults ? ` Faults: ${faults.run.faults.map((f) => `${f.name} at ${fmt(f.at, 1)} s`).join('; ')}.` : '') +
      '\n',
  );
  console.log(loadTable(base, faults));
  if (faults) {
    console.log(
      '\nRecovery, per fault and kind: of the requests that failed after the fault and before the next one, the last one sent; ' +
        'time from the fault to the answer of the first successful request sent after it.\n',
    );
    console.log(recoveryTable(faults));
    for (const f of faults.run.faults) console.log(`- ${f.name}: ${f.detail}`);
  }
  console.log(`\nCPU during the measured load, % of one core (${os.cpus().length} cores): ${results.map((r) => `${r.label}: ${cpuText(r.cpu)}`).join('; ')}.`);
  console.log('\nWhat was kept:\n');
  console.log(checksTable(results));
  for (const r of results) {
    for (const kind of KINDS) {
      const k = r.kinds[kind];
      if (k.failed > 0) console.log(`\n${r.label}: ${KIND_NAMES[kind]} failures: ${k.outcomes}${k.samples.length ? `; e.g. ${k.samples.slice(0, 3).join(' | ')}` : ''}`);
      if (k.skipped > 0) console.log(`${r.label}: ${KIND_NAMES[kind]}: ${fmt(k.skipped)} ticks skipped with ${CONCURRENCY} requests in flight`);
    }
  }

  const problems = [];
  for (const r of results) {
    if (r.webhooks.lost > 0) problems.push(`${r.label}: ${r.webhooks.lost} acknowledged webhooks have no stored contact message`);
    if (r.widget.lost > 0) problems.push(`${r.label}: ${r.widget.lost} acknowledged widget messages are not stored`);
    if (r.writes.lost > 0) problems.push(`${r.label}: ${r.writes.lost} acknowledged agent writes are missing`);
    for (const e of r.endings) {
      if (e.died) problems.push(`${r.label}: node ${e.name} died during the run (${e.died.code ?? e.died.signal})`);
      else if (!e.clean) problems.push(`${r.label}: node ${e.name} did not shut down cleanly: ${e.message}`);
    }
  }
  if (problems.length > 0) {
    for (const p of problems) console.error(`FAILED: ${p}`);
    throw new Error(`${problems.length} check(s) failed`);
  }
}

await runBench('bench:faults', main, { timeoutSeconds: TIMEOUT });

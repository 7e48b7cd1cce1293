// Provider webhook intake benchmark: `npm run bench:webhooks`.
//
// Starts the real CLI server (`switchboard start`, embedded SQLite in a temp dir,
// PUBLIC_URL=https://bench.example.com) and a fake Twilio REST API (bench/fake-twilio-server.mjs),
// each in a child process, and sets up through the control-plane API what a Twilio SMS number
// needs: the Auth Token as a secret, a twilio connection whose apiBaseUrl is the fake, a phone
// configuration, an sms channel, an echo agent and an active deployment.
//
// It then pre-signs BENCH_WEBHOOKS inbound-SMS webhooks (distinct MessageSids, From spread over
// BENCH_CONTACTS numbers) with the `twilio` package's getExpectedTwilioSignature over
// https://bench.example.com/v1/public/channels/twilio/{connectionId}, and POSTs them from this
// process at BENCH_CONCURRENCY over a keep-alive pool, timing each acknowledgement (request
// written → whole response read, hrtime); every answer must be 200 with the empty TwiML.
// A discarded warm-up of BENCH_WARMUP_WEBHOOKS other webhooks runs first (and, on Switchboard,
// is left to drain) so that JIT and pools are warm.
//
// Afterwards it waits (at most BENCH_DRAIN_TIMEOUT s) until the server has processed everything,
// reading the SQLite file read-only: the contact messages stored must equal the webhooks sent
// (PASS/FAIL; FAIL exits 1). It prints how long that took and how many replies reached the
// fake Twilio. The same load runs against a bare node:http server that reads the form body,
// checks the signature the same way and answers the same TwiML (bench/baseline-webhook-server.mjs),
// and Switchboard's figures are printed as ratios to it.
//
// Environment:
//   BENCH_WEBHOOKS          measured webhooks per server (default 10000)
//   BENCH_WARMUP_WEBHOOKS   discarded warm-up webhooks before them (default 1000)
//   BENCH_CONCURRENCY       requests in flight (default 50)
//   BENCH_CONTACTS          distinct From numbers (default 500)
//   BENCH_DRAIN_TIMEOUT     seconds to wait for processing after the load (default 120)
//   BENCH_LOAD_TIMEOUT      seconds one load phase may take (default 300)
//   BENCH_TIMEOUT           seconds the whole run may take (default 900)
//   BENCH_TARGETS           comma list: baseline,switchboard (default both)
//   BENCH_SERVER_FLAGS      node flags for the Switchboard server beyond those `npm start` gives it, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
//   BENCH_CLI               the CLI of another build to measure instead of this one (e.g. an earlier commit built
//                           elsewhere), so that two builds can be compared run after run on the same machine
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
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
  fmt,
  loadAverageFact,
  machineBusySeconds,
  machineFacts,
  markdownTable,
  ms,
  nonNegativeInt,
  onCleanup,
  percentile,
  positiveInt,
  procStatus,
  ratio,
  requireFromServer,
  runBench,
  schedSeconds,
  serverLog,
  sqliteVersion,
  startServerChild,
  setUpTwilioSmsNumber,
} from './lib.mjs';

const BASELINE = join(ROOT, 'bench/baseline-webhook-server.mjs');
const FAKE_TWILIO = join(ROOT, 'bench/fake-twilio-server.mjs');

const WEBHOOKS = positiveInt('BENCH_WEBHOOKS', 10_000);
const WARMUP = nonNegativeInt('BENCH_WARMUP_WEBHOOKS', 1_000);
const CONCURRENCY = positiveInt('BENCH_CONCURRENCY', 50);
const CONTACTS = positiveInt('BENCH_CONTACTS', 500);
const DRAIN_TIMEOUT = positiveInt('BENCH_DRAIN_TIMEOUT', 120);
const LOAD_TIMEOUT = positiveInt('BENCH_LOAD_TIMEOUT', 300);
const TIMEOUT = positiveInt('BENCH_TIMEOUT', 900);
const TARGETS = (process.env.BENCH_TARGETS ?? 'baseline,switchboard').split(',').map((t) => t.trim()).filter(Boolean);
const SERVER_FLAGS = (process.env.BENCH_SERVER_FLAGS ?? '').split(/\s+/).filter(Boolean);
const SERVER_CLI = process.env.BENCH_CLI || CLI;

const PUBLIC_URL = 'https://bench.example.com';
const ADMIN_KEY = 'sk_bench_webhooks_0123456789abcdef'; // becomes the admin key of the fresh data dir
const ACCOUNT_SID = `AC${randomBytes(16).toString('hex')}`;
const AUTH_TOKEN = randomBytes(16).toString('hex');
const PHONE_NUMBER = '+14155550100';
const TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';
const REQUEST_TIMEOUT_MS = 30_000;
const RUN = randomBytes(4).toString('hex'); // MessageSid prefix of this run

// ---------------------------------------------------------------------------------------------
// Webhooks

/** From number of contact `n`: +1 202 555 nnnn (the 555-01xx range is left to the Switchboard number). */
const contactNumber = (n) => `+1202555${String(n).padStart(4, '0')}`;

/** Inbound-SMS params as Twilio posts them to "A message comes in" (fields as in tests/fakes/twilio.ts). */
function smsParams(index) {
  const sid = `SM${RUN}${index.toString(16).padStart(24, '0')}`;
  return {
    ToCountry: 'US',
    ToState: 'CA',
    SmsMessageSid: sid,
    NumMedia: '0',
    ToCity: 'SAN FRANCISCO',
    FromZip: '20001',
    SmsSid: sid,
    FromState: 'DC',
    SmsStatus: 'received',
    FromCity: 'WASHINGTON',
    Body: `Bench message ${index}: what time do you open tomorrow?`,
    FromCountry: 'US',
    To: PHONE_NUMBER,
    ToZip: '94105',
    NumSegments: '1',
    MessageSid: sid,
    AccountSid: ACCOUNT_SID,
    From: contactNumber(index % CONTACTS),
    ApiVersion: '2010-04-01',
  };
}

/** Webhooks `from`..`from + count - 1`, form-encoded and signed over the public URL. */
function signWebhooks(path, from, count) {
  const url = `${PUBLIC_URL}${path}`;
  const out = new Array(count);
  for (let i = 0; i < count; i++) {
    const params = smsParams(from + i);
    out[i] = { body: Buffer.from(new URLSearchParams(params).toString()), signature: twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, params) };
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Load

/**
 * POSTs every webhook to `baseUrl + path` with CONCURRENCY requests in flight over the
 * keep-alive pool `agent`; the latency of a webhook is request start → its whole response read.
 */
async function fire(baseUrl, path, webhooks, label, agent) {
  const { hostname, port } = new URL(baseUrl);
  const latencies = new Float64Array(webhooks.length);
  const errors = new Map();
  let ok = 0;
  let next = 0;
  let aborted = false;
  const error = (kind, sample) => {
    const entry = errors.get(kind);
    if (entry) entry.count++;
    else errors.set(kind, { count: 1, sample: String(sample ?? '').slice(0, 300) });
  };

  const one = (webhook) =>
    new Promise((resolveOne) => {
      const start = process.hrtime.bigint();
      const request = http.request(
        {
          host: hostname,
          port,
          method: 'POST',
          path,
          agent,
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': webhook.body.length,
            'x-twilio-signature': webhook.signature,
            'user-agent': 'TwilioProxy/1.1',
          },
        },
        (response) => {
          const chunks = [];
          response.on('data', (chunk) => chunks.push(chunk));
          response.on('error', (e) => {
            error(`response ${e.code ?? e.message}`, e.message);
            resolveOne();
          });
          response.on('end', () => {
            const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
            const text = Buffer.concat(chunks).toString('utf8');
            const type = String(response.headers['content-type'] ?? '');
            if (response.statusCode === 200 && type.startsWith('text/xml') && text.trim() === TWIML) latencies[ok++] = elapsed;
            else error(`HTTP ${response.statusCode} ${type}`, text);
            resolveOne();
          });
        },
      );
      request.setTimeout(REQUEST_TIMEOUT_MS, () => request.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
      request.on('error', (e) => {
        error(e.code ?? e.message, e.message);
        resolveOne();
      });
      request.end(webhook.body);
    });

  const worker = async () => {
    while (!aborted && next < webhooks.length) await one(webhooks[next++]);
  };
  const started = process.hrtime.bigint();
  const deadline = setTimeout(() => {
    aborted = true;
    agent.destroy();
  }, LOAD_TIMEOUT * 1000);
  try {
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, webhooks.length) }, worker));
  } finally {
    clearTimeout(deadline);
  }
  const wallMs = ms(started);
  if (aborted) error('load phase timeout', `${label}: gave up after BENCH_LOAD_TIMEOUT=${LOAD_TIMEOUT} s with ${webhooks.length - next} webhooks unsent`);
  const sorted = latencies.subarray(0, ok).sort();
  return {
    sent: next,
    ok,
    wallMs,
    perSecond: ok / (wallMs / 1000),
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: ok > 0 ? sorted[ok - 1] : NaN,
    errors: [...errors].map(([kind, { count, sample }]) => ({ kind, count, sample })),
    errorTotal: [...errors.values()].reduce((sum, e) => sum + e.count, 0),
  };
}

const describeErrors = (errors) => errors.map((e) => `${e.kind} ×${e.count} (e.g. ${e.sample})`).join('; ');

/**
 * CPU use, in cores, of this process ('self'), of the given processes (all threads) and of the
 * rest of the machine ('other') between the call and the call of the function it returns; and
 * how the server's main thread (its event loop) spent that wall time: on a CPU, runnable but
 * waiting for a CPU, or neither (idle in epoll, or blocked in a system call such as fsync).
 */
function cpuMeter(pids) {
  const read = () => ({
    t: performance.now(),
    machine: machineBusySeconds(),
    self: process.cpuUsage(),
    procs: Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)])),
    main: schedSeconds(pids.server),
  });
  const start = read();
  return () => {
    const end = read();
    const wall = (end.t - start.t) / 1000;
    const out = { self: (end.self.user - start.self.user + end.self.system - start.self.system) / 1e6 / wall };
    for (const name of Object.keys(pids)) out[name] = (end.procs[name] - start.procs[name]) / wall;
    out.machine = (end.machine - start.machine) / wall;
    out.other = Math.max(0, out.machine - Object.entries(out).filter(([k]) => k !== 'machine').reduce((sum, [, v]) => sum + v, 0));
    const onCpu = (end.main.onCpu - start.main.onCpu) / wall;
    const waiting = (end.main.waiting - start.main.waiting) / wall;
    return { cores: out, main: { onCpu, waiting, off: Math.max(0, 1 - onCpu - waiting) }, serverCpuSeconds: out.server * wall };
  };
}
const cores = (c) => `${fmt(c * 100)} %`;
const cpuText = (c) =>
  Object.entries(c)
    .filter(([name]) => name !== 'machine')
    .map(([name, v]) => `${name === 'self' ? 'load generator' : name} ${cores(v)}`)
    .join(', ');
const mainText = (m) => `on a CPU ${cores(m.onCpu)}, waiting for a CPU ${cores(m.waiting)}, neither (idle or blocked in a system call) ${cores(m.off)}`;

/**
 * Runs the warm-up, then the measured load against a target over one keep-alive pool (the
 * warm-up opens its connections, so the measured phase does not time connection set-up).
 */
async function loadPhase(label, baseUrl, path, warmup, measured, pids, afterWarmup) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY, maxFreeSockets: CONCURRENCY });
  const unregister = onCleanup(() => agent.destroy());
  try {
    if (warmup.length > 0) {
      const w = await fire(baseUrl, path, warmup, `${label} warm-up`, agent);
      console.log(`  ${label}: warm-up ${fmt(w.ok)}/${fmt(warmup.length)} webhooks acknowledged in ${fmt(w.wallMs / 1000, 2)} s${w.errorTotal ? `; ERRORS ${describeErrors(w.errors)}` : ''}`);
      if (w.errorTotal > 0) throw new Error(`${label}: the warm-up had ${w.errorTotal} failed webhooks: ${describeErrors(w.errors)}`);
    }
    await afterWarmup?.();
    const stopMeter = cpuMeter(pids);
    const result = await fire(baseUrl, path, measured, label, agent);
    const meter = stopMeter();
    result.cpu = meter.cores;
    result.main = meter.main;
    result.serverCpuMsPerWebhook = result.ok > 0 ? (meter.serverCpuSeconds * 1000) / result.ok : NaN;
    console.log(
      `  ${label}: ${fmt(result.perSecond)} webhooks/s, p50 ${fmt(result.p50, 2)} ms, p90 ${fmt(result.p90, 2)} ms, p99 ${fmt(result.p99, 2)} ms, max ${fmt(result.max, 1)} ms` +
        ` (${fmt(result.ok)}/${fmt(measured.length)} acknowledged with 200 TwiML in ${fmt(result.wallMs / 1000, 2)} s, concurrency ${CONCURRENCY})`,
    );
    console.log(`  ${label}: CPU during the load (% of one core): ${cpuText(result.cpu)}; server CPU ${fmt(result.serverCpuMsPerWebhook, 3)} ms per webhook`);
    console.log(`  ${label}: server main thread during the load: ${mainText(result.main)}`);
    if (result.errorTotal > 0) console.log(`  ${label}: ERRORS ${result.errorTotal}: ${describeErrors(result.errors)}`);
    return result;
  } finally {
    unregister();
    agent.destroy();
  }
}

/** POSTs one webhook signed with another token and one unsigned: both must be refused (403, 401). */
async function refusesForgeries(label, baseUrl, path) {
  const params = { ...smsParams(10_000_000), MessageSid: `SMforged${RUN}`, SmsSid: `SMforged${RUN}`, SmsMessageSid: `SMforged${RUN}` };
  const body = new URLSearchParams(params).toString();
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  const forged = await fetch(baseUrl + path, {
    method: 'POST',
    headers: { ...headers, 'x-twilio-signature': twilio.getExpectedTwilioSignature('not-the-auth-token', `${PUBLIC_URL}${path}`, params) },
    body,
  });
  await forged.arrayBuffer();
  const unsigned = await fetch(baseUrl + path, { method: 'POST', headers, body });
  await unsigned.arrayBuffer();
  if (forged.status !== 403 || unsigned.status !== 401) {
    throw new Error(`${label}: a forged webhook answered ${forged.status} (expected 403), an unsigned one ${unsigned.status} (expected 401)`);
  }
}

// ---------------------------------------------------------------------------------------------
// Switchboard

async function startFakeTwilio() {
  const fake = await startServerChild('fake Twilio', [FAKE_TWILIO], { TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN });
  fake.stats = async () => {
    const response = await fetch(`${fake.url}/stats`, { signal: AbortSignal.timeout(5_000) });
    return response.json();
  };
  return fake;
}

async function startSwitchboard(fake) {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'switchboard-webhooks-bench-'));
  onCleanup(() => rmSync(dataDir, { recursive: true, force: true }));
  const server = await startServerChild('switchboard', [...START_NODE_FLAGS, ...SERVER_FLAGS, SERVER_CLI, 'start'], {
    LOG_LEVEL: 'warn',
    PUBLIC_URL,
    SWITCHBOARD_DATA_DIR: dataDir,
    SWITCHBOARD_API_KEY: ADMIN_KEY,
    SWITCHBOARD_SECRET_KEY: '',
    DATABASE_URL: '',
    REDIS_URL: '',
  }, { stopTimeoutMs: 15_000 });
  const api = controlApi(server.url, ADMIN_KEY);
  const { connection, channel, agent, deployment, path } = await setUpTwilioSmsNumber(api, {
    authToken: AUTH_TOKEN,
    accountSid: ACCOUNT_SID,
    fakeUrl: fake.url,
    phoneNumber: PHONE_NUMBER,
  });
  if (connection.inboundUrl !== `${PUBLIC_URL}${path}`) throw new Error(`connection inboundUrl is ${connection.inboundUrl}, expected ${PUBLIC_URL}${path}`);
  const backend = agent.backend?.type ?? '(default)';
  return { server, dataDir, path, connectionId: connection.id, channelId: channel.id, deploymentId: deployment.id, backend };
}

/** Read-only view of the server's SQLite file: what has been stored and processed. */
function openStore(dataDir) {
  const Database = requireFromServer('better-sqlite3');
  const db = new Database(join(dataDir, 'switchboard.db'), { readonly: true, fileMustExist: true });
  onCleanup(() => db.close());
  const role = db.prepare('select role, count(*) as n from messages group by role');
  const events = db.prepare('select status, count(*) as n from inbound_events group by status');
  const deliveries = db.prepare('select status, count(*) as n from deliveries group by status');
  const conversations = db.prepare('select count(*) as n from conversations');
  const grouped = (statement) => Object.fromEntries(statement.all().map((r) => [r.role ?? r.status, r.n]));
  return {
    read() {
      const roles = grouped(role);
      return {
        contact: roles.contact ?? 0,
        agent: roles.agent ?? 0,
        events: grouped(events),
        deliveries: grouped(deliveries),
        conversations: conversations.get().n,
      };
    },
  };
}

const statusText = (counts) =>
  Object.entries(counts)
    .map(([k, v]) => `${k} ${fmt(v)}`)
    .join(', ') || 'none';

/**
 * Polls until `expected` contact messages are stored and `expected` replies reached the fake
 * Twilio, or `timeoutSeconds` pass. Returns the readings and when each goal was met (s, or undefined).
 */
async function waitForDrain(store, fake, expected, timeoutSeconds) {
  const started = performance.now();
  let storedAt;
  let repliedAt;
  let reading;
  let stats;
  for (;;) {
    reading = store.read();
    stats = await fake.stats();
    const now = (performance.now() - started) / 1000;
    if (storedAt === undefined && reading.contact >= expected && (reading.events.processed ?? 0) >= expected) storedAt = now;
    if (repliedAt === undefined && stats.created >= expected) repliedAt = now;
    if ((storedAt !== undefined && repliedAt !== undefined) || now > timeoutSeconds) break;
    await sleep(100);
  }
  return { reading, stats, storedAt, repliedAt, waited: (performance.now() - started) / 1000 };
}

async function benchSwitchboard(fake, sb, warmup, measured) {
  const label = `Switchboard ${sb.server.version ?? ''} (SQLite)`.replace('  ', ' ');
  console.log(`\n== ${label} ==`);
  console.log(`  server pid ${sb.server.pid}, fake Twilio pid ${fake.pid}; agent backend: ${sb.backend}; webhook URL ${PUBLIC_URL}${sb.path}${SERVER_CLI === CLI ? '' : `; build ${SERVER_CLI}`}`);
  await refusesForgeries(label, sb.server.url, sb.path);
  const store = openStore(sb.dataDir);
  const pids = { server: sb.server.pid, 'fake Twilio': fake.pid };

  const result = await loadPhase(label, sb.server.url, sb.path, warmup, measured, pids, async () => {
    if (warmup.length === 0) return;
    const drained = await waitForDrain(store, fake, warmup.length, DRAIN_TIMEOUT);
    if (drained.storedAt === undefined) {
      throw new Error(`${label}: the warm-up did not drain within ${DRAIN_TIMEOUT} s: ${fmt(drained.reading.contact)}/${fmt(warmup.length)} contact messages stored`);
    }
    console.log(`  ${label}: warm-up drained ${fmt(drained.storedAt, 1)} s after its last acknowledgement (${fmt(drained.stats.created)} replies at the fake Twilio)`);
  });
  const expected = warmup.length + result.ok;
  const atEnd = store.read();
  const statsAtEnd = await fake.stats();
  const rss = procStatus(sb.server.pid).rssKiB;
  console.log(
    `  ${label}: when the last webhook was acknowledged: ${fmt(atEnd.contact - warmup.length)}/${fmt(result.ok)} contact messages stored, ` +
      `${fmt(statsAtEnd.created - warmup.length)} replies at the fake Twilio; inbound events: ${statusText(atEnd.events)}; server RSS ${fmt(rss / 1024, 1)} MiB`,
  );

  const stopMeter = cpuMeter(pids);
  const drain = await waitForDrain(store, fake, expected, DRAIN_TIMEOUT);
  const drainCpu = stopMeter();
  const { reading, stats } = drain;
  const sent = warmup.length + result.sent;
  result.sentTotal = sent;
  result.stored = reading.contact;
  result.pass = result.errorTotal === 0 && reading.contact === sent;
  result.storedAt = drain.storedAt;
  result.repliedAt = drain.repliedAt;
  result.replies = stats.created;
  result.replyRequests = stats.requests;
  result.drainCpu = drainCpu;
  console.log(
    `  ${label}: drain: everything stored and processed ${drain.storedAt === undefined ? `NOT within ${DRAIN_TIMEOUT} s` : `${fmt(drain.storedAt, 2)} s`} after the last acknowledgement, ` +
      `every reply at the fake Twilio ${drain.repliedAt === undefined ? `NOT within ${DRAIN_TIMEOUT} s` : `after ${fmt(drain.repliedAt, 2)} s`}; ` +
      `meanwhile CPU ${cpuText(drainCpu.cores)}; server main thread ${mainText(drainCpu.main)}`,
  );
  console.log(
    `  ${label}: stored: ${fmt(reading.contact)} contact and ${fmt(reading.agent)} agent messages in ${fmt(reading.conversations)} conversations; ` +
      `inbound events: ${statusText(reading.events)}; deliveries: ${statusText(reading.deliveries)}; ` +
      `fake Twilio: ${fmt(stats.created)} messages created from ${fmt(stats.requests)} requests (${fmt(stats.replays)} idempotent replays, ${fmt(stats.rejected)} rejected)`,
  );
  console.log(
    `  ${label}: CHECK ${result.pass ? 'PASS' : 'FAIL'}: ${fmt(reading.contact)} contact messages stored for ${fmt(sent)} webhooks sent ` +
      `(${fmt(warmup.length)} warm-up + ${fmt(result.sent)} measured)${result.errorTotal ? `, ${fmt(result.errorTotal)} not acknowledged with 200 TwiML` : ''}`,
  );
  const log = serverLog(sb.server);
  if (log) console.log(`  ${label}: server output (last lines):\n${log}`);
  return { kind: 'switchboard', label, ...result };
}

async function benchBaseline(path, warmup, measured) {
  const label = 'node:http baseline';
  console.log(`\n== ${label} ==`);
  const server = await startServerChild('node:http webhook baseline', [BASELINE], { PUBLIC_URL, TWILIO_AUTH_TOKEN: AUTH_TOKEN });
  try {
    await refusesForgeries(label, server.url, path);
    const result = await loadPhase(label, server.url, path, warmup, measured, { server: server.pid });
    const stats = await (await fetch(`${server.url}/stats`)).json();
    console.log(`  ${label}: ${fmt(stats.accepted)} signatures verified, ${fmt(stats.rejected)} refused`);
    return { kind: 'baseline', label, ...result };
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Report

function markdown(rows) {
  const header = ['Server', 'Webhooks', 'Concurrency', 'Webhooks/s', 'p50 ms', 'p99 ms', 'Max ms', 'Server CPU ms / webhook', 'Failed acks', 'Stored = sent', 'Drain s', 'Replies at fake Twilio'];
  const lines = rows.map((r) => [
    r.label,
    fmt(r.sent),
    fmt(CONCURRENCY),
    fmt(r.perSecond),
    fmt(r.p50, 2),
    fmt(r.p99, 2),
    fmt(r.max, 1),
    fmt(r.serverCpuMsPerWebhook, 3),
    fmt(r.errorTotal),
    r.kind === 'switchboard' ? `${r.pass ? 'PASS' : 'FAIL'} (${fmt(r.stored)} / ${fmt(r.sentTotal)})` : 'n/a (stores nothing)',
    r.kind === 'switchboard' ? (r.storedAt === undefined ? `> ${DRAIN_TIMEOUT}` : fmt(r.storedAt, 2)) : 'n/a',
    r.kind === 'switchboard' ? fmt(r.replies) : 'n/a',
  ]);
  const base = rows.find((r) => r.kind === 'baseline');
  const sb = rows.find((r) => r.kind === 'switchboard');
  if (base && sb) {
    lines.push(['Switchboard ÷ node:http', '', '', ratio(sb.perSecond, base.perSecond), ratio(sb.p50, base.p50), ratio(sb.p99, base.p99), ratio(sb.max, base.max), ratio(sb.serverCpuMsPerWebhook, base.serverCpuMsPerWebhook), '', '', '', '']);
  }
  return markdownTable(header, lines);
}

async function main() {
  const machine = [...machineFacts(), `Storage: embedded ${sqliteVersion()} (WAL) in a temp dir`, loadAverageFact(), cpuPressureFact()].filter(Boolean);
  const method = [
    `Load: this process (node:http, one keep-alive pool) POSTs ${fmt(WEBHOOKS)} pre-signed Twilio inbound-SMS webhooks (distinct MessageSids, From spread over ${fmt(CONTACTS)} numbers) at concurrency ${CONCURRENCY}, after a discarded warm-up of ${fmt(WARMUP)} others; server, fake Twilio and load generator on the same machine`,
    `Latency: request start → whole 200 TwiML answer read (hrtime); webhooks/s = acknowledged ÷ wall time of the phase`,
    `Switchboard: the real CLI server on embedded SQLite, X-Twilio-Signature checked over ${PUBLIC_URL}, each webhook recorded before it is acknowledged, then processed in the background (echo agent, reply through the outbox to a fake Twilio REST API in its own process); drain = last acknowledgement → every contact message stored and every inbound event processed`,
    `Baseline: bare node:http that reads the form body, checks the same HMAC-SHA1 signature in constant time and answers the same TwiML, storing nothing`,
  ];
  console.log('Switchboard provider webhook intake benchmark');
  for (const line of machine) console.log(`  ${line}`);

  for (const kind of TARGETS) if (kind !== 'baseline' && kind !== 'switchboard') throw new Error(`unknown target "${kind}" in BENCH_TARGETS`);
  const fake = await startFakeTwilio();
  const sb = await startSwitchboard(fake);
  let started = process.hrtime.bigint();
  const warmup = signWebhooks(sb.path, 0, WARMUP);
  const measured = signWebhooks(sb.path, WARMUP, WEBHOOKS);
  console.log(`  signed ${fmt(WARMUP + WEBHOOKS)} webhooks with twilio.getExpectedTwilioSignature in ${fmt(ms(started) / 1000, 2)} s (~${fmt(measured[0].body.length)} B form body each)`);

  const rows = [];
  for (const kind of TARGETS) {
    rows.push(kind === 'baseline' ? await benchBaseline(sb.path, warmup, measured) : await benchSwitchboard(fake, sb, warmup, measured));
  }
  started = process.hrtime.bigint();
  await sb.server.stop();
  console.log(`  (Switchboard stopped in ${fmt(ms(started) / 1000, 2)} s)`);

  console.log('\n== Results (Markdown) ==\n');
  console.log(`${machine.slice(0, 5).join(' · ')}.`);
  console.log(`${method.join('. ')}.\n`);
  console.log(markdown(rows));
  console.log(`\nCPU during the measured load, % of one core (${os.cpus().length} cores): ${rows.map((r) => `${r.label}: ${cpuText(r.cpu)}`).join('; ')}.`);
  console.log(`Server main thread during the measured load: ${rows.map((r) => `${r.label}: ${mainText(r.main)}`).join('; ')}.`);
  console.log(
    'Ratios: Switchboard ÷ baseline (throughput: higher is better; latency and CPU: lower is better). ' +
      "Server CPU per webhook = the server process's CPU time during the measured load ÷ webhooks acknowledged (for Switchboard it includes the background processing done meanwhile).",
  );

  const failures = [];
  for (const r of rows) {
    if (r.errorTotal > 0) failures.push(`${r.label}: ${r.errorTotal} webhooks not acknowledged with 200 TwiML: ${describeErrors(r.errors)}`);
    if (r.kind === 'switchboard' && r.stored !== r.sentTotal) failures.push(`${r.label}: ${fmt(r.stored)} contact messages stored for ${fmt(r.sentTotal)} webhooks sent`);
  }
  if (failures.length > 0) {
    for (const f of failures) console.error(`FAILED: ${f}`);
    throw new Error(`${failures.length} check(s) failed`);
  }
}

await runBench('bench:webhooks', main, { timeoutSeconds: TIMEOUT });

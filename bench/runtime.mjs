// Web runtime benchmark: `npm run bench:runtime`.
//
// Starts the real CLI server (`switchboard start`, embedded SQLite in a temp dir) in a child
// process, creates an echo agent and a web deployment through the control-plane API, and loads
// the public runtime API from a separate load-generator process (bench/runtime-load.mjs):
//
//   1. chat: BENCH_SESSIONS widget sessions, each with its SSE stream open, send a message, wait
//      for the agent's echo on the stream, send the next; round trips/s and send→reply p50/p99.
//      Then the same with BENCH_P99_SESSIONS sessions, for the latency at a lighter load. The
//      statements per round trip are read from the server's /metrics before and after each window.
//   2. idle memory: on a fresh server, BENCH_IDLE_SESSIONS sessions with an open, idle SSE stream;
//      server RSS (and V8 heap) after a forced GC, before and after opening them, per session.
//
// The same two measurements run against a bare node:http server speaking the same paths and
// events (bench/baseline-sse-server.mjs), and the ratios are printed. Both servers are started
// with `--expose-gc --require bench/memory-probe.cjs` so that memory is read after a full GC.
//
// Environment:
//   BENCH_DURATION          measured seconds of the chat phase (default 20)
//   BENCH_WARMUP            seconds of discarded chat load before it (default 3)
//   BENCH_SESSIONS          concurrent chat sessions (default 1000)
//   BENCH_P99_SESSIONS      sessions of a second chat phase, for its p99 (default 100; 0 skips it)
//   BENCH_MEMORY            0 skips the idle memory phase (default 1)
//   BENCH_IDLE_SESSIONS     idle SSE sessions for the memory figure (default 5000)
//   BENCH_IDLE_SECONDS      how long they idle before memory is read (default 10)
//   BENCH_OPEN_CONCURRENCY  session starts in flight while opening (default 50)
//   BENCH_REPLY_TIMEOUT     seconds before a missing reply counts as an error (default 30)
//   BENCH_TIMEOUT           seconds the whole run may take (default 900)
//   BENCH_TARGETS           comma list: baseline,switchboard (default both)
//   BENCH_SHARED_POOL       1: chat sessions share one keep-alive pool (its connections opened when the chat starts)
//                           instead of one connection each made while opening the sessions
//   BENCH_SERVER_FLAGS      extra node flags for both servers (Switchboard also gets those `npm start` gives it), e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CLI,
  START_NODE_FLAGS,
  ROOT,
  controlApi,
  cpuSeconds,
  fdCount,
  fmt,
  listenOverflows,
  loadAverageFact,
  machineBusySeconds,
  machineFacts,
  markdownTable,
  nonNegativeInt,
  onCleanup,
  positiveInt,
  procStatus,
  ratio,
  runBench,
  serverLog,
  sqliteVersion,
  startServerChild as startChild,
  ulimit,
} from './lib.mjs';

const BASELINE = join(ROOT, 'bench/baseline-sse-server.mjs');
const LOADGEN = join(ROOT, 'bench/runtime-load.mjs');
const PROBE = join(ROOT, 'bench/memory-probe.cjs');
const ORIGIN = 'http://bench.local';
const ADMIN_KEY = 'sk_bench_0123456789abcdefghijklmn'; // 32 characters; becomes the admin key of the fresh data dir

const DURATION = positiveInt('BENCH_DURATION', 20);
const WARMUP = nonNegativeInt('BENCH_WARMUP', 3);
const SESSIONS = positiveInt('BENCH_SESSIONS', 1000);
const P99_SESSIONS = nonNegativeInt('BENCH_P99_SESSIONS', 100);
const MEMORY = process.env.BENCH_MEMORY !== '0';
let IDLE_SESSIONS = positiveInt('BENCH_IDLE_SESSIONS', 5000);
const IDLE_SECONDS = nonNegativeInt('BENCH_IDLE_SECONDS', 10);
const OPEN_CONCURRENCY = positiveInt('BENCH_OPEN_CONCURRENCY', 50);
const REPLY_TIMEOUT = positiveInt('BENCH_REPLY_TIMEOUT', 30);
const TIMEOUT = positiveInt('BENCH_TIMEOUT', 900);
const SERVER_FLAGS = (process.env.BENCH_SERVER_FLAGS ?? '').split(/\s+/).filter(Boolean);
const TARGETS = (process.env.BENCH_TARGETS ?? 'baseline,switchboard').split(',').map((t) => t.trim()).filter(Boolean);
const IDLE_WARMUP_SESSIONS = 1000; // opened and closed before the "before" reading, so JIT, pools and the young generation are warm
const RATE_LIMIT = '999999999'; // RUNTIME_RATE_LIMIT_PER_IP / _PER_TOKEN: requests per minute, out of the way

// ---------------------------------------------------------------------------------------------
// Helpers

/** Descriptors each child needs; when the soft limit is lower, children are started through `ulimit -n`. */
let childFdLimit;
function fdPlan() {
  const soft = ulimit('-n');
  const hard = ulimit('-Hn');
  const need = Math.max(IDLE_SESSIONS, 2 * SESSIONS) + OPEN_CONCURRENCY + 1024;
  const notes = [];
  if (soft >= need) return { soft, hard, raise: undefined, notes };
  const raise = Math.min(hard, Math.max(need, 65_536));
  if (raise < need) {
    const fit = raise - OPEN_CONCURRENCY - 1024;
    notes.push(`ulimit -n is ${soft} (hard ${hard}): idle sessions lowered from ${IDLE_SESSIONS} to ${fit}`);
    IDLE_SESSIONS = Math.max(1, fit);
  }
  return { soft, hard, raise: raise > soft ? raise : undefined, notes };
}

/** [command, args] for a node child, through bash `ulimit -n` when the limit must be raised. */
function nodeCommand(nodeArgs) {
  if (!childFdLimit) return [process.execPath, nodeArgs];
  const quoted = [process.execPath, ...nodeArgs].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  return ['bash', ['-c', `ulimit -n ${childFdLimit} && exec ${quoted}`]];
}

// ---------------------------------------------------------------------------------------------
// Children

/** Spawns a server, waits for GET /health; `probe()` asks memory-probe.cjs for a post-GC reading. */
async function startServerChild(label, script, scriptArgs, env, nodeFlags = []) {
  let probeWaiter;
  const server = await startChild(label, ['--expose-gc', '--require', PROBE, ...nodeFlags, ...SERVER_FLAGS, script, ...scriptArgs], env, {
    command: nodeCommand,
    stopTimeoutMs: 10_000,
    onStderrLine(line) {
      if (!line.startsWith('MEMPROBE ')) return false;
      probeWaiter?.(JSON.parse(line.slice(9)));
      return true;
    },
  });
  return {
    ...server,
    /** Full GC in the server, then its memoryUsage() and /proc VmRSS. */
    async probe() {
      const reading = new Promise((resolveReading, reject) => {
        const timer = setTimeout(() => reject(new Error(`${label}: no MEMPROBE answer within 15 s`)), 15_000);
        probeWaiter = (value) => {
          clearTimeout(timer);
          probeWaiter = undefined;
          resolveReading(value);
        };
      });
      server.child.kill('SIGUSR2');
      const usage = await reading;
      await sleep(200);
      return { ...usage, ...procStatus(server.pid), fds: fdCount(server.pid) };
    },
  };
}

/** Forks the load generator; `call(command, type, seconds)` sends and waits for a reply of that type. */
function startLoadGenerator() {
  const [command, args] = nodeCommand([LOADGEN]);
  const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let exited = null;
  const exit = new Promise((resolveExit) => child.once('exit', (code, signal) => resolveExit((exited = { code, signal }))));
  const waiters = new Set();
  const listeners = new Map();
  child.on('message', (message) => {
    listeners.get(message.type)?.(message);
    for (const waiter of [...waiters]) waiter(message);
  });
  const stop = async () => {
    if (exited) return;
    if (child.connected) child.send({ cmd: 'exit' });
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exit;
    clearTimeout(timer);
  };
  const unregister = onCleanup(stop);
  return {
    pid: child.pid,
    on(type, fn) {
      listeners.set(type, fn);
    },
    call(message, type, seconds) {
      return new Promise((resolveCall, reject) => {
        const done = (fn, value) => {
          clearTimeout(timer);
          clearInterval(watch);
          waiters.delete(waiter);
          fn(value);
        };
        const waiter = (reply) => {
          if (reply.type === type) done(resolveCall, reply);
          else if (reply.type === 'fatal') {
            done(reject, new Error(`load generator: ${reply.message}${reply.errors?.length ? `\n  errors: ${JSON.stringify(reply.errors)}` : ''}`));
          }
        };
        const timer = setTimeout(() => done(reject, new Error(`load generator: no "${type}" within ${seconds} s`)), seconds * 1000);
        const watch = setInterval(() => {
          if (exited) done(reject, new Error(`load generator exited (${exited.code ?? exited.signal})`));
        }, 200);
        waiters.add(waiter);
        child.send(message);
      });
    },
    async stop() {
      unregister();
      await stop();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Targets

const api = (url, method, path, body) => controlApi(url, ADMIN_KEY)(method, path, body);

/** Starts one server of the target kind, ready for the runtime API: { server, target }. */
async function startTarget(kind) {
  if (kind === 'baseline') {
    const server = await startServerChild('node:http SSE baseline', BASELINE, [], {});
    return { server, target: { url: server.url, token: 'cdp_baseline', origin: ORIGIN } };
  }
  const dataDir = mkdtempSync(join(os.tmpdir(), 'switchboard-runtime-bench-'));
  const removeDir = onCleanup(() => rmSync(dataDir, { recursive: true, force: true }));
  const server = await startServerChild('switchboard', CLI, ['start'], {
    LOG_LEVEL: 'warn',
    SWITCHBOARD_DATA_DIR: dataDir,
    SWITCHBOARD_API_KEY: ADMIN_KEY,
    SWITCHBOARD_SECRET_KEY: '',
    DATABASE_URL: '',
    REDIS_URL: '',
    PUBLIC_URL: '',
    RUNTIME_RATE_LIMIT_PER_IP: RATE_LIMIT,
    RUNTIME_RATE_LIMIT_PER_TOKEN: RATE_LIMIT,
  }, START_NODE_FLAGS);
  const stopServer = server.stop;
  server.stop = async () => {
    try {
      await stopServer();
    } finally {
      removeDir();
      rmSync(dataDir, { recursive: true, force: true });
    }
  };
  try {
    let agent = await api(server.url, 'POST', '/v1/agents', { name: 'Bench echo', backend: { type: 'echo' } });
    if (agent.status === 400 && /backend/i.test(agent.text)) {
      console.log('  (POST /v1/agents rejected the backend field; creating the agent without it: echo is the default)');
      agent = await api(server.url, 'POST', '/v1/agents', { name: 'Bench echo' });
    }
    if (agent.status !== 201 || !agent.body?.data?.id) throw new Error(`POST /v1/agents answered ${agent.status}: ${agent.text.slice(0, 400)}`);
    const deployment = await api(server.url, 'POST', `/v1/agents/${agent.body.data.id}/deployments`, { allowedOrigins: [ORIGIN] });
    const token = deployment.body?.data?.token;
    if (deployment.status !== 201 || typeof token !== 'string') {
      throw new Error(`POST /v1/agents/{id}/deployments answered ${deployment.status}: ${deployment.text.slice(0, 400)}`);
    }
    return { server, target: { url: server.url, token, origin: ORIGIN }, backend: agent.body.data.backend?.type ?? '(no backend field)' };
  } catch (error) {
    await server.stop().catch(() => {});
    throw error;
  }
}

/** switchboard_db_statements_total from the server's /metrics; undefined for a server that does not count. */
async function statementsExecuted(url) {
  try {
    const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(15_000) });
    const match = /^switchboard_db_statements_total (\d+)/m.exec(await response.text());
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

function describeErrors(errors) {
  return errors.map((e) => `${e.kind} ×${e.count} (e.g. ${e.sample})`).join('; ');
}

async function chatPhase(kind, label, sessions) {
  const { server, target, backend } = await startTarget(kind);
  const loadgen = startLoadGenerator();
  const overflowsAtStart = listenOverflows();
  try {
    if (backend) console.log(`  agent backend: ${backend}; server pid ${server.pid}, load generator pid ${loadgen.pid}`);
    let cpu = {};
    loadgen.on('opened', (m) => console.log(`  ${label}: ${fmt(m.count)} sessions with open streams in ${fmt(m.ms / 1000, 1)} s; ${WARMUP} s warm-up, then ${DURATION} s measured`));
    const countStatements = kind === 'switchboard';
    loadgen.on('window-start', () => {
      cpu.start = { t: performance.now(), server: cpuSeconds(server.pid), loadgen: cpuSeconds(loadgen.pid), machine: machineBusySeconds() };
      if (countStatements) cpu.start.statements = statementsExecuted(server.url);
    });
    loadgen.on('window-end', () => {
      cpu.end = { t: performance.now(), server: cpuSeconds(server.pid), loadgen: cpuSeconds(loadgen.pid), machine: machineBusySeconds(), status: procStatus(server.pid) };
      if (countStatements) cpu.end.statements = statementsExecuted(server.url);
    });
    const result = await loadgen.call(
      { cmd: 'chat', target, sessions, warmupMs: WARMUP * 1000, durationMs: DURATION * 1000, openConcurrency: OPEN_CONCURRENCY, replyTimeoutMs: REPLY_TIMEOUT * 1000 },
      'chat-result',
      WARMUP + DURATION + 2 * REPLY_TIMEOUT + 300,
    );
    const wall = (cpu.end.t - cpu.start.t) / 1000;
    result.serverCpu = (cpu.end.server - cpu.start.server) / wall;
    result.loadgenCpu = (cpu.end.loadgen - cpu.start.loadgen) / wall;
    result.otherCpu = Math.max(0, (cpu.end.machine - cpu.start.machine) / wall - result.serverCpu - result.loadgenCpu);
    result.serverRssKiB = cpu.end.status.rssKiB;
    result.listenOverflows = listenOverflows() - overflowsAtStart;
    if (countStatements) {
      const [before, after] = await Promise.all([cpu.start.statements, cpu.end.statements]);
      // Round trips finishing in the window ran their statements in it, give or take the ones at its edges.
      if (before !== undefined && after !== undefined) result.statementsPerRoundTrip = (after - before) / result.completed;
    }
    console.log(
      `  ${label}: ${fmt(result.perSecond)} round trips/s, p50 ${fmt(result.p50, 2)} ms, p90 ${fmt(result.p90, 2)} ms, p99 ${fmt(result.p99, 2)} ms, max ${fmt(result.max, 1)} ms` +
        ` (${fmt(result.completed)} in ${fmt(result.windowMs / 1000, 1)} s; ${result.alive}/${result.sessions} streams alive; ${result.inFlightAtEnd} unfinished after the drain)`,
    );
    console.log(
      `  ${label}: CPU during the window: server ${fmt(result.serverCpu * 100)} % of a core, load generator ${fmt(result.loadgenCpu * 100)} %, everything else on the machine ${fmt(result.otherCpu * 100)} %; server RSS ${fmt(result.serverRssKiB / 1024, 1)} MiB`,
    );
    if (result.statementsPerRoundTrip !== undefined) {
      console.log(`  ${label}: ${fmt(result.statementsPerRoundTrip, 1)} SQL statements per round trip (switchboard_db_statements_total over the window ÷ round trips)`);
    }
    if (result.errorTotal > 0) console.log(`  ${label}: ERRORS ${result.errorTotal}: ${describeErrors(result.errors)}`);
    if (result.listenOverflows > 0) {
      console.log(
        `  ${label}: ${fmt(result.listenOverflows)} connection attempts dropped on a full accept queue during this phase (TcpExt ListenOverflows; the kernel counter is machine-wide)`,
      );
    }
    const log = serverLog(server);
    if (log) console.log(`  ${label}: server output (last lines):\n${log}`);
    return { ...result, version: server.version };
  } finally {
    await loadgen.stop();
    const exitedEarly = server.exited();
    await server.stop();
    if (exitedEarly) throw new Error(`${label} server died during the chat phase (${exitedEarly.code ?? exitedEarly.signal}):\n${server.output()}`);
  }
}

/** Change of the V8 young generation's committed bytes between two probe readings. */
const youngDelta = (before, after) => (after.spaces?.new_space?.committed ?? 0) - (before.spaces?.new_space?.committed ?? 0);

async function idlePhase(kind, label) {
  const { server, target } = await startTarget(kind);
  const loadgen = startLoadGenerator();
  const overflowsAtStart = listenOverflows();
  try {
    const openTimeout = 120 + IDLE_SESSIONS / 10;
    await loadgen.call({ cmd: 'open', target, count: IDLE_WARMUP_SESSIONS, openConcurrency: OPEN_CONCURRENCY }, 'opened', openTimeout);
    await loadgen.call({ cmd: 'close' }, 'closed', 30);
    // The same idle pause before both readings: V8 shrinks its young generation once allocation stops.
    await sleep(Math.max(2, IDLE_SECONDS) * 1000);
    const before = await server.probe();
    const opened = await loadgen.call({ cmd: 'open', target, count: IDLE_SESSIONS, openConcurrency: OPEN_CONCURRENCY }, 'opened', openTimeout);
    console.log(`  ${label}: ${fmt(opened.count)} idle sessions with open streams in ${fmt(opened.ms / 1000, 1)} s; idling ${IDLE_SECONDS} s`);
    await sleep(IDLE_SECONDS * 1000);
    const preGc = procStatus(server.pid);
    const alive = await loadgen.call({ cmd: 'check' }, 'alive', 30);
    const after = await server.probe();
    await loadgen.call({ cmd: 'close' }, 'closed', 30);
    const n = opened.count;
    const result = {
      sessions: n,
      alive: alive.open,
      errors: alive.errors,
      errorTotal: alive.errorTotal,
      before,
      after,
      preGcRssKiB: preGc.rssKiB,
      rawRssPerSessionKiB: (after.rssKiB - before.rssKiB) / n,
      // The young generation grows and shrinks with the allocation rate, not with the sessions held.
      rssPerSessionKiB: (after.rssKiB - before.rssKiB - youngDelta(before, after) / 1024) / n,
      heapPerSessionKiB: (after.heapUsed - before.heapUsed) / 1024 / n,
      externalPerSessionKiB: (after.external - before.external) / 1024 / n,
      youngBeforeMiB: (before.spaces?.new_space?.committed ?? NaN) / 2 ** 20,
      youngAfterMiB: (after.spaces?.new_space?.committed ?? NaN) / 2 ** 20,
      listenOverflows: listenOverflows() - overflowsAtStart,
    };
    const mib = (kib) => fmt(kib / 1024, 1);
    console.log(
      `  ${label}: RSS ${mib(before.rssKiB)} → ${mib(after.rssKiB)} MiB after GC (${mib(preGc.rssKiB)} MiB before GC), heap used ${mib(before.heapUsed / 1024)} → ${mib(after.heapUsed / 1024)} MiB,` +
        ` fds ${fmt(before.fds)} → ${fmt(after.fds)}; ${alive.open}/${n} streams alive`,
    );
    console.log(
      `  ${label}: per idle session: ${fmt(result.rssPerSessionKiB, 1)} KiB RSS without the young generation (${fmt(result.rawRssPerSessionKiB, 1)} KiB raw VmRSS delta), ` +
        `${fmt(result.heapPerSessionKiB, 1)} KiB heap used, ${fmt(result.externalPerSessionKiB, 2)} KiB external`,
    );
    const spaces = (reading) =>
      Object.entries(reading.spaces ?? {})
        .filter(([, s]) => s.committed > 0)
        .map(([name, s]) => `${name.replace(/_space$/, '')} ${mib(s.committed / 1024)}`)
        .join(', ');
    console.log(`  ${label}: V8 committed MiB before: ${spaces(before)}; after: ${spaces(after)}`);
    if (result.errorTotal > 0) console.log(`  ${label}: ERRORS ${result.errorTotal}: ${describeErrors(result.errors)}`);
    if (result.listenOverflows > 0) console.log(`  ${label}: ${fmt(result.listenOverflows)} connection attempts dropped on a full accept queue (TcpExt ListenOverflows)`);
    if (!after.gc) console.log(`  ${label}: (gc() was not exposed: readings are without a forced GC)`);
    return result;
  } finally {
    await loadgen.stop();
    const exitedEarly = server.exited();
    await server.stop();
    if (exitedEarly) throw new Error(`${label} server died during the idle phase (${exitedEarly.code ?? exitedEarly.signal}):\n${server.output()}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Report

/** The figures the widget round trip is judged by, on one line each, with the load average they were measured under. */
function summary(rows) {
  const base = rows.find((r) => r.kind === 'baseline');
  const sb = rows.find((r) => r.kind === 'switchboard');
  if (!sb) return [];
  const statements = sb.chat.statementsPerRoundTrip === undefined ? 'not counted' : fmt(sb.chat.statementsPerRoundTrip, 1);
  const lines = [
    '',
    `Round trip at ${fmt(sb.chat.sessions)} sessions: ${fmt(sb.chat.perSecond)}/s` +
      (base ? ` = ${ratio(sb.chat.perSecond, base.chat.perSecond)} the baseline's ${fmt(base.chat.perSecond)}/s` : '') +
      `; ${statements} SQL statements per round trip; server CPU ${fmt((sb.chat.serverCpu * 1000) / sb.chat.perSecond, 2)} ms per round trip`,
  ];
  if (sb.few) {
    lines.push(
      `p99 at ${fmt(sb.few.sessions)} sessions: ${fmt(sb.few.p99, 2)} ms` +
        (base?.few ? ` (baseline ${fmt(base.few.p99, 2)} ms)` : '') +
        `; ${fmt(sb.few.perSecond)} round trips/s; ${sb.few.statementsPerRoundTrip === undefined ? 'not counted' : fmt(sb.few.statementsPerRoundTrip, 1)} statements per round trip`,
    );
  }
  lines.push(`Load average at the end: ${os.loadavg().map((l) => fmt(l, 2)).join(' ')}`);
  return lines;
}

function markdown(rows) {
  const header = ['Server', 'Chat sessions', 'Round trips/s', 'p50 ms', 'p99 ms', 'Statements / round trip', 'Errors', 'Idle SSE sessions', 'RSS KiB / idle session', 'Heap KiB / idle session'];
  const lines = rows.map((r) => [
    r.label,
    fmt(r.chat.sessions),
    fmt(r.chat.perSecond),
    fmt(r.chat.p50, 2),
    fmt(r.chat.p99, 2),
    r.chat.statementsPerRoundTrip === undefined ? '' : fmt(r.chat.statementsPerRoundTrip, 1),
    fmt(r.chat.errorTotal + (r.idle?.errorTotal ?? 0) + (r.few?.errorTotal ?? 0)),
    r.idle ? fmt(r.idle.sessions) : '',
    r.idle ? fmt(r.idle.rssPerSessionKiB, 1) : '',
    r.idle ? fmt(r.idle.heapPerSessionKiB, 1) : '',
  ]);
  const base = rows.find((r) => r.kind === 'baseline');
  const sb = rows.find((r) => r.kind === 'switchboard');
  if (base && sb) {
    lines.push([
      'Switchboard ÷ node:http',
      '',
      ratio(sb.chat.perSecond, base.chat.perSecond),
      ratio(sb.chat.p50, base.chat.p50),
      ratio(sb.chat.p99, base.chat.p99),
      '',
      '',
      '',
      sb.idle && base.idle ? ratio(sb.idle.rssPerSessionKiB, base.idle.rssPerSessionKiB) : '',
      sb.idle && base.idle ? ratio(sb.idle.heapPerSessionKiB, base.idle.heapPerSessionKiB) : '',
    ]);
  }
  return markdownTable(header, lines);
}

async function main() {
  const plan = fdPlan();
  childFdLimit = plan.raise;
  const cpus = os.cpus();
  const machine = [
    ...machineFacts(),
    loadAverageFact(),
    `Storage: embedded ${sqliteVersion()} (WAL) in a temp dir`,
    `Open files: ulimit -n ${plan.soft} (hard ${plan.hard})${plan.raise ? `, children started with ulimit -n ${plan.raise}` : ''}`,
  ];
  const method = [
    `Load: one load-generator process (node:http) on the same machine; ${fmt(SESSIONS)} widget sessions, each with its SSE stream open and a keep-alive connection of its own for messages (as a browser keeps), sending one message at a time and waiting for the echo on the stream; ${WARMUP} s warm-up, ${DURATION} s measured`,
    `Latency: send → agent \`message\` event received, hrtime at the load generator; round trips/s count replies received in the measured window`,
    `Memory: a fresh server, ${fmt(IDLE_WARMUP_SESSIONS)} sessions opened and closed, ${Math.max(2, IDLE_SECONDS)} s idle, full GC, reading; ${fmt(IDLE_SESSIONS)} sessions with open idle streams, ${IDLE_SECONDS} s idle, full GC, reading; (after − before) ÷ sessions (RSS from /proc/<pid>/status VmRSS, heap from process.memoryUsage().heapUsed; both servers run with --expose-gc and a SIGUSR2 probe preloaded, bench/memory-probe.cjs)`,
  ];
  console.log('Switchboard web runtime benchmark');
  for (const line of [...machine, ...plan.notes]) console.log(`  ${line}`);

  const rows = [];
  for (const kind of TARGETS) {
    if (kind !== 'baseline' && kind !== 'switchboard') throw new Error(`unknown target "${kind}" in BENCH_TARGETS`);
    const label = kind === 'baseline' ? 'node:http baseline' : 'Switchboard (SQLite)';
    console.log(`\n== ${label} ==`);
    const chat = await chatPhase(kind, label, SESSIONS);
    const few = P99_SESSIONS > 0 ? await chatPhase(kind, `${label}, ${fmt(P99_SESSIONS)} sessions`, P99_SESSIONS) : undefined;
    const idle = MEMORY ? await idlePhase(kind, label) : undefined;
    rows.push({ kind, label: kind === 'switchboard' && chat.version ? `Switchboard ${chat.version} (SQLite)` : label, chat, few, idle });
  }

  console.log('\n== Results (Markdown) ==\n');
  console.log(`${[...machine.slice(0, 4), machine[5]].join(' · ')}.`);
  console.log(`${method.join('. ')}.\n`);
  console.log(markdown(rows));
  for (const line of summary(rows)) console.log(line);
  const cpuLine = rows
    .map((r) => `${r.label}: server ${fmt(r.chat.serverCpu * 100)} %, load generator ${fmt(r.chat.loadgenCpu * 100)} %, other processes ${fmt(r.chat.otherCpu * 100)} % of a core`)
    .join('; ');
  console.log(`\nCPU during the measured chat window (${cpus.length} cores): ${cpuLine}.`);
  if (MEMORY) {
    const young = rows
      .map((r) => `${r.label}: young generation ${fmt(r.idle.youngBeforeMiB, 1)} → ${fmt(r.idle.youngAfterMiB, 1)} MiB, raw ${fmt(r.idle.rawRssPerSessionKiB, 1)} KiB/session`)
      .join('; ');
    console.log(
      `RSS per idle session = (VmRSS after − before − change of the V8 young generation's committed size) ÷ sessions: the young generation grows and shrinks with the recent allocation rate, not with the sessions held (${young}).`,
    );
  }
  console.log(
    'Ratios: Switchboard ÷ baseline (throughput: higher is better; latency and memory: lower is better). ' +
      'The baseline (bench/baseline-sse-server.mjs) speaks the same paths and events with no framework, database or auth.',
  );

  const failures = [];
  for (const r of rows) {
    if (r.chat.errorTotal > 0) failures.push(`${r.label} chat: ${describeErrors(r.chat.errors)}`);
    if (r.chat.completed === 0) failures.push(`${r.label} chat: no round trip completed`);
    if (r.chat.alive < r.chat.sessions) failures.push(`${r.label} chat: ${r.chat.sessions - r.chat.alive} streams died`);
    if (r.few?.errorTotal > 0) failures.push(`${r.label} chat at ${r.few.sessions} sessions: ${describeErrors(r.few.errors)}`);
    if (!r.idle) continue;
    if (r.idle.errorTotal > 0) failures.push(`${r.label} idle: ${describeErrors(r.idle.errors)}`);
    if (r.idle.alive < r.idle.sessions) failures.push(`${r.label} idle: only ${r.idle.alive}/${r.idle.sessions} streams still open at the reading`);
    if (r.idle.sessions < IDLE_SESSIONS) failures.push(`${r.label} idle: only ${r.idle.sessions}/${IDLE_SESSIONS} sessions opened`);
  }
  if (failures.length > 0) {
    for (const f of failures) console.error(`FAILED: ${f}`);
    if (failures.some((f) => /\b429\b/.test(f))) {
      console.error('(429s: the server did not take RUNTIME_RATE_LIMIT_PER_IP / RUNTIME_RATE_LIMIT_PER_TOKEN from the environment)');
    }
    throw new Error(`${failures.length} check(s) failed`);
  }
}

await runBench('bench:runtime', main, { timeoutSeconds: TIMEOUT });

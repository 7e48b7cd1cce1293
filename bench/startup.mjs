// Start-up benchmark: `npm run bench:startup`.
//
// Server: starts `switchboard start` (the bundled CLI, dist/bundle/cli.mjs, as `npm start` and the
// `switchboard` bin run it) on the embedded default, SQLite in a temp
// data dir with DATABASE_URL and REDIS_URL unset, and times it from spawn() to the first 200 on
// GET /health (polled every 5 ms over loopback). Two cases: a first start on an empty data dir
// (migrations, master key, bootstrap) and a restart on that same dir, each stopped with SIGTERM
// once it serves, which must end it with code 0. Memory is read in a last phase:
// BENCH_SETTLE_RUNS servers of each case, started together, each read (VmRSS from /proc) at 5,
// 15, 30 and BENCH_SETTLE seconds after serving with no request; the early readings still hold
// what loading the modules grew, the last is the idle RSS. A bare node:http server
// (bench/baseline-server.mjs) is started and measured the same way in the same run, and the
// figures are printed beside it as ratios, and so is the unbundled build (dist/cli.js, tsc's
// output loaded module by module).
// Runs alternate between the servers so that a burst of load elsewhere on the machine does not
// fall on one of them only.
//
// CLI: times `switchboard --help` and `switchboard channels list` (against a running server,
// with its admin key) from spawn() to exit, beside `node -e 0`.
//
// The targets (issue 12): cold start to serving < 600 ms and idle RSS <= 80 MiB (the settled
// reading); PASS/FAIL is printed for the medians of both cases, but the exit code is 0 either way (a loaded machine
// moves the times): it is a measurement, not a test.
//
// Environment:
//   BENCH_RUNS       starts per case and CLI calls per command (default 7)
//   BENCH_SETTLE     seconds from serving to the idle RSS reading (default 90; at least 30)
//   BENCH_SETTLE_RUNS  servers of each case in the idle phase (default 3, at most BENCH_RUNS)
//   BENCH_TIMEOUT    seconds the whole run may take (default 600)
//   BENCH_SERVER_FLAGS  node flags for the Switchboard server beyond those `npm start` gives it (read from
//                       package.json), e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
//   BENCH_UNBUNDLED     0 leaves out the unbundled dist/cli.js (default 1)
//   BENCH_BEFORE_CLI    the cli.js of another build (e.g. an earlier commit, built in another
//                       directory), measured the same way in the same run as "before"
import http from 'node:http';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CLI,
  START_NODE_FLAGS,
  ROOT,
  cpuPressureFact,
  cpuSeconds,
  fmt,
  freePort,
  loadAverageFact,
  machineFacts,
  markdownTable,
  ms,
  onCleanup,
  percentile,
  positiveInt,
  procStatus,
  ratio,
  runBench,
  sqliteVersion,
} from './lib.mjs';

const RUNS = positiveInt('BENCH_RUNS', 7);
const TIMEOUT_SECONDS = positiveInt('BENCH_TIMEOUT', 600);
const SETTLE_SECONDS = Math.max(30, positiveInt('BENCH_SETTLE', 90));
const SETTLE_POINTS = [5, 15, 30, SETTLE_SECONDS].filter((seconds, i, all) => all.indexOf(seconds) === i);
const SETTLE_RUNS = Math.min(RUNS, positiveInt('BENCH_SETTLE_RUNS', 3));
const SERVER_FLAGS = [...START_NODE_FLAGS, ...(process.env.BENCH_SERVER_FLAGS ?? '').split(/\s+/).filter(Boolean)];
const START_TARGET_MS = 600;
const RSS_TARGET_MIB = 80;
const API_KEY = `sbk_bench_${'s'.repeat(40)}`;
const BASELINE = join(ROOT, 'bench/baseline-server.mjs');
const BEFORE_CLI = process.env.BENCH_BEFORE_CLI || undefined;
const UNBUNDLED_CLI = process.env.BENCH_UNBUNDLED === '0' ? undefined : join(ROOT, 'packages/server/dist/cli.js');
/** The builds measured beside the bundle: each has a first start and a restart case. */
const OTHER_BUILDS = [
  ...(UNBUNDLED_CLI ? [{ key: 'unbundled', label: 'unbundled dist', cli: UNBUNDLED_CLI }] : []),
  ...(BEFORE_CLI ? [{ key: 'before', label: 'before', cli: BEFORE_CLI }] : []),
];

/** The environment of the embedded default: no PostgreSQL, no Redis, JSON logs on a pipe. */
function embeddedEnv(extra) {
  const env = { ...process.env, LOG_FORMAT: 'json', LOG_LEVEL: 'warn', ...extra };
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'SMTP_PORT', 'NODE_OPTIONS']) delete env[name];
  return env;
}

/** Resolves true once GET /health answers 200. */
function healthy(port) {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/health', agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode === 200));
    });
    request.on('error', () => resolve(false));
    request.setTimeout(1_000, () => request.destroy());
  });
}

/**
 * Spawns a server and waits for it to serve. Returns { pid, startMs, startCpuMs, stop }, where
 * stop() sends SIGTERM and throws unless the server then ends with code 0.
 */
async function startMeasured(label, args, env) {
  const port = await freePort();
  let output = '';
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (chunk) => (output = (output + chunk).slice(-4_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exit;
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve((exit = { code, signal }))));
  const unregister = onCleanup(async () => {
    child.kill('SIGKILL');
    await exited;
  });
  const stop = async () => {
    try {
      if (exit) throw new Error(`${label} exited while idle (${exit.code ?? exit.signal}):\n${output}`);
      child.kill('SIGTERM');
      const { code, signal } = await exited;
      if (code !== 0) throw new Error(`${label} ended with ${code ?? signal} on SIGTERM:\n${output}`);
    } finally {
      unregister();
      if (!exit) child.kill('SIGKILL');
    }
  };
  try {
    for (;;) {
      if (exit) throw new Error(`${label} exited before serving (${exit.code ?? exit.signal}):\n${output}`);
      if (await healthy(port)) break;
      if (ms(started) > 30_000) throw new Error(`${label} did not serve within 30 s:\n${output}`);
      await sleep(5);
    }
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
  return { pid: child.pid, startMs: ms(started), startCpuMs: cpuSeconds(child.pid) * 1000, stop };
}

const rssMiB = (pid) => procStatus(pid).rssKiB / 1024;

/** Starts a server and stops it once it serves. Returns { startMs, startCpuMs }. */
async function measureServer(label, args, env) {
  const { startMs, startCpuMs, stop } = await startMeasured(label, args, env);
  await stop();
  return { startMs, startCpuMs };
}

/**
 * Starts a server and reads its RSS at each of SETTLE_POINTS seconds after serving, with no
 * request in between: V8's memory reducer gives back the young generation that loading the
 * modules grew, some seconds after the allocation stops. Returns the readings in MiB.
 */
async function idleCurve(label, args, env) {
  const { pid, stop } = await startMeasured(label, args, env);
  const served = Date.now();
  const readings = [];
  for (const seconds of SETTLE_POINTS) {
    await sleep(Math.max(0, served + seconds * 1000 - Date.now()));
    readings.push(rssMiB(pid));
  }
  await stop();
  return readings;
}

/** Runs a command to its end; returns the wall time in ms. Throws unless it exits 0. */
async function timeCommand(label, args, env) {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr.on('data', (chunk) => (errors += chunk));
  const code = await new Promise((resolve) => child.once('exit', (c) => resolve(c)));
  const took = ms(started);
  if (code !== 0) throw new Error(`${label} exited with ${code}:\n${errors}`);
  return took;
}

const median = (values) => percentile([...values].sort((a, b) => a - b), 50);
const min = (values) => Math.min(...values);

async function main() {
  console.log('Start-up benchmark: switchboard start on the embedded default (SQLite, no Redis) beside a bare node:http server\n');
  for (const fact of [...machineFacts(), sqliteVersion(), loadAverageFact(), cpuPressureFact()].filter(Boolean)) console.log(fact);
  console.log(`Runs per case: ${RUNS}; idle RSS ${SETTLE_SECONDS} s after serving, ${SETTLE_RUNS} servers per case${SERVER_FLAGS.length ? `; server flags: ${SERVER_FLAGS.join(' ')}` : ''}\n`);

  const work = mkdtempSync(join(os.tmpdir(), 'switchboard-startup-'));
  onCleanup(() => rmSync(work, { recursive: true, force: true }));
  const serverArgs = [...SERVER_FLAGS, CLI, 'start'];
  const results = { baseline: [], first: [], restart: [] };
  for (const { key } of OTHER_BUILDS) Object.assign(results, { [`${key}First`]: [], [`${key}Restart`]: [] });
  const cases = Object.keys(results);
  for (let run = 0; run < RUNS; run++) {
    const env = embeddedEnv({ SWITCHBOARD_DATA_DIR: join(work, `data-${run}`), SWITCHBOARD_API_KEY: API_KEY });
    results.baseline.push(await measureServer('baseline', [BASELINE], embeddedEnv({})));
    results.first.push(await measureServer('switchboard (first start)', serverArgs, env));
    results.restart.push(await measureServer('switchboard (restart)', serverArgs, env));
    for (const { key, label, cli } of OTHER_BUILDS) {
      const otherEnv = embeddedEnv({ SWITCHBOARD_DATA_DIR: join(work, `${key}-${run}`), SWITCHBOARD_API_KEY: API_KEY });
      const otherArgs = [...SERVER_FLAGS, cli, 'start'];
      results[`${key}First`].push(await measureServer(`${label} (first start)`, otherArgs, otherEnv));
      results[`${key}Restart`].push(await measureServer(`${label} (restart)`, otherArgs, otherEnv));
    }
    process.stdout.write(`run ${run + 1}/${RUNS}: ${cases.map((k) => `${k} ${fmt(results[k][run].startMs)} ms`).join(', ')}\n`);
  }

  const base = {
    startMs: median(results.baseline.map((r) => r.startMs)),
    startCpuMs: median(results.baseline.map((r) => r.startCpuMs)),
  };
  const row = (name, list, compare) => {
    const start = median(list.map((r) => r.startMs));
    const cpu = median(list.map((r) => r.startCpuMs));
    return [name, fmt(start), fmt(min(list.map((r) => r.startMs))), fmt(cpu), compare ? ratio(start, base.startMs) : '1.00×'];
  };
  console.log(`\nServer: spawn() to the first 200 on GET /health (median and fastest of the runs), and CPU used by then\n`);
  console.log(
    markdownTable(
      ['Server', 'Start ms (median)', 'Start ms (fastest)', 'CPU ms to serving', 'Start vs node:http'],
      [
        row('node:http baseline', results.baseline, false),
        ...OTHER_BUILDS.flatMap(({ key, label }) => [row(`${label}: first start`, results[`${key}First`], true), row(`${label}: restart`, results[`${key}Restart`], true)]),
        row('Switchboard (bundle), first start', results.first, true),
        row('Switchboard (bundle), restart', results.restart, true),
      ],
    ),
  );

  // Memory: SETTLE_RUNS servers of every case started together, read as they idle. A first start
  // gets a new data dir; a restart reuses a data dir of the timed runs, one per server.
  const idleCases = [
    { name: 'node:http baseline', curve: () => idleCurve('baseline', [BASELINE], embeddedEnv({})) },
    ...[...OTHER_BUILDS, { key: 'bundle', label: 'Switchboard (bundle)', cli: CLI }].flatMap(({ key, label, cli }) => {
      const args = [...SERVER_FLAGS, cli, 'start'];
      const dataDir = (first, k) => join(work, first ? `settle-${key}-${k}` : key === 'bundle' ? `data-${k}` : `${key}-${k}`);
      return [true, false].map((first) => ({
        name: `${label}, ${first ? 'first start' : 'restart'}`,
        key: `${key}${first ? 'First' : 'Restart'}`,
        curve: (k) => idleCurve(`${label} (${first ? 'first start' : 'restart'})`, args, embeddedEnv({ SWITCHBOARD_DATA_DIR: dataDir(first, k), SWITCHBOARD_API_KEY: API_KEY })),
      }));
    }),
  ];
  const curves = await Promise.all(idleCases.map(({ curve }) => Promise.all(Array.from({ length: SETTLE_RUNS }, (_, k) => curve(k)))));
  const at = (list, point) => median(list.map((readings) => readings[point]));
  const settled = (list) => at(list, SETTLE_POINTS.length - 1);
  console.log(`\nMemory: RSS MiB after serving with no request (median of ${SETTLE_RUNS} servers per case, started together)\n`);
  console.log(
    markdownTable(
      ['Server', ...SETTLE_POINTS.map((seconds) => `${seconds} s`), `vs node:http at ${SETTLE_SECONDS} s`],
      idleCases.map(({ name }, i) => [name, ...SETTLE_POINTS.map((_, point) => fmt(at(curves[i], point), 1)), ratio(settled(curves[i]), settled(curves[0]))]),
    ),
  );
  const curveOf = (caseKey) => curves[idleCases.findIndex(({ key }) => key === caseKey)];

  // The CLI, against the last data dir's server.
  const dataDir = join(work, 'cli');
  const serverEnv = embeddedEnv({ SWITCHBOARD_DATA_DIR: dataDir, SWITCHBOARD_API_KEY: API_KEY });
  const port = await freePort();
  const server = spawn(process.execPath, [CLI, 'start'], { cwd: ROOT, env: { ...serverEnv, PORT: String(port), HOST: '127.0.0.1' }, stdio: 'ignore' });
  const serverExited = new Promise((resolve) => server.once('exit', resolve));
  onCleanup(async () => {
    server.kill('SIGTERM');
    await serverExited;
  });
  while (!(await healthy(port))) await sleep(20);
  const cliEnv = { ...embeddedEnv({}), SWITCHBOARD_URL: `http://127.0.0.1:${port}`, SWITCHBOARD_API_KEY: API_KEY, XDG_CONFIG_HOME: join(work, 'config') };
  const commands = [
    ['node -e 0 (baseline)', ['-e', '0']],
    ...OTHER_BUILDS.flatMap(({ label, cli }) => [
      [`${label}: switchboard --help`, [cli, '--help']],
      [`${label}: switchboard channels list`, [cli, 'channels', 'list']],
    ]),
    ['switchboard --help', [CLI, '--help']],
    ['switchboard channels list', [CLI, 'channels', 'list']],
  ];
  const times = new Map(commands.map(([name]) => [name, []]));
  for (let run = 0; run < RUNS; run++) for (const [name, args] of commands) times.get(name).push(await timeCommand(name, args, cliEnv));
  const nodeMedian = median(times.get(commands[0][0]));
  console.log('\nCLI: spawn() to exit\n');
  console.log(
    markdownTable(
      ['Command', 'ms (median)', 'ms (fastest)', 'vs node -e 0'],
      commands.map(([name]) => [name, fmt(median(times.get(name))), fmt(min(times.get(name))), ratio(median(times.get(name)), nodeMedian)]),
    ),
  );

  console.log('\nTargets (medians):');
  for (const [name, list, curve] of [
    ['first start', results.first, curveOf('bundleFirst')],
    ['restart', results.restart, curveOf('bundleRestart')],
  ]) {
    const start = median(list.map((r) => r.startMs));
    const rss = settled(curve);
    console.log(`  ${name}: cold start to serving ${fmt(start)} ms < ${START_TARGET_MS} ms: ${start < START_TARGET_MS ? 'PASS' : 'FAIL'}`);
    console.log(`  ${name}: idle RSS (${SETTLE_SECONDS} s after serving) ${fmt(rss, 1)} MiB <= ${RSS_TARGET_MIB} MiB: ${rss <= RSS_TARGET_MIB ? 'PASS' : 'FAIL'}`);
  }
}

await runBench('bench:startup', main, { timeoutSeconds: TIMEOUT_SECONDS });

// API throughput/latency benchmark: `npm run bench:api`.
//
// For each storage engine (embedded SQLite, PostgreSQL) it seeds 100,000 web deployment
// channels, starts the real CLI server (`switchboard start`) in a child process and loads it
// with autocannon from this process, next to a bare node:http baseline on the same machine and
// the stack's ceiling (bench/ceiling-server.mjs: a minimal Fastify server doing each scenario's work).
//
// Environment:
//   BENCH_DURATION      seconds per measured scenario (default 10)
//   BENCH_WARMUP        seconds of discarded warm-up load before each scenario (default 2)
//   BENCH_CONNECTIONS   concurrent connections (default 50)
//   BENCH_CHANNELS      rows to seed (default 100000)
//   BENCH_ENGINES       comma list: sqlite,postgres (default both)
//   BENCH_SCENARIOS     comma list: get,getByIdentifier,list (default all three)
//   BENCH_ROUNDS        rounds per engine (default 3); each round measures node:http, then each scenario on
//                       Switchboard and at once on the ceiling. The table gives each figure's median over
//                       the rounds (ratios are taken within a round first) and the range of the ratios.
//   BENCH_SERVER_NODE_ARGS  node flags for the Switchboard server child beyond those it is run with (SQLite: `npm start`'s;
//                       PostgreSQL: the container image's), space-separated
//                       (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile it)
//   BENCH_CEILING_NODE_ARGS  node flags for the Fastify ceiling server, the same way, to compare their profiles
//   BENCH_BEFORE_CLI    the cli.mjs (or cli.js) of another build, e.g. an earlier commit built in another
//                       directory: started beside this one on the same data and loaded in every round, the
//                       two swapping places each round; a table of this build ÷ that one follows the results
//   BENCH_POSTGRES_URL  server to create the scratch database on
//                       (default postgres://postgres@127.0.0.1:5432/test)
//   BENCH_POSTGRES_REDIS_URL  REDIS_URL of the PostgreSQL server (default redis://127.0.0.1:6379;
//                       empty: none). Several nodes on one PostgreSQL run with Redis (the server
//                       warns without it), and only then may a node keep a looked-up API key for
//                       a moment (http/credential-cache.ts), so the default benchmarks PostgreSQL
//                       as it is deployed. Keys go under a prefix of this run's own.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { bootstrapWorkspace, loadMasterKey, openDatabase, SecretBox } from '../packages/server/dist/index.js';
import { BATCH_ROWS, engineVersion, explain, pick, prepareSqlite, preparePostgres, sample, seed } from './api-data.mjs';
import {
  CLI,
  cpuSeconds,
  IMAGE_NODE_FLAGS,
  START_NODE_FLAGS,
  ROOT,
  fmt,
  machineFacts,
  markdownTable,
  ms,
  nonNegativeInt,
  percentile,
  positiveInt,
  ratio,
  runBench,
  startServerChild,
  median,
} from './lib.mjs';

const BASELINE = join(ROOT, 'bench/baseline-server.mjs');
const CEILING = join(ROOT, 'bench/ceiling-server.mjs');

const DURATION = positiveInt('BENCH_DURATION', 10);
const WARMUP = nonNegativeInt('BENCH_WARMUP', 2);
const CONNECTIONS = positiveInt('BENCH_CONNECTIONS', 50);
const CHANNELS = positiveInt('BENCH_CHANNELS', 100_000);
const ENGINES = (process.env.BENCH_ENGINES ?? 'sqlite,postgres').split(',').map((e) => e.trim()).filter(Boolean);
const ROUNDS = positiveInt('BENCH_ROUNDS', 3);
const SCENARIOS = (process.env.BENCH_SCENARIOS ?? 'get,getByIdentifier,list').split(',').map((e) => e.trim()).filter(Boolean);
const SERVER_NODE_ARGS = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
// Resolved here: the servers run with the repository as their working directory.
const BEFORE_CLI = process.env.BENCH_BEFORE_CLI ? resolve(process.env.BENCH_BEFORE_CLI) : undefined;
if (BEFORE_CLI && !existsSync(BEFORE_CLI)) throw new Error(`BENCH_BEFORE_CLI names ${BEFORE_CLI}, which does not exist`);
const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const POSTGRES_REDIS_URL = process.env.BENCH_POSTGRES_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PIPELINING = 1;
const SAMPLE_SIZE = 10_000; // random seeded rows the get/getByIdentifier scenarios rotate over
const LIST_PAGES = Math.max(1, Math.min(100, Math.floor(CHANNELS / 20)));
const PAGE_SIZE = 20;

/**
 * One autocannon run (after a discarded warm-up). autocannon's own latency histogram has a
 * 1 ms resolution, which rounds the baseline's p50 to 0, so every response time is also
 * recorded here at full (hrtime) precision and the percentiles are taken from those.
 */
/** Loads `url` for DURATION s; `pid` is the server process, whose CPU time per request is reported too. */
async function load(url, { headers = {}, setupRequest, label, pid }) {
  const requests = [{ method: 'GET', path: '/', ...(setupRequest && { setupRequest }) }];
  const options = { url, connections: CONNECTIONS, pipelining: PIPELINING, headers, requests };
  if (WARMUP > 0) await autocannon({ ...options, duration: WARMUP });
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  const cpuBefore = cpuSeconds(pid);
  const tracker = autocannon({ ...options, duration: DURATION });
  tracker.on('response', (_client, statusCode, _bytes, responseTime) => {
    if (statusCode < 200 || statusCode > 299) return; // as autocannon: latency of 2xx only
    if (count === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[count++] = responseTime;
  });
  const result = await tracker;
  const cpuUs = result.requests.total > 0 ? ((cpuSeconds(pid) - cpuBefore) * 1e6) / result.requests.total : 0;
  const sorted = latencies.subarray(0, count).sort();
  const out = {
    label,
    rps: result.requests.average,
    total: result.requests.total,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    autocannonP50: result.latency.p50,
    autocannonP99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    bytesPerResponse: result.requests.total > 0 ? result.throughput.total / result.requests.total : 0,
    cpuUs,
  };
  const problems = out.non2xx + out.errors + out.timeouts;
  console.log(
    `  ${label.padEnd(24)} ${fmt(out.rps).padStart(7)} req/s  p50 ${fmt(out.p50, 2).padStart(7)} ms  p99 ${fmt(out.p99, 2).padStart(8)} ms  ${fmt(cpuUs).padStart(5)} µs CPU/request` +
      `  (${fmt(out.total)} requests, ~${fmt(out.bytesPerResponse)} B/response${problems ? `, non2xx=${out.non2xx} errors=${out.errors} timeouts=${out.timeouts}` : ''})`,
  );
  return out;
}

// ---------------------------------------------------------------------------------------------
// Engines

/** Each engine runs as it is deployed: SQLite as `npm start` runs it, PostgreSQL as the image does. */
const nodeFlagsFor = (engine) => (engine === 'postgres' ? IMAGE_NODE_FLAGS : START_NODE_FLAGS);

async function benchEngine(engine, measureBaseline) {
  console.log(`\n== ${engine} ==`);
  const target = engine === 'sqlite' ? await prepareSqlite() : await preparePostgres(POSTGRES_URL, POSTGRES_REDIS_URL);
  const database = await openDatabase({ databaseUrl: target.databaseUrl, dataDir: target.dataDir });
  let ids, identifiers, apiKey, workspaceId, version, seedMs;
  try {
    version = await engineVersion(database.db, engine);
    // The key file the server started below reads too: keys are stored by a hash under it.
    const box = new SecretBox(loadMasterKey({ dataDir: target.dataDir }, { logger: { warn: () => undefined } }).key);
    const bootstrap = await bootstrapWorkspace(database.db, box);
    if (!bootstrap.generatedAdminKey) throw new Error('expected a fresh database with a generated admin key');
    apiKey = bootstrap.generatedAdminKey;
    workspaceId = bootstrap.workspace.id;

    const started = process.hrtime.bigint();
    ({ ids, identifiers } = await seed(database.db, workspaceId, CHANNELS));
    seedMs = ms(started);
    console.log(`  ${version} at ${target.location}`);
    console.log(`  seeded ${fmt(CHANNELS)} channels in ${fmt(seedMs / 1000, 2)} s (${fmt(CHANNELS / (seedMs / 1000))} rows/s, ${BATCH_ROWS} rows per insert, one transaction)`);
    if (engine === 'postgres') {
      // What autovacuum does shortly after a bulk load (statistics + visibility map).
      await sql`vacuum analyze deployment_channels`.execute(database.db);
    }
    console.log('  query plans (after seeding):');
    await explain(database.db, engine, { workspaceId, id: pick(ids), identifier: pick(identifiers), positionId: ids[(LIST_PAGES - 1) * PAGE_SIZE - 1], listPages: LIST_PAGES, pageSize: PAGE_SIZE });
  } finally {
    await database.close();
  }

  const nodeFlags = nodeFlagsFor(engine);
  const extra = SERVER_NODE_ARGS.length ? `, plus BENCH_SERVER_NODE_ARGS ${SERVER_NODE_ARGS.join(' ')}` : '';
  console.log(`  server: ${engine === 'postgres' ? "the container image's" : "npm start's"} node flags (${nodeFlags.join(' ') || 'none'})${extra}`);
  const startSwitchboard = (label, cli) =>
    startServerChild(label, [...nodeFlags, ...SERVER_NODE_ARGS, cli, 'start'], {
      LOG_LEVEL: 'warn',
      DATABASE_URL: target.databaseUrl,
      SWITCHBOARD_DATA_DIR: target.dataDir,
      SWITCHBOARD_API_KEY: '',
      ...target.serverEnv,
    });
  const server = await startSwitchboard(`switchboard (${engine})`, CLI);
  const before = BEFORE_CLI && (await startSwitchboard(`before (${engine})`, BEFORE_CLI).catch(async (error) => {
    await server.stop();
    throw error;
  }));
  if (engine === 'postgres') console.log(`  server: ${target.serverEnv.REDIS_URL ? `with Redis at ${target.serverEnv.REDIS_URL}` : 'without Redis (every request looks up its API key)'}`);
  const headers = { authorization: `Bearer ${apiKey}` };
  try {
    const sampleIds = sample(ids, SAMPLE_SIZE);
    const sampleIdentifiers = sample(identifiers, SAMPLE_SIZE);
    const allScenarios = {
      get: (req) => ({ ...req, path: `/v1/deployment-channels/${pick(sampleIds)}` }),
      getByIdentifier: (req) => ({ ...req, path: `/v1/deployment-channels/by-identifier/${encodeURIComponent(pick(sampleIdentifiers))}?type=web` }),
      list: (req) => ({ ...req, path: `/v1/deployment-channels?page=${1 + Math.floor(Math.random() * LIST_PAGES)}&pageSize=${PAGE_SIZE}` }),
    };
    for (const name of SCENARIOS) if (!(name in allScenarios)) throw new Error(`unknown scenario "${name}" in BENCH_SCENARIOS`);
    const scenarios = Object.fromEntries(Object.entries(allScenarios).filter(([name]) => SCENARIOS.includes(name)));

    // Correctness check before loading: every scenario answers 200 with the expected data.
    const n = Math.floor(Math.random() * CHANNELS);
    const checks = {
      get: [`/v1/deployment-channels/${ids[n]}`, (d) => d.data?.id === ids[n]],
      getByIdentifier: [`/v1/deployment-channels/by-identifier/${encodeURIComponent(identifiers[n])}?type=web`, (d) => d.data?.id === ids[n]],
      list: [`/v1/deployment-channels?page=${LIST_PAGES}&pageSize=${PAGE_SIZE}`, (d) => d.data?.data?.length === Math.min(PAGE_SIZE, CHANNELS) && d.data.data[0].id === ids[(LIST_PAGES - 1) * PAGE_SIZE] && d.data.meta?.totalCount === CHANNELS],
    };
    await checkAnswers(server.url, headers, Object.values(checks), 'Switchboard');
    if (before) await checkAnswers(before.url, headers, Object.values(checks), `the build before (${BEFORE_CLI})`);

    // Each scenario is loaded on Switchboard (and the build before, if any) and then on the ceiling, all
    // servers up, so that the ratios between them compare runs seconds apart on a machine whose speed drifts.
    const ceiling = await startCeiling(engine, target);
    try {
      await checkAnswers(ceiling.url, headers, Object.keys(scenarios).map((name) => checks[name]), 'Fastify ceiling');
      const rounds = [];
      for (let round = 1; round <= ROUNDS; round++) {
        if (ROUNDS > 1) console.log(`  round ${round} of ${ROUNDS}`);
        const baseline = await measureBaseline(engine);
        const measured = { baseline, scenarios: {} };
        for (const [scenario, setupRequest] of Object.entries(scenarios)) {
          const loadOn = (child, suffix) => load(child.url, { headers, setupRequest, label: `${engine} ${scenario}${suffix}`, pid: child.pid });
          // Of two loads in a row, either can come out a few per cent ahead: the build before goes first every other round.
          const earlier = before && round % 2 === 0 ? await loadOn(before, ' before') : undefined;
          const switchboard = await loadOn(server, '');
          const previous = before && (earlier ?? (await loadOn(before, ' before')));
          const atCeiling = await loadOn(ceiling, ' ceiling');
          measured.scenarios[scenario] = { switchboard, ceiling: atCeiling, ...(previous && { before: previous }) };
        }
        rounds.push(measured);
      }
      const baseline = { engine, ...medianOf(rounds.map((r) => r.baseline)) };
      const results = [];
      const ceilings = [];
      const befores = [];
      for (const scenario of Object.keys(scenarios)) {
        const runs = rounds.map((r) => ({ baseline: r.baseline, ...r.scenarios[scenario] }));
        const now = medianOf(runs.map((r) => r.switchboard));
        results.push({ engine, scenario, ...now, toBaseline: ratios(runs, (r) => r.switchboard.rps / r.baseline.rps), toCeiling: ratios(runs, (r) => r.switchboard.rps / r.ceiling.rps) });
        ceilings.push({ engine, scenario, ...medianOf(runs.map((r) => r.ceiling)), toBaseline: ratios(runs, (r) => r.ceiling.rps / r.baseline.rps) });
        if (before) {
          befores.push({
            engine,
            scenario,
            now,
            before: medianOf(runs.map((r) => r.before)),
            rpsRatio: ratios(runs, (r) => r.switchboard.rps / r.before.rps),
            cpuRatio: ratios(runs, (r) => r.switchboard.cpuUs / r.before.cpuUs),
          });
        }
      }
      return { version, results, ceilings, befores, seedMs, baseline };
    } finally {
      await ceiling.stop();
    }
  } finally {
    await server.stop();
    await before?.stop();
  }
}

/** GETs each [path, ok(body)] and throws unless it answers 200 with what ok expects. */
async function checkAnswers(url, headers, checks, who) {
  for (const [path, ok] of checks) {
    const response = await fetch(url + path, { headers });
    const body = await response.json();
    if (response.status !== 200 || !ok(body)) {
      throw new Error(`${who} sanity check failed for GET ${path}: ${response.status} ${JSON.stringify(body).slice(0, 300)}`);
    }
  }
}

/** The minimal Fastify server (bench/ceiling-server.mjs) on the same database. */
function startCeiling(engine, target) {
  const nodeArgs = (process.env.BENCH_CEILING_NODE_ARGS ?? '').split(' ').filter(Boolean);
  return startServerChild(`Fastify ceiling (${engine})`, [...nodeArgs, CEILING], { DATABASE_URL: target.databaseUrl, SWITCHBOARD_DATA_DIR: target.dataDir });
}

// ---------------------------------------------------------------------------------------------
// Report

const MEDIAN_FIGURES = ['rps', 'p50', 'p99', 'cpuUs'];

/** One load's shape with each figure the median over the rounds (failures summed, so none hides). */
function medianOf(loads) {
  const out = { ...loads[0], rounds: loads };
  for (const key of MEDIAN_FIGURES) out[key] = median(loads.map((l) => l[key]));
  for (const key of ['non2xx', 'errors', 'timeouts']) out[key] = loads.reduce((sum, l) => sum + l[key], 0);
  return out;
}

/** A ratio taken within each round: its median and every round's value. */
const ratios = (runs, of) => ({ median: median(runs.map(of)), each: runs.map(of) });

const shown = (r) => `${ratio(r.median, 1)}${r.each.length > 1 ? ` (${r.each.map((v) => ratio(v, 1)).join(', ')})` : ''}`;

function beforeMarkdown(befores) {
  const header = ['Engine', 'Scenario', 'Requests/s (this / before)', 'Requests/s ÷ before', 'CPU µs/request (this / before)', 'CPU ÷ before'];
  const row = (b) => [b.engine, b.scenario, `${fmt(b.now.rps)} / ${fmt(b.before.rps)}`, shown(b.rpsRatio), `${fmt(b.now.cpuUs)} / ${fmt(b.before.cpuUs)}`, shown(b.cpuRatio)];
  return markdownTable(header, befores.map(row), 2);
}

function markdown(rows, baselines, ceilings) {
  const header = ['Engine', 'Scenario', 'Requests/s', 'p50 ms', 'p99 ms', 'Throughput vs node:http', 'vs Fastify ceiling', 'p99 each round ms', 'Server CPU µs/request'];
  const row = (r, toCeiling) => [r.engine, r.scenario, fmt(r.rps), fmt(r.p50, 2), fmt(r.p99, 2), shown(r.toBaseline), toCeiling, r.rounds.map((l) => fmt(l.p99, 1)).join(', '), fmt(r.cpuUs)];
  return markdownTable(
    header,
    [
      ...baselines.map((b) => row({ ...b, scenario: `hello world (${b.engine} rounds)`, toBaseline: { median: 1, each: [] } }, '')),
      ...ceilings.map((c) => row({ ...c, scenario: `${c.scenario} (Fastify ceiling)` }, '1.00×')),
      ...rows.map((r) => row(r, shown(r.toCeiling))),
    ],
    2,
  );
}

async function main() {
  const machine = [
    ...machineFacts(),
    `Load: autocannon, ${CONNECTIONS} connections, pipelining ${PIPELINING}, ${DURATION} s per scenario after ${WARMUP} s warm-up, same machine as the server, ${ROUNDS} round${ROUNDS > 1 ? 's' : ''} per engine`,
    `Data: ${fmt(CHANNELS)} web deployment channels in one workspace; get/getByIdentifier pick a random one of ${fmt(Math.min(SAMPLE_SIZE, CHANNELS))} seeded rows per request; list picks page 1-${LIST_PAGES} of ${PAGE_SIZE}`,
  ];
  console.log('Switchboard API benchmark');
  for (const line of machine) console.log(`  ${line}`);

  // The baseline is measured at the start of every round, so that each ratio compares loads a
  // minute apart at most on a machine whose speed drifts.
  const baselineServer = await startServerChild('node:http baseline', [BASELINE], {});
  const measureBaseline = async (engine) => ({
    engine,
    ...(await load(baselineServer.url, { label: `node:http hello world (${engine} round)`, headers: { authorization: 'Bearer x' }, pid: baselineServer.pid })),
  });

  const rows = [];
  const ceilings = [];
  const baselines = [];
  const befores = [];
  const versions = [];
  const seeding = [];
  try {
    for (const engine of ENGINES) {
      if (engine !== 'sqlite' && engine !== 'postgres') throw new Error(`unknown engine "${engine}" in BENCH_ENGINES`);
      const { version, results, ceilings: engineCeilings, befores: engineBefores, seedMs, baseline } = await benchEngine(engine, measureBaseline);
      befores.push(...engineBefores);
      versions.push(version);
      seeding.push(`${engine} ${fmt(seedMs / 1000, 2)} s`);
      rows.push(...results);
      ceilings.push(...engineCeilings);
      baselines.push(baseline);
    }
  } finally {
    await baselineServer.stop();
  }

  const failures = [...baselines, ...ceilings, ...rows, ...befores.map((b) => b.before)].filter((r) => r.non2xx + r.errors + r.timeouts > 0);
  console.log('\n== Results (Markdown) ==\n');
  console.log(`${machine.slice(0, 4).join(' · ')} · ${versions.join(' · ')}`);
  const flags = (list) => (list.length ? list.join(' ') : 'no node flags');
  const redisFact = ENGINES.includes('postgres') ? ` PostgreSQL server ${POSTGRES_REDIS_URL ? 'with Redis (REDIS_URL), as several nodes run' : 'without Redis'}.` : '';
  const flagsFact = ` Server run with ${ENGINES.map((engine) => `${engine}: ${flags(nodeFlagsFor(engine))}`).join(', ')} (npm start's for SQLite, the container image's for PostgreSQL).`;
  console.log(`${machine[4]}. ${machine[5]}.${redisFact}${flagsFact}\n`);
  console.log(markdown(rows, baselines, ceilings));
  if (BEFORE_CLI) {
    console.log(`\nAgainst the build before (BENCH_BEFORE_CLI=${BEFORE_CLI}), on the same data in the same rounds, the two loaded one after the other in alternating order; each ratio is taken within a round, its median first and every round's value in brackets:\n`);
    console.log(beforeMarkdown(befores));
  }
  console.log(`\nSeeding ${fmt(CHANNELS)} channels (${BATCH_ROWS} rows per insert, one transaction, through the counter triggers): ${seeding.join(' · ')}.`);
  console.log('\nRatios: throughput = scenario req/s ÷ the req/s of the node:http baseline measured at the start of the same round (and ÷ the same scenario on the Fastify ceiling, loaded after it in the same round: bench/ceiling-server.mjs answering it with prepared statements and nothing else); each ratio is taken within a round, the median over the rounds is shown first and every round\'s value in brackets. Requests/s, p50, p99 and CPU are medians over the rounds. Latencies are per-response hrtime measurements at the load generator (2xx only). Server CPU = the server process user + system CPU time during the measured load ÷ requests answered: less sensitive than throughput to what else the machine runs.');
  if (failures.length > 0) {
    for (const f of failures) console.error(`FAILED: ${f.label}: non2xx=${f.non2xx} errors=${f.errors} timeouts=${f.timeouts}`);
    throw new Error(`${failures.length} scenario(s) had non-2xx responses, errors or timeouts`);
  }
}

await runBench('bench:api', main);

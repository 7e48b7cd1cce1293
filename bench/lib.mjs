// Shared pieces of the benchmarks (bench/api.mjs, bench/runtime.mjs, bench/webhooks.mjs):
// environment knobs, a cleanup registry that also runs on Ctrl-C, free ports, server children
// started and awaited on GET /health, machine facts, /proc readings, percentiles, formatting,
// the control-plane API and the run/report/cleanup frame around a benchmark's main().
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI = join(ROOT, 'packages/server/dist/bundle/cli.mjs');

/** The node flags of a command `node [flags] …/cli.mjs start`, or an error naming where it came from. */
function nodeFlagsOf(command, source) {
  const script = command.findIndex((word) => word.endsWith('cli.mjs'));
  if (command[0] !== 'node' || script < 0) throw new Error(`${source} does not run node [flags] …/cli.mjs: ${command.join(' ')}`);
  return command.slice(1, script);
}

/**
 * The node flags `npm start` runs the server with (the bin uses the same), so the benchmarks
 * measure the embedded default as it is run. Read from package.json's start script.
 */
export const START_NODE_FLAGS = (() => {
  const start = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.start;
  return nodeFlagsOf(start.split('&&').pop().trim().split(/\s+/), "package.json's start script");
})();

/** The node flags of the container image's CMD, which is how the server runs on PostgreSQL. */
export const IMAGE_NODE_FLAGS = (() => {
  const cmd = /^CMD (\[.*\])$/m.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
  if (!cmd) throw new Error('the Dockerfile has no CMD ["node", …] line');
  return nodeFlagsOf(JSON.parse(cmd[1]), "the Dockerfile's CMD");
})();

// ---------------------------------------------------------------------------------------------
// Environment

export function positiveInt(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive whole number, got "${raw}"`);
  return n;
}

export function nonNegativeInt(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number >= 0, got "${raw}"`);
  return n;
}

// ---------------------------------------------------------------------------------------------
// Cleanup registry: children, temp dirs and scratch databases go away even on error, timeout or Ctrl-C.

const cleanups = [];
let cleaning;

/** Registers `fn` to run at cleanup (last registered, first run); returns a function that unregisters it. */
export function onCleanup(fn) {
  cleanups.push(fn);
  return () => {
    const i = cleanups.indexOf(fn);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

export async function cleanupAll() {
  cleaning ??= (async () => {
    while (cleanups.length > 0) {
      const fn = cleanups.pop();
      try {
        await fn();
      } catch (error) {
        console.error(`cleanup failed: ${error?.message ?? error}`);
      }
    }
  })();
  return cleaning;
}

let signalsHandled = false;
/**
 * SIGINT / SIGTERM: clean up, then exit 130. A closed stdout (`… | head`) cleans up and exits 1
 * too, instead of crashing on EPIPE and leaving the server children running.
 */
export function cleanupOnSignals() {
  if (signalsHandled) return;
  signalsHandled = true;
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      console.error(`\n${signal} received, cleaning up`);
      cleanupAll().finally(() => process.exit(130));
    });
  }
  process.stdout.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error;
    cleanupAll().finally(() => process.exit(1));
  });
}

/**
 * Runs a benchmark's main(): prints the total time, or `<name> failed: …` and exit code 1;
 * cleans up in every case. With `timeoutSeconds`, gives up (cleaning up) after that long.
 */
export async function runBench(name, main, { timeoutSeconds, timeoutEnv = 'BENCH_TIMEOUT' } = {}) {
  cleanupOnSignals();
  const started = process.hrtime.bigint();
  const watchdog =
    timeoutSeconds === undefined
      ? undefined
      : setTimeout(() => {
          console.error(`\n${name}: still running after ${timeoutEnv}=${timeoutSeconds} s, giving up`);
          cleanupAll().finally(() => process.exit(1));
        }, timeoutSeconds * 1000);
  try {
    await main();
    console.log(`\nTotal benchmark time: ${fmt(ms(started) / 1000, 1)} s`);
  } catch (error) {
    console.error(`\n${name} failed: ${error?.stack ?? error}`);
    process.exitCode = 1;
  } finally {
    clearTimeout(watchdog);
    await cleanupAll();
  }
}

// ---------------------------------------------------------------------------------------------
// Numbers

/** Milliseconds since a `process.hrtime.bigint()` reading. */
export const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;

/** en-US grouping with a fixed number of decimals; 'n/a' for NaN and infinities. */
export const fmt = (n, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a';

/** Percentile of an ascending-sorted array (nearest rank). */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** `value ÷ base` as `0.15×`, `8.19×`, `18.6×`, `120×`, with enough digits for small ratios. */
export function ratio(value, base) {
  if (!base || !Number.isFinite(value) || !Number.isFinite(base)) return 'n/a';
  const r = value / base;
  const digits = r >= 100 ? 0 : r >= 10 ? 1 : r >= 0.1 ? 2 : Math.min(6, 1 - Math.floor(Math.log10(r)));
  return `${fmt(r, digits)}×`;
}

// ---------------------------------------------------------------------------------------------
// Machine

/** CPUs, memory, OS and Node, one line each. */
export function machineFacts() {
  const cpus = os.cpus();
  return [
    `CPUs: ${cpus.length} × ${cpus[0]?.model?.trim() ?? 'unknown'}`,
    `Memory: ${fmt(os.totalmem() / 2 ** 30, 1)} GiB`,
    `OS: ${os.type()} ${os.release()} ${os.arch()}`,
    `Node: ${process.version}`,
  ];
}

export const loadAverageFact = () => `Load average at start: ${os.loadavg().map((l) => fmt(l, 2)).join(' ')}`;

/** The embedded SQLite's version, as the server's better-sqlite3 reports it. */
export function sqliteVersion() {
  try {
    const Database = requireFromServer('better-sqlite3');
    const db = new Database(':memory:');
    const { v } = db.prepare('select sqlite_version() as v').get();
    db.close();
    return `SQLite ${v}`;
  } catch {
    return 'SQLite (version unknown)';
  }
}

/** `require` resolving from packages/server (for better-sqlite3 and other server dependencies). */
export const requireFromServer = createRequire(join(ROOT, 'packages/server/package.json'));

export function ulimit(flag) {
  const text = execFileSync('bash', ['-c', `ulimit ${flag}`], { encoding: 'utf8' }).trim();
  return text === 'unlimited' ? Infinity : Number(text);
}

let clockTicks = 100;
try {
  clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  // keep 100
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks; // utime, stime (fields 14, 15)
}

/** Machine-wide CPU seconds spent busy (all cores), to tell load from other processes apart. */
export function machineBusySeconds() {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = ticks;
  return (user + nice + system + irq + softirq + steal) / clockTicks;
}

export function procStatus(pid) {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { rssKiB: kib('VmRSS'), hwmKiB: kib('VmHWM') };
}

/** TcpExt ListenOverflows (this network namespace): connections dropped because an accept queue was full. */
export function listenOverflows() {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n').filter((l) => l.startsWith('TcpExt:'));
    const names = lines[0].split(/\s+/);
    const values = lines[1].split(/\s+/);
    return Number(values[names.indexOf('ListenOverflows')]);
  } catch {
    return NaN;
  }
}

export const fdCount = (pid) => readdirSync(`/proc/${pid}/fd`).length;

/** Seconds a process's main thread has spent on a CPU and waiting for one (runnable, not running), from /proc/<pid>/schedstat. */
export function schedSeconds(pid) {
  try {
    const [onCpu, waiting] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(/\s+/).map(Number);
    return { onCpu: onCpu / 1e9, waiting: waiting / 1e9 };
  } catch {
    return { onCpu: NaN, waiting: NaN };
  }
}

/** /proc/pressure/cpu "some" avg60: % of the last minute in which a runnable task waited for a CPU. */
export function cpuPressureFact() {
  try {
    const some = /^some avg10=([\d.]+) avg60=([\d.]+)/m.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    return some ? `CPU pressure at start: runnable tasks waited for a CPU ${some[2]} % of the last minute (/proc/pressure/cpu some avg60)` : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Children

export async function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * Spawns a node server child on a free port (PORT, HOST=127.0.0.1), waits for GET /health to
 * answer 200 and returns { url, port, pid, version, output(), exited(), stop() }. The child is
 * stopped (SIGTERM, then SIGKILL after `stopTimeoutMs`) at cleanup if not before.
 *
 * - `command(nodeArgs)` → [command, args]: how to start it (default: this node binary).
 * - `onStderrLine(line)`: stderr is read line by line and a line the callback returns true for is
 *   not kept in `output()` (default: stderr is kept as it comes).
 */
export async function startServerChild(label, nodeArgs, env, { command, onStderrLine, stopTimeoutMs = 5_000, healthTimeoutMs = 30_000 } = {}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const [file, args] = command ? command(nodeArgs) : [process.execPath, nodeArgs];
  const child = spawn(file, args, {
    cwd: ROOT,
    // The benchmarks' fake providers listen on 127.0.0.1, and nothing else may be connected to.
    env: { ...process.env, SWITCHBOARD_EGRESS_ALLOW: '127.0.0.1', SWITCHBOARD_EGRESS_ONLY_ALLOWED: 'true', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk.toString()).slice(-8_000);
  };
  child.stdout.on('data', keep);
  if (onStderrLine) {
    let lineBuffer = '';
    child.stderr.on('data', (chunk) => {
      lineBuffer += chunk.toString();
      let end;
      while ((end = lineBuffer.indexOf('\n')) >= 0) {
        const line = lineBuffer.slice(0, end);
        lineBuffer = lineBuffer.slice(end + 1);
        if (!onStderrLine(line) && line.trim() !== '') keep(line + '\n');
      }
    });
  } else {
    child.stderr.on('data', keep);
  }
  let exited = null;
  const exit = new Promise((resolveExit) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolveExit();
    });
  });
  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
    await exit;
    clearTimeout(timer);
  };
  const unregister = onCleanup(stop);

  const deadline = Date.now() + healthTimeoutMs;
  let version;
  for (;;) {
    if (exited) throw new Error(`${label} exited early (${exited.code ?? exited.signal}):\n${output}`);
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) });
      const text = await response.text();
      if (response.status === 200) {
        try {
          version = JSON.parse(text).version;
        } catch {
          // not JSON: no version
        }
        break;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${label} did not answer GET /health within ${healthTimeoutMs / 1000} s:\n${output}`);
    }
    await sleep(100);
  }
  return {
    url,
    port,
    pid: child.pid,
    child,
    version,
    output: () => output,
    exited: () => exited,
    async stop() {
      unregister();
      await stop();
      if (exited && exited.code !== 0 && exited.signal === null) {
        throw new Error(`${label} exited with code ${exited.code} on SIGTERM:\n${output}`);
      }
    },
  };
}

/** The last non-empty lines a server child printed, minus its start-up banner, indented for a report. */
export function serverLog(server, lines = 15) {
  const log = server
    .output()
    .split('\n')
    .filter((line) => line.trim() !== '' && !/listening on|^API reference/.test(line))
    .slice(-lines);
  return log.map((l) => `    | ${l.slice(0, 400)}`).join('\n');
}

// ---------------------------------------------------------------------------------------------
// Control-plane API

/** `(method, path, body?) → { status, body, text }` against a server with a Bearer API key. */
export function controlApi(baseUrl, apiKey) {
  return async (method, path, body) => {
    const response = await fetch(baseUrl + path, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: response.status, body: parsed, text };
  };
}

/**
 * What a Twilio SMS number needs, through the control API: the Auth Token as a secret, a twilio
 * connection whose apiBaseUrl is the fake, a phone configuration, an sms channel, an echo agent
 * and an active deployment. Throws naming the step that failed.
 */
export async function setUpTwilioSmsNumber(api, { authToken, accountSid, fakeUrl, phoneNumber }) {
  const created = async (what, method, path, body) => {
    const answer = await api(method, path, body);
    if (answer.status !== 201 || !answer.body?.data?.id) throw new Error(`${what}: ${method} ${path} answered ${answer.status}: ${answer.text.slice(0, 400)}`);
    return answer.body.data;
  };
  const secret = await created('secret', 'POST', '/v1/secrets', { name: 'twilio-auth-token', value: authToken });
  const connection = await created('connection', 'POST', '/v1/connections', {
    provider: 'twilio',
    name: 'Twilio (bench)',
    settings: { accountSid },
    credentials: { authToken: secret.id },
    apiBaseUrl: fakeUrl,
  });
  const phone = await created('phone configuration', 'POST', '/v1/phone-configurations', { phoneNumber, provider: 'twilio', connectionId: connection.id });
  const channel = await created('sms channel', 'POST', '/v1/deployment-channels', {
    channelIdentifier: phoneNumber,
    deploymentType: 'sms',
    configuration: { phoneConfigurationId: phone.id },
  });
  const agent = await created('echo agent', 'POST', '/v1/agents', { name: 'Bench echo', backend: { type: 'echo' } });
  const deployment = await created('sms deployment', 'POST', '/v1/deployment-configurations', { deploymentChannelId: channel.id, agentId: agent.id, status: 'active' });
  return { connection, channel, agent, deployment, path: `/v1/public/channels/twilio/${connection.id}` };
}

// ---------------------------------------------------------------------------------------------
// Report

/** A Markdown table; the first `textColumns` columns are left-aligned, the rest right-aligned. */
export function markdownTable(header, rows, textColumns = 1) {
  const line = (cells) => `|${cells.map((cell) => (cell === '' ? ' ' : ` ${cell} `)).join('|')}|`;
  return [line(header), line(header.map((_, i) => (i < textColumns ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

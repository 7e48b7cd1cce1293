import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { FAKES_EGRESS_ENV } from './egress.js';

export const CLI = fileURLToPath(new URL('../../packages/server/dist/bundle/cli.mjs', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `switchboard` CLI to completion, with `input` on its standard input when given. */
/** The JSON a command printed, after checking it exited 0 (its standard error is the failure message). */
export function cliJson(result: CliResult): any {
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

export function runCli(args: string[], env: Record<string, string>, input?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, LOG_LEVEL: 'warn', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (input !== undefined) child.stdin.end(input);
  });
}

export interface FollowedCli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
}

/** Starts a CLI command that keeps running (tail, listen), collecting what it prints; end it with `child.kill('SIGINT')`. */
export function followCli(args: string[], env: Record<string, string>, input?: string): FollowedCli {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, LOG_LEVEL: 'warn', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  if (input !== undefined) child.stdin.end(input);
  return { child, stdout: () => stdout, stderr: () => stderr, exited: new Promise((resolve) => child.on('close', (code) => resolve(code))) };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface StartedCli {
  child: ChildProcess;
  baseUrl: string;
  /** Standard output and standard error as they came. */
  output(): string;
  /** Standard output alone. */
  stdout(): string;
  stop(): Promise<void>;
}

/**
 * Starts `switchboard start` and waits until it answers /health. With `flags` (e.g. `--port`),
 * `port` is where the flags make it listen.
 */
export async function startCli(env: Record<string, string>, options: { flags?: string[]; port?: number } = {}): Promise<StartedCli> {
  const port = options.port ?? (await freePort());
  const child = spawn(process.execPath, [CLI, 'start', ...(options.flags ?? [])], {
    env: { ...process.env, LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port), ...FAKES_EGRESS_ENV, ...env },
  });
  let output = '';
  let stdout = '';
  child.stdout!.on('data', (chunk) => {
    output += chunk;
    stdout += chunk;
  });
  child.stderr!.on('data', (chunk) => (output += chunk));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`switchboard start exited with ${child.exitCode}:\n${output}`);
    try {
      const response = await fetch(`${baseUrl}/health`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`switchboard start did not answer within 20 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    baseUrl,
    output: () => output,
    stdout: () => stdout,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Starts a widget conversation with a web deployment's `cdp_` token and sends `text` as the
 * contact, the way the embedded widget does: the workspace's events (conversation.created, then
 * message.created) follow. Resolves with the conversation (session) id.
 */
export async function sendWidgetMessage(baseUrl: string, token: string, origin: string, text: string): Promise<string> {
  const runtime = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${baseUrl}/v1/public/runtime${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, origin, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { data: Record<string, string> } };
  };
  const started = await runtime('/sessions', {});
  if (started.status !== 201) throw new Error(`starting a widget session answered ${started.status}`);
  const { sessionId, visitorToken } = started.body.data;
  const sent = await runtime(`/sessions/${sessionId}/messages`, { text, clientMessageId: `c-${Date.now()}` }, { 'x-visitor-token': visitorToken! });
  if (sent.status !== 202) throw new Error(`sending a widget message answered ${sent.status}`);
  return sessionId!;
}

/** The records of JSON log output, one a line; throws on a line that is not a JSON object. */
export function jsonRecords(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const record: unknown = JSON.parse(line);
      if (typeof record !== 'object' || record === null || Array.isArray(record)) throw new Error(`not a log record: ${line}`);
      return record as Record<string, unknown>;
    });
}

export interface FirstStartCredentials {
  path: string;
  /** The file's permission bits. */
  mode: number;
  adminKey: string;
  text: string;
}

/** What a non-interactive first start wrote to `<dataDir>/first-start-credentials.txt`. */
export function readFirstStartCredentials(dataDir: string): FirstStartCredentials {
  const path = join(dataDir, 'first-start-credentials.txt');
  const text = readFileSync(path, 'utf8');
  const adminKey = /sbk_[A-Za-z0-9]{40}/.exec(text)?.[0];
  if (!adminKey) throw new Error(`no admin key in ${path}:\n${text}`);
  return { path, mode: statSync(path).mode & 0o777, adminKey, text };
}

/**
 * `switchboard start` writes one format: JSON records when standard output is not a terminal,
 * pretty lines on a terminal, LOG_FORMAT and --log-format overriding the choice. The first start's
 * admin key and owner link never reach a log that may be shipped: on a terminal they are shown
 * there; otherwise they go to <dataDir>/first-start-credentials.txt (mode 0600) and the log names
 * only the file.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, freePort, jsonRecords, readFirstStartCredentials, runCli, startCli, type StartedCli } from '../helpers/cli.js';

const KEY_PATTERN = /sbk_[A-Za-z0-9]{40}/;
const INVITE_PATTERN = /\/console\/invite\/[A-Za-z0-9_-]{43}/;

const freshEnv = () => ({ DATABASE_URL: '', SWITCHBOARD_DATA_DIR: mkdtempSync(join(tmpdir(), 'switchboard-logs-')), LOG_LEVEL: 'info' });

/** A JSON log line is an object; a pretty line showing a field (`"http://…"`) may parse as a JSON string. */
const isJsonRecord = (line: string) => {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null;
  } catch {
    return false;
  }
};

const agentsStatus = async (baseUrl: string, key: string) =>
  (await fetch(`${baseUrl}/v1/agents`, { headers: { authorization: `Bearer ${key}` } })).status;

async function stopped(started: StartedCli): Promise<string> {
  await started.stop();
  return started.output();
}

describe('switchboard start log format', () => {
  it('writes only JSON records when standard output is not a terminal, the key in a private file named by the log', async () => {
    const env = freshEnv();
    const started = await startCli(env);
    const credentials = readFirstStartCredentials(env.SWITCHBOARD_DATA_DIR);
    expect(await agentsStatus(started.baseUrl, credentials.adminKey)).toBe(200);
    const output = await stopped(started);

    // Every line, standard error included, is a record; so none is the banner's plain text.
    const records = jsonRecords(output);
    expect(records.map((record) => record.msg)).toEqual(expect.arrayContaining(['listening', 'SIGTERM received, shutting down', 'shut down']));
    expect(records.find((record) => record.msg === 'listening')).toMatchObject({ urls: [started.baseUrl] });
    expect(records).toContainEqual(expect.objectContaining({ level: 30, path: credentials.path, workspaceId: 'ws_default' }));

    expect(credentials.mode).toBe(0o600);
    expect(credentials.text).toMatch(INVITE_PATTERN);
    expect(output).not.toContain(credentials.adminKey);
    expect(output).not.toMatch(KEY_PATTERN);
    expect(output).not.toMatch(INVITE_PATTERN);
  });

  it('writes pretty lines and no JSON with LOG_FORMAT=pretty, still keeping the secrets off a piped output', async () => {
    const env = freshEnv();
    const started = await startCli({ ...env, LOG_FORMAT: 'pretty' });
    const output = await stopped(started);
    const lines = output.split('\n').filter((line) => line.trim() !== '');
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.filter(isJsonRecord)).toEqual([]);
    expect(output).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: listening$/m);
    expect(output).toContain(`"${started.baseUrl}"`);
    expect(output).toMatch(/INFO: SIGTERM received, shutting down/);

    const credentials = readFirstStartCredentials(env.SWITCHBOARD_DATA_DIR);
    expect(output).not.toContain(credentials.adminKey);
    expect(output).toContain(credentials.path);
  });

  it('lets --log-format win over LOG_FORMAT', async () => {
    const started = await startCli({ ...freshEnv(), LOG_FORMAT: 'pretty' }, { flags: ['--log-format', 'json'] });
    const records = jsonRecords(await stopped(started));
    expect(records.some((record) => record.msg === 'listening')).toBe(true);
  });

  it('refuses an unknown LOG_FORMAT naming the variable and the choices', async () => {
    const result = await runCli(['start'], { ...freshEnv(), LOG_FORMAT: 'xml' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('LOG_FORMAT must be one of pretty, json, got "xml"');
  });

  it('on a terminal writes pretty lines and shows the first-start secrets there, writing no file', async () => {
    const env = freshEnv();
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    // `script` gives the server a pseudo-terminal as standard output, as an operator's shell does.
    const child = spawn('script', ['-qfec', `'${process.execPath}' '${CLI}' start`, '/dev/null'], {
      env: { ...process.env, ...env, HOST: '127.0.0.1', PORT: String(port), LOG_FORMAT: '' },
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const deadline = Date.now() + 20_000;
      // Switchboard's own `listening` line, printed after the secrets; Fastify's "Server listening at"
      // comes before them, so waiting for any line with the word could read the output too early.
      while (!/INFO\S*: \S*listening\b/.test(output)) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`no listening line:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const key = KEY_PATTERN.exec(output)?.[0];
      expect(key, output).toBeDefined();
      expect(output).toContain('It is shown only this once');
      expect(output).toMatch(INVITE_PATTERN);
      expect(await agentsStatus(baseUrl, key!)).toBe(200);
      expect(existsSync(join(env.SWITCHBOARD_DATA_DIR, 'first-start-credentials.txt'))).toBe(false);
      expect(output.split(/\r?\n/).filter(isJsonRecord)).toEqual([]);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});

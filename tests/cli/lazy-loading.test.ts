/**
 * The CLI loads what a command needs when it runs: --help, shell completion and the commands
 * that call the API load neither the server (Fastify), nor the storage layer (Kysely,
 * better-sqlite3, pg), nor Redis. Every module the ESM loader loads is recorded by a loader hook;
 * a file of the bundle (dist/bundle) stands for the modules its meta.json says it holds.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';
import { loadedModules, writeModuleRecorder } from '../helpers/module-log.js';

const HEAVY = [/node_modules\/fastify\//, /node_modules\/kysely\//, /node_modules\/better-sqlite3\//, /node_modules\/pg\//, /node_modules\/ioredis\//, /\/dist\/(app|server)\.js$/, /\/dist\/store\/(database\.js|migrations\.js|migrate-data\.js|repositories\/)/];

describe('switchboard CLI module loading', () => {
  let dir: string;
  let register: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-cli-loading-'));
    register = writeModuleRecorder(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs the CLI with the hook; returns its exit code and every module URL it loaded. */
  function loaded(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; urls: string[] }> {
    const log = join(dir, `${args.join('-').replace(/[^a-z-]/gi, '')}.log`);
    writeFileSync(log, '');
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', register, CLI, ...args], {
        env: { ...process.env, ...env, LOADED_LOG: log, XDG_CONFIG_HOME: dir },
        stdio: 'ignore',
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, urls: loadedModules(CLI, log) }));
    });
  }

  const heavy = (urls: string[]) => urls.filter((url) => HEAVY.some((pattern) => pattern.test(url)));

  it('loads no server or storage module for --help and completion', async () => {
    const help = await loaded(['--help']);
    expect(help.code).toBe(0);
    expect(help.urls.some((url) => url.endsWith('/dist/cli.js'))).toBe(true);
    expect(heavy(help.urls)).toEqual([]);
    const completion = await loaded(['completion', 'bash']);
    expect(completion.code).toBe(0);
    expect(heavy(completion.urls)).toEqual([]);
  });

  it('loads the SDK but no server or storage module for a command that calls the API', async () => {
    // A closed loopback port: the command runs to its request and exits 3 (unreachable).
    const list = await loaded(['channels', 'list'], { SWITCHBOARD_URL: 'http://127.0.0.1:9', SWITCHBOARD_API_KEY: 'sbk_test' });
    expect(list.code).toBe(3);
    expect(list.urls.some((url) => url.includes('/packages/sdk/dist/'))).toBe(true);
    expect(heavy(list.urls)).toEqual([]);
  });

  it('loads the storage layer for a command that works on the database', async () => {
    const keys = await loaded(['keys', 'list'], { SWITCHBOARD_DATA_DIR: join(dir, 'data') });
    expect(keys.code).toBe(0);
    expect(heavy(keys.urls).some((url) => /\/dist\/store\/database\.js$/.test(url))).toBe(true);
    expect(keys.urls.some((url) => /node_modules\/fastify\//.test(url))).toBe(false);
  });
});

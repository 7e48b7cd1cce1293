/**
 * `switchboard start` on the embedded default (SQLite, no DATABASE_URL, REDIS_URL or SMTP_PORT)
 * serves without loading the modules of features it does not use: PostgreSQL, Redis, SMTP and
 * email, the outbound HTTP client, S3, pretty logs, the OpenAPI document, nor Fastify's JSON
 * schema compilers (the routes validate with zod).
 *
 * The bundle (what `npm start` runs) is read with an ESM loader hook, each loaded bundle file
 * standing for the modules its meta.json lists. Fastify's compilers sit inside the server chunk
 * itself, so they are checked on the unbundled build, where every CommonJS module that ran is
 * in require's cache.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, freePort } from '../helpers/cli.js';
import { loadedModules, writeModuleRecorder } from '../helpers/module-log.js';

const UNBUNDLED_CLI = fileURLToPath(new URL('../../packages/server/dist/cli.js', import.meta.url));

const UNUSED_FEATURES = [
  /node_modules\/pg\//,
  // Loaded by @switchboard/core on the first phone number checked or operator pattern compiled.
  /node_modules\/libphonenumber-js\//,
  /node_modules\/re2js\//,
  /node_modules\/ioredis\//,
  /node_modules\/smtp-server\//,
  /node_modules\/mailparser\//,
  // Its address parser, one small file, reads the addresses of email channels at any time.
  /node_modules\/nodemailer\/(?!lib\/addressparser\/)/,
  /node_modules\/undici\//,
  /node_modules\/pino-pretty\//,
  /node_modules\/@aws-sdk\//,
  /\/dist\/storage\/s3-storage\.js$/,
  /\/dist\/api\/openapi\.js$/,
];
// Fastify itself requires fast-json-stringify's runtime serializer (for its error answers), not its compiler.
const SCHEMA_COMPILERS = [
  /node_modules\/ajv\//,
  /node_modules\/ajv-formats\//,
  /node_modules\/@fastify\/ajv-compiler\//,
  /node_modules\/@fastify\/fast-json-stringify-compiler\//,
  /node_modules\/fast-json-stringify\/index\.js$/,
];

describe('switchboard start module loading', () => {
  let dir: string;
  let register: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-start-loading-'));
    register = writeModuleRecorder(dir, { requireCache: true });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Starts the server, waits for GET /health to answer 200, stops it; returns every module URL it loaded by then. */
  async function loadedUntilServing(cli: string, name: string): Promise<string[]> {
    const log = join(dir, `${name}.log`);
    writeFileSync(log, '');
    const port = await freePort();
    const env: Record<string, string> = { ...process.env, LOADED_LOG: log, SWITCHBOARD_DATA_DIR: join(dir, `data-${name}`), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', LOG_FORMAT: 'json' } as Record<string, string>;
    for (const unused of ['DATABASE_URL', 'REDIS_URL', 'SMTP_PORT', 'NODE_OPTIONS']) delete env[unused];
    const child = spawn(process.execPath, ['--import', register, cli, 'start'], { env, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const status = await fetch(`http://127.0.0.1:${port}/health`).then((response) => response.status, () => 0);
        if (status === 200) break;
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${name} did not serve`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    return loadedModules(cli, log);
  }

  const matching = (urls: string[], patterns: RegExp[]) => [...new Set(urls.filter((url) => patterns.some((pattern) => pattern.test(url))))];

  it('serves from the bundle without the modules of unused features', async () => {
    const urls = await loadedUntilServing(CLI, 'bundle');
    expect(urls.some((url) => /node_modules\/fastify\//.test(url))).toBe(true);
    expect(matching(urls, UNUSED_FEATURES)).toEqual([]);
  });

  it('serves without running Fastify’s JSON schema compilers', async () => {
    const urls = await loadedUntilServing(UNBUNDLED_CLI, 'unbundled');
    expect(urls.some((url) => /node_modules\/fastify\/fastify\.js$/.test(url))).toBe(true);
    expect(matching(urls, UNUSED_FEATURES)).toEqual([]);
    expect(matching(urls, SCHEMA_COMPILERS)).toEqual([]);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ENGINES, createTestDatabase, type TestDatabase } from '../helpers/engines.js';
import { jsonRecords, readFirstStartCredentials, runCli, startCli } from '../helpers/cli.js';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const KEY_PATTERN = /sbk_[A-Za-z0-9]{40}/g;

async function listCount(baseUrl: string, key: string, header = 'authorization'): Promise<number> {
  const value = header === 'authorization' ? `Bearer ${key}` : key;
  const response = await fetch(`${baseUrl}/v1/deployment-channels`, { headers: { [header]: value } });
  return response.status;
}

describe.each(ENGINES)('switchboard CLI on %s', (engine) => {
  let database: TestDatabase;
  let env: Record<string, string>;

  beforeEach(async () => {
    database = await createTestDatabase(engine);
    // The CLI opens the database itself; this handle only reserved and migrated it.
    await database.close();
    env = { DATABASE_URL: database.url, SWITCHBOARD_DATA_DIR: mkdtempSync(join(tmpdir(), 'switchboard-cli-')) };
  });
  afterEach(async () => {
    await database.destroy().catch(() => undefined);
  });

  it('writes a generated admin key once on first start to a private file, names only the file in the log, and the key works', async () => {
    const first = await startCli(env);
    try {
      const credentials = readFirstStartCredentials(env.SWITCHBOARD_DATA_DIR!);
      expect(credentials.mode).toBe(0o600);
      expect(first.output()).not.toMatch(KEY_PATTERN);
      expect(jsonRecords(first.stdout())).toContainEqual(expect.objectContaining({ msg: expect.stringMatching(/^first start/), path: credentials.path }));
      expect(await listCount(first.baseUrl, credentials.adminKey)).toBe(200);
      expect(await listCount(first.baseUrl, credentials.adminKey, 'x-api-key')).toBe(200);
      expect(await listCount(first.baseUrl, credentials.adminKey, 'x-wiil-api-key')).toBe(200);
    } finally {
      await first.stop();
    }
    const written = readFirstStartCredentials(env.SWITCHBOARD_DATA_DIR!).text;
    const second = await startCli(env);
    try {
      expect(second.output()).not.toMatch(KEY_PATTERN);
      expect(jsonRecords(second.stdout()).filter((record) => String(record.msg).startsWith('first start'))).toEqual([]);
      // Only a first start writes it: the file is left as it was.
      expect(readFirstStartCredentials(env.SWITCHBOARD_DATA_DIR!).text).toBe(written);
    } finally {
      await second.stop();
    }
  });

  it('warns at start on PostgreSQL only when Node runs with small semi-spaces, naming what to run instead', async () => {
    const warnings = async (nodeOptions: string) => {
      const started = await startCli({ ...env, NODE_OPTIONS: nodeOptions });
      await started.stop();
      return jsonRecords(started.stdout()).filter((record) => String(record.msg).includes('--max-semi-space-size'));
    };
    const small = await warnings('--max-semi-space-size=1');
    expect(small.map((record) => record.msg)).toEqual(engine === 'postgres' ? [expect.stringContaining('node --max-semi-space-size=16')] : []);
    expect(await warnings('--max-semi-space-size=16')).toEqual([]);
  });

  it('uses SWITCHBOARD_API_KEY as the admin key on first start only', async () => {
    const provided = 'automation-key-0123456789abcdef-0123';
    const first = await startCli({ ...env, SWITCHBOARD_API_KEY: provided });
    try {
      expect(first.output()).not.toMatch(KEY_PATTERN);
      expect(existsSync(join(env.SWITCHBOARD_DATA_DIR!, 'first-start-credentials.txt'))).toBe(false);
      expect(await listCount(first.baseUrl, provided)).toBe(200);
    } finally {
      await first.stop();
    }
    const later = 'a-different-key-0123456789abcdef';
    const second = await startCli({ ...env, SWITCHBOARD_API_KEY: later });
    try {
      expect(await listCount(second.baseUrl, later)).toBe(401);
      expect(await listCount(second.baseUrl, provided)).toBe(200);
    } finally {
      await second.stop();
    }
  });

  it('creates, lists and revokes keys', async () => {
    const created = await runCli(['keys', 'create', '--name', 'ci robot'], env);
    expect(created.code).toBe(0);
    const printed = created.stdout.match(KEY_PATTERN) ?? [];
    // first use also bootstraps the workspace and its admin key
    expect(printed).toHaveLength(2);
    const robotKey = printed[1]!;
    const id = /Created API key (key_[A-Za-z0-9]+)/.exec(created.stdout)?.[1];
    expect(id).toBeDefined();

    const listed = await runCli(['keys', 'list'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(id!);
    expect(listed.stdout).toContain('ci robot');
    expect(listed.stdout).toContain(`${robotKey.slice(0, 10)}…`);
    expect(listed.stdout).not.toContain(robotKey);
    expect(listed.stdout).toContain('LAST USED is recorded at most once a minute per server process');

    const json = JSON.parse((await runCli(['keys', 'list', '--json'], env)).stdout) as { id: string; revokedAt: number | null }[];
    expect(json.map((k) => k.id)).toContain(id);

    const server = await startCli(env);
    try {
      expect(await listCount(server.baseUrl, robotKey)).toBe(200);
      const revoked = await runCli(['keys', 'revoke', id!], env);
      expect(revoked.code).toBe(0);
      expect(revoked.stdout).toContain(`Revoked API key ${id}`);
      const response = await fetch(`${server.baseUrl}/v1/deployment-channels`, { headers: { authorization: `Bearer ${robotKey}` } });
      expect(response.status).toBe(401);
      expect(((await response.json()) as { message: string }).message).toMatch(/revoked/);
    } finally {
      await server.stop();
    }

    const again = await runCli(['keys', 'revoke', id!], env);
    expect(again.stdout).toContain('already revoked');
    const unknown = await runCli(['keys', 'revoke', 'key_nope'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No API key with id key_nope');
  });

  it('refuses bad configuration with a clear message', async () => {
    const result = await runCli(['start'], { ...env, PORT: 'eighty' });
    expect(result.code).toBe(1);
    const [record] = jsonRecords(result.stdout);
    expect(record).toMatchObject({ level: 60, msg: expect.stringContaining('PORT must be a whole number') });
  });
});

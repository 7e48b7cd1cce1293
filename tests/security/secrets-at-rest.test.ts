/**
 * Secrets at rest: fingerprints that cannot be looked up, masks that show nothing of short
 * values, data files readable by the server's user only, and API keys stored by a keyed hash.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  buildApp,
  issueApiKey,
  loadConfig,
  loadMasterKey,
  openDatabase,
  refreshSecretViews,
  SecretBox,
  type Engine,
} from '@switchboard/server';
import { migrateTo } from '../../packages/server/src/store/migrations.js';
import { ENGINES } from '../helpers/engines.js';
import { earlierDatabase } from '../helpers/earlier-database.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');
/** What a bare SHA-256 fingerprint of `123456` was: the first line of any lookup table. */
const SHA256_FINGERPRINT_OF_123456 = '8d969eef6ecad3c2';
const mode = (path: string) => statSync(path).mode & 0o777;

describe('SecretBox fingerprints and masks', () => {
  it('fingerprints with an HMAC under a key derived from the master key, never a bare SHA-256', () => {
    const box = SecretBox.random();
    expect(sha256('123456').slice(0, 16)).toBe(SHA256_FINGERPRINT_OF_123456);
    expect(box.fingerprint('123456')).not.toBe(SHA256_FINGERPRINT_OF_123456);
    expect(box.fingerprint('123456')).toMatch(/^[0-9a-f]{16}$/);
    expect(box.fingerprint('123456')).toBe(box.fingerprint('123456'));
    expect(SecretBox.random().fingerprint('123456')).not.toBe(box.fingerprint('123456'));
    // Independent of the key that seals, and of the key that hashes API keys.
    expect(box.credentialHash('123456').slice(0, 16)).not.toBe(box.fingerprint('123456'));
  });

  it('shows no character of a value shorter than 16 characters', () => {
    for (const value of ['1', '123456', 'hunter2', 'abcdefghijklmno']) {
      expect(SecretBox.mask(value), value).toBe('••••••');
    }
    expect(SecretBox.mask('abcdefghijklmnop')).toBe('ab…nop');
    expect(SecretBox.mask('sk-live-abcdefghijklmnopqrstuvwxyz')).toBe('sk-…wxyz');
    const whsec = `whsec_${randomBytes(32).toString('base64')}`;
    expect(SecretBox.mask(whsec)).toBe(`whsec_…${whsec.slice(-4)}`);
  });
});

describe.each(ENGINES)('secrets through the API on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(async () => {
    await t.close();
  });

  it('shows a keyed fingerprint and a fixed mask for the secret 123456', async () => {
    const created = await t.request('POST', '/v1/secrets', { name: 'pin', value: '123456' });
    expect(created.status).toBe(201);
    expect(created.body.data.fingerprint).not.toBe(SHA256_FINGERPRINT_OF_123456);
    expect(created.body.data.fingerprint).toBe(t.app.secretBox.fingerprint('123456'));
    expect(created.body.data.mask).toBe('••••••');
    const row = await t.db.selectFrom('secrets').selectAll().where('id', '=', created.body.data.id).executeTakeFirstOrThrow();
    expect(row.fingerprint).not.toBe(SHA256_FINGERPRINT_OF_123456);
    expect(row.mask).not.toMatch(/[0-9]/);
    // A replaced value gets a new fingerprint the same way.
    const replaced = await t.request('PUT', `/v1/secrets/${created.body.data.id}`, { value: 'password' });
    expect(replaced.body.data.fingerprint).toBe(t.app.secretBox.fingerprint('password'));
    expect(replaced.body.data.fingerprint).not.toBe(sha256('password').slice(0, 16));
    expect(replaced.body.data.mask).toBe('••••••');
  });

  it('fingerprints agent and webhook secrets the same way', async () => {
    const apiKey = 'sk-short-12345';
    const agent = await t.request('POST', '/v1/agents', {
      name: 'Keyed',
      backend: { type: 'openai-compatible', baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini', apiKey },
    });
    expect(agent.status, JSON.stringify(agent.body)).toBe(201);
    expect(agent.body.data.backend.apiKey).toEqual({ mask: '••••••', fingerprint: t.app.secretBox.fingerprint(apiKey) });
    expect(agent.body.data.backend.apiKey.fingerprint).not.toBe(sha256(apiKey).slice(0, 16));

    const webhook = await t.request('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hooks', events: ['message.created'] });
    expect(webhook.status, JSON.stringify(webhook.body)).toBe(201);
    expect(webhook.body.data.secretFingerprint).toBe(t.app.secretBox.fingerprint(webhook.body.data.secret));
    expect(webhook.body.data.secretFingerprint).not.toBe(sha256(webhook.body.data.secret).slice(0, 16));
  });

  it('stores API keys by an HMAC that another master key does not reproduce', async () => {
    const { key, record } = await issueApiKey(t.db, t.app.secretBox, t.workspaceId, 'hashed');
    const row = await t.db.selectFrom('api_keys').selectAll().where('id', '=', record.id).executeTakeFirstOrThrow();
    expect(row.key_hash).not.toBe(sha256(key));
    expect(row.key_hash).toBe(t.app.secretBox.credentialHash(key));
    expect(SecretBox.random().credentialHash(key)).not.toBe(row.key_hash);
    // The id is random and the prefix shows 6 of the key's 40 random characters, nothing more.
    expect(record.id).toMatch(/^key_[0-9A-Za-z]{16}$/);
    expect(row.prefix).toBe(key.slice(0, 10));
    const chosen = 'a-key-chosen-by-an-operator-0123456789';
    const chosenRecord = (await issueApiKey(t.db, t.app.secretBox, t.workspaceId, 'chosen', { key: chosen })).record;
    expect(chosenRecord.prefix).toBe('');
    const chosenRow = await t.db.selectFrom('api_keys').selectAll().where('id', '=', chosenRecord.id).executeTakeFirstOrThrow();
    for (const value of Object.values(chosenRow)) expect(String(value)).not.toContain(chosen.slice(0, 6));
    const ok = await t.request('GET', '/v1/agents', undefined, { authorization: `Bearer ${chosen}` });
    expect(ok.status).toBe(200);
  });
});

describe('SWITCHBOARD_API_KEY', () => {
  it('must be at least 32 characters: a shorter one is a configuration error that does not echo it', () => {
    const short = 'automation-key-0123456789abcdef'; // 31 characters
    expect(() => loadConfig({ SWITCHBOARD_API_KEY: short })).toThrow(/SWITCHBOARD_API_KEY must be at least 32 characters, got 31/);
    try {
      loadConfig({ SWITCHBOARD_API_KEY: short });
    } catch (error) {
      expect((error as Error).message).not.toContain(short);
    }
    expect(loadConfig({ SWITCHBOARD_API_KEY: `${short}x` }).adminApiKey).toBe(`${short}x`);
    expect(loadConfig({ SWITCHBOARD_API_KEY: '  ' }).adminApiKey).toBeUndefined();
  });
});

describe('file modes of the data directory', () => {
  const dirs: string[] = [];
  let umask: number;
  beforeAll(() => {
    umask = process.umask(0o022);
  });
  afterAll(() => {
    process.umask(umask);
  });
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const tempRoot = () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-modes-'));
    chmodSync(dir, 0o755);
    dirs.push(dir);
    return dir;
  };

  it.skipIf(process.platform === 'win32')('creates the data directory 0700 and the database, -wal and -shm 0600 under a umask of 022', async () => {
    const dataDir = join(tempRoot(), 'data');
    const database = await openDatabase({ dataDir });
    const file = join(dataDir, 'switchboard.db');
    try {
      expect(mode(dataDir)).toBe(0o700);
      for (const path of [file, `${file}-wal`, `${file}-shm`]) {
        expect(existsSync(path), path).toBe(true);
        expect(mode(path), path).toBe(0o600);
      }
    } finally {
      await database.close();
    }
    // Files an earlier version left readable by all are made private again on the next start.
    const reopened = await openDatabase({ dataDir });
    try {
      for (const path of [file, `${file}-wal`, `${file}-shm`]) chmodSync(path, 0o644);
      await reopened.close();
      const again = await openDatabase({ dataDir });
      for (const path of [file, `${file}-wal`, `${file}-shm`]) expect(mode(path), path).toBe(0o600);
      await again.close();
    } catch (error) {
      await reopened.close().catch(() => undefined);
      throw error;
    }
  });

  it.skipIf(process.platform === 'win32')('creates secret.key 0600 in a 0700 directory, and tightens it again when loosened', () => {
    const dataDir = join(tempRoot(), 'keys');
    const loaded = loadMasterKey({ dataDir }, { logger: { warn: () => undefined } });
    expect(loaded.source).toBe('generated');
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(loaded.path!)).toBe(0o600);
    chmodSync(loaded.path!, 0o644);
    const warnings: string[] = [];
    const again = loadMasterKey({ dataDir }, { logger: { warn: (_obj, msg) => warnings.push(msg ?? '') } });
    expect(again.key.equals(loaded.key)).toBe(true);
    expect(mode(loaded.path!)).toBe(0o600);
    expect(warnings.join('\n')).toContain('0644');
  });

  it.skipIf(process.platform === 'win32')('leaves an existing directory it did not create as it is', async () => {
    const root = tempRoot();
    const database = await openDatabase({ databaseUrl: `sqlite:${join(root, 'elsewhere.db')}`, dataDir: root });
    try {
      expect(mode(root)).toBe(0o755);
      expect(mode(join(root, 'elsewhere.db'))).toBe(0o600);
    } finally {
      await database.close();
    }
  });
});


describe.each(ENGINES)('upgrading a database written before keyed hashes on %s', (engine) => {
  it('keeps legacy API keys working (upgrading their rows), drops chosen prefixes and refreshes stored fingerprints and masks', async () => {
    const old = await earlierDatabase(engine);
    const box = SecretBox.random();
    const generated = `sbk_${'A1b2C3'}${randomBytes(17).toString('hex').slice(0, 34)}`;
    const chosen = 'chosen-key-from-SWITCHBOARD_API_KEY-2024';
    try {
      await migrateTo(old.db, '0005_teams_workflows_handoff');
      const now = Date.now();
      await old.db.insertInto('workspaces').values({ id: 'ws_default', name: 'Default workspace', created_at: now }).execute();
      const legacyKey = (id: string, key: string, prefix: string) =>
        old.db.insertInto('api_keys').values({ id, workspace_id: 'ws_default', name: id, prefix, key_hash: sha256(key), created_at: now }).execute();
      await legacyKey('key_generated', generated, generated.slice(0, 10));
      await legacyKey('key_chosen', chosen, chosen.slice(0, 10));
      // A short secret stored with a bare SHA-256 fingerprint and a mask that showed part of it.
      await old.db
        .insertInto('secrets')
        .values({
          id: 'sec_pin',
          workspace_id: 'ws_default',
          name: 'pin',
          sealed: box.encrypt('123456', 'secret:sec_pin'),
          mask: '1…6',
          fingerprint: SHA256_FINGERPRINT_OF_123456,
          created_at: now,
          updated_at: now,
        })
        .execute();
      const agentBackend = {
        type: 'openai-compatible',
        baseUrl: 'https://api.openai.com/v1',
        model: 'gpt-4o-mini',
        timeoutMs: 30000,
        apiKeySealed: { sealed: box.encrypt('sk-abc123', 'agent:agent_old:apiKey'), mask: '…3', fingerprint: sha256('sk-abc123').slice(0, 16) },
      };
      await old.db
        .insertInto('agents')
        .values({ id: 'agent_old', workspace_id: 'ws_default', name: 'Old', instructions: '', backend: JSON.stringify(agentBackend), created_at: now, updated_at: now })
        .execute();
      await old.db.destroy();

      const database = await openDatabase({ databaseUrl: old.url, dataDir: old.dataDir });
      try {
        const keys = await database.db.selectFrom('api_keys').selectAll().orderBy('id').execute();
        expect(keys.map((k) => [k.id, k.prefix, k.scope, Number(k.instance_admin)])).toEqual([
          ['key_chosen', '', 'admin', 0],
          ['key_generated', generated.slice(0, 10), 'admin', 0],
        ]);
        const workspace = await database.db.selectFrom('workspaces').selectAll().executeTakeFirstOrThrow();
        expect(workspace).toMatchObject({ status: 'active', updated_at: now });

        // Stale until a process holding the master key refreshes them: nothing of the value shows meanwhile.
        const stale = await database.db.selectFrom('secrets').selectAll().executeTakeFirstOrThrow();
        expect(stale).toMatchObject({ fingerprint: '', mask: '••••••' });
        expect(await refreshSecretViews(database.db, box)).toEqual({ refreshed: 2, failed: 0 });
        const fresh = await database.db.selectFrom('secrets').selectAll().executeTakeFirstOrThrow();
        expect(fresh).toMatchObject({ fingerprint: box.fingerprint('123456'), mask: '••••••' });
        const agent = await database.db.selectFrom('agents').select('backend').executeTakeFirstOrThrow();
        expect(JSON.parse(agent.backend).apiKeySealed).toMatchObject({ mask: '••••••', fingerprint: box.fingerprint('sk-abc123') });
        expect(await refreshSecretViews(database.db, box)).toEqual({ refreshed: 0, failed: 0 });

        const app = buildApp({ db: database.db, secretBox: box });
        try {
          for (const key of [generated, chosen]) {
            const first = await app.server.inject({ method: 'GET', url: '/v1/agents', headers: { authorization: `Bearer ${key}` } });
            expect(first.statusCode, key).toBe(200);
          }
          const upgraded = await database.db.selectFrom('api_keys').selectAll().orderBy('id').execute();
          expect(upgraded.map((k) => k.key_hash)).toEqual([box.credentialHash(chosen), box.credentialHash(generated)]);
          expect(upgraded.map((k) => k.prefix)).toEqual(['', generated.slice(0, 10)]);
          for (const key of [generated, chosen]) {
            const again = await app.server.inject({ method: 'GET', url: '/v1/agents', headers: { 'x-api-key': key } });
            expect(again.statusCode, key).toBe(200);
          }
          const fetched = await app.server.inject({ method: 'GET', url: '/v1/secrets/sec_pin', headers: { authorization: `Bearer ${generated}` } });
          expect(JSON.parse(fetched.body).data).toMatchObject({ mask: '••••••', fingerprint: box.fingerprint('123456') });
        } finally {
          await app.server.close();
        }
      } finally {
        await database.close();
      }
    } finally {
      await old.db.destroy().catch(() => undefined);
      await old.drop();
    }
  });
});

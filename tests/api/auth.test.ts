import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeysRepository, bootstrapWorkspace, buildApp, SecretBox, workspacesRepository } from '@switchboard/server';
import { ENGINES, createTestDatabase, type TestDatabase } from '../helpers/engines.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { fakesEgress } from '../helpers/egress.js';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

function expectErrorBody(body: any, status: number, code: string) {
  expect(body).toEqual({
    success: false,
    status,
    code,
    message: expect.any(String),
    meta: expect.any(Object),
    timestamp: expect.any(Number),
    error: { code, message: body.message, details: null },
  });
  expect(body.message.length).toBeGreaterThan(0);
  expect(Math.abs(body.timestamp - Date.now())).toBeLessThan(60_000);
}

describe.each(ENGINES)('API key authentication on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(async () => {
    await t.close();
  });

  /** Sends a request with exactly these headers: no default Authorization. */
  async function raw(headers: Record<string, string>, url = '/v1/agents') {
    const response = await t.app.server.inject({ method: 'GET', url, headers });
    return { status: response.statusCode, body: JSON.parse(response.body) };
  }

  it('accepts the key as Authorization: Bearer, X-Api-Key and X-Wiil-Api-Key', async () => {
    const created = await t.request('POST', '/v1/agents', { name: 'Visible' });
    expect(created.status).toBe(201);
    const headerSets: Record<string, string>[] = [
      { authorization: `Bearer ${t.apiKey}` },
      { authorization: `bearer ${t.apiKey}` },
      { 'x-api-key': t.apiKey },
      { 'X-Api-Key': t.apiKey },
      { 'x-wiil-api-key': t.apiKey },
      { 'X-Wiil-Api-Key': t.apiKey },
    ];
    for (const headers of headerSets) {
      const response = await raw(headers);
      expect(response.status, JSON.stringify(Object.keys(headers))).toBe(200);
      expect(response.body.data.data.map((a: { id: string }) => a.id)).toContain(created.body.data.id);
    }
  });

  it('resolves each key to its own workspace', async () => {
    const other = await t.newWorkspace();
    const theirs = await t.request('POST', '/v1/agents', { name: 'Theirs' }, { authorization: `Bearer ${other.apiKey}` });
    expect(theirs.status).toBe(201);
    const viaHeader = await raw({ 'x-api-key': other.apiKey });
    expect(viaHeader.body.data.data.map((a: { name: string }) => a.name)).toEqual(['Theirs']);
    const mine = await raw({ authorization: `Bearer ${t.apiKey}` });
    expect(mine.body.data.data.map((a: { name: string }) => a.name)).not.toContain('Theirs');
  });

  it('answers 401 saying the key is missing', async () => {
    const headerSets: Record<string, string>[] = [{}, { authorization: 'Basic dXNlcjpwYXNz' }, { authorization: 'Bearer' }, { 'x-api-key': '   ' }];
    for (const headers of headerSets) {
      const response = await raw(headers);
      expect(response.status).toBe(401);
      expectErrorBody(response.body, 401, 'UNAUTHORIZED');
      expect(response.body.message).toMatch(/missing/i);
    }
  });

  it('checks the key before reading the body: an unauthenticated caller gets 401, not a parse error', async () => {
    const before = await t.snapshot();
    const cases: { payload: string; headers: Record<string, string> }[] = [
      { payload: '{"broken": ', headers: { 'content-type': 'application/json' } },
      { payload: 'plain text', headers: { 'content-type': 'text/plain' } },
      { payload: JSON.stringify({ channelName: 'x'.repeat(1_100_000) }), headers: { 'content-type': 'application/json' } },
    ];
    for (const { payload, headers } of cases) {
      const response = await t.app.server.inject({ method: 'POST', url: '/v1/deployment-channels', payload, headers });
      expect(response.statusCode).toBe(401);
      expect(JSON.parse(response.body).code).toBe('UNAUTHORIZED');
    }
    expect(await t.snapshot()).toEqual(before);
  });

  it('answers 401 "Unknown API key" for a key that does not exist', async () => {
    const before = await t.snapshot();
    const headerSets: Record<string, string>[] = [
      { authorization: 'Bearer sbk_thisKeyDoesNotExistAnywhere0000000000000' },
      { 'x-api-key': `${t.apiKey}x` },
      { 'x-wiil-api-key': t.apiKey.slice(0, -1) },
    ];
    for (const headers of headerSets) {
      const response = await raw(headers);
      expect(response.status).toBe(401);
      expectErrorBody(response.body, 401, 'UNAUTHORIZED');
      expect(response.body.message).toBe('Unknown API key');
    }
    // Authentication happens before anything is written.
    const write = await t.request('POST', '/v1/agents', { name: 'Nope' }, { authorization: 'Bearer sbk_unknown' });
    expect(write.status).toBe(401);
    expect(await t.snapshot()).toEqual(before);
  });

  it('answers 401 saying the key was revoked, on every header', async () => {
    const workspace = await t.newWorkspace('Revoked');
    expect((await raw({ 'x-api-key': workspace.apiKey })).status).toBe(200);
    const keys = await apiKeysRepository(t.db).list(workspace.workspaceId);
    expect(keys).toHaveLength(1);
    const [key] = keys as [(typeof keys)[number]];
    expect(key.revokedAt).toBeNull();
    expect(await apiKeysRepository(t.db).revoke(key.id)).toBe(true);

    const headerSets: Record<string, string>[] = [
      { authorization: `Bearer ${workspace.apiKey}` },
      { 'x-api-key': workspace.apiKey },
      { 'x-wiil-api-key': workspace.apiKey },
    ];
    for (const headers of headerSets) {
      const response = await raw(headers);
      expect(response.status).toBe(401);
      expectErrorBody(response.body, 401, 'UNAUTHORIZED');
      expect(response.body.message).toMatch(/revoked/i);
      expect(response.body.message).toContain(key.id);
    }
    const before = await t.snapshot();
    const write = await t.request('POST', '/v1/agents', { name: 'After revocation' }, { authorization: `Bearer ${workspace.apiKey}` });
    expect(write.status).toBe(401);
    expect(await t.snapshot()).toEqual(before);
    // Other keys are unaffected.
    expect((await raw({ authorization: `Bearer ${t.apiKey}` })).status).toBe(200);
  });

  it('stores keys only as keyed hashes (HMAC-SHA256 under a key derived from the master key)', async () => {
    const workspace = await t.newWorkspace('Hashed');
    const rows = await t.db.selectFrom('api_keys').selectAll().where('workspace_id', '=', workspace.workspaceId).execute();
    expect(rows).toHaveLength(1);
    const [row] = rows as [(typeof rows)[number]];
    expect(row.key_hash).toBe(t.app.secretBox.credentialHash(workspace.apiKey));
    expect(row.key_hash).not.toBe(sha256(workspace.apiKey));
    expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
    for (const [column, value] of Object.entries(row)) {
      expect(String(value), column).not.toContain(workspace.apiKey);
    }
    // The shown prefix is short: it cannot be used to reconstruct the key.
    expect(workspace.apiKey.startsWith(row.prefix)).toBe(true);
    expect(row.prefix.length).toBeLessThan(workspace.apiKey.length / 2);
    const everyRow = await t.db.selectFrom('api_keys').selectAll().execute();
    for (const other of everyRow) {
      for (const value of Object.values(other)) expect(String(value)).not.toContain(t.apiKey);
    }
  });

  it('records when a key was last used', async () => {
    const workspace = await t.newWorkspace('Touched');
    const keys = await apiKeysRepository(t.db).list(workspace.workspaceId);
    expect(keys).toHaveLength(1);
    const before = keys[0]!;
    expect(before.lastUsedAt).toBeNull();
    const start = Date.now();
    expect((await raw({ 'x-wiil-api-key': workspace.apiKey })).status).toBe(200);
    const after = await apiKeysRepository(t.db).get(before.id);
    expect(after?.lastUsedAt).toEqual(expect.any(Number));
    expect(after!.lastUsedAt!).toBeGreaterThanOrEqual(start);
    expect(after!.lastUsedAt!).toBeLessThanOrEqual(Date.now());
  });

  it('does not ask for a key on the OpenAPI document, the docs page and health', async () => {
    expect((await raw({}, '/v1/openapi.json')).status).toBe(200);
    expect((await t.app.server.inject({ method: 'GET', url: '/docs' })).statusCode).toBe(200);
    expect((await raw({}, '/health')).status).toBe(200);
  });
});

describe.each(ENGINES)('bootstrapWorkspace on %s', (engine) => {
  const databases: TestDatabase[] = [];
  const box = SecretBox.random();
  async function emptyDatabase() {
    const database = await createTestDatabase(engine);
    databases.push(database);
    return database;
  }
  afterAll(async () => {
    for (const database of databases) await database.destroy();
  });

  async function get(db: TestDatabase['db'], headers: Record<string, string>) {
    const app = buildApp({ db, secretBox: box, egress: fakesEgress });
    try {
      const response = await app.server.inject({ method: 'GET', url: '/v1/agents', headers });
      return { status: response.statusCode, body: JSON.parse(response.body) };
    } finally {
      await app.server.close();
    }
  }

  it('creates ws_default on an empty database and accepts the provided key', async () => {
    const { db } = await emptyDatabase();
    expect(await workspacesRepository(db).list()).toEqual([]);
    const providedKey = 'my-provided-admin-key-0123456789';
    const result = await bootstrapWorkspace(db, box, providedKey);
    expect(result.created).toBe(true);
    expect(result.workspace.id).toBe('ws_default');
    expect(result.generatedAdminKey).toBeUndefined();

    const keys = await apiKeysRepository(db).list('ws_default');
    expect(keys).toHaveLength(1);
    const row = await db.selectFrom('api_keys').select('key_hash').executeTakeFirstOrThrow();
    expect(row.key_hash).toBe(box.credentialHash(providedKey));

    const headerSets: Record<string, string>[] = [
      { authorization: `Bearer ${providedKey}` },
      { 'x-api-key': providedKey },
      { 'x-wiil-api-key': providedKey },
    ];
    for (const headers of headerSets) {
      const response = await get(db, headers);
      expect(response.status).toBe(200);
      expect(response.body.data.data).toEqual([]);
    }
    expect((await get(db, { authorization: 'Bearer some-other-key-0123456789' })).status).toBe(401);

    // A second start finds the workspace: nothing new is created, no key is shown.
    const again = await bootstrapWorkspace(db, box, providedKey);
    expect(again.created).toBe(false);
    expect(again.workspace.id).toBe('ws_default');
    expect(again.generatedAdminKey).toBeUndefined();
    const withoutKey = await bootstrapWorkspace(db, box);
    expect(withoutKey.created).toBe(false);
    expect(withoutKey.generatedAdminKey).toBeUndefined();
    expect(await workspacesRepository(db).list()).toHaveLength(1);
    expect(await apiKeysRepository(db).list()).toHaveLength(1);
  });

  it('generates an admin key when none is provided and returns it once', async () => {
    const { db } = await emptyDatabase();
    const result = await bootstrapWorkspace(db, box);
    expect(result.created).toBe(true);
    expect(result.workspace.id).toBe('ws_default');
    const key = result.generatedAdminKey;
    expect(key).toMatch(/^sbk_[A-Za-z0-9]{40}$/);
    expect((await get(db, { authorization: `Bearer ${key}` })).status).toBe(200);
    const rows = await db.selectFrom('api_keys').selectAll().execute();
    expect(rows).toHaveLength(1);
    for (const value of Object.values(rows[0]!)) expect(String(value)).not.toContain(key);

    const again = await bootstrapWorkspace(db, box);
    expect(again.created).toBe(false);
    expect(again.generatedAdminKey).toBeUndefined();
    expect(await workspacesRepository(db).list()).toHaveLength(1);
    expect(await apiKeysRepository(db).list()).toHaveLength(1);
  });

  it('rejects a provided key shorter than 32 characters, creating nothing', async () => {
    const { db } = await emptyDatabase();
    await expect(bootstrapWorkspace(db, box, 'short-key')).rejects.toThrow(/at least 32 characters/);
    await expect(bootstrapWorkspace(db, box, '')).rejects.toThrow(/32/);
    await expect(bootstrapWorkspace(db, box, 'a'.repeat(31))).rejects.toThrow(/32/);
    expect(await workspacesRepository(db).list()).toEqual([]);
    expect(await apiKeysRepository(db).list()).toEqual([]);
    const exactly32 = await bootstrapWorkspace(db, box, 'a'.repeat(32));
    expect(exactly32.created).toBe(true);
  });
});

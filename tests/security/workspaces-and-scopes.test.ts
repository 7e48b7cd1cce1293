/**
 * Workspaces and scoped keys: the instance administrator key, /v1/workspaces, read-only keys,
 * and suspension, which holds on every node from the next request (keys and widget tokens).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiKeysRepository,
  bootstrapWorkspace,
  buildApp,
  issueApiKey,
  SecretBox,
  type App,
} from '@switchboard/server';
import { SwitchboardClient } from '@switchboard/sdk';
import { ENGINES, createTestDatabase, type TestDatabase } from '../helpers/engines.js';
import { runCli } from '../helpers/cli.js';

const ORIGIN = 'http://localhost:5520';
const KEY = /^sbk_[0-9A-Za-z]{40}$/;
const READ_ONLY = /^This API key has the read scope: it can only read \(GET\)/;

interface Answer {
  status: number;
  body: any;
}

function expectError(answer: Answer, status: number, code: string, message: RegExp | string) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.body).toMatchObject({ success: false, status, code, error: { code } });
  if (typeof message === 'string') expect(answer.body.message).toBe(message);
  else expect(answer.body.message).toMatch(message);
  expect(answer.body.error.message).toBe(answer.body.message);
}

describe.each(ENGINES)('workspaces and scoped keys on %s', (engine) => {
  let database: TestDatabase;
  const box = SecretBox.random();
  /** Two nodes on one database, as behind a load balancer; both hold the same master key. */
  let nodes: App[];
  let adminKey: string;

  async function call(node: App, key: string, method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const response = await node.server.inject({
      method: method as 'GET',
      url,
      headers: { authorization: `Bearer ${key}`, ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
      ...(body !== undefined && { payload: JSON.stringify(body) }),
    });
    let parsed: unknown = response.body;
    try {
      parsed = JSON.parse(response.body);
    } catch {
      // HEAD: no body
    }
    return { status: response.statusCode, body: parsed };
  }
  const api = (key: string, method: string, url: string, body?: unknown) => call(nodes[0]!, key, method, url, body);

  async function counts() {
    const result: Record<string, number> = {};
    for (const table of ['workspaces', 'api_keys', 'agents', 'deployment_channels', 'secrets'] as const) {
      const row = await database.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      result[table] = Number(row.n);
    }
    return result;
  }

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    const bootstrap = await bootstrapWorkspace(database.db, box);
    adminKey = bootstrap.generatedAdminKey!;
    nodes = [0, 1].map(() => buildApp({ db: database.db, secretBox: box }));
    for (const node of nodes) await node.server.ready();
  });
  afterAll(async () => {
    for (const node of nodes ?? []) await node.server.close();
    await database?.destroy();
  });

  it('makes the first admin key created at bootstrap the instance administrator', async () => {
    const [record] = await apiKeysRepository(database.db).list('ws_default');
    expect(record).toMatchObject({ name: 'admin', scope: 'admin', instanceAdmin: true, prefix: adminKey.slice(0, 10) });
    const listed = await api(adminKey, 'GET', '/v1/workspaces');
    expect(listed.status).toBe(200);
    expect(listed.body.data.data).toEqual([{ id: 'ws_default', name: 'Default workspace', status: 'active', createdAt: expect.any(Number), updatedAt: expect.any(Number) }]);
    expect(listed.body.data.meta).toEqual({ page: 1, pageSize: 20, totalCount: 1, totalPages: 1, hasNextPage: false, hasPreviousPage: false });
  });

  it('creates a workspace with its first admin key, shown once', async () => {
    const before = await counts();
    const created = await api(adminKey, 'POST', '/v1/workspaces', { name: '  Acme  ' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const workspace = created.body.data;
    expect(workspace).toMatchObject({ id: expect.stringMatching(/^ws_[0-9A-Za-z]{16}$/), name: 'Acme', status: 'active' });
    expect(workspace.apiKey).toMatchObject({ workspaceId: workspace.id, name: 'admin', scope: 'admin', instanceAdmin: false, revokedAt: null });
    expect(workspace.apiKey.key).toMatch(KEY);
    expect(workspace.apiKey.prefix).toBe(workspace.apiKey.key.slice(0, 10));
    expect(await counts()).toEqual({ ...before, workspaces: before.workspaces! + 1, api_keys: before.api_keys! + 1 });

    const read = await api(adminKey, 'GET', `/v1/workspaces/${workspace.id}`);
    expect(read.body.data).toEqual({ id: workspace.id, name: 'Acme', status: 'active', createdAt: workspace.createdAt, updatedAt: workspace.updatedAt });
    const keys = await api(adminKey, 'GET', `/v1/workspaces/${workspace.id}/keys`);
    expect(keys.body.data.data.map((k: any) => k.id)).toEqual([workspace.apiKey.id]);
    expect(JSON.stringify(keys.body)).not.toContain(workspace.apiKey.key);

    // The new key works in its workspace, and is not an instance administrator.
    const tenant = workspace.apiKey.key as string;
    expect((await api(tenant, 'POST', '/v1/agents', { name: 'Acme agent' })).status).toBe(201);
    expectError(await api(tenant, 'GET', '/v1/workspaces'), 403, 'FORBIDDEN', 'Only an instance administrator API key may manage workspaces');
    expectError(await api(tenant, 'POST', '/v1/workspaces', { name: 'Mine' }), 403, 'FORBIDDEN', /instance administrator/);
  });

  it('pages workspaces like every other list, and validates what it is sent', async () => {
    for (const name of ['Page 1', 'Page 2']) expect((await api(adminKey, 'POST', '/v1/workspaces', { name })).status).toBe(201);
    const all = await api(adminKey, 'GET', '/v1/workspaces?pageSize=1000');
    const second = await api(adminKey, 'GET', '/v1/workspaces?page=2&pageSize=1');
    expect(second.body.data.data).toEqual([all.body.data.data[1]]);
    expect(second.body.data.meta).toMatchObject({ page: 2, pageSize: 1, totalCount: all.body.data.data.length, hasPreviousPage: true });
    expectError(await api(adminKey, 'GET', '/v1/workspaces?pageSize=1001'), 400, 'VALIDATION_ERROR', /pageSize/);

    const before = await counts();
    expectError(await api(adminKey, 'POST', '/v1/workspaces', {}), 400, 'VALIDATION_ERROR', /name/);
    expectError(await api(adminKey, 'POST', '/v1/workspaces', { name: 'X', plan: 'gold' }), 400, 'VALIDATION_ERROR', /plan/);
    expectError(await api(adminKey, 'PATCH', '/v1/workspaces/ws_default', { status: 'paused' }), 400, 'VALIDATION_ERROR', /active, suspended/);
    expectError(await api(adminKey, 'POST', '/v1/workspaces/ws_default/keys', { scope: 'write' }), 400, 'VALIDATION_ERROR', /admin, read/);
    expectError(await api(adminKey, 'GET', '/v1/workspaces/ws_nope'), 404, 'NOT_FOUND', 'Workspace not found');
    expectError(await api(adminKey, 'PATCH', '/v1/workspaces/ws_nope', { name: 'X' }), 404, 'NOT_FOUND', 'Workspace not found');
    expectError(await api(adminKey, 'POST', '/v1/workspaces/ws_nope/keys', {}), 404, 'NOT_FOUND', 'Workspace not found');
    expect(await counts()).toEqual(before);
  });

  it('renames a workspace', async () => {
    const { id, updatedAt } = (await api(adminKey, 'POST', '/v1/workspaces', { name: 'Old name' })).body.data;
    const renamed = await api(adminKey, 'PATCH', `/v1/workspaces/${id}`, { name: 'New name' });
    expect(renamed.body.data).toMatchObject({ id, name: 'New name', status: 'active' });
    expect(renamed.body.data.updatedAt).toBeGreaterThan(updatedAt);
  });

  it('lets a read key GET (and HEAD) but refuses every write with 403 naming the scope', async () => {
    const { id } = (await api(adminKey, 'POST', '/v1/workspaces', { name: 'Readers' })).body.data;
    const issued = await api(adminKey, 'POST', `/v1/workspaces/${id}/keys`, { name: 'dashboard', scope: 'read' });
    expect(issued.status).toBe(201);
    expect(issued.body.data).toMatchObject({ workspaceId: id, name: 'dashboard', scope: 'read', instanceAdmin: false });
    const reader = issued.body.data.key as string;
    expect((await api(reader, 'GET', '/v1/agents')).status).toBe(200);
    expect((await api(reader, 'GET', '/v1/deployment-channels?page=1')).status).toBe(200);
    expect((await api(reader, 'HEAD', '/v1/agents')).status).toBe(200);

    const before = await counts();
    for (const [method, url, body] of [
      ['POST', '/v1/agents', { name: 'Nope' }],
      ['PATCH', '/v1/deployment-channels', { id: 'chan_x', channelName: 'x' }],
      ['PUT', '/v1/secrets/sec_x', { value: 'x' }],
      ['DELETE', '/v1/agents/agent_x', undefined],
      ['POST', '/v1/secrets', { name: 'n', value: 'v' }],
    ] as const) {
      const answer = await api(reader, method, url, body);
      expectError(answer, 403, 'FORBIDDEN', READ_ONLY);
      expect(answer.body.message).toContain(method);
    }
    // The messaging-channels door, in its own error format.
    const channel = await call(nodes[0]!, reader, 'POST', '/channel-service/v1/channels/_web', { name: 'Nope' });
    expect(channel.status).toBe(403);
    expect(channel.body.error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(READ_ONLY) });
    expect((await call(nodes[0]!, reader, 'GET', '/channel-service/v1/channels')).status).toBe(200);
    expect(await counts()).toEqual(before);
  });

  it('suspends a workspace: its keys and widget tokens answer 403 on every node until it is resumed', async () => {
    const created = (await api(adminKey, 'POST', '/v1/workspaces', { name: 'Suspendable' })).body.data;
    const id = created.id as string;
    const tenant = created.apiKey.key as string;
    const reader = (await api(adminKey, 'POST', `/v1/workspaces/${id}/keys`, { scope: 'read' })).body.data.key as string;
    const agent = (await api(tenant, 'POST', '/v1/agents', { name: 'Widget agent' })).body.data;
    const deployment = (await api(tenant, 'POST', `/v1/agents/${agent.id}/deployments`, { allowedOrigins: [ORIGIN] })).body.data;
    const runtime = (node: App) =>
      node.server.inject({
        method: 'POST',
        url: '/v1/public/runtime/sessions',
        headers: { authorization: `Bearer ${deployment.token}`, origin: ORIGIN, 'content-type': 'application/json' },
        payload: '{}',
      });
    for (const node of nodes) {
      expect((await call(node, tenant, 'GET', '/v1/agents')).status).toBe(200);
      expect((await runtime(node)).statusCode).toBe(201);
    }

    // Suspended through node 0; node 1 refuses on its very next request.
    const suspended = await call(nodes[0]!, adminKey, 'PATCH', `/v1/workspaces/${id}`, { status: 'suspended' });
    expect(suspended.body.data).toMatchObject({ id, status: 'suspended', name: 'Suspendable' });
    const message = `Workspace ${id} is suspended`;
    for (const node of nodes) {
      for (const key of [tenant, reader]) {
        expectError(await call(node, key, 'GET', '/v1/agents'), 403, 'FORBIDDEN', message);
        expectError(await call(node, key, 'POST', '/v1/agents', { name: 'During suspension' }), 403, 'FORBIDDEN', message);
      }
      const channels = await call(node, tenant, 'GET', '/channel-service/v1/channels');
      expect(channels.status).toBe(403);
      expect(channels.body.error).toMatchObject({ code: 'FORBIDDEN', message });
      const widget = await runtime(node);
      expect(widget.statusCode).toBe(403);
      expect(JSON.parse(widget.body)).toMatchObject({ code: 'FORBIDDEN', message, meta: { reason: 'WORKSPACE_SUSPENDED' } });
    }
    // Other workspaces are untouched, and the instance administrator still sees it.
    expect((await api(adminKey, 'GET', '/v1/agents')).status).toBe(200);
    expect((await api(adminKey, 'GET', `/v1/workspaces/${id}`)).body.data.status).toBe('suspended');

    const resumed = await call(nodes[1]!, adminKey, 'PATCH', `/v1/workspaces/${id}`, { status: 'active' });
    expect(resumed.body.data.status).toBe('active');
    for (const node of nodes) {
      expect((await call(node, tenant, 'GET', '/v1/agents')).status).toBe(200);
      expect((await runtime(node)).statusCode).toBe(201);
    }
  });

  it("refuses to suspend the calling key's own workspace", async () => {
    const answer = await api(adminKey, 'PATCH', '/v1/workspaces/ws_default', { status: 'suspended' });
    expectError(answer, 409, 'CONFLICT', /is the workspace of this API key/);
    expect((await api(adminKey, 'GET', '/v1/workspaces/ws_default')).body.data.status).toBe('active');
  });

  it('revokes a key of a workspace', async () => {
    const created = (await api(adminKey, 'POST', '/v1/workspaces', { name: 'Revocations' })).body.data;
    const extra = (await api(adminKey, 'POST', `/v1/workspaces/${created.id}/keys`, { name: 'temporary' })).body.data;
    expect((await api(extra.key, 'GET', '/v1/agents')).status).toBe(200);
    const revoked = await api(adminKey, 'POST', `/v1/workspaces/${created.id}/keys/${extra.id}/revoke`);
    expect(revoked.body.data).toMatchObject({ id: extra.id, revokedAt: expect.any(Number) });
    expectError(await api(extra.key, 'GET', '/v1/agents'), 401, 'UNAUTHORIZED', new RegExp(`API key ${extra.id} was revoked`));
    expect((await api(created.apiKey.key, 'GET', '/v1/agents')).status).toBe(200);
    // A key id of another workspace is not found under this one.
    expectError(await api(adminKey, 'POST', `/v1/workspaces/${created.id}/keys/${created.apiKey.id}x/revoke`), 404, 'NOT_FOUND', 'API key not found');
    const other = (await api(adminKey, 'POST', '/v1/workspaces', { name: 'Other' })).body.data;
    expectError(await api(adminKey, 'POST', `/v1/workspaces/${other.id}/keys/${created.apiKey.id}/revoke`), 404, 'NOT_FOUND', 'API key not found');
    expect((await api(created.apiKey.key, 'GET', '/v1/agents')).status).toBe(200);
  });

  it('gives keys made with issueApiKey the instance administrator role only when asked', async () => {
    const plain = await issueApiKey(database.db, box, 'ws_default', 'plain');
    expectError(await api(plain.key, 'GET', '/v1/workspaces'), 403, 'FORBIDDEN', /instance administrator/);
    const second = await issueApiKey(database.db, box, 'ws_default', 'second admin', { instanceAdmin: true });
    expect((await api(second.key, 'GET', '/v1/workspaces')).status).toBe(200);
  });

  it('serves the same through the SDK: client.workspaces', async () => {
    const headersOf = (init: HeadersInit | undefined) => {
      const headers: Record<string, string> = {};
      new Headers(init).forEach((value, name) => (headers[name] = value));
      return headers;
    };
    const fetchThrough = (node: App): typeof fetch =>
      (async (input: RequestInfo | URL, init?: RequestInit) => {
        const url = new URL(typeof input === 'string' || input instanceof URL ? input.toString() : input.url);
        const response = await node.server.inject({
          method: (init?.method ?? 'GET') as 'GET',
          url: url.pathname + url.search,
          headers: headersOf(init?.headers),
          ...(init?.body !== undefined && init.body !== null && { payload: init.body as string }),
        });
        return new Response(response.statusCode === 204 ? null : response.body, { status: response.statusCode, headers: response.headers as Record<string, string> });
      }) as typeof fetch;
    const client = new SwitchboardClient({ apiKey: adminKey, baseUrl: 'http://switchboard.test', fetch: fetchThrough(nodes[0]!) });
    const created = await client.workspaces.create({ name: 'From the SDK' });
    expect(created.apiKey.key).toMatch(KEY);
    expect(await client.workspaces.get(created.id)).toMatchObject({ id: created.id, name: 'From the SDK', status: 'active' });
    const page = await client.workspaces.list({ page: 1, pageSize: 1000 });
    expect(page.data.map((w) => w.id)).toContain(created.id);
    expect((await client.workspaces.update(created.id, { name: 'Renamed by the SDK' })).name).toBe('Renamed by the SDK');
    expect((await client.workspaces.suspend(created.id)).status).toBe('suspended');
    expect((await client.workspaces.resume(created.id)).status).toBe('active');
    const reader = await client.workspaces.createKey(created.id, { name: 'reader', scope: 'read' });
    expect(reader.scope).toBe('read');
    expect((await client.workspaces.listKeys(created.id)).data.map((k) => k.id)).toEqual([created.apiKey.id, reader.id]);
    const tenant = new SwitchboardClient({ apiKey: reader.key, baseUrl: 'http://switchboard.test', fetch: fetchThrough(nodes[1]!) });
    await expect(tenant.agents.create({ name: 'Nope' })).rejects.toMatchObject({ statusCode: 403, code: 'FORBIDDEN' });
    expect((await tenant.agents.list()).data).toEqual([]);
  });
});

describe.each(ENGINES)('switchboard workspaces and keys commands on %s', (engine) => {
  let database: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
    await database.close();
    env = { DATABASE_URL: database.url, SWITCHBOARD_DATA_DIR: mkdtempSync(join(tmpdir(), 'switchboard-ws-cli-')) };
  });
  afterAll(async () => {
    await database?.destroy().catch(() => undefined);
  });

  it('creates, lists, suspends and resumes workspaces, and makes read and instance administrator keys', async () => {
    const created = await runCli(['workspaces', 'create', 'Acme Corp'], env);
    expect(created.code, created.stderr).toBe(0);
    // The first use bootstraps the default workspace and its (instance administrator) key too.
    expect(created.stdout.match(/sbk_[0-9A-Za-z]{40}/g)).toHaveLength(2);
    const id = /Created workspace "Acme Corp" \((ws_[0-9A-Za-z]+)\)/.exec(created.stdout)?.[1];
    expect(id).toBeDefined();

    const listed = await runCli(['workspaces', 'list'], env);
    expect(listed.stdout).toMatch(/ws_default\s+Default workspace\s+active/);
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+Acme Corp\\s+active`));
    const json = JSON.parse((await runCli(['workspaces', 'list', '--json'], env)).stdout) as { id: string; status: string }[];
    expect(json.map((w) => w.id)).toEqual(['ws_default', id]);

    const suspended = await runCli(['workspaces', 'suspend', id!], env);
    expect(suspended.code).toBe(0);
    expect(suspended.stdout).toContain(`Suspended workspace ${id}`);
    expect(JSON.parse((await runCli(['workspaces', 'list', '--json'], env)).stdout)[1].status).toBe('suspended');
    expect((await runCli(['workspaces', 'suspend', id!], env)).stdout).toContain('already suspended');
    const resumed = await runCli(['workspaces', 'resume', id!], env);
    expect(resumed.stdout).toContain(`Resumed workspace ${id}`);
    const unknown = await runCli(['workspaces', 'suspend', 'ws_nope'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No workspace with id ws_nope');

    const reader = await runCli(['keys', 'create', '--workspace', id!, '--scope', 'read', '--name', 'dashboard'], env);
    expect(reader.code, reader.stderr).toBe(0);
    expect(reader.stdout).toContain('(read scope)');
    const admin = await runCli(['keys', 'create', '--instance-admin', '--name', 'ops'], env);
    expect(admin.stdout).toContain('(admin scope, instance administrator)');
    const bad = await runCli(['keys', 'create', '--scope', 'write'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('must be one of admin, read');

    const keys = JSON.parse((await runCli(['keys', 'list', '--json'], env)).stdout) as { name: string; scope: string; instanceAdmin: boolean }[];
    expect(keys.map((k) => [k.name, k.scope, k.instanceAdmin])).toEqual([
      ['admin', 'admin', true],
      ['admin', 'admin', false],
      ['dashboard', 'read', false],
      ['ops', 'admin', true],
    ]);
    const table = (await runCli(['keys', 'list'], env)).stdout;
    expect(table).toMatch(/dashboard\s+ws_\S+\s+read\s/);
    expect(table).toMatch(/ops\s+ws_default\s+admin, instance admin\s/);
  }, 240_000);

  it('refuses a SWITCHBOARD_API_KEY shorter than 32 characters', async () => {
    const result = await runCli(['keys', 'list'], { ...env, SWITCHBOARD_API_KEY: 'automation-key-0123456789abcdef' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('SWITCHBOARD_API_KEY must be at least 32 characters, got 31');
    expect(result.stderr).not.toContain('automation-key');
  }, 60_000);
});

/**
 * Cached credentials stay exact: an API key or widget token revoked (or rotated, or its
 * workspace suspended) through one node is refused by a node that had it cached, through the
 * bus and not by expiry (these nodes keep lookups for a minute), and a node that lost Redis
 * never serves what it cached before the outage. The CLI, which writes the database directly,
 * announces its revocations through Redis as a node does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, Socket, type Server } from 'node:net';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp, issueApiKey, openDatabase, SecretBox, type App, type Database } from '@switchboard/server';
import { createRedisBus, type RedisBus } from '../../packages/server/src/bus/redis-bus.js';
import { createTestDatabase, type TestDatabase } from '../helpers/engines.js';
import { createTestApp, createWorkspace, type TestApp } from '../helpers/app.js';
import { fakesEgress } from '../helpers/egress.js';
import { REDIS_URL, availableServices } from '../helpers/services.js';
import { waitUntil } from '../helpers/wait.js';
import { runCli } from '../helpers/cli.js';

/** Long enough that only an invalidation can drop an entry during a test. */
const KEPT_MS = 60_000;

async function send(app: App, method: string, url: string, authorization: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await app.server.inject({
    method: method as 'GET',
    url,
    headers: { authorization: `Bearer ${authorization}`, ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
    ...(body !== undefined && { payload: JSON.stringify(body) }),
  });
  return { status: response.statusCode, body: response.json() as any };
}

const startSession = (app: App, deployment: { token: string; origin: string }) =>
  send(app, 'POST', '/v1/public/runtime/sessions', deployment.token, {}, { origin: deployment.origin });

let deployments = 0;
/** A deployment on its own page (origin), so each has its own channel. */
async function deploy(app: App, apiKey: string) {
  const origin = `http://localhost:${5500 + ++deployments}`;
  const agent = await send(app, 'POST', '/v1/agents', apiKey, { name: 'Cached' });
  const deployed = await send(app, 'POST', `/v1/agents/${agent.body.data.id}/deployments`, apiKey, { allowedOrigins: [origin] });
  expect(deployed.status).toBe(201);
  return { agentId: agent.body.data.id as string, id: deployed.body.data.id as string, token: deployed.body.data.token as string, origin };
}

/** Polls `check` for up to a second: what a node had cached must be refused within it. */
async function refusedWithinASecond(check: () => Promise<number>, expected: number) {
  const startedAt = Date.now();
  const status = await waitUntil(async () => {
    const answered = await check();
    return answered === expected ? answered : false;
  }, 1_000, `status ${expected}`);
  expect(status).toBe(expected);
  return Date.now() - startedAt;
}

describe('one node on SQLite', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite');
  });
  afterAll(async () => t.close());

  it('refuses a key revoked through the API on the very next request, though it was cached', async () => {
    const admin = await issueApiKey(t.db, t.app.secretBox, t.workspaceId, 'instance admin', { instanceAdmin: true });
    const workspace = await t.newWorkspace('Revoked at once');
    // The default TTL is short: ask twice in a row so the second answer comes from the cache.
    expect((await send(t.app, 'GET', '/v1/agents', workspace.apiKey)).status).toBe(200);
    expect((await send(t.app, 'GET', '/v1/agents', workspace.apiKey)).status).toBe(200);
    const keys = await send(t.app, 'GET', `/v1/workspaces/${workspace.workspaceId}/keys`, admin.key);
    const keyId = keys.body.data.data[0].id as string;
    expect((await send(t.app, 'POST', `/v1/workspaces/${workspace.workspaceId}/keys/${keyId}/revoke`, admin.key)).status).toBe(200);
    const refused = await send(t.app, 'GET', '/v1/agents', workspace.apiKey);
    expect(refused.status).toBe(401);
    expect(refused.body.message).toContain(`API key ${keyId} was revoked`);
  });

  it('refuses a widget token revoked through the API on the very next request', async () => {
    const deployment = await deploy(t.app, t.apiKey);
    expect((await startSession(t.app, deployment)).status).toBe(201);
    expect((await send(t.app, 'POST', `/v1/agents/${deployment.agentId}/deployments/${deployment.id}/revoke`, t.apiKey)).status).toBe(200);
    const refused = await startSession(t.app, deployment);
    expect(refused.status).toBe(401);
    expect(refused.body.meta.reason).toBe('TOKEN_REVOKED');
  });
});

/** A TCP relay to Redis that can be cut, as a network fault between one node and Redis. */
class CuttableRelay {
  readonly #sockets = new Set<Socket>();
  #cut = false;
  readonly server: Server;
  constructor(target: URL) {
    this.server = createServer((client) => {
      if (this.#cut) return void client.destroy();
      const upstream = new Socket();
      upstream.connect(Number(target.port || 6379), target.hostname);
      for (const [from, to] of [
        [client, upstream],
        [upstream, client],
      ] as const) {
        this.#sockets.add(from);
        from.pipe(to);
        from.on('error', () => to.destroy());
        from.on('close', () => {
          this.#sockets.delete(from);
          to.destroy();
        });
      }
    });
  }
  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as { port: number };
    return `redis://127.0.0.1:${port}`;
  }
  cut() {
    this.#cut = true;
    for (const socket of this.#sockets) socket.destroy();
  }
  restore() {
    this.#cut = false;
  }
  close() {
    this.cut();
    this.server.close();
  }
}

/** Two nodes, each with its own connections to one PostgreSQL database and to one Redis. */
describe.runIf(availableServices().postgres && availableServices().redis)('two nodes on PostgreSQL and Redis', () => {
  let database: TestDatabase;
  let secondConnection: Database;
  let relay: CuttableRelay;
  const secretBox = SecretBox.random();
  const prefix = `credentials-${randomBytes(4).toString('hex')}:`;
  let a: { app: App; bus: RedisBus };
  let b: { app: App; bus: RedisBus };
  let instanceAdminKey: string;

  async function node(db: Database['db'], redisUrl: string) {
    const bus = await createRedisBus(redisUrl, { prefix });
    const app = buildApp({ db, secretBox, bus, egress: fakesEgress, credentialCacheTtlMs: KEPT_MS });
    await app.server.ready();
    return { app, bus };
  }

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    secondConnection = await openDatabase({ databaseUrl: database.url, dataDir: tmpdir(), poolSize: 3, migrate: false });
    relay = new CuttableRelay(new URL(REDIS_URL));
    a = await node(database.db, REDIS_URL);
    b = await node(secondConnection.db, await relay.listen());
    const admin = await createWorkspace(database.db, 'Instance administration', secretBox);
    instanceAdminKey = (await issueApiKey(database.db, secretBox, admin.workspaceId, 'instance admin', { instanceAdmin: true })).key;
    await waitUntil(() => !a.bus.degraded && !b.bus.degraded, 5_000, 'both nodes on Redis');
  }, 30_000);
  afterAll(async () => {
    for (const { app, bus } of [a, b]) {
      await app.server.close();
      await bus.close();
    }
    relay.close();
    await secondConnection.close();
    await database.destroy();
  });

  async function keyIdOf(workspaceId: string) {
    const keys = await send(a.app, 'GET', `/v1/workspaces/${workspaceId}/keys`, instanceAdminKey);
    return keys.body.data.data[0].id as string;
  }

  it('a key used on node B and revoked on node A is refused by node B within a second', async () => {
    const workspace = await createWorkspace(database.db, 'Key revoked elsewhere', secretBox);
    expect((await send(b.app, 'GET', '/v1/agents', workspace.apiKey)).status).toBe(200);
    const keyId = await keyIdOf(workspace.workspaceId);
    expect((await send(a.app, 'POST', `/v1/workspaces/${workspace.workspaceId}/keys/${keyId}/revoke`, instanceAdminKey)).status).toBe(200);
    await refusedWithinASecond(async () => (await send(b.app, 'GET', '/v1/agents', workspace.apiKey)).status, 401);
  });

  it('a key revoked by the CLI, which writes the database directly, is refused by node B within a second', async () => {
    const workspace = await createWorkspace(database.db, 'Key revoked from the CLI', secretBox);
    expect((await send(b.app, 'GET', '/v1/agents', workspace.apiKey)).status).toBe(200);
    const keyId = await keyIdOf(workspace.workspaceId);
    const env = {
      DATABASE_URL: database.url,
      SWITCHBOARD_DATA_DIR: mkdtempSync(join(tmpdir(), 'switchboard-relay-')),
      REDIS_URL,
      REDIS_PREFIX: prefix,
    };
    const revoked = await runCli(['keys', 'revoke', keyId], env);
    expect(revoked.stderr).toBe('');
    expect(revoked.stdout).toContain(`Revoked API key ${keyId}`);
    await refusedWithinASecond(async () => (await send(b.app, 'GET', '/v1/agents', workspace.apiKey)).status, 401);
  }, 20_000);

  it('a widget token used on node B is refused there within a second of being revoked, or rotated, on node A', async () => {
    const workspace = await createWorkspace(database.db, 'Tokens changed elsewhere', secretBox);
    for (const action of ['revoke', 'rotate'] as const) {
      const deployment = await deploy(a.app, workspace.apiKey);
      expect((await startSession(b.app, deployment)).status).toBe(201);
      expect((await send(a.app, 'POST', `/v1/agents/${deployment.agentId}/deployments/${deployment.id}/${action}`, workspace.apiKey)).status).toBe(200);
      await refusedWithinASecond(async () => (await startSession(b.app, deployment)).status, 401);
    }
  });

  it('a workspace suspended on node A has its key and its widget token refused by node B within a second', async () => {
    const workspace = await createWorkspace(database.db, 'Suspended elsewhere', secretBox);
    const deployment = await deploy(a.app, workspace.apiKey);
    expect((await send(b.app, 'GET', '/v1/agents', workspace.apiKey)).status).toBe(200);
    expect((await startSession(b.app, deployment)).status).toBe(201);
    expect((await send(a.app, 'PATCH', `/v1/workspaces/${workspace.workspaceId}`, instanceAdminKey, { status: 'suspended' })).status).toBe(200);
    await refusedWithinASecond(async () => (await send(b.app, 'GET', '/v1/agents', workspace.apiKey)).status, 403);
    await refusedWithinASecond(async () => (await startSession(b.app, deployment)).status, 403);
    expect((await send(a.app, 'PATCH', `/v1/workspaces/${workspace.workspaceId}`, instanceAdminKey, { status: 'active' })).status).toBe(200);
    expect((await send(b.app, 'GET', '/v1/agents', workspace.apiKey)).status).toBe(200);
  });

  it('after node B loses Redis and gets it back, a key revoked meanwhile is never served from its cache', async () => {
    const workspace = await createWorkspace(database.db, 'Revoked during an outage', secretBox);
    const deployment = await deploy(a.app, workspace.apiKey);
    expect((await send(b.app, 'GET', '/v1/agents', workspace.apiKey)).status).toBe(200);
    expect((await startSession(b.app, deployment)).status).toBe(201);
    const keyId = await keyIdOf(workspace.workspaceId);

    relay.cut();
    await waitUntil(() => b.bus.degraded, 5_000, 'node B to notice Redis is gone');
    // Published while B cannot hear them.
    expect((await send(a.app, 'POST', `/v1/agents/${deployment.agentId}/deployments/${deployment.id}/revoke`, workspace.apiKey)).status).toBe(200);
    expect((await send(a.app, 'POST', `/v1/workspaces/${workspace.workspaceId}/keys/${keyId}/revoke`, instanceAdminKey)).status).toBe(200);
    // While degraded, B reads the database.
    expect((await send(b.app, 'GET', '/v1/agents', workspace.apiKey)).status).toBe(401);
    relay.restore();
    await waitUntil(() => !b.bus.degraded, 10_000, 'node B to have Redis back');
    expect((await send(b.app, 'GET', '/v1/agents', workspace.apiKey)).status).toBe(401);
    // The token was not asked for during the outage: only forgetting on the reset keeps it from being served.
    expect((await startSession(b.app, deployment)).status).toBe(401);
  }, 20_000);
});

import { tmpdir } from 'node:os';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp, isDatabaseFault, openDatabase, SecretBox, type App, type DB, type Database } from '@switchboard/server';
import { availableServices } from '../helpers/services.js';
import { POSTGRES_ADMIN_URL, createTestDatabase, type TestDatabase } from '../helpers/engines.js';
import { createWorkspace } from '../helpers/app.js';
import { fakesEgress } from '../helpers/egress.js';

const fault = (code: string, message = `database fault ${code}`) => Object.assign(new Error(message), { code });

/** A Kysely whose every query fails with `error`, as when the database is down. */
function failingDb(error: Error): Kysely<DB> {
  const pool = {
    connect: async () => {
      throw error;
    },
    end: async () => undefined,
  };
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool: pool as never }) });
}

describe('database faults, classified', () => {
  it('tells a database that went away from a statement that was wrong', () => {
    const faults = [
      fault('57P01', 'terminating connection due to administrator command'),
      fault('57P02'),
      fault('57P03', 'the database system is starting up'),
      fault('08006'),
      fault('08001'),
      fault('53300', 'sorry, too many clients already'),
      fault('ECONNREFUSED'),
      fault('ECONNRESET'),
      fault('SQLITE_BUSY', 'database is locked'),
      fault('SQLITE_BUSY_SNAPSHOT'),
      fault('SQLITE_IOERR_WRITE'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Connection terminated unexpectedly'),
      new AggregateError([fault('ECONNREFUSED')], 'connect failed'),
      new Error('wrapped', { cause: fault('57P01') }),
    ];
    for (const error of faults) expect(isDatabaseFault(error), String(error)).toBe(true);
    const notFaults = [fault('23505'), fault('42P01'), fault('SQLITE_CONSTRAINT_UNIQUE'), new Error('boom'), null, undefined, 'text'];
    for (const error of notFaults) expect(isDatabaseFault(error), String(error)).toBe(false);
  });
});

describe('a request that hits a database fault', () => {
  const apps: App[] = [];
  afterAll(async () => {
    for (const app of apps) await app.server.close();
  });

  async function appOver(error: Error): Promise<App> {
    const app = buildApp({ db: failingDb(error), egress: fakesEgress });
    apps.push(app);
    await app.server.ready();
    return app;
  }

  it.each([
    ['PostgreSQL terminated the connection (57P01)', fault('57P01', 'terminating connection due to administrator command')],
    ['the connection was refused', fault('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['the pool timed out', new Error('timeout exceeded when trying to connect')],
    ['SQLite is busy', fault('SQLITE_BUSY', 'database is locked')],
  ])('answers 503 DATABASE_UNAVAILABLE in the envelope, with Retry-After, when %s', async (_what, error) => {
    const app = await appOver(error);
    const response = await app.server.inject({ method: 'GET', url: '/v1/agents?pageSize=1', headers: { authorization: 'Bearer sbk_whatever' } });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
    const body = response.json();
    expect(body).toMatchObject({
      success: false,
      status: 503,
      code: 'DATABASE_UNAVAILABLE',
      meta: { retryAfterSeconds: 1 },
      error: { code: 'DATABASE_UNAVAILABLE', details: null },
    });
    expect(body.message).toMatch(/database is not available/);
    expect(typeof body.timestamp).toBe('number');
  });

  it('answers 503 on the messaging-channels API, provider webhooks and the widget runtime too', async () => {
    const app = await appOver(fault('57P01', 'terminating connection due to administrator command'));
    const channels = await app.server.inject({ method: 'GET', url: '/channel-service/v1/channels', headers: { authorization: 'Bearer sbk_whatever' } });
    expect(channels.statusCode).toBe(503);
    expect(channels.headers['retry-after']).toBe('1');
    expect(channels.json()).toMatchObject({ error: { code: 'DATABASE_UNAVAILABLE' } });

    const webhook = await app.server.inject({
      method: 'POST',
      url: '/v1/public/channels/twilio/conn_abc',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'Body=hi',
    });
    expect(webhook.statusCode).toBe(503);
    expect(webhook.headers['retry-after']).toBe('1');
    expect(webhook.json()).toMatchObject({ success: false, code: 'DATABASE_UNAVAILABLE' });

    const runtime = await app.server.inject({
      method: 'POST',
      url: '/v1/public/runtime/sessions',
      headers: { authorization: 'Bearer cdp_whatever', origin: 'https://example.com', 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(runtime.statusCode).toBe(503);
    expect(runtime.json()).toMatchObject({ success: false, code: 'DATABASE_UNAVAILABLE' });
  });

  it('still answers 500 INTERNAL for a failure that is not the database being away', async () => {
    const app = await appOver(fault('42P01', 'relation "agents" does not exist'));
    const response = await app.server.inject({ method: 'GET', url: '/v1/agents', headers: { authorization: 'Bearer sbk_whatever' } });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toMatchObject({ code: 'INTERNAL' });
    expect(response.headers['retry-after']).toBeUndefined();
  });
});

interface Outcome {
  node: number;
  kind: 'read' | 'write';
  startedAt: number;
  status: number;
  code?: string;
  retryAfter?: string | null;
  id?: string;
  error?: string;
}

async function terminateBackends(databaseName: string): Promise<number> {
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query('SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [
      databaseName,
    ]);
    return rows.filter((row) => row.ok).length;
  } finally {
    await admin.end();
  }
}

/**
 * Two nodes on one PostgreSQL database, under concurrent reads and writes, while the database
 * terminates all their connections three times (what a restart or a failover does).
 */
describe.runIf(availableServices().postgres)('two nodes while PostgreSQL terminates their connections', () => {
  let database: TestDatabase | undefined;
  const nodes: { opened: Database; app: App; url: string }[] = [];

  afterAll(async () => {
    for (const node of nodes) {
      await node.app.server.close();
      await node.opened.close();
    }
    await database?.destroy();
  });

  it('stay up, answer 2xx or 503 DATABASE_UNAVAILABLE, serve again within a second and lose no acknowledged write', async () => {
    database = await createTestDatabase('postgres');
    const databaseName = new URL(database.url).pathname.slice(1);
    const box = SecretBox.random();
    for (let i = 0; i < 2; i++) {
      const opened = await openDatabase({ databaseUrl: database.url, dataDir: tmpdir(), poolSize: 5 });
      // Each node also runs its outbox dispatcher and inbox, which poll the same database.
      const app = buildApp({ db: opened.db, egress: fakesEgress, secretBox: box, delivery: { pollMs: 100 }, inbox: { pollMs: 100 } });
      const url = await app.server.listen({ port: 0, host: '127.0.0.1' });
      nodes.push({ opened, app, url });
    }
    const { apiKey } = await createWorkspace(database.db, 'Faults', box);
    const headers = { authorization: `Bearer ${apiKey}` };

    const outcomes: Outcome[] = [];
    let running = true;
    let written = 0;
    async function loop(node: number, kind: 'read' | 'write') {
      const base = nodes[node]!.url;
      while (running) {
        const startedAt = Date.now();
        try {
          const response =
            kind === 'read'
              ? await fetch(`${base}/v1/agents?pageSize=1`, { headers })
              : await fetch(`${base}/v1/agents`, {
                  method: 'POST',
                  headers: { ...headers, 'content-type': 'application/json' },
                  body: JSON.stringify({ name: `Agent ${node}-${written++}` }),
                });
          const body = (await response.json()) as { code?: string; data?: { id?: string } };
          outcomes.push({
            node,
            kind,
            startedAt,
            status: response.status,
            ...(body.code !== undefined && { code: body.code }),
            retryAfter: response.headers.get('retry-after'),
            ...(response.status === 201 && body.data?.id !== undefined && { id: body.data.id }),
          });
        } catch (error) {
          outcomes.push({ node, kind, startedAt, status: 0, error: (error as Error).message });
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }
    }
    // Four loops per node: two write (create an agent), two read (list agents).
    const loops = nodes.flatMap((_node, i) => [loop(i, 'write'), loop(i, 'write'), loop(i, 'read'), loop(i, 'read')]);

    const terminations: number[] = [];
    for (let round = 0; round < 3; round++) {
      await new Promise((resolve) => setTimeout(resolve, 700));
      const at = Date.now();
      expect(await terminateBackends(databaseName)).toBeGreaterThan(0);
      terminations.push(at);
    }
    await new Promise((resolve) => setTimeout(resolve, 1200));
    running = false;
    await Promise.all(loops);

    // Both nodes are up and serving.
    for (const node of nodes) {
      expect((await fetch(`${node.url}/health`)).status).toBe(200);
      expect((await fetch(`${node.url}/v1/agents?pageSize=1`, { headers })).status).toBe(200);
    }

    // Every answer was a success or 503 DATABASE_UNAVAILABLE with Retry-After: never a 500, never a dropped connection.
    const unexpected = outcomes.filter(
      (o) => !(o.status >= 200 && o.status < 300) && !(o.status === 503 && o.code === 'DATABASE_UNAVAILABLE' && o.retryAfter === '1'),
    );
    expect(unexpected).toEqual([]);
    const unavailable = outcomes.filter((o) => o.status === 503).length;
    expect(unavailable).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o.status === 201).length).toBeGreaterThan(20);

    // After each termination, each node answers a request started after it with a success within a second.
    for (const at of terminations) {
      for (let node = 0; node < nodes.length; node++) {
        const first = outcomes.filter((o) => o.node === node && o.startedAt >= at && o.status >= 200 && o.status < 300).sort((a, b) => a.startedAt - b.startedAt)[0];
        expect(first, `node ${node} served again after the termination at ${at}`).toBeDefined();
        expect(first!.startedAt - at).toBeLessThan(1000);
      }
    }

    // Every acknowledged write is in the database.
    const acknowledged = outcomes.flatMap((o) => (o.id ? [o.id] : []));
    const stored = await database.db.selectFrom('agents').select('id').where('id', 'in', acknowledged).execute();
    expect(new Set(stored.map((row) => row.id))).toEqual(new Set(acknowledged));
  }, 60_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildApp, loadConfig, type App } from '@switchboard/server';
import { ENGINES, createTestDatabase, type TestDatabase } from '../helpers/engines.js';
import { createWorkspace } from '../helpers/app.js';
import { waitUntil } from '../helpers/wait.js';
import { queueRefusedWebhookEvent } from '../helpers/refused-webhook.js';

/** The value of one sample in Prometheus text, or undefined when the line is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-z_]+)(\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[3] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[4]);
  }
  return undefined;
}

describe.each(ENGINES)('metrics on %s', (engine) => {
  let database: TestDatabase;
  let app: App;
  let key: string;
  let refusing: Server;

  beforeAll(async () => {
    refusing = createServer((_req, res) => res.writeHead(503).end());
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    database = await createTestDatabase(engine);
    app = buildApp({ db: database.db, ...(database.poolStats && { poolStats: database.poolStats }), metricsToken: 'scrape-token-123', delivery: { baseDelayMs: 10, maxAttempts: 1, pollMs: 50 } });
    await app.server.ready();
    key = (await createWorkspace(database.db, 'Metrics', app.secretBox)).apiKey;
  });
  afterAll(async () => {
    await app.server.close();
    await database.destroy();
    await new Promise<void>((resolve) => refusing.close(() => resolve()));
  });

  const scrape = async () => {
    const answer = await app.server.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer scrape-token-123' } });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return answer.body;
  };

  it('answers only the bearer of METRICS_TOKEN', async () => {
    expect((await app.server.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    expect((await app.server.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer wrong' } })).json()).toMatchObject({
      success: false,
      code: 'UNAUTHORIZED',
    });
  });

  it('times requests by route template and status, never by raw path', async () => {
    for (const id of ['agent_one', 'agent_two']) {
      await app.server.inject({ method: 'GET', url: `/v1/agents/${id}`, headers: { authorization: `Bearer ${key}` } });
    }
    const text = await scrape();
    expect(sample(text, 'switchboard_http_request_duration_seconds_count', { route: '/v1/agents/:id', status_code: '404', method: 'GET' })).toBe(2);
    expect(text).not.toContain('agent_one');
  });

  it('counts inbound webhooks refused, by provider and reason', async () => {
    const before = sample(await scrape(), 'switchboard_inbound_webhooks_total', { provider: 'twilio', outcome: 'refused', reason: 'unknown_connection' }) ?? 0;
    await app.server.inject({ method: 'POST', url: '/v1/public/channels/twilio/conn_missing', payload: 'Body=hi', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const after = sample(await scrape(), 'switchboard_inbound_webhooks_total', { provider: 'twilio', outcome: 'refused', reason: 'unknown_connection' });
    expect(after).toBe(before + 1);
  });

  it('reports delivery attempts by outcome and the dead-letter gauge from the database', async () => {
    // The policy refuses this address when it is sent to: the attempt fails at once and, with one attempt allowed, is dead.
    await queueRefusedWebhookEvent(app, database.db, key, `http://127.0.0.1:${(refusing.address() as AddressInfo).port}/`);
    const text = await waitUntil(async () => {
      const body = await scrape();
      // The gauge is read from the database as soon as the attempt commits; the counter follows the commit in the process.
      const dead = (sample(body, 'switchboard_outbox_dead') ?? 0) >= 1;
      const counted = sample(body, 'switchboard_delivery_attempts_total', { channel: 'webhook_event', outcome: 'dead' }) !== undefined;
      return dead && counted ? body : undefined;
    }, 5000, 'a dead delivery in the metrics');
    expect(sample(text, 'switchboard_delivery_attempts_total', { channel: 'webhook_event', outcome: 'dead' })).toBe(1);
    for (const name of ['switchboard_inbox_backlog', 'switchboard_inbox_oldest_pending_age_seconds', 'switchboard_outbox_pending', 'switchboard_outbox_oldest_pending_age_seconds']) {
      expect(sample(text, name), name).toBeGreaterThanOrEqual(0);
    }
    expect(sample(text, 'switchboard_sse_streams_open', { stream: 'widget' })).toBe(0);
    expect(sample(text, 'switchboard_nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'switchboard_process_resident_memory_bytes')).toBeGreaterThan(0);
    if (engine === 'postgres') {
      expect(sample(text, 'switchboard_db_pool_connections', { state: 'waiting' })).toBe(0);
      expect(sample(text, 'switchboard_db_pool_connections', { state: 'in_use' })).toBeGreaterThanOrEqual(0);
    } else {
      expect(sample(text, 'switchboard_db_pool_connections', { state: 'waiting' })).toBeUndefined();
    }
  });
});

describe('TRUST_PROXY', () => {
  it('reads a hop count or proxy ranges, and refuses anything else', () => {
    expect(loadConfig({}).trustProxy).toBeUndefined();
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.7' }).trustProxy).toEqual(['10.0.0.0/8', '192.168.1.7']);
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY must be a hop count/);
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/99' })).toThrow(/TRUST_PROXY/);
  });

  async function runtimeAnswers(trustProxy: number | undefined): Promise<number[]> {
    const database = await createTestDatabase('sqlite');
    const app = buildApp({ db: database.db, runtimeRateLimits: { perIp: 2, perToken: 100 }, ...(trustProxy !== undefined && { trustProxy }) });
    await app.server.ready();
    try {
      const statuses: number[] = [];
      for (const client of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
        const answer = await app.server.inject({
          method: 'POST',
          url: '/v1/public/runtime/sessions',
          remoteAddress: '10.0.0.2',
          headers: { 'x-forwarded-for': client, 'content-type': 'application/json' },
          payload: '{}',
        });
        statuses.push(answer.statusCode);
      }
      return statuses;
    } finally {
      await app.server.close();
      await database.destroy();
    }
  }

  it('gives each visitor behind the proxy a per-address limit of its own, and shares one without it', async () => {
    expect(await runtimeAnswers(1)).toEqual([401, 401, 401]);
    expect(await runtimeAnswers(undefined)).toEqual([401, 401, 429]);
  });
});

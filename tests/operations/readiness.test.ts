import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { buildApp } from '@switchboard/server';
import { ENGINES, createTestDatabase } from '../helpers/engines.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

describe.each(ENGINES)('health and readiness on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(() => t.close());

  it('answers /health without checking anything, and /ready after a database round trip and the migrations', async () => {
    expect((await t.request('GET', '/health', undefined, { authorization: '' })).body).toMatchObject({ status: 'ok' });
    const ready = await t.request('GET', '/ready', undefined, { authorization: '' });
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready', checks: { database: { status: 'ok' }, migrations: { status: 'ok' } } });
    expect(ready.body.checks.redis).toBeUndefined();
  });

  it('answers /ready 503 naming the database when it cannot be reached, while /health stays up', async () => {
    const database = await createTestDatabase(engine);
    const app = buildApp({ db: database.db });
    await app.server.ready();
    await database.close();
    try {
      const ready = await app.server.inject({ method: 'GET', url: '/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.headers['retry-after']).toBe('5');
      expect(ready.json()).toMatchObject({ status: 'not ready', checks: { database: { status: 'failed' }, migrations: { status: 'failed' } } });
      expect((await app.server.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    } finally {
      await app.server.close();
      await database.destroy().catch(() => undefined);
    }
  });

  it('names Redis when it is configured and does not answer', async () => {
    const database = await createTestDatabase(engine);
    // A port nothing listens on: the ping fails fast and the connection is never retried for long.
    const redis = new Redis({ host: '127.0.0.1', port: 1, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
    redis.on('error', () => undefined);
    const app = buildApp({ db: database.db, redis });
    await app.server.ready();
    try {
      const ready = await app.server.inject({ method: 'GET', url: '/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json().checks).toMatchObject({ database: { status: 'ok' }, redis: { status: 'failed' } });
    } finally {
      await app.server.close();
      redis.disconnect();
      await database.destroy();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { buildApp, type App } from '@switchboard/server';
import { ENGINES } from '../helpers/engines.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { fakesEgress } from '../helpers/egress.js';
import { REDIS_URL, availableServices } from '../helpers/services.js';
import { PASSWORD, memberSession } from '../helpers/console-session.js';

const hasRedis = availableServices().redis;

describe.each(hasRedis ? ENGINES : [])('sign-in throttling shared through Redis on %s', (engine) => {
  let t: TestApp;
  let redis: Redis;
  let nodes: App[];
  const prefix = `sbtest-${randomBytes(4).toString('hex')}:`;
  beforeAll(async () => {
    t = await createTestApp(engine);
    redis = new Redis(REDIS_URL);
    nodes = [0, 1].map(() => buildApp({ db: t.db, egress: fakesEgress, secretBox: t.app.secretBox, redis, redisPrefix: prefix }));
    for (const node of nodes) await node.server.ready();
  });
  afterAll(async () => {
    for (const node of nodes) await node.server.close();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await t.close();
  });

  const signIn = (node: App, email: string, password: string, remoteAddress: string) =>
    node.server.inject({ method: 'POST', url: '/v1/sessions', payload: { email, password }, remoteAddress });

  it('counts failures on every node together', async () => {
    const agent = await memberSession(t, 'agent');
    for (let i = 0; i < 5; i++) {
      expect((await signIn(nodes[i % 2]!, agent.email, `wrong password ${i}`, `10.9.0.${i}`)).statusCode).toBe(401);
    }
    for (const node of nodes) {
      const limited = await signIn(node, agent.email, PASSWORD, '10.9.1.1');
      expect(limited.statusCode).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(800);
    }
    expect(await redis.keys(`${prefix}*signin-failures*`)).not.toHaveLength(0);
  });
});

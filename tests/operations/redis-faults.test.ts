/**
 * Redis down degrades instead of failing: widget messages are still stored and answered on the
 * node that took them, rate limits count per process, a warning is logged once and a metric
 * says so; when Redis is back, nodes share events again by themselves. The Redis server here is
 * the test's own, on its own port, so stopping it disturbs nothing else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, SecretBox, type App } from '@switchboard/server';
import { createRedisBus, type RedisBus } from '../../packages/server/src/bus/redis-bus.js';
import { createTestDatabase, type TestDatabase } from '../helpers/engines.js';
import { createWorkspace } from '../helpers/app.js';
import { freePort } from '../helpers/cli.js';
import { openSse } from '../helpers/sse.js';
import { waitUntil } from '../helpers/wait.js';

const ORIGIN = 'http://localhost:5500';
const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;
if (!hasRedisServer && process.env.CI !== 'true') console.warn('tests/operations/redis-faults: redis-server is not installed, so Redis outages are not tested');

class OwnRedis {
  child: ChildProcess | undefined;
  readonly dir = mkdtempSync(join(tmpdir(), 'switchboard-redis-'));
  constructor(readonly port: number) {}
  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }
  async start() {
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir], { stdio: 'ignore' });
    await waitUntil(() => spawnSync('redis-cli', ['-p', String(this.port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG', 5000, 'redis-server to answer');
  }
  async stop() {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}

interface Node {
  app: App;
  bus: RedisBus;
  url: string;
  warnings: string[];
}

describe.runIf(hasRedisServer || process.env.CI === 'true')('Redis outages', () => {
  let redis: OwnRedis;
  let database: TestDatabase;
  const nodes: Node[] = [];
  const secretBox = SecretBox.random();

  async function startNode(): Promise<Node> {
    const warnings: string[] = [];
    const bus = await createRedisBus(redis.url, { prefix: 'faults:' });
    const logger = {
      level: 'warn',
      stream: { write: (line: string) => warnings.push(JSON.parse(line).msg as string) },
    };
    const app = buildApp({ db: database.db, secretBox, bus, redis: bus.redis, redisPrefix: 'faults:', logger, runtimeRateLimits: { perIp: 1000, perToken: 1000 } });
    return { app, bus, url: await app.server.listen({ port: 0, host: '127.0.0.1' }), warnings };
  }

  beforeAll(async () => {
    redis = new OwnRedis(await freePort());
    await redis.start();
    database = await createTestDatabase('sqlite');
    nodes.push(await startNode(), await startNode());
  }, 30_000);
  afterAll(async () => {
    for (const node of nodes) {
      await node.app.server.close();
      await node.bus.close();
    }
    await database.destroy();
    await redis.stop();
    rmSync(redis.dir, { recursive: true, force: true });
  });

  async function widgetSession(node: Node) {
    const { apiKey } = await createWorkspace(database.db, undefined, secretBox);
    const control = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
    const agent = (await (await fetch(`${node.url}/v1/agents`, { method: 'POST', headers: control, body: JSON.stringify({ name: 'Echo' }) })).json()) as any;
    const deployment = (await (
      await fetch(`${node.url}/v1/agents/${agent.data.id}/deployments`, { method: 'POST', headers: control, body: JSON.stringify({ allowedOrigins: [ORIGIN] }) })
    ).json()) as any;
    const runtime = { authorization: `Bearer ${deployment.data.token}`, origin: ORIGIN, 'content-type': 'application/json' };
    const session = (await (await fetch(`${node.url}/v1/public/runtime/sessions`, { method: 'POST', headers: runtime, body: '{}' })).json()) as any;
    return { headers: { ...runtime, 'x-visitor-token': session.data.visitorToken as string }, sessionId: session.data.sessionId as string };
  }

  const metric = async (node: Node) => /^switchboard_redis_degraded (\d)$/m.exec(await (await fetch(`${node.url}/metrics`)).text())?.[1];

  it('keeps storing and answering widget messages while Redis is down, then shares events again when it is back', async () => {
    const [a, b] = nodes as [Node, Node];
    const { headers, sessionId } = await widgetSession(a);
    expect(await metric(a)).toBe('0');

    await redis.stop();
    await waitUntil(() => a.bus.degraded && b.bus.degraded, 5000, 'both nodes to notice');
    const stream = await openSse(`${a.url}/v1/public/runtime/sessions/${sessionId}/events`, headers);
    const started = Date.now();
    const sent = await fetch(`${a.url}/v1/public/runtime/sessions/${sessionId}/messages`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ text: 'while redis is down', clientMessageId: 'down-1' }),
    });
    expect(sent.status).toBe(202);
    expect(Date.now() - started).toBeLessThan(1000);
    const reply = await stream.waitFor((e) => e.event === 'message' && e.data.role === 'agent');
    expect(reply.data.text).toBe('while redis is down');
    const stored = await database.db.selectFrom('messages').select('text').where('conversation_id', 'is not', null).execute();
    expect(stored.map((m) => m.text)).toEqual(expect.arrayContaining(['while redis is down']));
    expect(await metric(a)).toBe('1');
    for (let i = 0; i < 3; i++) {
      await fetch(`${a.url}/v1/public/runtime/sessions/${sessionId}/messages`, { method: 'POST', headers, body: JSON.stringify({ text: `more ${i}`, clientMessageId: `down-more-${i}` }) });
    }
    expect(a.warnings.filter((w) => w.startsWith('Redis is unreachable'))).toHaveLength(1);
    stream.close();

    await redis.start();
    await waitUntil(() => !a.bus.degraded && !b.bus.degraded, 10_000, 'both nodes to reconnect');
    expect(await metric(a)).toBe('0');
    const across = await openSse(`${a.url}/v1/public/runtime/sessions/${sessionId}/events`, headers);
    const sentThroughB = await fetch(`${b.url}/v1/public/runtime/sessions/${sessionId}/messages`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ text: 'after redis returned', clientMessageId: 'back-1' }),
    });
    expect(sentThroughB.status).toBe(202);
    const crossed = await across.waitFor((e) => e.event === 'message' && e.data.role === 'agent' && e.data.text === 'after redis returned', 5000);
    expect(crossed.data.text).toBe('after redis returned');
    across.close();
  }, 40_000);

  it('namespaces channels by REDIS_PREFIX: installations sharing one Redis never see each other', async () => {
    const one = await createRedisBus(redis.url, { prefix: 'one:' });
    const two = await createRedisBus(redis.url, { prefix: 'two:' });
    try {
      const heardByTwo: unknown[] = [];
      const heardByOne: unknown[] = [];
      await two.subscribe('conv_shared', (event) => heardByTwo.push(event));
      await one.subscribe('conv_shared', (event) => heardByOne.push(event));
      one.publish('conv_shared', { type: 'typing', data: { active: true } });
      await waitUntil(() => heardByOne.length === 1, 3000, 'the publishing installation to hear its event');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(heardByTwo).toEqual([]);
      const keys = spawnSync('redis-cli', ['-p', String(redis.port), 'pubsub', 'channels', '*'], { encoding: 'utf8' }).stdout.trim().split('\n');
      expect(keys.filter(Boolean).every((channel) => /^(one|two|faults):/.test(channel))).toBe(true);
    } finally {
      await one.close();
      await two.close();
    }
  });
});

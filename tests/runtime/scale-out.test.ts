import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, SecretBox, type App } from '@switchboard/server';
import { createRedisBus } from '../../packages/server/src/bus/redis-bus.js';
import type { EventBus } from '../../packages/server/src/bus/event-bus.js';
import { createTestDatabase, type TestDatabase } from '../helpers/engines.js';
import { createWorkspace } from '../helpers/app.js';
import { openSse } from '../helpers/sse.js';
import { fakesEgress } from '../helpers/egress.js';
import { REDIS_URL, availableServices } from '../helpers/services.js';

const ORIGIN = 'http://localhost:5500';

/** Two server nodes on one PostgreSQL database and one Redis, as behind a load balancer. */
describe.runIf(availableServices().postgres && availableServices().redis)('scale-out: two nodes sharing PostgreSQL and Redis', () => {
  let database: TestDatabase;
  const nodes: { app: App; bus: EventBus; url: string }[] = [];
  // Nodes share the master key, as SWITCHBOARD_SECRET_KEY makes them: keys are stored by a hash under it.
  const secretBox = SecretBox.random();

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    for (let i = 0; i < 2; i++) {
      const bus = await createRedisBus(REDIS_URL);
      const app = buildApp({ db: database.db, secretBox, bus, egress: fakesEgress });
      nodes.push({ app, bus, url: await app.server.listen({ port: 0, host: '127.0.0.1' }) });
    }
  });
  afterAll(async () => {
    for (const node of nodes) {
      await node.app.server.close();
      await node.bus.close();
    }
    await database.destroy();
  });

  it('streams on one node what a message sent through the other node produced', async () => {
    const { apiKey } = await createWorkspace(database.db, undefined, secretBox);
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    const control = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
    const agent = (await (await fetch(`${a.url}/v1/agents`, { method: 'POST', headers: control, body: JSON.stringify({ name: 'Echo' }) })).json()) as any;
    const deployment = (await (
      await fetch(`${a.url}/v1/agents/${agent.data.id}/deployments`, { method: 'POST', headers: control, body: JSON.stringify({ allowedOrigins: [ORIGIN] }) })
    ).json()) as any;
    const runtime = { authorization: `Bearer ${deployment.data.token}`, origin: ORIGIN, 'content-type': 'application/json' };
    const session = (await (await fetch(`${a.url}/v1/public/runtime/sessions`, { method: 'POST', headers: runtime, body: '{}' })).json()) as any;
    const { sessionId, visitorToken } = session.data;

    const stream = await openSse(`${a.url}/v1/public/runtime/sessions/${sessionId}/events`, { ...runtime, 'x-visitor-token': visitorToken });
    const sent = await fetch(`${b.url}/v1/public/runtime/sessions/${sessionId}/messages`, {
      method: 'POST',
      headers: { ...runtime, 'x-visitor-token': visitorToken },
      body: JSON.stringify({ text: 'across nodes', clientMessageId: 'x-1' }),
    });
    expect(sent.status).toBe(202);
    const reply = await stream.waitFor((e) => e.event === 'message' && e.data.role === 'agent');
    expect(reply.data.text).toBe('across nodes');
    expect(stream.events.some((e) => e.event === 'delta')).toBe(true);
    stream.close();

    // Revocation through node B is seen by node A on its next request.
    await fetch(`${b.url}/v1/agents/${agent.data.id}/deployments/${deployment.data.id}/revoke`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}` } });
    const refused = await fetch(`${a.url}/v1/public/runtime/sessions`, { method: 'POST', headers: runtime, body: '{}' });
    expect(refused.status).toBe(401);
  });
});

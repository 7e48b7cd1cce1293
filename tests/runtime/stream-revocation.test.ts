/**
 * Revocation reaches open widget streams: revoking or rotating the token, removing the page's
 * origin, pausing the deployment or suspending the workspace ends the streams it affects within
 * a second, on every node, with a last `closed` event saying why; other streams stay open.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, SecretBox, type App } from '@switchboard/server';
import { ENGINES, createTestDatabase, type TestDatabase } from '../helpers/engines.js';
import { createWorkspace } from '../helpers/app.js';
import { openSse, type SseStream } from '../helpers/sse.js';
import { waitUntil } from '../helpers/wait.js';

const ORIGIN = 'http://localhost:5500';
const OTHER_ORIGIN = 'http://localhost:5501';

describe.each(ENGINES)('open widget streams on %s', (engine) => {
  let database: TestDatabase;
  // Two nodes on one database and no Redis: what one changes, the other's streams must notice.
  const nodes: { app: App; url: string }[] = [];
  let key: string;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    const secretBox = SecretBox.random();
    for (let i = 0; i < (engine === 'postgres' ? 2 : 1); i++) {
      const app = buildApp({ db: database.db, secretBox, runtimeRateLimits: { perIp: 10_000, perToken: 10_000 } });
      nodes.push({ app, url: await app.server.listen({ port: 0, host: '127.0.0.1' }) });
    }
    key = (await createWorkspace(database.db, 'Streams', nodes[0]!.app.secretBox)).apiKey;
  });
  afterAll(async () => {
    for (const node of nodes) await node.app.server.close();
    await database.destroy();
  });

  const api = async (method: string, path: string, body?: unknown, node = nodes.at(-1)!) => {
    const response = await fetch(`${node.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  async function deploy(origins = [ORIGIN, OTHER_ORIGIN]) {
    const agent = await api('POST', '/v1/agents', { name: 'Echo' });
    const deployed = await api('POST', `/v1/agents/${agent.body.data.id}/deployments`, {
      allowedOrigins: origins,
      channel: { channelIdentifier: `https://site-${Math.random().toString(36).slice(2)}.example.com` },
    });
    expect(deployed.status).toBe(201);
    return { agentId: agent.body.data.id as string, deployment: deployed.body.data };
  }

  /** A visitor's stream opened on the first node. */
  async function stream(token: string, origin = ORIGIN): Promise<SseStream> {
    const node = nodes[0]!;
    const headers = { authorization: `Bearer ${token}`, origin, 'content-type': 'application/json' };
    const session = (await (await fetch(`${node.url}/v1/public/runtime/sessions`, { method: 'POST', headers, body: '{}' })).json()) as any;
    const opened = await openSse(`${node.url}/v1/public/runtime/sessions/${session.data.sessionId}/events`, { ...headers, 'x-visitor-token': session.data.visitorToken });
    expect(opened.status).toBe(200);
    return opened;
  }

  async function closedWithin(opened: SseStream, reason: string, since: number) {
    const closed = await opened.waitFor((e) => e.event === 'closed', 3000);
    expect(Date.now() - since).toBeLessThan(1500);
    expect(closed.data).toMatchObject({ reason });
    expect(typeof closed.data.message).toBe('string');
    return closed;
  }

  it('ends the streams of a revoked token with the reason, and leaves the other deployments alone', async () => {
    const one = await deploy();
    const two = await deploy();
    const revoked = await stream(one.deployment.token);
    const untouched = await stream(two.deployment.token);
    const at = Date.now();
    expect((await api('POST', `/v1/agents/${one.agentId}/deployments/${one.deployment.id}/revoke`)).status).toBe(200);
    const closed = await closedWithin(revoked, 'TOKEN_REVOKED', at);
    expect(closed.data.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(untouched.events.some((e) => e.event === 'closed')).toBe(false);
    revoked.close();
    untouched.close();
  });

  it('ends the streams of a rotated token', async () => {
    const { agentId, deployment } = await deploy();
    const opened = await stream(deployment.token);
    const at = Date.now();
    expect((await api('POST', `/v1/agents/${agentId}/deployments/${deployment.id}/rotate`)).status).toBe(200);
    await closedWithin(opened, 'TOKEN_REVOKED', at);
    opened.close();
  });

  it('ends only the streams of an origin that was removed', async () => {
    const { agentId, deployment } = await deploy();
    const removed = await stream(deployment.token, OTHER_ORIGIN);
    const kept = await stream(deployment.token, ORIGIN);
    const at = Date.now();
    expect((await api('PATCH', `/v1/agents/${agentId}/deployments/${deployment.id}`, { allowedOrigins: [ORIGIN] })).status).toBe(200);
    await closedWithin(removed, 'ORIGIN_NOT_ALLOWED', at);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(kept.events.some((e) => e.event === 'closed')).toBe(false);
    removed.close();
    kept.close();
  });

  it('ends the streams of a paused deployment, and refuses new sessions until it is active again', async () => {
    const { deployment } = await deploy();
    const opened = await stream(deployment.token);
    const at = Date.now();
    const paused = await api('PATCH', `/v1/deployment-configurations/${deployment.deploymentConfigurationId}`, { status: 'paused' });
    expect(paused.status).toBe(200);
    await closedWithin(opened, 'DEPLOYMENT_PAUSED', at);
    opened.close();
    const headers = { authorization: `Bearer ${deployment.token}`, origin: ORIGIN, 'content-type': 'application/json' };
    expect((await fetch(`${nodes[0]!.url}/v1/public/runtime/sessions`, { method: 'POST', headers, body: '{}' })).status).toBe(403);
    await api('PATCH', `/v1/deployment-configurations/${deployment.deploymentConfigurationId}`, { status: 'active' });
    expect((await fetch(`${nodes[0]!.url}/v1/public/runtime/sessions`, { method: 'POST', headers, body: '{}' })).status).toBe(201);
  });

  it('ends the streams of a workspace that is suspended', async () => {
    const { deployment } = await deploy();
    const opened = await stream(deployment.token);
    const at = Date.now();
    const workspaceId = (await database.db.selectFrom('web_deployments').select('workspace_id').where('id', '=', deployment.id).executeTakeFirstOrThrow()).workspace_id;
    await database.db.updateTable('workspaces').set({ status: 'suspended' }).where('id', '=', workspaceId).execute();
    try {
      await closedWithin(opened, 'WORKSPACE_SUSPENDED', at);
    } finally {
      await database.db.updateTable('workspaces').set({ status: 'active' }).where('id', '=', workspaceId).execute();
      opened.close();
    }
  });

});

describe('the stream guard', () => {
  it('keeps a stream through failed checks, reporting the outage once, and ends it at the next check that refuses', async () => {
    const { createStreamGuard } = await import('../../packages/server/src/runtime/stream-guard.js');
    const { unauthorized } = await import('../../packages/server/src/runtime/access.js');
    let calls = 0;
    const errors: unknown[] = [];
    const guard = createStreamGuard({
      intervalMs: 60_000,
      check: async () => {
        calls++;
        if (calls <= 2) throw new Error('database unavailable');
        return () => unauthorized('Deployment token was revoked', 'TOKEN_REVOKED');
      },
      onError: (error) => errors.push(error),
    });
    const ended: string[] = [];
    guard.watch({ tokenHash: 'h', origin: ORIGIN, end: (last) => ended.push(last) });
    await guard.sweep();
    await guard.sweep();
    expect(ended).toEqual([]);
    expect(errors).toHaveLength(1);
    await guard.sweep();
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatch(/^event: closed\ndata: \{"status":401,"code":"UNAUTHORIZED","reason":"TOKEN_REVOKED"/);
    guard.stop();
  });
});

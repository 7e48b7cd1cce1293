/**
 * `client.deployments` identity-secret methods, `userHash`, and `client.contacts`, against a real
 * Switchboard on both engines; the widget's identify and track calls are made with plain fetch.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, SwitchboardClient, ValidationError, userHash } from '@switchboard/sdk';
import { ENGINES } from '../helpers/engines.js';
import { startLiveServer, type LiveServer } from '../helpers/live-server.js';

const ORIGIN = 'http://localhost:5500';

describe('userHash', () => {
  it('is the hex HMAC-SHA256 of the user id under the secret', async () => {
    const cases: [string, string][] = [
      ['idsec_abc', 'user-1'],
      ['idsec_Q4m9TzL2vXb7Kd1NwR8sYc3HfJ6pUa0GeV5iOyBn2Wq', 'ünïcødé 42'],
    ];
    for (const [secret, userId] of cases) {
      expect(await userHash(secret, userId)).toBe(createHmac('sha256', secret).update(userId, 'utf8').digest('hex'));
    }
  });
});

describe.each(ENGINES)('SDK identity secret and contacts on %s', (engine) => {
  let server: LiveServer;
  let client: SwitchboardClient;

  beforeAll(async () => {
    server = await startLiveServer(engine, { runtimeRateLimits: { perIp: 10_000, perToken: 10_000 } });
    client = new SwitchboardClient({ apiKey: (await server.newWorkspace()).apiKey, baseUrl: server.baseUrl });
  });
  afterAll(async () => {
    await server.close();
  });

  const runtime = async (token: string, path: string, body: unknown, visitorToken?: string) => {
    const response = await fetch(`${server.baseUrl}/v1/public/runtime${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, origin: ORIGIN, 'content-type': 'application/json', ...(visitorToken && { 'x-visitor-token': visitorToken }) },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  it('issues, reads and removes the identity secret; userHash makes identify link the visitor', async () => {
    const agent = await client.agents.create({ name: 'Concierge' });
    const deployment = await client.deployments.create(agent.id, { allowedOrigins: [ORIGIN], channel: { channelIdentifier: `https://sdk-${engine}.example.com` } });
    expect(await client.deployments.identitySecret(agent.id, deployment.id)).toEqual({ enabled: false, createdAt: null, fingerprint: null });

    const issued = await client.deployments.issueIdentitySecret(agent.id, deployment.id);
    expect(issued.identitySecret).toMatch(/^idsec_/);
    const status = await client.deployments.identitySecret(agent.id, deployment.id);
    expect(status).toEqual({ enabled: true, createdAt: issued.createdAt, fingerprint: issued.fingerprint });
    expect(JSON.stringify(status)).not.toContain(issued.identitySecret);

    const linked = await runtime(deployment.token, '/identify', { userId: 'customer-1', userHash: await userHash(issued.identitySecret, 'customer-1'), name: 'Ada' });
    expect(linked.body.data).toMatchObject({ verified: true });
    const tracked = await runtime(deployment.token, '/track', { event: 'upgraded', data: { plan: 'team' } }, linked.body.data.visitorToken);
    expect(tracked.status).toBe(201);

    const session = await runtime(deployment.token, '/sessions', { visitorToken: linked.body.data.visitorToken });
    const conversation = await client.conversations.get(session.body.data.sessionId);
    const contact = await client.contacts.get(conversation.contactId);
    expect(contact).toMatchObject({ externalId: 'customer-1', displayName: 'Ada' });
    const events = await client.contacts.events(contact.id);
    expect(events.data).toEqual([expect.objectContaining({ name: 'upgraded', data: { plan: 'team' }, contactId: contact.id })]);
    expect((await client.contacts.setAttributes(contact.id, { plan: 'team', beta: null })).attributes).toMatchObject({ plan: 'team' });
    await expect(client.contacts.setAttributes(contact.id, { '1bad': 'x' })).rejects.toBeInstanceOf(ValidationError);

    expect(await client.deployments.removeIdentitySecret(agent.id, deployment.id)).toEqual({ enabled: false, createdAt: null, fingerprint: null });
    await expect(client.deployments.issueIdentitySecret(agent.id, 'wdp_missing')).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.contacts.events('ct_missing')).rejects.toBeInstanceOf(NotFoundError);
  });
});

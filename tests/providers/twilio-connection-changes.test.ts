import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '@switchboard/server';
import { ENGINES } from '../helpers/engines.js';
import { startLiveServer, type LiveServer } from '../helpers/live-server.js';
import { controlApi } from '../helpers/control.js';
import { fakesEgress } from '../helpers/egress.js';
import { inboundSmsParams, signedTwilioWebhook } from '../fakes/twilio.js';

const PUBLIC_URL = 'https://switchboard.example.com';
const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;

/**
 * Webhooks read their connection (and its opened Auth Token) from a short-lived cache. A change
 * made through a node takes effect on that node at once, and on another node within a second.
 */
describe.each(ENGINES)('Twilio webhooks after a connection changes, on %s', (engine) => {
  let nodeA: LiveServer;
  let nodeB: App;
  let nodeBUrl: string;
  let api: ReturnType<typeof controlApi>;
  let sequence = 0;

  const post = (baseUrl: string, connectionId: string, authToken: string) => {
    const path = `/v1/public/channels/twilio/${connectionId}`;
    const sid = `SMchange${String(++sequence).padStart(26, '0')}`;
    const { headers, body } = signedTwilioWebhook(authToken, `${PUBLIC_URL}${path}`, inboundSmsParams({ MessageSid: sid, SmsSid: sid, SmsMessageSid: sid }));
    return fetch(`${baseUrl}${path}`, { method: 'POST', headers, body }).then(async (response) => (await response.arrayBuffer(), response.status));
  };
  /** Polls until `check` holds; returns how long that took (ms). */
  const within = async (check: () => Promise<boolean>, timeoutMs: number) => {
    const started = Date.now();
    while (!(await check())) {
      if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return Date.now() - started;
  };
  const newConnection = async (authToken: string) => {
    const secret = await api('POST', '/v1/secrets', { name: `token-${++sequence}`, value: authToken });
    const connection = await api('POST', '/v1/connections', {
      provider: 'twilio',
      name: `Twilio ${sequence}`,
      settings: { accountSid: ACCOUNT_SID },
      // Nothing here sends a reply; were one sent, it would meet a closed loopback port, not Twilio.
      apiBaseUrl: 'http://127.0.0.1:9',
      credentials: { authToken: secret.body.data.id },
    });
    expect(connection.status).toBe(201);
    return { connectionId: connection.body.data.id as string, secretId: secret.body.data.id as string };
  };

  beforeAll(async () => {
    nodeA = await startLiveServer(engine, { publicUrl: PUBLIC_URL, inbox: { pollMs: 60_000 } });
    // A second node over the same database and master key, as behind a load balancer.
    nodeB = buildApp({ db: nodeA.db, egress: fakesEgress, publicUrl: PUBLIC_URL, secretBox: nodeA.app.secretBox, inbox: { pollMs: 60_000 } });
    await nodeB.server.listen({ port: 0, host: '127.0.0.1' });
    nodeBUrl = `http://127.0.0.1:${(nodeB.server.server.address() as AddressInfo).port}`;
    api = controlApi(nodeA.baseUrl, (await nodeA.newWorkspace()).apiKey);
  });
  afterAll(async () => {
    await nodeB?.server.close();
    await nodeA?.close();
  });

  it('a new Auth Token: refused at once on the node that changed it, within a second on the other', async () => {
    const { connectionId } = await newConnection('token-one');
    expect(await post(nodeA.baseUrl, connectionId, 'token-one')).toBe(200);
    expect(await post(nodeBUrl, connectionId, 'token-one')).toBe(200);

    const replacement = await api('POST', '/v1/secrets', { name: 'token-two', value: 'token-two' });
    const changed = await api('PATCH', `/v1/connections/${connectionId}`, { credentials: { authToken: replacement.body.data.id } });
    expect(changed.status).toBe(200);

    expect(await post(nodeA.baseUrl, connectionId, 'token-one')).toBe(403);
    expect(await post(nodeA.baseUrl, connectionId, 'token-two')).toBe(200);
    const seenAfter = await within(async () => (await post(nodeBUrl, connectionId, 'token-one')) === 403, 3_000);
    expect(seenAfter).toBeLessThanOrEqual(1_500);
    expect(await post(nodeBUrl, connectionId, 'token-two')).toBe(200);
  });

  it('a secret replaced in place is used at once by the node that replaced it', async () => {
    const { connectionId, secretId } = await newConnection('in-place-one');
    expect(await post(nodeA.baseUrl, connectionId, 'in-place-one')).toBe(200);
    const replaced = await api('PUT', `/v1/secrets/${secretId}`, { value: 'in-place-two' });
    expect(replaced.status).toBe(200);
    expect(await post(nodeA.baseUrl, connectionId, 'in-place-one')).toBe(403);
    expect(await post(nodeA.baseUrl, connectionId, 'in-place-two')).toBe(200);
  });

  it('a deleted connection: 404 at once on the node that deleted it, within a second on the other', async () => {
    const { connectionId } = await newConnection('deleted-token');
    expect(await post(nodeA.baseUrl, connectionId, 'deleted-token')).toBe(200);
    expect(await post(nodeBUrl, connectionId, 'deleted-token')).toBe(200);
    expect((await api('DELETE', `/v1/connections/${connectionId}`)).status).toBe(200);
    expect(await post(nodeA.baseUrl, connectionId, 'deleted-token')).toBe(404);
    const seenAfter = await within(async () => (await post(nodeBUrl, connectionId, 'deleted-token')) === 404, 3_000);
    expect(seenAfter).toBeLessThanOrEqual(1_500);
  });
});

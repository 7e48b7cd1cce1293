import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { startLiveServer, type LiveServer } from '../helpers/live-server.js';
import { controlApi } from '../helpers/control.js';
import { waitUntil } from '../helpers/wait.js';
import { inboundSmsParams, signedTwilioWebhook, startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';

const PUBLIC_URL = 'https://switchboard.example.com';

describe.each(ENGINES)('Twilio SMS end to end on %s: provider → Switchboard → agent → provider', (engine) => {
  let server: LiveServer;
  let twilio: FakeTwilio;
  let api: ReturnType<typeof controlApi>;
  let connectionId: string;

  const post = (params: Record<string, string>, signWith = twilio.authToken) => {
    const path = `/v1/public/channels/twilio/${connectionId}`;
    const { headers, body } = signedTwilioWebhook(signWith, `${PUBLIC_URL}${path}`, params);
    return fetch(`${server.baseUrl}${path}`, { method: 'POST', headers, body });
  };
  const count = async (table: 'inbound_events' | 'messages' | 'deliveries') =>
    Number((await server.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  beforeAll(async () => {
    twilio = await startFakeTwilio();
    server = await startLiveServer(engine, {
      publicUrl: PUBLIC_URL,
      delivery: { baseDelayMs: 20, maxDelayMs: 200, pollMs: 50, maxAttempts: 3 },
      inbox: { pollMs: 100 },
    });
    api = controlApi(server.baseUrl, (await server.newWorkspace()).apiKey);
    const secret = await api('POST', '/v1/secrets', { name: 'twilio-auth-token', value: twilio.authToken });
    expect(secret.status).toBe(201);
    expect(JSON.stringify(secret.body)).not.toContain(twilio.authToken);
    const connection = await api('POST', '/v1/connections', {
      provider: 'twilio',
      name: 'Twilio',
      settings: { accountSid: twilio.accountSid },
      credentials: { authToken: secret.body.data.id },
      apiBaseUrl: twilio.url,
    });
    expect(connection.status).toBe(201);
    connectionId = connection.body.data.id;
    expect(connection.body.data.inboundUrl).toBe(`${PUBLIC_URL}/v1/public/channels/twilio/${connectionId}`);
    expect(connection.body.data.credentials.authToken.mask).not.toContain(twilio.authToken);
    const phone = await api('POST', '/v1/phone-configurations', { phoneNumber: '+14155550100', provider: 'twilio', connectionId });
    expect(phone.status).toBe(201);
    const channel = await api('POST', '/v1/deployment-channels', {
      channelIdentifier: '+14155550100',
      deploymentType: 'sms',
      configuration: { phoneConfigurationId: phone.body.data.id },
    });
    expect(channel.status).toBe(201);
    const agent = await api('POST', '/v1/agents', { name: 'Echo' });
    const deployment = await api('POST', '/v1/deployment-configurations', { deploymentChannelId: channel.body.data.id, agentId: agent.body.data.id, status: 'active' });
    expect(deployment.status).toBe(201);
  });
  afterAll(async () => {
    await server.close();
    await twilio.close();
  });

  it('acknowledges a signed SMS with TwiML at once, then replies through the Messages API', async () => {
    const response = await post(inboundSmsParams({ MessageSid: 'SMe2e00000000000000000000000000001', Body: 'What time do you open?' }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/xml');
    expect(await response.text()).toContain('<Response/>');

    const sent = await waitUntil(() => twilio.messages.find((m) => m.body === 'What time do you open?'), 5000, 'the reply at the fake Twilio');
    expect(sent).toMatchObject({ to: '+14155550199', from: '+14155550100' });
    const reply = await server.db.selectFrom('messages').selectAll().where('id', '=', sent.idempotencyToken!).executeTakeFirst();
    expect(reply?.role).toBe('agent');
    const delivery = await waitUntil(async () => {
      const rows = (await api('GET', '/v1/deliveries?status=sent')).body.data.data;
      return rows.find((d: any) => d.messageId === sent.idempotencyToken);
    });
    expect(delivery).toMatchObject({ status: 'sent', attempts: 1, providerMessageId: sent.sid });
  });

  it('stores one message and sends one reply when Twilio delivers the same webhook again', async () => {
    const params = inboundSmsParams({ MessageSid: 'SMe2e00000000000000000000000000002', Body: 'Once only' });
    const before = await count('messages');
    for (let i = 0; i < 3; i++) expect((await post(params)).status).toBe(200);
    await waitUntil(() => twilio.messages.some((m) => m.body === 'Once only'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await server.app.inbox.idle();
    expect(twilio.messages.filter((m) => m.body === 'Once only')).toHaveLength(1);
    expect((await count('messages')) - before).toBe(2);
  });

  it('refuses a bad signature with 403 and stores nothing', async () => {
    const before = await count('inbound_events');
    const forged = await post(inboundSmsParams({ MessageSid: 'SMe2e00000000000000000000000000003' }), 'not-the-token');
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as any).message).toMatch(/signature/i);
    const unsigned = await fetch(`${server.baseUrl}/v1/public/channels/twilio/${connectionId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(inboundSmsParams()).toString(),
    });
    expect(unsigned.status).toBe(401);
    expect(await count('inbound_events')).toBe(before);
    const unknown = await fetch(`${server.baseUrl}/v1/public/channels/twilio/conn_unknown`, { method: 'POST', body: 'x' });
    expect(unknown.status).toBe(404);
  });

  it('retries a 429 after Retry-After, dead-letters a permanent failure, and retries it on request', async () => {
    twilio.failNext(429, { retryAfter: 1 });
    const started = Date.now();
    await post(inboundSmsParams({ MessageSid: 'SMe2e00000000000000000000000000004', Body: 'Busy?' }));
    const sent = await waitUntil(() => twilio.messages.find((m) => m.body === 'Busy?'), 8000, 'the retried reply');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const retried = (await api('GET', '/v1/deliveries?status=sent&pageSize=100')).body.data.data.find((d: any) => d.messageId === sent.idempotencyToken);
    expect(retried.attempts).toBe(2);

    twilio.failNext(400, { code: 21211, message: "The 'To' number is not a valid phone number." });
    await post(inboundSmsParams({ MessageSid: 'SMe2e00000000000000000000000000005', Body: 'Bad number' }));
    const dead = await waitUntil(async () => (await api('GET', '/v1/deliveries?status=dead')).body.data.data[0], 5000, 'a dead letter');
    expect(dead.lastError).toContain('400');
    expect(dead.attempts).toBe(1);
    expect(twilio.messages.some((m) => m.body === 'Bad number')).toBe(false);

    const notDead = await api('POST', `/v1/deliveries/${retried.id}/retry`);
    expect(notDead.status).toBe(409);
    const revived = await api('POST', `/v1/deliveries/${dead.id}/retry`);
    expect(revived.status).toBe(200);
    // The dispatcher is kicked at once, so the row may already be on its way.
    expect(['pending', 'sending', 'sent']).toContain(revived.body.data.status);
    await waitUntil(() => twilio.messages.find((m) => m.body === 'Bad number'), 5000, 'the revived delivery');
  });
});

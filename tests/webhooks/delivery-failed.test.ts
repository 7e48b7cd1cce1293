/**
 * `delivery.failed`: when a reply to a contact goes dead (here through Twilio SMS, the fake Twilio
 * refusing it), subscribers hear about it, once. An event delivery that goes dead emits nothing:
 * no event about an event, so no loop.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { controlApi } from '../helpers/control.js';
import { waitUntil } from '../helpers/wait.js';
import { inboundSmsParams, signedTwilioWebhook, startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import { eventDeliveries, startWebhookServer, subscribeReceiver, type Api, type Subscribed, type WebhookServer } from './support.js';

const PUBLIC_URL = 'https://switchboard.example.com';
const settle = (ms = 400) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(ENGINES)('delivery.failed on %s', (engine) => {
  let server: WebhookServer;
  let twilio: FakeTwilio;
  let api: Api;
  let workspaceId: string;
  let connectionId: string;
  let channelId: string;
  let failures: Subscribed;
  let messagesOnly: Subscribed;
  let sms = 0;

  /** An inbound SMS, signed as Twilio signs it: the echo agent's reply becomes a delivery. */
  async function inboundSms(body: string): Promise<void> {
    sms += 1;
    const path = `/v1/public/channels/twilio/${connectionId}`;
    const params = inboundSmsParams({ MessageSid: `SMwhfail${String(sms).padStart(26, '0')}`, Body: body });
    const { headers, body: form } = signedTwilioWebhook(twilio.authToken, `${PUBLIC_URL}${path}`, params);
    const response = await fetch(`${server.baseUrl}${path}`, { method: 'POST', headers, body: form });
    expect(response.status).toBe(200);
  }

  /** The dead reply whose text (the echo) is `text`. */
  async function deadReply(text: string) {
    return waitUntil(
      async () => {
        const reply = await server.db.selectFrom('messages').select('id').where('role', '=', 'agent').where('text', '=', text).executeTakeFirst();
        if (!reply) return undefined;
        const row = await server.db.selectFrom('deliveries').selectAll().where('message_id', '=', reply.id).where('kind', '=', 'reply').executeTakeFirst();
        return row?.status === 'dead' ? row : undefined;
      },
      8000,
      `the dead reply "${text}"`,
    );
  }

  const failedEventsAbout = async (deliveryId: string) =>
    (await eventDeliveries(server.db, workspaceId)).filter((r) => r.payload.type === 'delivery.failed' && r.payload.data.delivery?.id === deliveryId);

  beforeAll(async () => {
    twilio = await startFakeTwilio();
    server = await startWebhookServer(engine, {
      publicUrl: PUBLIC_URL,
      delivery: { baseDelayMs: 20, maxDelayMs: 200, pollMs: 50, maxAttempts: 3 },
      inbox: { pollMs: 100 },
    });
    const workspace = await server.newWorkspace();
    workspaceId = workspace.workspaceId;
    api = controlApi(server.baseUrl, workspace.apiKey);
    const secret = await api('POST', '/v1/secrets', { name: 'twilio-auth-token', value: twilio.authToken });
    expect(secret.status).toBe(201);
    const connection = await api('POST', '/v1/connections', {
      provider: 'twilio',
      name: 'Twilio',
      settings: { accountSid: twilio.accountSid },
      credentials: { authToken: secret.body.data.id },
      apiBaseUrl: twilio.url,
    });
    expect(connection.status).toBe(201);
    connectionId = connection.body.data.id;
    const phone = await api('POST', '/v1/phone-configurations', { phoneNumber: '+14155550100', provider: 'twilio', connectionId });
    expect(phone.status).toBe(201);
    const channel = await api('POST', '/v1/deployment-channels', {
      channelIdentifier: '+14155550100',
      deploymentType: 'sms',
      configuration: { phoneConfigurationId: phone.body.data.id },
    });
    expect(channel.status).toBe(201);
    channelId = channel.body.data.id;
    const agent = await api('POST', '/v1/agents', { name: 'Echo' });
    const deployment = await api('POST', '/v1/deployment-configurations', { deploymentChannelId: channelId, agentId: agent.body.data.id, status: 'active' });
    expect(deployment.status).toBe(201);
    failures = await subscribeReceiver(api, ['delivery.failed']);
    messagesOnly = await subscribeReceiver(api, ['message.created']);
  });
  afterAll(async () => {
    await server.close();
    await twilio.close();
    await failures.receiver.close();
    await messagesOnly.receiver.close();
  });

  it('emits delivery.failed once when a reply is refused for good (Twilio 400), and only to its subscribers', async () => {
    twilio.failNext(400, { code: 21211, message: "The 'To' number is not a valid phone number." });
    await inboundSms('Bad number');
    const dead = await deadReply('Bad number');
    expect(dead.attempts).toBe(1);

    const [queued] = await waitUntil(async () => {
      const rows = await failedEventsAbout(dead.id);
      return rows.length > 0 && rows;
    });
    const eventId = queued!.payload.eventId;
    const received = await waitUntil(() => failures.receiver.deliveries.find((d) => d.webhookId === eventId), 5000, 'delivery.failed at the receiver');
    expect(received.payload).toMatchObject({
      id: eventId,
      type: 'delivery.failed',
      data: {
        delivery: {
          id: dead.id,
          kind: 'reply',
          status: 'dead',
          connectionId,
          channelId,
          conversationId: dead.conversation_id,
          messageId: dead.message_id,
          attempts: 1,
          maxAttempts: 3,
        },
      },
    });
    const data = received.payload.data as { delivery: Record<string, unknown> };
    expect(data.delivery.lastError).toContain('400');
    expect(data.delivery).not.toHaveProperty('payload');
    expect(data.delivery).not.toHaveProperty('workspaceId');
    expect(failures.receiver.requests.find((r) => r.headers['webhook-id'] === eventId)!.verified).toBe(true);
    // The outbox row of the event points at what it is about.
    expect(queued).toMatchObject({ kind: 'event', connection_id: failures.id, channel_id: channelId, conversation_id: dead.conversation_id, message_id: dead.message_id, max_attempts: 3 });

    await settle();
    expect(await failedEventsAbout(dead.id)).toHaveLength(1);
    // The message.created subscriber hears about messages, never about failed deliveries.
    await waitUntil(() => messagesOnly.receiver.deliveries.length > 0, 5000, 'a message.created event');
    expect(new Set(messagesOnly.receiver.deliveries.map((d) => d.payload.type))).toEqual(new Set(['message.created']));
    expect(twilio.messages.some((m) => m.body === 'Bad number')).toBe(false);
  });

  it('emits delivery.failed when the attempts run out (Twilio 500 three times)', async () => {
    twilio.failNext(500);
    twilio.failNext(500);
    twilio.failNext(500);
    await inboundSms('Always down');
    const dead = await deadReply('Always down');
    expect(dead.attempts).toBe(3);
    const [queued] = await waitUntil(async () => {
      const rows = await failedEventsAbout(dead.id);
      return rows.length > 0 && rows;
    });
    const received = await waitUntil(() => failures.receiver.deliveries.find((d) => d.webhookId === queued!.payload.eventId), 5000, 'delivery.failed');
    expect((received.payload.data as any).delivery).toMatchObject({ id: dead.id, attempts: 3, status: 'dead' });
  });

  it('does not emit an event about an event delivery that goes dead (no loop)', async () => {
    const failedEvents = async () => (await eventDeliveries(server.db, workspaceId)).filter((r) => r.payload.type === 'delivery.failed');
    const before = (await failedEvents()).length;
    failures.receiver.failNext(400, { body: '{"error":"not today"}' });
    twilio.failNext(400);
    await inboundSms('Bad number again');
    const dead = await deadReply('Bad number again');
    const [queued] = await waitUntil(async () => {
      const rows = await failedEventsAbout(dead.id);
      return rows.length > 0 && rows;
    });
    // The delivery.failed event is itself refused for good…
    const deadEvent = await waitUntil(
      async () => (await eventDeliveries(server.db, workspaceId)).find((r) => r.id === queued!.id && r.status === 'dead'),
      5000,
      'the dead event delivery',
    );
    expect(deadEvent.last_error).toContain('400');
    // …and nothing more is emitted about it.
    await settle(500);
    const after = await failedEvents();
    expect(after.length).toBe(before + 1);
    expect(after.filter((r) => r.payload.data.delivery?.kind === 'event')).toHaveLength(0);
    expect(after.filter((r) => r.payload.data.delivery?.id === deadEvent.id)).toHaveLength(0);
  });
});

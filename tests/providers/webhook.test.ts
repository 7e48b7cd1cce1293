import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { waitUntil } from '../helpers/wait.js';
import { startWebhookReceiver, type FakeWebhookReceiver } from '../fakes/webhook-receiver.js';
import {
  contactMessages,
  countRows,
  createConnection,
  createSecret,
  deployEcho,
  inboundEvents,
  inboundPath,
  refusal,
  settled,
  startProviderHarness,
  type ProviderHarness,
} from './harness.js';

const CHANNEL = 'support-desk';
const OUTBOUND_SECRET = `whsec_${randomBytes(32).toString('base64')}`;

const message = (text: string, contactId = 'user-42') => ({ type: 'message', channel: CHANNEL, contact: { id: contactId, name: 'Ada' }, text });

describe.each(ENGINES)('Custom webhook (Standard Webhooks) end to end on %s', (engine) => {
  let h: ProviderHarness;
  let receiver: FakeWebhookReceiver;
  let connectionId: string;
  let inboundSecret: string;

  /** POSTs a message signed with the standardwebhooks library (`secret: null` leaves the signature headers out). */
  const post = (payload: unknown, webhookId: string, secret: string | null = inboundSecret) => {
    const body = JSON.stringify(payload);
    const now = new Date();
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (secret !== null) {
      headers['webhook-id'] = webhookId;
      headers['webhook-timestamp'] = String(Math.floor(now.getTime() / 1000));
      headers['webhook-signature'] = new Webhook(secret).sign(webhookId, now, body);
    }
    return fetch(`${h.server.baseUrl}${inboundPath('webhook', connectionId)}`, { method: 'POST', headers, body });
  };
  const repliesWith = (text: string) => receiver.requests.filter((r) => r.status === 200 && JSON.parse(r.body).text === text);

  beforeAll(async () => {
    receiver = await startWebhookReceiver({ secret: OUTBOUND_SECRET });
    h = await startProviderHarness(engine);
    const connection = await createConnection(h.api, {
      provider: 'webhook',
      name: 'Helpdesk bridge',
      settings: { outboundUrl: receiver.url },
      credentials: { outboundSecret: await createSecret(h.api, 'webhook-outbound-secret', OUTBOUND_SECRET) },
    });
    connectionId = connection.id;
    inboundSecret = connection.inboundSecret;
    expect(inboundSecret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    await deployEcho(h.api, { deploymentType: 'webhook', channelIdentifier: CHANNEL, configuration: { connectionId } });
  });
  afterAll(async () => {
    await h?.close();
    await receiver?.close();
  });

  it('accepts a signed message with 202 {"accepted":true} and POSTs the signed reply to the receiver', async () => {
    const response = await post(message('How do I reset my password?'), 'msg_e2e_0001');
    expect(response.status).toBe(202);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toEqual({ accepted: true });

    const delivery = await waitUntil(() => receiver.deliveries.find((d) => d.payload.text === 'How do I reset my password?'), 5000, 'the reply at the receiver');
    expect(delivery.payload).toEqual({ type: 'message', channel: CHANNEL, contact: { id: 'user-42' }, text: 'How do I reset my password?', inReplyTo: 'msg_e2e_0001' });
    const [request] = repliesWith('How do I reset my password?');
    expect(request).toMatchObject({ method: 'POST', path: '/hooks/switchboard', verified: true });
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['user-agent']).toBe('Switchboard-Webhooks/1');
    expect(request!.headers['webhook-signature']).toMatch(/^v1,/);
    // The reply's webhook-id is the agent message's id: the same on every retry.
    const reply = await h.server.db.selectFrom('messages').selectAll().where('id', '=', delivery.webhookId).executeTakeFirst();
    expect(reply).toMatchObject({ role: 'agent', text: 'How do I reset my password?' });
    expect(await contactMessages(h.server, 'msg_e2e_0001')).toHaveLength(1);
    const sent = await waitUntil(async () =>
      (await h.api('GET', '/v1/deliveries?status=sent')).body.data.data.find((d: any) => d.providerMessageId === delivery.webhookId),
    );
    expect(sent).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('stores one message and sends one reply when the same webhook-id is delivered again', async () => {
    for (let i = 0; i < 3; i++) expect((await post(message('Once, please'), 'msg_e2e_0002')).status).toBe(202);
    await waitUntil(() => repliesWith('Once, please').length > 0, 5000, 'the reply');
    await settled(h.server);
    // Counted on the wire, not after the receiver's own dedupe.
    expect(repliesWith('Once, please')).toHaveLength(1);
    expect(await contactMessages(h.server, 'msg_e2e_0002')).toHaveLength(1);
    expect(await inboundEvents(h.server, 'msg_e2e_0002')).toHaveLength(1);
  });

  it('answers a burst of messages from a new contact, each reply inReplyTo its own webhook-id', async () => {
    const ids = ['msg_e2e_burst_a', 'msg_e2e_burst_b', 'msg_e2e_burst_c', 'msg_e2e_burst_d'];
    const responses = await Promise.all(ids.map((id) => post(message(`Burst ${id}`, 'user-burst'), id)));
    expect(responses.map((r) => r.status)).toEqual([202, 202, 202, 202]);
    await waitUntil(() => ids.every((id) => repliesWith(`Burst ${id}`).length === 1), 5000, 'four replies');
    await settled(h.server);
    for (const id of ids) {
      expect(receiver.deliveries.find((d) => d.payload.text === `Burst ${id}`)?.payload.inReplyTo).toBe(id);
    }
    const contacts = await h.server.db.selectFrom('contacts').select('id').where('external_id', '=', 'user-burst').execute();
    expect(contacts).toHaveLength(1);
    const rows = await h.server.db.selectFrom('inbound_events').selectAll().where('provider_event_id', 'in', ids).execute();
    expect(rows.map((r) => [r.status, r.attempts, r.last_error])).toEqual(ids.map(() => ['processed', 1, null]));
  });

  it('refuses a forged or missing signature with 401 and stores nothing', async () => {
    const before = await countRows(h.server, 'inbound_events');
    const forged = await refusal(await post(message('Forged'), 'msg_e2e_0003', `whsec_${randomBytes(32).toString('base64')}`));
    expect(forged.status).toBe(401);
    expect(forged.message).toMatch(/webhook-signature does not match/);

    const unsigned = await refusal(await post(message('Unsigned'), 'msg_e2e_0004', null));
    expect(unsigned.status).toBe(401);
    expect(unsigned.message).toMatch(/Missing webhook-id header/);

    expect(await countRows(h.server, 'inbound_events')).toBe(before);
    expect(receiver.requests.some((r) => r.body.includes('Forged') || r.body.includes('Unsigned'))).toBe(false);
  });
});

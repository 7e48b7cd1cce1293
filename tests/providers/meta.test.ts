import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { waitUntil } from '../helpers/wait.js';
import { signedMetaWebhook, startFakeGraph, type FakeGraph } from '../fakes/graph.js';
import {
  contactMessages,
  countRows,
  deployEcho,
  inboundEvents,
  inboundPath,
  refusal,
  settled,
  startProviderHarness,
  type ProviderHarness,
} from './harness.js';

import {
  createMetaConnection,
  META_ACCESS_TOKEN as ACCESS_TOKEN,
  META_APP_SECRET as APP_SECRET,
  PAGE_ID,
  PHONE_NUMBER_ID,
  PSID,
  WA_USER,
  WHATSAPP_NUMBER,
} from './connections.js';
import { whatsappWebhook } from '../fakes/whatsapp-payloads.js';

const whatsappText = (wamid: string, body: string) => whatsappWebhook({ id: wamid, type: 'text', text: { body } }, { phoneNumberId: PHONE_NUMBER_ID });

const messengerText = (mid: string, text: string) => ({
  object: 'page',
  entry: [
    {
      id: PAGE_ID,
      time: Date.now(),
      messaging: [{ sender: { id: PSID }, recipient: { id: PAGE_ID }, timestamp: Date.now(), message: { mid, text } }],
    },
  ],
});

describe.each(ENGINES)('Meta (WhatsApp Cloud API, Messenger) end to end on %s', (engine) => {
  let h: ProviderHarness;
  let graph: FakeGraph;
  let connectionId: string;
  let verifyToken: string;

  const path = () => inboundPath('meta', connectionId);
  const post = (payload: unknown, secret = APP_SECRET) => {
    const { body, headers } = signedMetaWebhook(secret, payload);
    return fetch(`${h.server.baseUrl}${path()}`, { method: 'POST', headers, body });
  };

  beforeAll(async () => {
    graph = await startFakeGraph({
      accessToken: ACCESS_TOKEN,
      appSecret: APP_SECRET,
      requireAppSecretProof: true,
      phoneNumberIds: [PHONE_NUMBER_ID],
      pageIds: [PAGE_ID],
    });
    h = await startProviderHarness(engine);
    const connection = await createMetaConnection(h.api, graph.url);
    connectionId = connection.id;
    verifyToken = connection.inboundSecret;
    await deployEcho(h.api, {
      deploymentType: 'whatsapp',
      channelIdentifier: WHATSAPP_NUMBER,
      configuration: { connectionId, phoneNumberId: PHONE_NUMBER_ID },
    });
    await deployEcho(h.api, { deploymentType: 'facebook', channelIdentifier: PAGE_ID, configuration: { connectionId } });
  });
  afterAll(async () => {
    await h?.close();
    await graph?.close();
  });

  it('answers the hub.challenge handshake with the verify token, and refuses another token', async () => {
    const ok = await fetch(
      `${h.server.baseUrl}${path()}?${new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.verify_token': verifyToken, 'hub.challenge': '1158201444' })}`,
    );
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toContain('text/plain');
    expect(await ok.text()).toBe('1158201444');

    const wrong = await fetch(
      `${h.server.baseUrl}${path()}?${new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.verify_token': 'not-the-token', 'hub.challenge': '1158201444' })}`,
    );
    const refused = await refusal(wrong);
    expect(refused.status).toBe(403);
    expect(refused.message).toMatch(/hub\.verify_token does not match/);
  });

  it('acknowledges a signed WhatsApp message with EVENT_RECEIVED and replies through the Cloud API', async () => {
    const response = await post(whatsappText('wamid.E2E0000000000000000000000001', 'Does it come in blue?'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(await response.text()).toBe('EVENT_RECEIVED');

    const sent = await waitUntil(() => graph.messages.find((m) => m.text === 'Does it come in blue?'), 5000, 'the WhatsApp reply at the fake Graph API');
    expect(sent).toMatchObject({ channel: 'whatsapp', version: 'v21.0', from: PHONE_NUMBER_ID, to: WA_USER });
    const request = graph.requests.find((r) => (r.json as any)?.text?.body === 'Does it come in blue?')!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe(`/v21.0/${PHONE_NUMBER_ID}/messages`);
    expect(request.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(request.headers['content-type']).toContain('application/json');
    expect(request.query.appsecret_proof).toBe(createHmac('sha256', APP_SECRET).update(ACCESS_TOKEN).digest('hex'));
    expect(request.query.access_token).toBeUndefined();
    expect(request.json).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: WA_USER,
      type: 'text',
      text: { body: 'Does it come in blue?' },
    });
    const [stored] = await contactMessages(h.server, 'wamid.E2E0000000000000000000000001');
    expect(stored?.text).toBe('Does it come in blue?');
    const delivery = await waitUntil(async () => (await h.api('GET', '/v1/deliveries?status=sent')).body.data.data.find((d: any) => d.providerMessageId === sent.id));
    expect(delivery).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('acknowledges a signed Messenger message and replies through the page Send API', async () => {
    const response = await post(messengerText('m_e2e-messenger-0001', 'Are you open on Sunday?'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(await response.text()).toBe('EVENT_RECEIVED');

    const sent = await waitUntil(() => graph.messages.find((m) => m.text === 'Are you open on Sunday?'), 5000, 'the Messenger reply at the fake Graph API');
    expect(sent).toMatchObject({ channel: 'page', version: 'v21.0', from: PAGE_ID, to: PSID, messagingType: 'RESPONSE' });
    const request = graph.requests.find((r) => (r.json as any)?.message?.text === 'Are you open on Sunday?')!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe(`/v21.0/${PAGE_ID}/messages`);
    expect(request.auth).toBe('query');
    expect(request.query.access_token).toBe(ACCESS_TOKEN);
    expect(request.query.appsecret_proof).toBe(createHmac('sha256', APP_SECRET).update(ACCESS_TOKEN).digest('hex'));
    expect(request.json).toEqual({ recipient: { id: PSID }, messaging_type: 'RESPONSE', message: { text: 'Are you open on Sunday?' } });
  });

  it('stores one message and sends one reply when Meta delivers the same wamid again', async () => {
    const wamid = 'wamid.E2E0000000000000000000000002';
    for (let i = 0; i < 3; i++) {
      const response = await post(whatsappText(wamid, 'Only once, please'));
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('EVENT_RECEIVED');
    }
    await waitUntil(() => graph.messages.some((m) => m.text === 'Only once, please'), 5000, 'the reply');
    await settled(h.server);
    expect(graph.messages.filter((m) => m.text === 'Only once, please')).toHaveLength(1);
    expect(await contactMessages(h.server, wamid)).toHaveLength(1);
    expect(await inboundEvents(h.server, wamid)).toHaveLength(1);
  });

  it('refuses a missing or forged X-Hub-Signature-256 and stores nothing', async () => {
    const before = await countRows(h.server, 'inbound_events');
    const forged = await refusal(await post(whatsappText('wamid.E2E0000000000000000000000003', 'Forged'), 'another-app-secret'));
    expect(forged.status).toBe(403);
    expect(forged.message).toMatch(/X-Hub-Signature-256 does not match/);

    const unsigned = await refusal(
      await fetch(`${h.server.baseUrl}${path()}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(whatsappText('wamid.E2E0000000000000000000000004', 'Unsigned')),
      }),
    );
    expect(unsigned.status).toBe(401);
    expect(unsigned.message).toMatch(/X-Hub-Signature-256 header is missing/);

    expect(await countRows(h.server, 'inbound_events')).toBe(before);
    expect(graph.messages.some((m) => m.text === 'Forged' || m.text === 'Unsigned')).toBe(false);
  });
});

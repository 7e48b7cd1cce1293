import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { waitUntil } from '../helpers/wait.js';
import { eventRequest, startFakeVoiceGateway, type FakeVoiceGateway } from '../fakes/voice-gateway.js';
import {
  contactMessages,
  countRows,
  createConnection,
  deployEcho,
  inboundEvents,
  inboundPath,
  refusal,
  settled,
  startProviderHarness,
  type ProviderHarness,
} from './harness.js';

const LINE_NUMBER = '+15551230000';
const CALLER = '+15557654321';

const transcript = (eventId: string, callId: string, text: string) => ({ event: 'transcript', eventId, callId, to: LINE_NUMBER, from: CALLER, text, confidence: 0.93 });

describe.each(ENGINES)('Voice gateway end to end on %s', (engine) => {
  let h: ProviderHarness;
  let gateway: FakeVoiceGateway;
  let connectionId: string;
  let secret: string;

  /** `signWith: null` sends no X-Signature / X-Timestamp. */
  const post = (event: Record<string, unknown>, signWith: string | null = secret) => {
    const made = eventRequest(event, signWith ?? 'unused');
    if (signWith === null) {
      delete made.headers['x-signature'];
      delete made.headers['x-timestamp'];
    }
    return fetch(`${h.server.baseUrl}${inboundPath('voice-gateway', connectionId)}`, { method: 'POST', headers: made.headers, body: made.body });
  };
  const repliesWith = (text: string) => gateway.requests.filter((r) => r.status === 200 && JSON.parse(r.body).text === text);

  beforeAll(async () => {
    h = await startProviderHarness(engine);
    // The gateway is configured with the connection's signing secret, so the connection comes
    // first; its callbackUrl is set once the gateway is up.
    const connection = await createConnection(h.api, {
      provider: 'voice-gateway',
      name: 'Speech gateway',
      settings: { callbackUrl: 'http://127.0.0.1:9/v1/calls/reply' },
    });
    connectionId = connection.id;
    secret = connection.inboundSecret;
    gateway = await startFakeVoiceGateway({ secret });
    const patched = await h.api('PATCH', `/v1/connections/${connectionId}`, { settings: { callbackUrl: gateway.callbackUrl } });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.data.inboundSecret).toBe(secret);
    await deployEcho(h.api, { deploymentType: 'voice-gateway', channelIdentifier: LINE_NUMBER, configuration: { connectionId } });
  });
  afterAll(async () => {
    await h?.close();
    await gateway?.close();
  });

  it('acknowledges call.started with {"ok":true} and records nothing', async () => {
    const before = await countRows(h.server, 'inbound_events');
    const response = await post({ event: 'call.started', eventId: 'evt_e2e_start', callId: 'call_e2e_1', to: LINE_NUMBER, from: CALLER });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    expect(await countRows(h.server, 'inbound_events')).toBe(before);
  });

  it('acknowledges a signed transcript with 200 {"ok":true} and POSTs the signed reply to the callback', async () => {
    const response = await post(transcript('evt_e2e_0001', 'call_e2e_1', "I'd like to book a table for two"));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toEqual({ ok: true });

    const spoken = await waitUntil(() => gateway.spoken.find((s) => s.text === "I'd like to book a table for two"), 5000, 'the reply at the fake gateway');
    expect(spoken.callId).toBe('call_e2e_1');
    const [request] = repliesWith("I'd like to book a table for two");
    expect(request).toMatchObject({ method: 'POST', path: '/v1/calls/reply', verified: true });
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['user-agent']).toBe('Switchboard-VoiceGateway/1');
    expect(request!.headers['idempotency-key']).toBe(spoken.idempotencyKey);
    expect(request!.headers['x-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(request!.headers['x-timestamp']).toMatch(/^\d+$/);
    expect(JSON.parse(request!.body)).toEqual({ callId: 'call_e2e_1', text: "I'd like to book a table for two", idempotencyKey: spoken.idempotencyKey });
    const reply = await h.server.db.selectFrom('messages').selectAll().where('id', '=', spoken.idempotencyKey).executeTakeFirst();
    expect(reply).toMatchObject({ role: 'agent', text: "I'd like to book a table for two" });
    expect(await contactMessages(h.server, 'evt_e2e_0001')).toHaveLength(1);
    const delivery = await waitUntil(async () => (await h.api('GET', '/v1/deliveries?status=sent')).body.data.data.find((d: any) => d.providerMessageId === spoken.id));
    expect(delivery).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('stores one message and speaks one reply when the gateway retries the same eventId', async () => {
    for (let i = 0; i < 3; i++) expect((await post(transcript('evt_e2e_0002', 'call_e2e_2', 'Say it once'))).status).toBe(200);
    await waitUntil(() => repliesWith('Say it once').length > 0, 5000, 'the reply');
    await settled(h.server);
    // Counted on the wire, not after the gateway's own dedupe.
    expect(repliesWith('Say it once')).toHaveLength(1);
    expect(await contactMessages(h.server, 'evt_e2e_0002')).toHaveLength(1);
    expect(await inboundEvents(h.server, 'evt_e2e_0002')).toHaveLength(1);
  });

  it('refuses a forged or missing X-Signature with 401 and stores nothing', async () => {
    const before = await countRows(h.server, 'inbound_events');
    const forged = await refusal(await post(transcript('evt_e2e_0003', 'call_e2e_3', 'Forged'), 'not-the-secret'));
    expect(forged.status).toBe(401);
    expect(forged.message).toMatch(/X-Signature does not match/);

    const unsigned = await refusal(await post(transcript('evt_e2e_0004', 'call_e2e_3', 'Unsigned'), null));
    expect(unsigned.status).toBe(401);
    expect(unsigned.message).toMatch(/Missing X-Signature header/);

    expect(await countRows(h.server, 'inbound_events')).toBe(before);
    expect(gateway.requests.some((r) => r.body.includes('Forged') || r.body.includes('Unsigned'))).toBe(false);
  });
});

import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ConnectionContext } from '../../../packages/server/src/channels/adapter.js';
import { clearGenesysTokenCache, genesysConnector, genesysSettingsSchema } from '../../../packages/server/src/handoff/helpdesks/genesys/index.js';
import { genesysOutboundMessage, genesysWebhookRequest, startFakeGenesys, type FakeGenesys } from '../../fakes/genesys.js';
import {
  connectionContext,
  expectAuthError,
  expectDeliveryError,
  expectFormatError,
  handoffContext,
  json,
  rawFrom,
  refMatches,
  stubFetch,
  TRANSCRIPT,
  useFakeHelpdesk,
  withHeaders,
} from './support.js';

const CLIENT_ID = '7de3af06-c0b3-4b31-a4f7-c2b5e7a1f9d2';
const CLIENT_SECRET = 'gc-client-secret-Qx8PnT5vW2yZ4bD6';
const INTEGRATION_ID = '3a2b1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d';
const INBOUND_SECRET = 'genesysOutboundSecretToken-9f8e7d6c';

let genesys: FakeGenesys;

function connection(overrides: Partial<ConnectionContext> = {}): ConnectionContext {
  return connectionContext({
    id: 'conn_gc1',
    provider: 'genesys',
    settings: { integrationId: INTEGRATION_ID, region: 'usw2.pure.cloud', loginBaseUrl: genesys.url },
    secrets: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    inboundSecret: INBOUND_SECRET,
    apiBaseUrl: genesys.url,
    ...overrides,
  });
}

const inboundPath = `/api/v2/conversations/messages/${INTEGRATION_ID}/inbound/open/message`;

useFakeHelpdesk(() => startFakeGenesys({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, integrationId: INTEGRATION_ID }), (fake) => (genesys = fake), clearGenesysTokenCache);

describe('genesys settings', () => {
  it('defaults the region to mypurecloud.com and normalizes host names', () => {
    expect(genesysSettingsSchema.parse({ integrationId: INTEGRATION_ID })).toEqual({ integrationId: INTEGRATION_ID, region: 'mypurecloud.com' });
    expect(genesysSettingsSchema.parse({ integrationId: INTEGRATION_ID, region: 'https://api.mypurecloud.de' }).region).toBe('mypurecloud.de');
  });

  it('needs a UUID integration id, a domain region, an http(s) loginBaseUrl; strict', () => {
    expect(genesysSettingsSchema.safeParse({ integrationId: 'abc' }).success).toBe(false);
    expect(genesysSettingsSchema.safeParse({ integrationId: INTEGRATION_ID, region: 'us east' }).success).toBe(false);
    expect(genesysSettingsSchema.safeParse({ integrationId: INTEGRATION_ID, loginBaseUrl: 'ftp://x' }).success).toBe(false);
    expect(genesysSettingsSchema.safeParse({ integrationId: INTEGRATION_ID, deploymentId: 'x' }).success).toBe(false);
  });
});

describe('genesys open and forward', () => {
  it('gets a client-credentials token, then sends the transcript in as an Open Messaging inbound message from the conversation', async () => {
    const ref = await genesysConnector.open(handoffContext(connection()));

    const [token, inbound] = genesys.requests;
    expect(token!.method).toBe('POST');
    expect(token!.path).toBe('/oauth/token');
    expect(token!.headers.authorization).toBe(`Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`);
    expect(token!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(token!.body).toBe('grant_type=client_credentials');

    expect(inbound!.method).toBe('POST');
    expect(inbound!.path).toBe(inboundPath);
    expect(inbound!.status).toBe(202);
    expect(inbound!.headers.authorization).toMatch(/^Bearer [A-Za-z0-9_-]{20,}$/);
    const sent = inbound!.json as Record<string, any>;
    expect(sent).toMatchObject({
      channel: {
        messageId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        from: { id: 'conv_7Hq2LmX9', idType: 'Opaque', nickname: 'Ada Lovelace', firstName: 'Ada Lovelace' },
        metadata: { customAttributes: { switchboardConversationId: 'conv_7Hq2LmX9', switchboardChannel: 'whatsapp', handoffReason: 'The contact asked for a person' } },
      },
      type: 'Text',
      direction: 'Inbound',
    });
    expect(Date.parse(sent.channel.time)).not.toBeNaN();
    expect(sent.text).toContain('Handoff from Switchboard: The contact asked for a person');
    for (const turn of TRANSCRIPT) expect(sent.text).toContain(turn.text);

    expect(genesys.messages).toHaveLength(1);
    expect(ref).toEqual({ connection: 'conn_gc1', userId: 'conv_7Hq2LmX9', messageId: genesys.messages[0]!.id });
  });

  it('reuses the token; forwards go to the same Opaque user', async () => {
    const context = handoffContext(connection());
    const ref = await genesysConnector.open(context);
    await genesysConnector.forward(context, ref, 'Hello, anyone?');
    expect(genesys.tokensIssued).toBe(1);
    expect(genesys.messages.map((m) => [m.fromId, m.text.slice(0, 14)])).toEqual([
      ['conv_7Hq2LmX9', 'Handoff from S'],
      ['conv_7Hq2LmX9', 'Hello, anyone?'],
    ]);
    // The stored ref names the Opaque user.
    await genesysConnector.forward(context, { ...ref, userId: 'conv_other' }, 'Routed by the ref');
    expect(genesys.messages.at(-1)).toMatchObject({ fromId: 'conv_other', text: 'Routed by the ref' });
  });

  it('an expired token is replaced once and the call repeated', async () => {
    const context = handoffContext(connection());
    const ref = await genesysConnector.open(context);
    genesys.expireTokens();
    await genesysConnector.forward(context, ref, 'Still waiting');
    expect(genesys.tokensIssued).toBe(2);
    expect(genesys.requests.map((r) => `${r.path === '/oauth/token' ? 'token' : 'message'} ${r.status}`)).toEqual(['token 200', 'message 202', 'message 401', 'token 200', 'message 202']);
    expect(genesys.messages.at(-1)!.text).toBe('Still waiting');
  });

  it('a retried open repeats its messageIds (Genesys stores it once); long transcripts go in pieces ≤ 4000', async () => {
    const context = handoffContext(connection());
    await genesysConnector.open(context);
    await genesysConnector.open(context);
    expect(genesys.messages).toHaveLength(1);

    genesys.reset();
    const long = Array.from({ length: 30 }, (_, i) => ({ role: 'contact' as const, text: `Line ${i} ${'y'.repeat(300)}`, at: i }));
    await genesysConnector.open(handoffContext(connection(), { transcript: long }));
    expect(genesys.messages.length).toBeGreaterThan(1);
    for (const message of genesys.messages) expect(message.text.length).toBeLessThanOrEqual(4000);
  });

  it('bad client credentials and API failures are DeliveryErrors', async () => {
    const denied = await expectDeliveryError(genesysConnector.open(handoffContext(connection({ secrets: { clientId: CLIENT_ID, clientSecret: 'wrong' } }))));
    expect(denied.options).toMatchObject({ retryable: false, status: 401 });
    expect(denied.message).toMatch(/OAuth/);
    genesys.failNext(503, { path: '/api/', retryAfter: 2 });
    const busy = await expectDeliveryError(genesysConnector.open(handoffContext(connection())));
    expect(busy.options).toMatchObject({ retryable: true, status: 503, retryAfterMs: 2000 });
    const missing = await expectDeliveryError(genesysConnector.open(handoffContext(connection({ settings: { integrationId: 'not-a-uuid' } }))));
    expect(missing.options.retryable).toBe(false);
  });

  it('derives https://login.{region} and https://api.{region} when nothing overrides them', async () => {
    const stub = stubFetch((url) => (url.endsWith('/oauth/token') ? json(200, { access_token: 'tok', token_type: 'bearer', expires_in: 3600 }) : json(202, { id: 'gm1' })));
    const ref = await genesysConnector.open(handoffContext(connection({ apiBaseUrl: '', settings: { integrationId: INTEGRATION_ID, region: 'usw2.pure.cloud' } })), stub.fetch);
    expect(stub.calls.map((call) => call.url)).toEqual(['https://login.usw2.pure.cloud/oauth/token', `https://api.usw2.pure.cloud${inboundPath}`]);
    expect(ref.messageId).toBe('gm1');
  });
});

const reply = () => genesys.agentReply({ toId: 'conv_7Hq2LmX9', text: 'Hi Ada, Alex here.', secret: INBOUND_SECRET });

describe('genesys verify (X-Hub-Signature-256: sha256=<base64>)', () => {
  it('accepts the base64 HMAC of the raw body made with the outbound secret token', () => {
    expect(() => genesysConnector.verify(rawFrom(reply()), connection())).not.toThrow();
  });

  it("refuses a missing header, Meta's hex form, a wrong secret and a tampered body (401)", () => {
    const request = reply();
    expect(expectAuthError(() => genesysConnector.verify(rawFrom(withHeaders(request, { 'x-hub-signature-256': undefined })), connection())).message).toMatch(/missing/);
    const hex = `sha256=${createHmac('sha256', INBOUND_SECRET).update(request.body).digest('hex')}`;
    expectAuthError(() => genesysConnector.verify(rawFrom(withHeaders(request, { 'x-hub-signature-256': hex })), connection()));
    const bare = createHmac('sha256', INBOUND_SECRET).update(request.body).digest('base64');
    expect(expectAuthError(() => genesysConnector.verify(rawFrom(withHeaders(request, { 'x-hub-signature-256': bare })), connection())).message).toMatch(/sha256=/);
    expectAuthError(() => genesysConnector.verify(rawFrom(request), connection({ inboundSecret: 'other-secret' })));
    expectAuthError(() => genesysConnector.verify(rawFrom({ ...request, body: request.body.replace('Alex', 'Mallory') }), connection()));
  });
});

describe('genesys parse', () => {
  it("an agent's Text message is a reply to the conversation named by channel.to.id", async () => {
    const ref = await genesysConnector.open(handoffContext(connection()));
    const request = reply();
    const events = genesysConnector.parse(rawFrom(request), connection());
    const sent = JSON.parse(request.body) as { id: string };
    expect(events).toEqual([{ ref: { connection: 'conn_gc1', userId: 'conv_7Hq2LmX9' }, kind: 'message', text: 'Hi Ada, Alex here.', author: { name: 'Alex Agent' }, eventId: `genesys:${sent.id}` }]);
    expect(refMatches(ref, events[0]!)).toBe(true);
  });

  it('a Presence Disconnect resolves; Join accepts', () => {
    const resolved = genesysConnector.parse(rawFrom(genesys.disconnect({ toId: 'conv_7Hq2LmX9', secret: INBOUND_SECRET })), connection());
    expect(resolved).toEqual([{ ref: { connection: 'conn_gc1', userId: 'conv_7Hq2LmX9' }, kind: 'resolved', eventId: expect.stringMatching(/^genesys:[0-9a-f]{32}:resolved$/) }]);
    const join = genesysOutboundMessage({ integrationId: INTEGRATION_ID, toId: 'conv_7Hq2LmX9', type: 'Event', events: [{ eventType: 'Presence', presence: { type: 'Join' } }] });
    expect(genesysConnector.parse(rawFrom(genesysWebhookRequest(INBOUND_SECRET, join)), connection()).map((event) => event.kind)).toEqual(['accepted']);
  });

  it('typing events, receipts and inbound echoes yield nothing; a body without channel is refused', () => {
    const typing = genesysOutboundMessage({ integrationId: INTEGRATION_ID, toId: 'conv_1', type: 'Event', events: [{ eventType: 'Typing', typing: { type: 'On' } }] });
    const receipt = { ...genesysOutboundMessage({ integrationId: INTEGRATION_ID, toId: 'conv_1', type: 'Receipt' }), status: 'Delivered' };
    const inbound = { ...genesysOutboundMessage({ integrationId: INTEGRATION_ID, toId: 'conv_1', text: 'echo' }), direction: 'Inbound' };
    for (const body of [typing, receipt, inbound]) expect(genesysConnector.parse(rawFrom(genesysWebhookRequest(INBOUND_SECRET, body)), connection())).toEqual([]);
    expectFormatError(() => genesysConnector.parse(rawFrom(genesysWebhookRequest(INBOUND_SECRET, { type: 'Text', text: 'hi' })), connection()));
    expectFormatError(() => genesysConnector.parse(rawFrom(genesysWebhookRequest(INBOUND_SECRET, 'nope')), connection()));
  });

  it('acknowledges with 200', () => {
    expect(genesysConnector.acknowledge(rawFrom(reply())).status).toBe(200);
  });
});

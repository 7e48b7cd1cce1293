import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { channelTypeRules } from '@switchboard/core';
import {
  InboundFormatError,
  type ConnectionContext,
  type OutboundMessage,
  type RawInbound,
} from '../../packages/server/src/channels/adapter.js';
import {
  listPages,
  metaAdapter,
  metaProvider,
  metaSettingsSchema,
  metaSignature,
  META_DEFAULT_API_BASE_URL,
} from '../../packages/server/src/channels/meta/index.js';
import { signedMetaWebhook, startFakeGraph, type FakeGraph } from '../fakes/graph.js';
import { whatsappWebhook } from '../fakes/whatsapp-payloads.js';
import { connectionContext, expectAuthError, expectDeliveryError, inboundUrl, rawInbound, recordingFetch } from './support.js';

const APP_SECRET = 'a3f0c9d1e2b4567890abcdef12345678';
const ACCESS_TOKEN = 'EAAGm0PX4ZCpsBAKZCtesttoken123';
const VERIFY_TOKEN = 'vt_8d7f6e5c4b3a29180716253443526170';
const PHONE_NUMBER_ID = '106540352242922';
const PAGE_ID = '104745862412345';
const IG_ACCOUNT_ID = '17841400000000001';

let graph: FakeGraph;

function connection(overrides: Partial<ConnectionContext> = {}): ConnectionContext {
  return connectionContext(
    {
      id: 'conn_meta1',
      provider: 'meta',
      settings: { graphVersion: 'v21.0' },
      secrets: { appSecret: APP_SECRET, accessToken: ACCESS_TOKEN },
      inboundSecret: VERIFY_TOKEN,
      apiBaseUrl: graph?.url ?? META_DEFAULT_API_BASE_URL,
    },
    overrides,
  );
}

function inbound(body: string | Buffer, headers: Record<string, string | undefined> = {}, method: 'GET' | 'POST' = 'POST', query: Record<string, string> = {}): RawInbound {
  return rawInbound({ method, publicUrl: inboundUrl('meta', 'conn_meta1', { query }), query, headers, body });
}

const sign = (body: string | Buffer, secret = APP_SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
const signed = (body: string) => inbound(body, { 'content-type': 'application/json', 'x-hub-signature-256': sign(body) });

// Realistic payloads, shaped like Meta's documentation examples.
const whatsappText = (overrides: { from?: string; id?: string; body?: string; name?: string; display?: string } = {}) =>
  whatsappWebhook(
    {
      id: overrides.id ?? 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=',
      timestamp: '1749416383',
      type: 'text',
      text: { body: overrides.body ?? 'Does it come in another color?' },
    },
    { phoneNumberId: PHONE_NUMBER_ID, displayPhoneNumber: overrides.display, waId: overrides.from, name: overrides.name },
  );

const messengerText = (object: 'page' | 'instagram', recipient: string, message: Record<string, unknown>, sender = '6543210987654321') => ({
  object,
  entry: [
    {
      id: recipient,
      time: 1458692752478,
      messaging: [{ sender: { id: sender }, recipient: { id: recipient }, timestamp: 1458692752478, message }],
    },
  ],
});

beforeAll(async () => {
  graph = await startFakeGraph({
    accessToken: ACCESS_TOKEN,
    appSecret: APP_SECRET,
    requireAppSecretProof: true,
    phoneNumberIds: [PHONE_NUMBER_ID, '200000000000001', '300000000000001'],
    pageIds: [PAGE_ID, IG_ACCOUNT_ID],
  });
});
afterAll(async () => {
  await graph.close();
});
beforeEach(() => {
  graph.reset();
});

describe('meta verify (X-Hub-Signature-256)', () => {
  it('reproduces the official test vector', () => {
    expect(metaSignature('TEST_APP_SECRET', 'test')).toBe('0c61947b610d4f45e65f3d680e26027121ec2413e77598bcb6cfc6e0d9888221');
    const raw = inbound('test', { 'x-hub-signature-256': 'sha256=0c61947b610d4f45e65f3d680e26027121ec2413e77598bcb6cfc6e0d9888221' });
    expect(() => metaAdapter.verify(raw, connection({ secrets: { appSecret: 'TEST_APP_SECRET', accessToken: 'x' } }))).not.toThrow();
  });

  it('verifies a real webhook body signed with the app secret', () => {
    const body = JSON.stringify(whatsappText());
    expect(() => metaAdapter.verify(signed(body), connection())).not.toThrow();
  });

  it('verifies \\u00e4-escaped bodies only as the raw bytes, never as re-serialised JSON', () => {
    // What Meta sends and signs: non-ASCII escaped.
    const body = '{"object":"page","entry":[{"id":"104745862412345","messaging":[{"message":{"mid":"m_1","text":"K\\u00e4se \\ud83e\\uddc0"}}]}]}';
    expect(body).toContain('\\u00e4');
    const header = sign(body);
    expect(() => metaAdapter.verify(inbound(body, { 'x-hub-signature-256': header }), connection())).not.toThrow();

    const reserialised = JSON.stringify(JSON.parse(body));
    expect(reserialised).toContain('Käse');
    const error = expectAuthError(() => metaAdapter.verify(inbound(reserialised, { 'x-hub-signature-256': header }), connection()));
    expect(error.status).toBe(403);

    // The fake's signer escapes the same way and verifies.
    const made = signedMetaWebhook(APP_SECRET, { object: 'page', entry: [{ messaging: [{ message: { text: 'Grüße 🧀' } }] }] });
    expect(made.body).toContain('Gr\\u00fc\\u00dfe');
    expect(() => metaAdapter.verify(inbound(made.body, made.headers), connection())).not.toThrow();
  });

  it('refuses a request without the header (401)', () => {
    const error = expectAuthError(() => metaAdapter.verify(inbound(JSON.stringify(whatsappText())), connection()));
    expect(error.status).toBe(401);
    expect(error.message).toMatch(/X-Hub-Signature-256 header is missing/);
  });

  it.each([
    ['a sha1 signature', `sha1=${createHmac('sha1', APP_SECRET).update('{}').digest('hex')}`],
    ['a bare hex digest', createHmac('sha256', APP_SECRET).update('{}').digest('hex')],
    ['non-hex digits', `sha256=${'z'.repeat(64)}`],
    ['a truncated digest', sign('{}').slice(0, 40)],
    ['a base64 digest', `sha256=${createHmac('sha256', APP_SECRET).update('{}').digest('base64')}`],
  ])('refuses %s (401)', (_label, header) => {
    const error = expectAuthError(() => metaAdapter.verify(inbound('{}', { 'x-hub-signature-256': header }), connection()));
    expect(error.status).toBe(401);
    expect(error.message).toMatch(/sha256=/);
  });

  it('refuses a signature made with another secret (403)', () => {
    const body = JSON.stringify(whatsappText());
    const error = expectAuthError(() => metaAdapter.verify(inbound(body, { 'x-hub-signature-256': sign(body, 'another-secret') }), connection()));
    expect(error.status).toBe(403);
    expect(error.message).toMatch(/does not match/);
  });

  it('refuses a tampered body (403)', () => {
    const body = JSON.stringify(whatsappText({ body: 'Send me the invoice' }));
    const tampered = body.replace('the invoice', 'all invoices');
    const error = expectAuthError(() => metaAdapter.verify(inbound(tampered, { 'x-hub-signature-256': sign(body) }), connection()));
    expect(error.status).toBe(403);
  });

  it('refuses when the connection has no app secret (403)', () => {
    const body = '{}';
    const error = expectAuthError(() =>
      metaAdapter.verify(inbound(body, { 'x-hub-signature-256': sign(body) }), connection({ secrets: { accessToken: ACCESS_TOKEN } })),
    );
    expect(error.status).toBe(403);
    expect(error.message).toMatch(/appSecret/);
  });
});

describe('meta handshake (hub.challenge)', () => {
  const hub = (query: Record<string, string>) => inbound('', {}, 'GET', query);

  it('answers the raw challenge as text/plain when the verify token matches', () => {
    const reply = metaAdapter.handshake!(hub({ 'hub.mode': 'subscribe', 'hub.verify_token': VERIFY_TOKEN, 'hub.challenge': '1158201444' }), connection());
    expect(reply).toEqual({
      status: 200,
      headers: expect.objectContaining({ 'content-type': expect.stringMatching(/^text\/plain/) }),
      body: '1158201444',
    });
  });

  it.each([
    ['a wrong verify token', { 'hub.mode': 'subscribe', 'hub.verify_token': VERIFY_TOKEN.replace(/.$/, 'x'), 'hub.challenge': '1' }, /does not match/],
    ['a verify token of another length', { 'hub.mode': 'subscribe', 'hub.verify_token': 'short', 'hub.challenge': '1' }, /does not match/],
    ['no verify token', { 'hub.mode': 'subscribe', 'hub.challenge': '1' }, /verify_token is missing/],
    ['another hub.mode', { 'hub.mode': 'unsubscribe', 'hub.verify_token': VERIFY_TOKEN, 'hub.challenge': '1' }, /hub\.mode/],
    ['no challenge', { 'hub.mode': 'subscribe', 'hub.verify_token': VERIFY_TOKEN }, /challenge is missing/],
  ])('refuses %s with 403', (_label, query, message) => {
    const error = expectAuthError(() => metaAdapter.handshake!(hub(query as Record<string, string>), connection()));
    expect(error.status).toBe(403);
    expect(error.message).toMatch(message);
  });

  it('is not a handshake for POSTs or GETs without hub parameters', () => {
    expect(metaAdapter.handshake!(inbound('{}', {}, 'POST', { 'hub.mode': 'subscribe' }), connection())).toBeUndefined();
    expect(metaAdapter.handshake!(hub({}), connection())).toBeUndefined();
  });
});

describe('meta parse', () => {
  const parse = (payload: unknown) => metaAdapter.parse(signed(typeof payload === 'string' ? payload : JSON.stringify(payload)), connection());

  it('turns a WhatsApp text message into an event identified by the E.164 display number', () => {
    const events = parse(whatsappText());
    expect(events).toEqual([
      {
        providerEventId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=',
        channelIdentifier: '+12025550123',
        contact: { externalId: '16505551234', displayName: 'Sheena Nelson' },
        text: 'Does it come in another color?',
        replyContext: {
          channelType: 'whatsapp',
          phoneNumberId: PHONE_NUMBER_ID,
          messageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=',
          sentAt: 1749416383000,
        },
      },
    ]);
    expect(channelTypeRules.whatsapp.identifier.safeParse(events[0]!.channelIdentifier).success).toBe(true);
  });

  it('normalises a formatted display number (Meta test numbers included)', () => {
    expect(parse(whatsappText({ display: '+1 202-555-0123' }))[0]!.channelIdentifier).toBe('+12025550123');
    expect(parse(whatsappText({ display: '15550783881' }))[0]!.channelIdentifier).toBe('+15550783881');
  });

  it('yields one event per message across several entries, changes and messages', () => {
    const first = whatsappText();
    const value = first.entry[0]!.changes[0]!.value;
    value.contacts.push({ profile: { name: 'Kai Rivera' }, wa_id: '447700900123' });
    value.messages.push({ from: '447700900123', id: 'wamid.two', timestamp: '1749416390', type: 'text', text: { body: 'Hello from London' } });
    const second = whatsappText({ from: '4915112345678', id: 'wamid.three', body: 'Guten Tag', name: 'Jonas', display: '15550001111' });
    const payload = {
      object: 'whatsapp_business_account',
      entry: [
        { id: first.entry[0]!.id, changes: [first.entry[0]!.changes[0]!, second.entry[0]!.changes[0]!] },
        { id: '999', changes: [whatsappText({ from: '5511988887777', id: 'wamid.four', body: 'Olá', name: 'Ana', display: '15550002222' }).entry[0]!.changes[0]!] },
      ],
    };
    const events = parse(payload);
    expect(events.map((e) => [e.providerEventId, e.channelIdentifier, e.contact.externalId, e.contact.displayName, e.text])).toEqual([
      ['wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=', '+12025550123', '16505551234', 'Sheena Nelson', 'Does it come in another color?'],
      ['wamid.two', '+12025550123', '447700900123', 'Kai Rivera', 'Hello from London'],
      ['wamid.three', '+15550001111', '4915112345678', 'Jonas', 'Guten Tag'],
      ['wamid.four', '+15550002222', '5511988887777', 'Ana', 'Olá'],
    ]);
  });

  it('yields nothing for WhatsApp delivery statuses', () => {
    const payload = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '102290129340398',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_NUMBER_ID },
                statuses: [
                  {
                    id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3NTI4QjQ3MjZBNDI0QjI2RTQA',
                    status: 'delivered',
                    timestamp: '1750263773',
                    recipient_id: '16505551234',
                    conversation: { id: '6ceb9d929c00f8a3d4e1e6ff1e2b7c4a', origin: { type: 'service' } },
                    pricing: { billable: true, pricing_model: 'PMP', category: 'service' },
                  },
                ],
              },
            },
          ],
        },
      ],
    };
    expect(parse(payload)).toEqual([]);
  });

  it('turns a WhatsApp image into an event carrying its media id, its caption (or file name) as the text', () => {
    const payload = whatsappText();
    const value = payload.entry[0]!.changes[0]!.value as Record<string, any>;
    value.messages = [
      { from: '16505551234', id: 'wamid.img1', timestamp: '1', type: 'image', image: { id: '1003383421387256', mime_type: 'image/png', sha256: 'x', caption: 'the dent' } },
      { from: '16505551234', id: 'wamid.img2', timestamp: '1', type: 'image', image: { id: '1003383421387257', mime_type: 'image/jpeg', sha256: 'y' } },
    ];
    const [captioned, bare] = parse(payload);
    expect(captioned).toMatchObject({ providerEventId: 'wamid.img1', text: 'the dent', media: [{ ref: '1003383421387256', name: 'image-1003383421387256.png', contentType: 'image/png' }] });
    expect(bare).toMatchObject({ text: 'image-1003383421387257.jpg', media: [{ ref: '1003383421387257', contentType: 'image/jpeg' }] });
  });

  it('skips other non-text WhatsApp messages and other fields', () => {
    const payload = whatsappText();
    const value = payload.entry[0]!.changes[0]!.value as Record<string, any>;
    value.messages = [
      { from: '16505551234', id: 'wamid.img', timestamp: '1', type: 'image', image: { mime_type: 'image/jpeg', sha256: 'x' } },
      { from: '16505551234', id: 'wamid.react', timestamp: '1', type: 'reaction', reaction: { message_id: 'wamid.x', emoji: '👍' } },
      { from: '16505551234', id: 'wamid.bad', timestamp: '1', type: 'text', text: { body: '' } },
    ];
    expect(parse(payload)).toEqual([]);
    const template = { object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'message_template_status_update', value: { event: 'APPROVED' } }] }] };
    expect(parse(template)).toEqual([]);
  });

  it('turns a Messenger text into an event identified by the page id', () => {
    const events = parse(messengerText('page', PAGE_ID, { mid: 'm_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P', text: 'hello, world!' }));
    expect(events).toEqual([
      {
        providerEventId: 'm_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P',
        channelIdentifier: PAGE_ID,
        contact: { externalId: '6543210987654321' },
        text: 'hello, world!',
        replyContext: {
          channelType: 'facebook',
          pageId: PAGE_ID,
          messageId: 'm_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P',
          sentAt: 1458692752478,
        },
      },
    ]);
    expect(channelTypeRules.facebook.identifier.safeParse(events[0]!.channelIdentifier).success).toBe(true);
  });

  it('skips echoes, deliveries, reads, postbacks and attachment-only messages', () => {
    const payload = {
      object: 'page',
      entry: [
        {
          id: PAGE_ID,
          time: 1458692752478,
          messaging: [
            { sender: { id: PAGE_ID }, recipient: { id: '6543210987654321' }, timestamp: 1, message: { is_echo: true, app_id: 1517776481860111, mid: 'm_echo', text: 'our reply' } },
            { sender: { id: '6543210987654321' }, recipient: { id: PAGE_ID }, timestamp: 1, delivery: { mids: ['m_echo'], watermark: 1458668856253 } },
            { sender: { id: '6543210987654321' }, recipient: { id: PAGE_ID }, timestamp: 1, read: { watermark: 1458668856253 } },
            { sender: { id: '6543210987654321' }, recipient: { id: PAGE_ID }, timestamp: 1, postback: { mid: 'm_pb', title: 'Start', payload: 'GET_STARTED' } },
            { sender: { id: '6543210987654321' }, recipient: { id: PAGE_ID }, timestamp: 1, message: { mid: 'm_img', attachments: [{ type: 'image', payload: { url: 'https://example.com/a.jpg' } }] } },
            { sender: { id: '6543210987654321' }, recipient: { id: PAGE_ID }, timestamp: 1, message: { mid: 'm_real', text: 'the only real one' } },
          ],
        },
      ],
    };
    const events = parse(payload);
    expect(events.map((e) => e.providerEventId)).toEqual(['m_real']);
  });

  it('turns an Instagram DM into an event identified by the Instagram account id and skips its echoes', () => {
    const events = parse(messengerText('instagram', IG_ACCOUNT_ID, { mid: 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAw', text: 'Is this still available?' }, '1254459154682919'));
    expect(events).toEqual([
      {
        providerEventId: 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAw',
        channelIdentifier: IG_ACCOUNT_ID,
        contact: { externalId: '1254459154682919' },
        text: 'Is this still available?',
        replyContext: { channelType: 'instagram', pageId: IG_ACCOUNT_ID, messageId: 'aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAw', sentAt: 1458692752478 },
      },
    ]);
    expect(channelTypeRules.instagram.identifier.safeParse(events[0]!.channelIdentifier).success).toBe(true);
    expect(parse(messengerText('instagram', '1254459154682919', { mid: 'echo', text: 'reply', is_echo: true }, IG_ACCOUNT_ID))).toEqual([]);
  });

  it('yields nothing for other subscriptions of the app', () => {
    expect(parse({ object: 'user', entry: [{ uid: '1', id: '1', time: 1, changed_fields: ['email'] }] })).toEqual([]);
    expect(parse({ object: 'page', entry: [] })).toEqual([]);
  });

  it.each([
    ['a non-JSON body', 'hub.mode=subscribe'],
    ['a JSON array', '[]'],
    ['an object without "object"', '{"entry":[]}'],
    ['entry that is not an array', '{"object":"page","entry":{}}'],
    ['changes that are not an array', '{"object":"whatsapp_business_account","entry":[{"id":"1","changes":"x"}]}'],
  ])('throws InboundFormatError on %s', (_label, body) => {
    expect(() => parse(body)).toThrow(InboundFormatError);
  });
});

describe('meta acknowledge and definition', () => {
  it('acknowledges with 200 EVENT_RECEIVED', () => {
    const raw = signed(JSON.stringify(whatsappText()));
    const reply = metaAdapter.acknowledge(metaAdapter.parse(raw, connection()), raw, connection());
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('EVENT_RECEIVED');
    expect(metaAdapter.acknowledge([], raw, connection())).toEqual(reply);
  });

  it('describes the provider', () => {
    expect(metaProvider.adapter).toBe(metaAdapter);
    expect(metaAdapter.provider).toBe('meta');
    expect(metaAdapter.defaultApiBaseUrl).toBe('https://graph.facebook.com');
    expect(metaProvider.channelTypes).toEqual(['whatsapp', 'facebook', 'instagram']);
    expect(metaProvider.inboundSecret).toBe('token');
    expect(metaProvider.credentials.map((c) => [c.name, c.required])).toEqual([
      ['appSecret', true],
      ['accessToken', true],
    ]);
    expect(metaProvider.setup).toContain('{inboundUrl}');
    expect(metaProvider.setup).toContain('{inboundSecret}');
    expect(metaProvider.setup).toMatch(/Verify token/);
  });

  it('validates and normalises settings', () => {
    expect(metaSettingsSchema.parse({})).toEqual({ graphVersion: 'v21.0' });
    expect(metaSettingsSchema.parse({ graphVersion: '21.0' })).toEqual({ graphVersion: 'v21.0' });
    expect(metaSettingsSchema.parse({ graphVersion: 'v19.0', phoneNumberId: PHONE_NUMBER_ID })).toEqual({ graphVersion: 'v19.0', phoneNumberId: PHONE_NUMBER_ID });
    expect(metaSettingsSchema.parse({ graphVersion: ' V22.0 ' })).toEqual({ graphVersion: 'v22.0' });
    for (const bad of [{ graphVersion: 'latest' }, { graphVersion: '21' }, { phoneNumberId: '+15550783881' }, { pageId: PAGE_ID }]) {
      expect(metaSettingsSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

describe('meta send (against the fake Graph API)', () => {
  const reply = (overrides: Partial<OutboundMessage> = {}): OutboundMessage => ({
    idempotencyKey: 'out_01HZX3K9Q1',
    channelIdentifier: '+12025550123',
    channelConfiguration: { connectionId: 'conn_meta1', phoneNumberId: PHONE_NUMBER_ID },
    to: { externalId: '16505551234', displayName: 'Sheena Nelson' },
    text: 'Yes: blue, green and red.',
    ...overrides,
  });
  const pageReply = (overrides: Partial<OutboundMessage> = {}): OutboundMessage => ({
    idempotencyKey: 'out_01HZX3K9Q2',
    channelIdentifier: PAGE_ID,
    channelConfiguration: { connectionId: 'conn_meta1' },
    to: { externalId: '6543210987654321' },
    text: 'Thanks for writing!',
    replyContext: { channelType: 'facebook', pageId: PAGE_ID, messageId: 'm_1' },
    ...overrides,
  });

  it('sends a WhatsApp text with the documented body and Bearer token, returning the wamid', async () => {
    const receipt = await metaAdapter.send(reply(), connection());
    expect(graph.requests).toHaveLength(1);
    const request = graph.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe(`/v21.0/${PHONE_NUMBER_ID}/messages`);
    expect(request.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(request.query.access_token).toBeUndefined();
    expect(request.query.appsecret_proof).toBe(createHmac('sha256', APP_SECRET).update(ACCESS_TOKEN).digest('hex'));
    expect(request.headers['content-type']).toMatch(/^application\/json/);
    expect(request.json).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '16505551234',
      type: 'text',
      text: { body: 'Yes: blue, green and red.' },
    });
    expect(graph.messages).toHaveLength(1);
    expect(receipt).toEqual({ providerMessageId: graph.messages[0]!.id });
    expect(receipt.providerMessageId).toMatch(/^wamid\./);
  });

  it('takes the phone number id from the channel, then the connection settings, then the inbound message', async () => {
    const conn = connection({ settings: { graphVersion: '19.0', phoneNumberId: '200000000000001' } });
    await metaAdapter.send(reply(), conn);
    await metaAdapter.send(reply({ channelConfiguration: { connectionId: 'conn_meta1' } }), conn);
    await metaAdapter.send(
      reply({ channelConfiguration: { connectionId: 'conn_meta1' }, replyContext: { channelType: 'whatsapp', phoneNumberId: '300000000000001' } }),
      connection({ settings: { graphVersion: 'v21.0' } }),
    );
    expect(graph.requests.map((r) => r.path)).toEqual([
      `/v19.0/${PHONE_NUMBER_ID}/messages`,
      '/v19.0/200000000000001/messages',
      '/v21.0/300000000000001/messages',
    ]);
  });

  it('fails for good, without calling Graph, when no phone number id is known', async () => {
    const error = await expectDeliveryError(metaAdapter.send(reply({ channelConfiguration: { connectionId: 'conn_meta1' } }), connection()));
    expect(error.options.retryable).toBe(false);
    expect(error.message).toMatch(/phoneNumberId/);
    expect(graph.requests).toHaveLength(0);
  });

  it('sends a Messenger reply to the page with access_token in the query, returning message_id', async () => {
    const receipt = await metaAdapter.send(pageReply(), connection());
    const request = graph.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe(`/v21.0/${PAGE_ID}/messages`);
    expect(request.query.access_token).toBe(ACCESS_TOKEN);
    expect(request.headers.authorization).toBeUndefined();
    expect(request.json).toEqual({ recipient: { id: '6543210987654321' }, messaging_type: 'RESPONSE', message: { text: 'Thanks for writing!' } });
    expect(graph.messages).toEqual([expect.objectContaining({ channel: 'page', from: PAGE_ID, to: '6543210987654321', text: 'Thanks for writing!' })]);
    expect(receipt).toEqual({ providerMessageId: graph.messages[0]!.id });
  });

  it('sends an Instagram reply through the account id, also without a replyContext', async () => {
    await metaAdapter.send(pageReply({ channelIdentifier: IG_ACCOUNT_ID, replyContext: { channelType: 'instagram', pageId: IG_ACCOUNT_ID } }), connection());
    await metaAdapter.send(pageReply({ channelIdentifier: IG_ACCOUNT_ID, replyContext: undefined }), connection());
    expect(graph.requests.map((r) => r.path)).toEqual([`/v21.0/${IG_ACCOUNT_ID}/messages`, `/v21.0/${IG_ACCOUNT_ID}/messages`]);
    expect(graph.messages).toHaveLength(2);
  });

  it('has no idempotency key to pass: the fake records every attempt, so a repeated send is two messages', async () => {
    await metaAdapter.send(reply(), connection());
    await metaAdapter.send(reply(), connection());
    expect(graph.messages).toHaveLength(2);
    for (const request of graph.requests) {
      expect(JSON.stringify(request.headers)).not.toContain('out_01HZX3K9Q1');
      expect(request.body).not.toContain('out_01HZX3K9Q1');
    }
  });

  it('maps 429 with Retry-After to a retryable error with retryAfterMs', async () => {
    graph.failNext(429, { retryAfter: 7 });
    const error = await expectDeliveryError(metaAdapter.send(reply(), connection()));
    expect(error.options).toEqual({ retryable: true, status: 429, retryAfterMs: 7000 });
    expect(graph.messages).toHaveLength(0);
  });

  it('maps a 400 to a permanent error carrying Graph\'s message', async () => {
    graph.failNext(400, { error: { message: '(#131026) Message Undeliverable', code: 131026 } });
    const error = await expectDeliveryError(metaAdapter.send(reply(), connection()));
    expect(error.options.retryable).toBe(false);
    expect(error.options.status).toBe(400);
    expect(error.message).toMatch(/Message Undeliverable \(code 131026\)/);
  });

  it('maps 5xx to retryable', async () => {
    graph.failNext(500);
    graph.failNext(503);
    expect((await expectDeliveryError(metaAdapter.send(reply(), connection()))).options).toMatchObject({ retryable: true, status: 500 });
    expect((await expectDeliveryError(metaAdapter.send(pageReply(), connection()))).options).toMatchObject({ retryable: true, status: 503 });
  });

  it('retries Graph throttling and transient errors even when they come as 400', async () => {
    graph.failNext(400, { error: { message: '(#130429) Rate limit hit', code: 130429, is_transient: false } });
    graph.failNext(400, { error: { message: 'Temporary', code: 9999, is_transient: true } });
    expect((await expectDeliveryError(metaAdapter.send(reply(), connection()))).options.retryable).toBe(true);
    expect((await expectDeliveryError(metaAdapter.send(pageReply(), connection()))).options.retryable).toBe(true);
  });

  it('fails for good on a bad access token, without leaking it', async () => {
    const bad = connection({ secrets: { appSecret: APP_SECRET, accessToken: 'EAAwrong' } });
    for (const message of [reply(), pageReply()]) {
      const error = await expectDeliveryError(metaAdapter.send(message, bad));
      expect(error.options).toMatchObject({ retryable: false, status: 401 });
      expect(error.message).toMatch(/code 190/);
      expect(error.message).not.toContain('EAAwrong');
    }
  });

  it('fails for good when the connection has no access token', async () => {
    const error = await expectDeliveryError(metaAdapter.send(reply(), connection({ secrets: { appSecret: APP_SECRET } })));
    expect(error.options.retryable).toBe(false);
    expect(graph.requests).toHaveLength(0);
  });

  it('treats network failures as retryable, including an answer lost after delivery', async () => {
    graph.dropNext();
    expect((await expectDeliveryError(metaAdapter.send(reply(), connection()))).options.retryable).toBe(true);
    expect(graph.messages).toHaveLength(0);

    graph.dropNext({ afterDelivery: true });
    expect((await expectDeliveryError(metaAdapter.send(pageReply(), connection()))).options.retryable).toBe(true);
    expect(graph.messages).toHaveLength(1); // the documented at-least-once edge

    const closed = connection({ apiBaseUrl: 'http://127.0.0.1:1' });
    const error = await expectDeliveryError(metaAdapter.send(reply(), closed));
    expect(error.options.retryable).toBe(true);
    expect(error.message).not.toContain(ACCESS_TOKEN);
  });

  it('uses the fetch it is given', async () => {
    const { fetch: spy, seen } = recordingFetch();
    await metaAdapter.send(pageReply(), connection(), spy);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toContain(`/v21.0/${PAGE_ID}/messages?access_token=`);
  });
});

describe('meta listPages', () => {
  it('lists every page across Graph pagination, asking only for id, name and category', async () => {
    const local = await startFakeGraph({
      accessToken: ACCESS_TOKEN,
      appSecret: APP_SECRET,
      maxPageSize: 2,
      pages: [
        { id: '104745862412345', name: 'Acme Support', category: 'Product/service' },
        { id: '104745862412346', name: 'Acme Shop', category: 'Shopping & retail' },
        { id: '104745862412347', name: 'Acme Labs', category: 'Science, technology & engineering' },
        { id: '104745862412348', name: 'Acme Careers' },
        { id: '104745862412349', name: 'Acme Events', category: 'Community' },
      ],
    });
    try {
      const pages = await listPages(connection({ apiBaseUrl: local.url }), fetch);
      expect(pages).toEqual([
        { id: '104745862412345', name: 'Acme Support', category: 'Product/service' },
        { id: '104745862412346', name: 'Acme Shop', category: 'Shopping & retail' },
        { id: '104745862412347', name: 'Acme Labs', category: 'Science, technology & engineering' },
        { id: '104745862412348', name: 'Acme Careers', category: null },
        { id: '104745862412349', name: 'Acme Events', category: 'Community' },
      ]);
      expect(local.requests).toHaveLength(3);
      for (const request of local.requests) {
        expect(request.method).toBe('GET');
        expect(request.path).toBe('/v21.0/me/accounts');
        expect(request.query.access_token).toBe(ACCESS_TOKEN);
        expect(request.query.fields).toBe('id,name,category');
      }
      expect(JSON.stringify(pages)).not.toContain('EAAPAGE'); // page tokens are never requested
    } finally {
      await local.close();
    }
  });

  it('returns an empty list and raises Graph errors as DeliveryErrors', async () => {
    expect(await listPages(connection(), fetch)).toEqual([]);
    const error = await expectDeliveryError(listPages(connection({ secrets: { appSecret: APP_SECRET, accessToken: 'EAAwrong' } }), fetch));
    expect(error.options).toMatchObject({ retryable: false, status: 401 });
  });
});

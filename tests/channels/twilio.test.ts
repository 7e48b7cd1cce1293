import { createHash } from 'node:crypto';
import { channelTypeRules } from '@switchboard/core';
import twilio from 'twilio';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  InboundFormatError,
  type ConnectionContext,
  type OutboundMessage,
  type RawInbound,
} from '../../packages/server/src/channels/adapter.js';
import {
  splitBody,
  TWILIO_API_BASE_URL,
  twilioAdapter,
  twilioProvider,
  twilioSettingsSchema,
  twilioSignature,
} from '../../packages/server/src/channels/twilio/index.js';
import {
  inboundSmsParams,
  inboundWhatsAppParams,
  signedTwilioWebhook,
  startFakeTwilio,
  type FakeTwilio,
} from '../fakes/twilio.js';
import { connectionContext, expectAuthError, expectDeliveryError, inboundUrl, rawInbound, recordingFetch } from './support.js';

const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
const AUTH_TOKEN = 'b5f1f7ad0c2e4a6b8d9e0f1a2b3c4d5e';
const PUBLIC_URL = inboundUrl('twilio', 'conn_tw1');

function connection(overrides: Partial<ConnectionContext> = {}): ConnectionContext {
  return connectionContext(
    {
      id: 'conn_tw1',
      workspaceId: 'ws_1',
      provider: 'twilio',
      settings: { accountSid: ACCOUNT_SID },
      secrets: { authToken: AUTH_TOKEN },
      inboundSecret: 'unused-by-twilio',
      apiBaseUrl: TWILIO_API_BASE_URL,
    },
    overrides,
  );
}

function raw({
  url = PUBLIC_URL,
  headers,
  ...rest
}: {
  url?: string;
  body?: string | Buffer;
  headers?: Record<string, string | undefined>;
  method?: 'GET' | 'POST';
  subpath?: string;
}): RawInbound {
  return rawInbound({ ...rest, publicUrl: url, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
}

/** A form webhook signed by the official `twilio` package. */
function signed(params: Record<string, string>, url = PUBLIC_URL, token = AUTH_TOKEN): RawInbound {
  const webhook = signedTwilioWebhook(token, url, params);
  return raw({ url, body: webhook.body, headers: webhook.headers });
}

const OFFICIAL = {
  token: '12345',
  url: 'https://mycompany.com/myapp.php?foo=1&bar=2',
  params: { CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' },
  signature: 'RSOYDt4T1cUTdK1PDd93/VVr8B8=',
};

describe('twilio: X-Twilio-Signature', () => {
  it('computes the official test vector', () => {
    expect(twilioSignature(OFFICIAL.token, OFFICIAL.url, OFFICIAL.params)).toBe(OFFICIAL.signature);
    expect(twilio.getExpectedTwilioSignature(OFFICIAL.token, OFFICIAL.url, OFFICIAL.params)).toBe(OFFICIAL.signature);
  });

  it('verifies the official vector as a request, with and without the default port', () => {
    const body = new URLSearchParams(OFFICIAL.params).toString();
    const context = connection({ secrets: { authToken: OFFICIAL.token } });
    for (const url of [OFFICIAL.url, 'https://mycompany.com:443/myapp.php?foo=1&bar=2']) {
      expect(() =>
        twilioAdapter.verify(raw({ url, body, headers: { 'x-twilio-signature': OFFICIAL.signature } }), context),
      ).not.toThrow();
    }
    const wrong = expectAuthError(() =>
      twilioAdapter.verify(raw({ url: OFFICIAL.url, body, headers: { 'x-twilio-signature': 'RSOYDt4T1cUTdK1PDd93/VVr8B9=' } }), context),
    );
    expect(wrong.status).toBe(403);
  });

  it('accepts signatures made by the twilio package over realistic SMS and WhatsApp webhooks', () => {
    for (const params of [inboundSmsParams(), inboundWhatsAppParams()]) {
      const request = signed(params);
      expect(twilio.validateRequest(AUTH_TOKEN, request.headers['x-twilio-signature']!, PUBLIC_URL, params)).toBe(true);
      expect(() => twilioAdapter.verify(request, connection())).not.toThrow();
    }
  });

  it('accepts a signature made over the URL with the default port when Switchboard knows it without, and vice versa', () => {
    const params = inboundSmsParams();
    const withPort = 'https://switchboard.example.com:443/v1/public/channels/twilio/conn_tw1';
    const signedWithPort = signedTwilioWebhook(AUTH_TOKEN, withPort, params);
    expect(() =>
      twilioAdapter.verify(raw({ url: PUBLIC_URL, body: signedWithPort.body, headers: signedWithPort.headers }), connection()),
    ).not.toThrow();
    const signedWithout = signedTwilioWebhook(AUTH_TOKEN, PUBLIC_URL, params);
    expect(() =>
      twilioAdapter.verify(raw({ url: withPort, body: signedWithout.body, headers: signedWithout.headers }), connection()),
    ).not.toThrow();
    // Plain http and :80
    const httpUrl = 'http://sb.internal/v1/public/channels/twilio/conn_tw1?x=1';
    const signed80 = signedTwilioWebhook(AUTH_TOKEN, 'http://sb.internal:80/v1/public/channels/twilio/conn_tw1?x=1', params);
    expect(() => twilioAdapter.verify(raw({ url: httpUrl, body: signed80.body, headers: signed80.headers }), connection())).not.toThrow();
  });

  it('handles array params: every distinct value, sorted, once', () => {
    const url = `${PUBLIC_URL}?kind=array`;
    const body = 'MessageSid=SM1&Tag=zeta&Tag=alpha&Tag=zeta&Body=x';
    const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, { MessageSid: 'SM1', Tag: ['zeta', 'alpha', 'zeta'], Body: 'x' });
    expect(signature).toBe(twilioSignature(AUTH_TOKEN, url, { Body: 'x', MessageSid: 'SM1', Tag: ['alpha', 'zeta'] }));
    expect(() => twilioAdapter.verify(raw({ url, body, headers: { 'x-twilio-signature': signature } }), connection())).not.toThrow();
    // Signing only the first value would not match.
    const firstOnly = twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, { MessageSid: 'SM1', Tag: 'zeta', Body: 'x' });
    expect(expectAuthError(() => twilioAdapter.verify(raw({ url, body, headers: { 'x-twilio-signature': firstOnly } }), connection())).status).toBe(403);
  });

  it('verifies bodies with spaces, plus signs, ampersands and non-ASCII text', () => {
    const params = inboundSmsParams({ Body: 'café + crème & "thé" = 5€ 🚀\nligne 2' });
    const request = signed(params);
    expect(request.body.toString()).toContain('%2B');
    expect(() => twilioAdapter.verify(request, connection())).not.toThrow();
    expect(twilioAdapter.parse(request, connection())[0]!.text).toBe('café + crème & "thé" = 5€ 🚀\nligne 2');
  });

  it('verifies a JSON body signed through bodySHA256 in the URL, and rejects it tampered', () => {
    const body = JSON.stringify({ MessageSid: 'SMjson', From: '+14155550199', To: '+14155550100', Body: 'json hello' });
    const hash = createHash('sha256').update(body).digest('hex');
    const url = `${PUBLIC_URL}?bodySHA256=${hash}`;
    const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, {});
    expect(twilio.validateRequestWithBody(AUTH_TOKEN, signature, url, body)).toBe(true);
    const request = raw({ url, body, headers: { 'content-type': 'application/json', 'x-twilio-signature': signature } });
    expect(() => twilioAdapter.verify(request, connection())).not.toThrow();
    expect(twilioAdapter.parse(request, connection())).toMatchObject([{ providerEventId: 'SMjson', text: 'json hello' }]);

    const tampered = raw({
      url,
      body: body.replace('json hello', 'json HELLO'),
      headers: { 'content-type': 'application/json', 'x-twilio-signature': signature },
    });
    const error = expectAuthError(() => twilioAdapter.verify(tampered, connection()));
    expect(error.status).toBe(403);
    expect(error.message).toMatch(/bodySHA256/);
  });

  it('verifies a GET webhook over the URL alone', () => {
    const url = `${PUBLIC_URL}?${new URLSearchParams(inboundSmsParams()).toString()}`;
    const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, {});
    const request = raw({ method: 'GET', url, headers: { 'x-twilio-signature': signature } });
    expect(() => twilioAdapter.verify(request, connection())).not.toThrow();
    expect(twilioAdapter.parse(request, connection())).toMatchObject([{ text: 'Hello there' }]);
    const altered = raw({ method: 'GET', url: url.replace('Hello', 'Howdy'), headers: { 'x-twilio-signature': signature } });
    expect(expectAuthError(() => twilioAdapter.verify(altered, connection())).status).toBe(403);
  });

  it('rejects a request without X-Twilio-Signature (401)', () => {
    const request = signed(inboundSmsParams());
    delete request.headers['x-twilio-signature'];
    const error = expectAuthError(() => twilioAdapter.verify(request, connection()));
    expect(error.status).toBe(401);
    expect(error.message).toMatch(/Missing X-Twilio-Signature/);
    const blank = signed(inboundSmsParams());
    blank.headers['x-twilio-signature'] = '   ';
    expect(expectAuthError(() => twilioAdapter.verify(blank, connection())).status).toBe(401);
  });

  it('rejects a signature made with another auth token (403)', () => {
    const error = expectAuthError(() => twilioAdapter.verify(signed(inboundSmsParams(), PUBLIC_URL, 'another-token'), connection()));
    expect(error.status).toBe(403);
    expect(error.message).toMatch(/X-Twilio-Signature does not match/);
    expect(error.message).toContain(PUBLIC_URL);
    expect(error.message).not.toContain(AUTH_TOKEN);
  });

  it('rejects a tampered body, an added param and a removed param (403)', () => {
    const good = signed(inboundSmsParams());
    const tampered = { ...good, body: Buffer.from(good.body.toString().replace('Hello+there', 'Hello+thera')) };
    expect(tampered.body.equals(good.body)).toBe(false);
    expect(expectAuthError(() => twilioAdapter.verify(tampered, connection())).status).toBe(403);
    const added = { ...good, body: Buffer.concat([good.body, Buffer.from('&Extra=1')]) };
    expect(expectAuthError(() => twilioAdapter.verify(added, connection())).status).toBe(403);
    const removed = { ...good, body: Buffer.from(good.body.toString().replace(/&ApiVersion=[^&]*/, '')) };
    expect(expectAuthError(() => twilioAdapter.verify(removed, connection())).status).toBe(403);
  });

  it('rejects a signature made for another URL (another connection, scheme or query)', () => {
    const params = inboundSmsParams();
    for (const otherUrl of [
      'https://switchboard.example.com/v1/public/channels/twilio/conn_other',
      'http://switchboard.example.com/v1/public/channels/twilio/conn_tw1',
      `${PUBLIC_URL}?x=1`,
    ]) {
      const webhook = signedTwilioWebhook(AUTH_TOKEN, otherUrl, params);
      expect(expectAuthError(() => twilioAdapter.verify(raw({ body: webhook.body, headers: webhook.headers }), connection())).status).toBe(403);
    }
  });

  it('rejects when the connection has no authToken', () => {
    const error = expectAuthError(() => twilioAdapter.verify(signed(inboundSmsParams()), connection({ secrets: {} })));
    expect(error.status).toBe(403);
    expect(error.message).toMatch(/authToken/);
  });
});

describe('twilio: parse', () => {
  it('turns an inbound SMS into one event keyed by MessageSid, for the To number', () => {
    const events = twilioAdapter.parse(signed(inboundSmsParams()), connection());
    expect(events).toEqual([
      {
        providerEventId: 'SM2c0b1d7e4a5f6a7b8c9d0e1f2a3b4c5d',
        channelIdentifier: '+14155550100',
        contact: { externalId: '+14155550199' },
        text: 'Hello there',
        replyContext: {
          channelType: 'sms',
          from: '+14155550199',
          to: '+14155550100',
          messageSid: 'SM2c0b1d7e4a5f6a7b8c9d0e1f2a3b4c5d',
          accountSid: ACCOUNT_SID,
          messagingServiceSid: 'MG0123456789abcdef0123456789abcdef',
        },
      },
    ]);
    expect(channelTypeRules.sms.identifier.safeParse(events[0]!.channelIdentifier).success).toBe(true);
  });

  it('turns an inbound WhatsApp message into an event for the E.164 sender number, with the profile name', () => {
    const [event, ...rest] = twilioAdapter.parse(signed(inboundWhatsAppParams()), connection());
    expect(rest).toHaveLength(0);
    expect(event).toMatchObject({
      providerEventId: 'SM9f8e7d6c5b4a39281706f5e4d3c2b1a0',
      channelIdentifier: '+14155238886',
      contact: { externalId: '+447700900123', displayName: 'Ada Lovelace' },
      text: 'Hi from WhatsApp',
      replyContext: { channelType: 'whatsapp', from: 'whatsapp:+447700900123', to: 'whatsapp:+14155238886', waId: '447700900123' },
    });
    expect(channelTypeRules.whatsapp.identifier.safeParse(event!.channelIdentifier).success).toBe(true);
  });

  it('keeps media of an MMS / WhatsApp image and describes it when there is no text', () => {
    const params = inboundWhatsAppParams({
      Body: '',
      NumMedia: '2',
      MessageType: 'image',
      MediaUrl0: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1',
      MediaContentType0: 'image/jpeg',
      MediaUrl1: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME2',
      MediaContentType1: 'application/pdf',
    });
    const [event] = twilioAdapter.parse(signed(params), connection());
    expect(event!.replyContext!.media).toEqual([
      { url: params.MediaUrl0, contentType: 'image/jpeg' },
      { url: params.MediaUrl1, contentType: 'application/pdf' },
    ]);
    expect(event!.text).toContain('[attachment: image/jpeg]');
    expect(event!.text).toContain(params.MediaUrl1);
    const captioned = twilioAdapter.parse(signed({ ...params, Body: 'look at this' }), connection());
    expect(captioned[0]!.text).toBe('look at this');
  });

  it('describes a shared WhatsApp location', () => {
    const [event] = twilioAdapter.parse(
      signed(inboundWhatsAppParams({ Body: '', MessageType: 'location', Latitude: '51.5072', Longitude: '-0.1276', Label: 'London' })),
      connection(),
    );
    expect(event!.text).toBe('[location: 51.5072,-0.1276 London]');
    expect(event!.replyContext!.location).toEqual({ latitude: '51.5072', longitude: '-0.1276', label: 'London' });
  });

  it('yields no events for status callbacks (SMS delivered, WhatsApp read, failed)', () => {
    const statuses: Record<string, string>[] = [
      { MessageStatus: 'delivered', SmsStatus: 'delivered', MessageSid: 'SMout1', SmsSid: 'SMout1', To: '+14155550199', From: '+14155550100', AccountSid: ACCOUNT_SID, ApiVersion: '2010-04-01' },
      { MessageStatus: 'read', SmsStatus: 'read', MessageSid: 'SMout2', To: 'whatsapp:+447700900123', From: 'whatsapp:+14155238886', ChannelPrefix: 'whatsapp', AccountSid: ACCOUNT_SID },
      { MessageStatus: 'failed', ErrorCode: '30008', MessageSid: 'SMout3', To: '+14155550199', From: '+14155550100', AccountSid: ACCOUNT_SID },
      // Even if a callback echoed the Body, an outbound status is not an inbound message.
      { MessageStatus: 'sent', Body: 'our own reply', MessageSid: 'SMout4', To: '+14155550199', From: '+14155550100', AccountSid: ACCOUNT_SID },
    ];
    for (const params of statuses) {
      const request = signed(params);
      expect(() => twilioAdapter.verify(request, connection())).not.toThrow();
      expect(twilioAdapter.parse(request, connection())).toEqual([]);
    }
  });

  it('yields no events for voice webhooks (answered with TwiML by voice.ts)', () => {
    const request = signed({ CallSid: 'CA123', From: '+14155550199', To: '+14155550100', CallStatus: 'ringing', Direction: 'inbound' });
    expect(twilioAdapter.parse(request, connection())).toEqual([]);
  });

  it('throws InboundFormatError on garbage and on a message without From/To', () => {
    expect(() => twilioAdapter.parse(raw({ body: 'hello=world' }), connection())).toThrow(InboundFormatError);
    expect(() => twilioAdapter.parse(raw({ body: '\u0000\u0001garbage' }), connection())).toThrow(InboundFormatError);
    const noFrom = inboundSmsParams();
    delete (noFrom as Record<string, string | undefined>).From;
    expect(() => twilioAdapter.parse(raw({ body: new URLSearchParams(noFrom).toString() }), connection())).toThrow(/From or To/);
  });
});

describe('twilio: acknowledge', () => {
  it('answers empty TwiML as text/xml, exactly what the official helper makes', () => {
    const request = signed(inboundSmsParams());
    const reply = twilioAdapter.acknowledge(twilioAdapter.parse(request, connection()), request, connection());
    expect(reply.status).toBe(200);
    expect(reply.headers?.['content-type']).toBe('text/xml');
    expect(reply.body).toBe(new twilio.twiml.MessagingResponse().toString());
    expect(reply.body).toContain('<Response/>');
    const statusReply = twilioAdapter.acknowledge([], request, connection());
    expect(statusReply.body).toBe(reply.body);
  });
});

describe('twilio: provider definition', () => {
  it('declares the provider, its channel types, settings and credentials', () => {
    expect(twilioProvider.adapter.provider).toBe('twilio');
    expect(twilioProvider.adapter.defaultApiBaseUrl).toBe('https://api.twilio.com');
    expect(twilioProvider.channelTypes).toEqual(['sms', 'whatsapp', 'calls']);
    expect(twilioProvider.credentials).toEqual([expect.objectContaining({ name: 'authToken', required: true })]);
    expect(twilioProvider.inboundSecret).toBe('token');
    expect(twilioProvider.setup).toContain('{inboundUrl}');
    expect(twilioProvider.setup).toContain('{inboundUrl}/voice');
  });

  it('validates settings strictly', () => {
    expect(twilioSettingsSchema.parse({ accountSid: ACCOUNT_SID })).toEqual({ accountSid: ACCOUNT_SID });
    expect(twilioProvider.settings.safeParse({ accountSid: `  ${ACCOUNT_SID} ` }).data).toEqual({ accountSid: ACCOUNT_SID });
    for (const bad of [{}, { accountSid: 'AC123' }, { accountSid: `SK${'0'.repeat(32)}` }, { accountSid: `AC${'g'.repeat(32)}` }]) {
      const result = twilioProvider.settings.safeParse(bad);
      expect(result.success).toBe(false);
    }
    const extra = twilioProvider.settings.safeParse({ accountSid: ACCOUNT_SID, authToken: 'secret' });
    expect(extra.success).toBe(false);
    expect(twilioProvider.settings.safeParse({ accountSid: 'AC123' }).error!.issues[0]!.message).toMatch(/AC followed by 32 hex/);
  });
});

describe('twilio: send through the Messages API (fake Twilio)', () => {
  let fake: FakeTwilio;
  beforeAll(async () => {
    fake = await startFakeTwilio({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => fake.reset());

  const context = () => connection({ apiBaseUrl: `${fake.url}/` });
  const sms = (overrides: Partial<OutboundMessage> = {}): OutboundMessage => ({
    idempotencyKey: 'msg_reply_1',
    channelIdentifier: '+14155550100',
    channelConfiguration: { phoneConfigurationId: 'phone_1' },
    to: { externalId: '+14155550199' },
    text: 'Thanks, we got it.',
    ...overrides,
  });

  it('posts a form to /2010-04-01/Accounts/{sid}/Messages.json with Basic auth and the idempotency token', async () => {
    const receipt = await twilioAdapter.send(sms(), context());
    expect(fake.messages).toHaveLength(1);
    expect(receipt).toEqual({ providerMessageId: fake.messages[0]!.sid });
    expect(receipt.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    const [request] = fake.requests;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
    expect(request!.headers.authorization).toBe(`Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`);
    expect(request!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request!.headers['i-twilio-idempotency-token']).toBe('msg_reply_1');
    expect(request!.form).toEqual({ To: '+14155550199', From: '+14155550100', Body: 'Thanks, we got it.' });
  });

  it('answers an inbound SMS on the number it came to', async () => {
    const [event] = twilioAdapter.parse(signed(inboundSmsParams()), connection());
    await twilioAdapter.send(
      sms({ channelIdentifier: event!.channelIdentifier, to: event!.contact, replyContext: event!.replyContext! }),
      context(),
    );
    expect(fake.requests[0]!.form).toMatchObject({ To: '+14155550199', From: '+14155550100' });
  });

  it('prefixes WhatsApp addresses, from the reply context or the channel configuration', async () => {
    const [event] = twilioAdapter.parse(signed(inboundWhatsAppParams()), connection());
    await twilioAdapter.send(
      sms({
        idempotencyKey: 'wa_1',
        channelIdentifier: event!.channelIdentifier,
        channelConfiguration: { connectionId: 'conn_tw1' },
        to: event!.contact,
        replyContext: event!.replyContext!,
      }),
      context(),
    );
    // Proactive WhatsApp message: no reply context, a WhatsApp channel configuration.
    await twilioAdapter.send(
      sms({ idempotencyKey: 'wa_2', channelIdentifier: '+14155238886', channelConfiguration: { connectionId: 'conn_tw1' }, to: { externalId: '+447700900123' } }),
      context(),
    );
    for (const request of fake.requests) {
      expect(request.form.To).toBe('whatsapp:+447700900123');
      expect(request.form.From).toBe('whatsapp:+14155238886');
    }
    expect(fake.messages).toHaveLength(2);
  });

  it('delivers exactly once when the same idempotency key is sent again', async () => {
    const first = await twilioAdapter.send(sms(), context());
    const second = await twilioAdapter.send(sms(), context());
    expect(second.providerMessageId).toBe(first.providerMessageId);
    expect(fake.requests).toHaveLength(2);
    expect(fake.messages).toHaveLength(1);
  });

  it('delivers exactly once when a response is lost after the message was created', async () => {
    fake.failNext(500, { afterCreate: true });
    const error = await expectDeliveryError(twilioAdapter.send(sms(), context()));
    expect(error.options.retryable).toBe(true);
    const receipt = await twilioAdapter.send(sms(), context());
    expect(fake.messages).toHaveLength(1);
    expect(receipt.providerMessageId).toBe(fake.messages[0]!.sid);
  });

  it('429 with Retry-After is retryable with retryAfterMs', async () => {
    fake.failNext(429, { retryAfter: 7 });
    const error = await expectDeliveryError(twilioAdapter.send(sms(), context()));
    expect(error.options).toMatchObject({ retryable: true, status: 429, retryAfterMs: 7000 });
    expect(error.message).toMatch(/20429/);
    expect(fake.messages).toHaveLength(0);
    await twilioAdapter.send(sms(), context());
    expect(fake.messages).toHaveLength(1);
  });

  it('400 is not retryable and carries Twilio\'s error', async () => {
    fake.failNext(400, { code: 21610, message: 'Attempt to send to unsubscribed recipient' });
    const error = await expectDeliveryError(twilioAdapter.send(sms(), context()));
    expect(error.options.retryable).toBe(false);
    expect(error.options.status).toBe(400);
    expect(error.message).toMatch(/21610/);
    // A real validation failure of the fake: an invalid To number.
    const invalid = await expectDeliveryError(twilioAdapter.send(sms({ idempotencyKey: 'bad_to', to: { externalId: 'not-a-number' } }), context()));
    expect(invalid.options).toMatchObject({ retryable: false, status: 400 });
  });

  it('5xx is retryable', async () => {
    for (const status of [500, 503]) {
      fake.failNext(status);
      const error = await expectDeliveryError(twilioAdapter.send(sms(), context()));
      expect(error.options).toMatchObject({ retryable: true, status });
      expect(error.options.retryAfterMs).toBeUndefined();
    }
    expect(fake.messages).toHaveLength(0);
  });

  it('a wrong auth token is a permanent failure (401)', async () => {
    const error = await expectDeliveryError(twilioAdapter.send(sms(), connection({ apiBaseUrl: fake.url, secrets: { authToken: 'wrong' } })));
    expect(error.options).toMatchObject({ retryable: false, status: 401 });
    expect(error.message).toMatch(/20003/);
  });

  it('a network failure is retryable', async () => {
    fake.dropConnections();
    const error = await expectDeliveryError(twilioAdapter.send(sms(), context()));
    expect(error.options.retryable).toBe(true);
    expect(error.message).toMatch(/unreachable/);
    fake.restore();
  });

  it('missing settings or credentials fail permanently without a request', async () => {
    const noSid = await expectDeliveryError(twilioAdapter.send(sms(), connection({ apiBaseUrl: fake.url, settings: {} })));
    expect(noSid.options.retryable).toBe(false);
    const noToken = await expectDeliveryError(twilioAdapter.send(sms(), connection({ apiBaseUrl: fake.url, secrets: {} })));
    expect(noToken.options.retryable).toBe(false);
    const empty = await expectDeliveryError(twilioAdapter.send(sms({ text: '  ' }), context()));
    expect(empty.options.retryable).toBe(false);
    expect(fake.requests).toHaveLength(0);
  });

  it('splits text over 1600 characters into several messages, each with its own idempotency token', async () => {
    const paragraph = 'lorem ipsum dolor sit amet '.repeat(40).trim();
    const text = [paragraph, paragraph, paragraph].join('\n');
    expect(text.length).toBeGreaterThan(3000);
    fake.failNext(503, { after: 1 }); // the first part goes out, the second fails
    const error = await expectDeliveryError(twilioAdapter.send(sms({ text }), context()));
    expect(error.options.retryable).toBe(true);
    expect(fake.messages).toHaveLength(1);
    const receipt = await twilioAdapter.send(sms({ text }), context()); // the outbox retries the whole reply
    await twilioAdapter.send(sms({ text }), context()); // and once more: nothing new
    expect(fake.messages.map((message) => message.idempotencyToken)).toEqual(['msg_reply_1', 'msg_reply_1:2', 'msg_reply_1:3']);
    expect(fake.messages.every((message) => message.body.length <= 1600)).toBe(true);
    expect(fake.messages.map((message) => message.body).join('\n')).toBe(text);
    expect(receipt.providerMessageId).toBe(fake.messages[0]!.sid);
  });

  it('uses https://api.twilio.com by default', async () => {
    const { fetch: fetchStub, seen } = recordingFetch(
      async () => new Response(JSON.stringify({ sid: 'SMdefault' }), { status: 201, headers: { 'content-type': 'application/json' } }),
    );
    const receipt = await twilioAdapter.send(sms(), connection(), fetchStub);
    expect(seen).toEqual([`https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`]);
    expect(receipt.providerMessageId).toBe('SMdefault');
  });
});

describe('twilio: splitBody', () => {
  it('never cuts inside a surrogate pair and keeps short text whole', () => {
    expect(splitBody('short')).toEqual(['short']);
    const emoji = '😀'.repeat(1000); // 2000 UTF-16 units, no spaces
    const parts = splitBody(emoji);
    expect(parts.join('')).toBe(emoji);
    expect(parts.every((part: string) => part.length <= 1600 && !/[\uD800-\uDBFF]$/.test(part))).toBe(true);
  });
});

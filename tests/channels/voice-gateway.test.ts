import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InboundAuthError,
  type ConnectionContext,
  type OutboundMessage,
  type RawInbound,
} from '../../packages/server/src/channels/adapter.js';
import {
  voiceGatewayAdapter,
  voiceGatewayHeaders,
  voiceGatewayProvider,
  voiceGatewaySettingsSchema,
  voiceGatewaySignature,
} from '../../packages/server/src/channels/voice-gateway/index.js';
import { eventRequest, startFakeVoiceGateway, type FakeVoiceGateway } from '../fakes/voice-gateway.js';
import { connectionContext, expectAuthError, expectDeliveryError, expectFormatError, inboundUrl, rawInbound, uniqueKey } from './support.js';

const SECRET = 'vg_4f1d2c3b5a69788796a5b4c3d2e1f0aa';

let gateway: FakeVoiceGateway;
beforeAll(async () => {
  gateway = await startFakeVoiceGateway({ secret: SECRET });
});
afterAll(async () => {
  await gateway.close();
});

function connection(overrides: Partial<ConnectionContext> = {}): ConnectionContext {
  return connectionContext(
    {
      id: 'conn_voice1',
      provider: 'voice-gateway',
      settings: { callbackUrl: gateway.callbackUrl },
      inboundSecret: SECRET,
    },
    overrides,
  );
}

function raw(request: { body: string; headers: Record<string, string> }, receivedAt = Date.now()): RawInbound {
  return rawInbound({ publicUrl: inboundUrl('voice-gateway', 'conn_voice1'), query: {}, headers: { ...request.headers }, body: request.body, receivedAt });
}

const transcript = {
  event: 'transcript',
  eventId: 'evt_01HZX3',
  callId: 'call_8842',
  to: '+15551230000',
  from: '+15557654321',
  text: "I'd like to change my delivery address.",
  confidence: 0.93,
};

describe('voice gateway signature', () => {
  it('is hex HMAC-SHA256 of "timestamp.body", or of the body alone without a timestamp', () => {
    const body = '{"event":"call.started"}';
    expect(voiceGatewaySignature(SECRET, body, 1714000000)).toBe(createHmac('sha256', SECRET).update(`1714000000.${body}`).digest('hex'));
    expect(voiceGatewaySignature(SECRET, body)).toBe(createHmac('sha256', SECRET).update(body).digest('hex'));
    // A fixed vector, so a change of scheme cannot go unnoticed.
    expect(voiceGatewaySignature('secret', 'hello', 1700000000)).toBe(
      createHmac('sha256', 'secret').update('1700000000.hello').digest('hex'),
    );
    expect(voiceGatewayHeaders('secret', 'hello', 1700000000_000)).toEqual({
      'x-timestamp': '1700000000',
      'x-signature': `sha256=${createHmac('sha256', 'secret').update('1700000000.hello').digest('hex')}`,
    });
  });

  it('accepts sha256=<hex>, bare hex, upper-case hex, and signatures without a timestamp', () => {
    expect(() => voiceGatewayAdapter.verify(raw(eventRequest(transcript, SECRET)), connection())).not.toThrow();
    expect(() => voiceGatewayAdapter.verify(raw(eventRequest(transcript, SECRET, { bare: true })), connection())).not.toThrow();
    expect(() => voiceGatewayAdapter.verify(raw(eventRequest(transcript, SECRET, { timestamp: null })), connection())).not.toThrow();
    const upper = eventRequest(transcript, SECRET);
    upper.headers['x-signature'] = 'sha256=' + upper.headers['x-signature']!.slice(7).toUpperCase();
    expect(() => voiceGatewayAdapter.verify(raw(upper), connection())).not.toThrow();
  });

  it('refuses a missing or malformed X-Signature', () => {
    const missing = eventRequest(transcript, SECRET);
    delete missing.headers['x-signature'];
    const error = expectAuthError(() => voiceGatewayAdapter.verify(raw(missing), connection()));
    expect(error.status).toBe(401);
    expect(error.message).toMatch(/Missing X-Signature/);
    const malformed = eventRequest(transcript, SECRET);
    malformed.headers['x-signature'] = 'sha1=abcdef';
    expect(expectAuthError(() => voiceGatewayAdapter.verify(raw(malformed), connection())).message).toMatch(/64 hex/);
  });

  it('refuses a wrong secret, a tampered body and a swapped timestamp', () => {
    expect(expectAuthError(() => voiceGatewayAdapter.verify(raw(eventRequest(transcript, 'other-secret')), connection())).message).toMatch(
      /does not match the body and X-Timestamp/,
    );
    const tampered = raw(eventRequest(transcript, SECRET));
    tampered.body = Buffer.from(tampered.body.toString().replace('+15557654321', '+15550000000'));
    expect(() => voiceGatewayAdapter.verify(tampered, connection())).toThrow(InboundAuthError);
    const swapped = eventRequest(transcript, SECRET);
    swapped.headers['x-timestamp'] = String(Number(swapped.headers['x-timestamp']) - 10);
    expect(() => voiceGatewayAdapter.verify(raw(swapped), connection())).toThrow(InboundAuthError);
    // A timestamped signature does not verify once the timestamp header is stripped.
    const stripped = eventRequest(transcript, SECRET);
    delete stripped.headers['x-timestamp'];
    expect(expectAuthError(() => voiceGatewayAdapter.verify(raw(stripped), connection())).message).toMatch(/does not match the body signed/);
  });

  it('refuses a stale or future timestamp and a malformed one', () => {
    const now = Math.floor(Date.now() / 1000);
    const stale = expectAuthError(() => voiceGatewayAdapter.verify(raw(eventRequest(transcript, SECRET, { timestamp: now - 400 })), connection()));
    expect(stale.message).toMatch(/in the past: outside the ±300 s window/);
    const future = expectAuthError(() => voiceGatewayAdapter.verify(raw(eventRequest(transcript, SECRET, { timestamp: now + 400 })), connection()));
    expect(future.message).toMatch(/in the future/);
    expect(() => voiceGatewayAdapter.verify(raw(eventRequest(transcript, SECRET, { timestamp: now - 290 })), connection())).not.toThrow();
    const malformed = eventRequest(transcript, SECRET);
    malformed.headers['x-timestamp'] = 'yesterday';
    expect(expectAuthError(() => voiceGatewayAdapter.verify(raw(malformed), connection())).message).toMatch(/unix seconds/);
  });
});

describe('voice gateway parse', () => {
  it('turns a transcript into an event addressed to the called line', () => {
    expect(voiceGatewayAdapter.parse(raw(eventRequest(transcript, SECRET)), connection())).toEqual([
      {
        providerEventId: 'evt_01HZX3',
        channelIdentifier: '+15551230000',
        contact: { externalId: '+15557654321' },
        text: "I'd like to change my delivery address.",
        replyContext: { callId: 'call_8842' },
      },
    ]);
  });

  it('yields no events for call.started and call.ended', () => {
    for (const event of ['call.started', 'call.ended']) {
      const { text: _text, ...rest } = transcript;
      expect(voiceGatewayAdapter.parse(raw(eventRequest({ ...rest, event }, SECRET)), connection())).toEqual([]);
    }
  });

  it('refuses garbage with clear messages', () => {
    const cases: Array<[unknown, RegExp]> = [
      ['nope', /must be JSON/],
      [[transcript], /JSON object/],
      [{ ...transcript, event: 'call.ringing' }, /event: must be "transcript", "call.started" or "call.ended"/],
      [{ ...transcript, eventId: undefined }, /eventId: required/],
      [{ ...transcript, callId: '' }, /callId: must not be empty/],
      [{ ...transcript, to: 5551230000 }, /to: must be a string/],
      [{ ...transcript, text: undefined }, /text: required/],
      [{ ...transcript, text: '   ' }, /text: required/],
    ];
    for (const [body, expected] of cases) {
      const request = typeof body === 'string' ? { body, headers: {} } : eventRequest(body as Record<string, unknown>, SECRET);
      const error = expectFormatError(() => voiceGatewayAdapter.parse(raw(request), connection()));
      expect(error.message).toMatch(expected);
    }
  });

  it('acknowledges 200 {"ok":true}', () => {
    const request = raw(eventRequest(transcript, SECRET));
    const reply = voiceGatewayAdapter.acknowledge([], request, connection());
    expect(reply).toEqual({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' });
  });
});

describe('voice gateway send', () => {
  function outbound(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
    return {
      idempotencyKey: uniqueKey('dlv_voice'),
      channelIdentifier: '+15551230000',
      channelConfiguration: { connectionId: 'conn_voice1' },
      to: { externalId: '+15557654321' },
      text: 'Sure, what is the new address?',
      replyContext: { callId: 'call_8842' },
      ...overrides,
    };
  }

  it('POSTs {callId, text, idempotencyKey} signed with the inbound secret', async () => {
    const reply = outbound();
    const before = gateway.requests.length;
    const receipt = await voiceGatewayAdapter.send(reply, connection());
    const request = gateway.requests[before]!;
    expect(request.verified).toBe(true);
    expect(request.path).toBe('/v1/calls/reply');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['idempotency-key']).toBe(reply.idempotencyKey);
    expect(request.headers['x-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(JSON.parse(request.body)).toEqual({ callId: 'call_8842', text: 'Sure, what is the new address?', idempotencyKey: reply.idempotencyKey });
    const spoken = gateway.spoken.find((s) => s.idempotencyKey === reply.idempotencyKey)!;
    expect(receipt).toEqual({ providerMessageId: spoken.id });
    // What Switchboard signs, its own verifier accepts (same scheme both ways).
    expect(() =>
      voiceGatewayAdapter.verify(
        { ...raw({ body: request.body, headers: request.headers as Record<string, string> }) },
        connection(),
      ),
    ).not.toThrow();
  });

  it('speaks a retried reply once', async () => {
    const reply = outbound();
    gateway.failNext(500, { afterDelivery: true });
    expect((await expectDeliveryError(voiceGatewayAdapter.send(reply, connection()))).options.retryable).toBe(true);
    gateway.dropNext({ afterDelivery: true });
    expect((await expectDeliveryError(voiceGatewayAdapter.send(reply, connection()))).options.retryable).toBe(true);
    const receipt = await voiceGatewayAdapter.send(reply, connection());
    const spoken = gateway.spoken.filter((s) => s.idempotencyKey === reply.idempotencyKey);
    expect(spoken).toHaveLength(1);
    expect(receipt.providerMessageId).toBe(spoken[0]!.id);
  });

  it('maps 429 + Retry-After, 5xx and 4xx', async () => {
    gateway.failNext(429, { retryAfter: 3 });
    expect((await expectDeliveryError(voiceGatewayAdapter.send(outbound(), connection()))).options).toMatchObject({
      retryable: true,
      status: 429,
      retryAfterMs: 3000,
    });
    gateway.failNext(503);
    expect((await expectDeliveryError(voiceGatewayAdapter.send(outbound(), connection()))).options).toMatchObject({ retryable: true, status: 503 });
    gateway.failNext(400);
    expect((await expectDeliveryError(voiceGatewayAdapter.send(outbound(), connection()))).options).toMatchObject({ retryable: false, status: 400 });
  });

  it('gives up on a call that has ended (410) and on a wrong secret (401)', async () => {
    gateway.endCall('call_over');
    const ended = await expectDeliveryError(voiceGatewayAdapter.send(outbound({ replyContext: { callId: 'call_over' } }), connection()));
    expect(ended.options).toMatchObject({ retryable: false, status: 410 });
    const unsigned = await expectDeliveryError(voiceGatewayAdapter.send(outbound(), connection({ inboundSecret: 'not-the-secret' })));
    expect(unsigned.options).toMatchObject({ retryable: false, status: 401 });
  });

  it('fails permanently without a callId or callbackUrl', async () => {
    const noCall = await expectDeliveryError(voiceGatewayAdapter.send(outbound({ replyContext: undefined }), connection()));
    expect(noCall.options.retryable).toBe(false);
    expect(noCall.message).toMatch(/callId/);
    const noUrl = await expectDeliveryError(voiceGatewayAdapter.send(outbound(), connection({ settings: {} })));
    expect(noUrl.options.retryable).toBe(false);
    expect(noUrl.message).toMatch(/callbackUrl/);
  });
});

describe('voice gateway provider definition', () => {
  it('declares its settings and secrets', () => {
    expect(voiceGatewayProvider.adapter.provider).toBe('voice-gateway');
    expect(voiceGatewayProvider.inboundSecret).toBe('token');
    expect(voiceGatewayProvider.channelTypes).toEqual(['voice-gateway']);
    expect(voiceGatewayProvider.credentials).toEqual([]);
    expect(voiceGatewayProvider.setup).toContain('{inboundUrl}');
    expect(voiceGatewayProvider.setup).toContain('{inboundSecret}');
    expect(voiceGatewaySettingsSchema.safeParse({ callbackUrl: 'https://gw.example.com/reply' }).success).toBe(true);
    expect(voiceGatewaySettingsSchema.safeParse({ callbackUrl: 'gw.example.com' }).success).toBe(false);
    expect(voiceGatewaySettingsSchema.safeParse({}).success).toBe(false);
    expect(voiceGatewaySettingsSchema.safeParse({ callbackUrl: 'https://gw.example.com', x: 1 }).success).toBe(false);
  });
});

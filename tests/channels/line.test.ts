import { validateSignature } from '@line/bot-sdk';
import { channelTypeRules } from '@switchboard/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DeliveryError,
  InboundFormatError,
  type ConnectionContext,
  type OutboundMessage,
  type RawInbound,
} from '../../packages/server/src/channels/adapter.js';
import { lineAdapter, lineProvider, lineRetryKey, lineSignature, REPLY_TOKEN_WINDOW_MS } from '../../packages/server/src/channels/line/index.js';
import { startFakeLine, type FakeLine } from '../fakes/line.js';
import { connectionContext, expectAuthError, expectDeliveryError, inboundUrl, rawInbound } from './support.js';

const SECRET = 'a3b5f0c1d2e4f60718293a4b5c6d7e8f';
const BOT = 'U1234567890abcdef1234567890abcdef';
const USER = 'U4af4980629abcdef0123456789abcdef';
const GROUP = 'Ca56f94637cc4347f90a25382909b24b9';
const ROOM = 'Ra8dbf4ccc2f1a0e2b1c3d4e5f6a7b8c9';

function connection(overrides: Partial<ConnectionContext> = {}): ConnectionContext {
  return connectionContext(
    {
      id: 'conn_line',
      workspaceId: 'ws_1',
      provider: 'line',
      secrets: { channelSecret: SECRET, channelAccessToken: 'line-token' },
      inboundSecret: 'unused-inbound-secret',
      apiBaseUrl: 'https://api.line.me',
    },
    overrides,
  );
}

function inbound(body: string | Buffer, headers: Record<string, string | undefined> = {}): RawInbound {
  return rawInbound({ publicUrl: inboundUrl('line', 'conn_line'), query: {}, headers, body });
}

function signed(body: string, secret = SECRET): RawInbound {
  return inbound(body, { 'x-line-signature': lineSignature(secret, body), 'content-type': 'application/json; charset=utf-8' });
}

function textEvent(overrides: Record<string, unknown> = {}) {
  return {
    type: 'message',
    message: { type: 'text', id: '468789577898262530', quoteToken: 'q3Plxr4AgKd', text: 'Hello, こんにちは 👋' },
    webhookEventId: '01H810YECXQQZ37VAXPF6H9E6T',
    deliveryContext: { isRedelivery: false },
    timestamp: 1692251666727,
    source: { type: 'user', userId: USER },
    replyToken: '38ef843bde154d9b91c21320ffd17a0f',
    mode: 'active',
    ...overrides,
  };
}

function payload(events: unknown[]) {
  return JSON.stringify({ destination: BOT, events });
}

describe('LINE verify', () => {
  it('matches the official vector (test_secret, {"hello":"world"})', () => {
    expect(lineSignature('test_secret', '{"hello":"world"}')).toBe('t7Hn4ZDHqs6e+wdvI5TyQIvzie0DmMUmuXEBqyyE/tM=');
    const conn = connection({ secrets: { channelSecret: 'test_secret', channelAccessToken: 't' } });
    expect(() =>
      lineAdapter.verify(inbound('{"hello":"world"}', { 'x-line-signature': 't7Hn4ZDHqs6e+wdvI5TyQIvzie0DmMUmuXEBqyyE/tM=' }), conn),
    ).not.toThrow();
  });

  it('agrees with @line/bot-sdk validateSignature in both directions', () => {
    const body = payload([textEvent()]);
    const signature = lineSignature(SECRET, body);
    expect(validateSignature(body, SECRET, signature)).toBe(true);
    expect(() => lineAdapter.verify(inbound(body, { 'x-line-signature': signature }), connection())).not.toThrow();

    const tampered = body.replace('Hello', 'Hellp');
    expect(validateSignature(tampered, SECRET, signature)).toBe(false);
    expect(expectAuthError(() => lineAdapter.verify(inbound(tampered, { 'x-line-signature': signature }), connection())).status).toBe(403);
  });

  it('verifies the raw bytes, not re-serialised JSON (escaped non-ASCII)', () => {
    const body = `{"destination":"${BOT}","events":[{"type":"message","message":{"type":"text","id":"1","text":"\\u00e4 caf\\u00e9"}}]}`;
    const raw = signed(body);
    expect(() => lineAdapter.verify(raw, connection())).not.toThrow();
    const reserialised = JSON.stringify(JSON.parse(body));
    expect(reserialised).not.toBe(body);
    expect(expectAuthError(() => lineAdapter.verify(inbound(reserialised, raw.headers), connection())).status).toBe(403);
  });

  it('refuses a missing header with 401', () => {
    const error = expectAuthError(() => lineAdapter.verify(inbound(payload([])), connection()));
    expect(error.status).toBe(401);
    expect(error.message).toMatch(/X-Line-Signature header is missing/);
  });

  it('refuses a malformed header with 401', () => {
    const error = expectAuthError(() => lineAdapter.verify(inbound(payload([]), { 'x-line-signature': 'not base64!' }), connection()));
    expect(error.status).toBe(401);
    expect(error.message).toMatch(/base64/);
  });

  it('refuses a signature made with another secret with 403', () => {
    const error = expectAuthError(() => lineAdapter.verify(signed(payload([]), 'another-secret'), connection()));
    expect(error.status).toBe(403);
    expect(error.message).toMatch(/does not match the body/);
  });

  it('refuses a tampered body with 403', () => {
    const raw = signed(payload([textEvent()]));
    const tampered = { ...raw, body: Buffer.from(raw.body.toString('utf8').replace(USER, 'U00000000000000000000000000000000')) };
    expect(expectAuthError(() => lineAdapter.verify(tampered, connection())).status).toBe(403);
  });

  it('refuses when the connection has no channel secret', () => {
    const error = expectAuthError(() => lineAdapter.verify(signed(payload([])), connection({ secrets: { channelAccessToken: 't' } })));
    expect(error.status).toBe(403);
    expect(error.message).toMatch(/no channelSecret/);
  });
});

describe('LINE parse', () => {
  it('turns a text message from a user into one event', () => {
    const events = lineAdapter.parse(signed(payload([textEvent()])), connection());
    expect(events).toEqual([
      {
        providerEventId: '01H810YECXQQZ37VAXPF6H9E6T',
        channelIdentifier: BOT,
        contact: { externalId: USER },
        text: 'Hello, こんにちは 👋',
        replyContext: {
          replyToken: '38ef843bde154d9b91c21320ffd17a0f',
          isRedelivery: false,
          sourceType: 'user',
          userId: USER,
          quoteToken: 'q3Plxr4AgKd',
          messageId: '468789577898262530',
          timestamp: 1692251666727,
        },
      },
    ]);
    expect(channelTypeRules.line.identifier.safeParse(events[0]!.channelIdentifier).success).toBe(true);
  });

  it("yields no events for the console's verify request", () => {
    expect(lineAdapter.parse(signed(JSON.stringify({ destination: BOT, events: [] })), connection())).toEqual([]);
  });

  it('addresses group and room chats to the group or room, keeping the speaker', () => {
    const events = lineAdapter.parse(
      signed(
        payload([
          textEvent({ webhookEventId: 'E1', source: { type: 'group', groupId: GROUP, userId: USER } }),
          textEvent({ webhookEventId: 'E2', source: { type: 'room', roomId: ROOM, userId: USER } }),
        ]),
      ),
      connection(),
    );
    expect(events.map((e) => [e.providerEventId, e.contact.externalId, e.replyContext?.sourceType, e.replyContext?.userId])).toEqual([
      ['E1', GROUP, 'group', USER],
      ['E2', ROOM, 'room', USER],
    ]);
  });

  it('skips non-text messages, non-message events and standby-mode events', () => {
    const events = lineAdapter.parse(
      signed(
        payload([
          textEvent({ webhookEventId: 'S', message: { type: 'sticker', id: '1', packageId: '446', stickerId: '1988' } }),
          textEvent({ webhookEventId: 'X', message: { type: 'image', id: '3', contentProvider: { type: 'external', originalContentUrl: 'https://example.com/a.jpg' } } }),
          { type: 'follow', webhookEventId: 'F', replyToken: 'r', source: { type: 'user', userId: USER }, timestamp: 1, mode: 'active' },
          { type: 'unfollow', webhookEventId: 'U', source: { type: 'user', userId: USER }, timestamp: 1, mode: 'active' },
          { type: 'postback', webhookEventId: 'P', postback: { data: 'x' }, source: { type: 'user', userId: USER }, timestamp: 1, mode: 'active' },
          textEvent({ webhookEventId: 'STANDBY', mode: 'standby', replyToken: undefined }),
          textEvent({ webhookEventId: 'KEEP' }),
        ]),
      ),
      connection(),
    );
    expect(events.map((e) => e.providerEventId)).toEqual(['KEEP']);
  });

  it('turns an image sent through LINE into an event carrying its message id as media', () => {
    const [event] = lineAdapter.parse(signed(payload([textEvent({ webhookEventId: 'I', message: { type: 'image', id: '325708', contentProvider: { type: 'line' } } })])), connection());
    expect(event).toMatchObject({ providerEventId: 'I', text: 'image-325708.jpg', media: [{ ref: '325708', name: 'image-325708.jpg', contentType: 'image/jpeg' }] });
  });

  it('marks redelivered events', () => {
    const [event] = lineAdapter.parse(signed(payload([textEvent({ deliveryContext: { isRedelivery: true } })])), connection());
    expect(event!.replyContext).toMatchObject({ isRedelivery: true });
  });

  it('refuses garbage with InboundFormatError', () => {
    expect(() => lineAdapter.parse(signed('not json'), connection())).toThrow(InboundFormatError);
    expect(() => lineAdapter.parse(signed('[]'), connection())).toThrow(InboundFormatError);
    expect(() => lineAdapter.parse(signed(JSON.stringify({ destination: BOT })), connection())).toThrow(/"events" must be an array/);
    expect(() => lineAdapter.parse(signed(JSON.stringify({ events: [textEvent()] })), connection())).toThrow(/destination/);
    expect(() => lineAdapter.parse(signed(payload([textEvent({ source: { type: 'user' } })])), connection())).toThrow(/userId/);
    expect(() => lineAdapter.parse(signed(payload([textEvent({ message: { type: 'text', id: '1' } })])), connection())).toThrow(
      /message.text/,
    );
  });
});

describe('LINE acknowledge and definition', () => {
  it('acknowledges with an empty 200', () => {
    const raw = signed(payload([textEvent()]));
    expect(lineAdapter.acknowledge(lineAdapter.parse(raw, connection()), raw, connection())).toEqual({ status: 200, body: '' });
    expect(lineAdapter.acknowledge([], signed(payload([])), connection())).toEqual({ status: 200, body: '' });
  });

  it('declares its settings, credentials and setup', () => {
    expect(lineProvider.adapter.provider).toBe('line');
    expect(lineProvider.adapter.defaultApiBaseUrl).toBe('https://api.line.me');
    expect(lineProvider.channelTypes).toEqual(['line']);
    expect(lineProvider.credentials.map((c) => [c.name, c.required])).toEqual([
      ['channelSecret', true],
      ['channelAccessToken', true],
    ]);
    expect(lineProvider.settings.safeParse({}).success).toBe(true);
    expect(lineProvider.settings.safeParse({ botUserId: BOT }).success).toBe(true);
    expect(lineProvider.settings.safeParse({ botUserId: 'bot' }).success).toBe(false);
    expect(lineProvider.settings.safeParse({ channelSecret: 'x' }).success).toBe(false);
    expect(lineProvider.setup).toContain('{inboundUrl}');
    expect(lineProvider.setup).toContain('{inboundSecret}');
  });
});

describe('LINE retry keys', () => {
  it('derives a stable UUID per idempotency key', () => {
    const key = lineRetryKey('dlv_01JABCDEF');
    expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(lineRetryKey('dlv_01JABCDEF')).toBe(key);
    expect(lineRetryKey('dlv_01JABCDEG')).not.toBe(key);
  });
});

describe('LINE send', () => {
  let fake: FakeLine;
  let conn: ConnectionContext;

  beforeEach(async () => {
    fake = await startFakeLine();
    conn = connection({ apiBaseUrl: fake.url, secrets: { channelSecret: SECRET, channelAccessToken: fake.accessToken } });
  });
  afterEach(async () => {
    await fake.close();
  });

  function outbound(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
    return {
      idempotencyKey: 'dlv_1',
      channelIdentifier: BOT,
      channelConfiguration: { connectionId: 'conn_line' },
      to: { externalId: USER },
      text: 'Hi! How can I help?',
      ...overrides,
    };
  }

  it('replies with a fresh reply token', async () => {
    const replyToken = fake.issueReplyToken(USER);
    const receipt = await lineAdapter.send(
      outbound({ replyContext: { replyToken, isRedelivery: false }, inboundReceivedAt: Date.now() - 1000 }),
      conn,
    );
    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe('/v2/bot/message/reply');
    expect(request!.headers.authorization).toBe(`Bearer ${fake.accessToken}`);
    expect(request!.headers['content-type']).toMatch(/^application\/json/);
    expect(request!.headers['x-line-retry-key']).toBeUndefined();
    expect(request!.json).toEqual({ replyToken, messages: [{ type: 'text', text: 'Hi! How can I help?' }] });
    expect(fake.delivered).toHaveLength(1);
    expect(receipt.providerMessageId).toBe(fake.delivered[0]!.sentMessageIds[0]);
  });

  it('pushes with a retry key when the reply token is older than the window', async () => {
    const replyToken = fake.issueReplyToken(USER);
    await lineAdapter.send(outbound({ replyContext: { replyToken }, inboundReceivedAt: Date.now() - REPLY_TOKEN_WINDOW_MS - 1000 }), conn);
    expect(fake.requests.map((r) => r.path)).toEqual(['/v2/bot/message/push']);
    const [request] = fake.requests;
    expect(request!.headers['x-line-retry-key']).toBe(lineRetryKey('dlv_1'));
    expect(request!.json).toEqual({ to: USER, messages: [{ type: 'text', text: 'Hi! How can I help?' }] });
    expect(fake.delivered.map((d) => d.via)).toEqual(['push']);
  });

  it('pushes when there is no reply context, or the event was redelivered', async () => {
    await lineAdapter.send(outbound({ idempotencyKey: 'a' }), conn);
    const replyToken = fake.issueReplyToken(USER);
    await lineAdapter.send(outbound({ idempotencyKey: 'b', replyContext: { replyToken, isRedelivery: true }, inboundReceivedAt: Date.now() }), conn);
    expect(fake.requests.map((r) => r.path)).toEqual(['/v2/bot/message/push', '/v2/bot/message/push']);
  });

  it('falls back to one push when LINE says the reply token is invalid (expired or used)', async () => {
    const expired = fake.issueReplyToken(USER);
    fake.expireReplyToken(expired);
    const receipt = await lineAdapter.send(outbound({ replyContext: { replyToken: expired }, inboundReceivedAt: Date.now() }), conn);
    expect(fake.requests.map((r) => r.path)).toEqual(['/v2/bot/message/reply', '/v2/bot/message/push']);
    expect(fake.delivered).toHaveLength(1);
    expect(receipt.providerMessageId).toBe(fake.delivered[0]!.sentMessageIds[0]);

    const used = fake.issueReplyToken(USER);
    await lineAdapter.send(outbound({ idempotencyKey: 'dlv_2', replyContext: { replyToken: used }, inboundReceivedAt: Date.now() }), conn);
    await lineAdapter.send(outbound({ idempotencyKey: 'dlv_3', replyContext: { replyToken: used }, inboundReceivedAt: Date.now() }), conn);
    expect(fake.delivered.map((d) => d.via)).toEqual(['push', 'reply', 'push']);
  });

  it('delivers exactly once when a push answer is lost: the retry gets 409 and counts as delivered', async () => {
    fake.failNext(500, { path: '/v2/bot/message/push', afterDelivery: true });
    const first = await expectDeliveryError(lineAdapter.send(outbound(), conn));
    expect(first).toBeInstanceOf(DeliveryError);
    expect(first.options).toMatchObject({ retryable: true, status: 500 });

    const receipt = await lineAdapter.send(outbound(), conn);
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[0]!.headers['x-line-retry-key']).toBe(fake.requests[1]!.headers['x-line-retry-key']);
    expect(fake.delivered).toHaveLength(1);
    expect(receipt.providerMessageId).toBe(fake.delivered[0]!.sentMessageIds[0]);
    expect(new Set(fake.delivered.map((d) => d.retryKey)).size).toBe(1);
  });

  it('429 with Retry-After is retryable with retryAfterMs', async () => {
    fake.failNext(429, { retryAfter: '7' });
    const error = await expectDeliveryError(lineAdapter.send(outbound(), conn));
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.options).toEqual({ retryable: true, status: 429, retryAfterMs: 7000 });
    expect(fake.delivered).toHaveLength(0);
  });

  it('429 for the monthly quota is not retryable', async () => {
    fake.failNext(429, { body: { message: 'You have reached your monthly limit.' } });
    const error = await expectDeliveryError(lineAdapter.send(outbound(), conn));
    expect(error.options.retryable).toBe(false);
    expect(error.message).toMatch(/monthly/);
  });

  it('400 is not retryable (an invalid recipient)', async () => {
    const error = await expectDeliveryError(lineAdapter.send(outbound({ to: { externalId: 'not-a-line-id' } }), conn));
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.options).toMatchObject({ retryable: false, status: 400 });
    expect(error.message).toMatch(/'to'/);
  });

  it('401 (a bad channel access token) is not retryable', async () => {
    const error = await expectDeliveryError(lineAdapter.send(outbound(), { ...conn, secrets: { ...conn.secrets, channelAccessToken: 'wrong' } }));
    expect(error.options).toMatchObject({ retryable: false, status: 401 });
  });

  it('5xx is retryable, for reply and push alike (no push after a failed reply)', async () => {
    fake.failNext(503);
    const push = await expectDeliveryError(lineAdapter.send(outbound(), conn));
    expect(push.options).toMatchObject({ retryable: true, status: 503 });

    const replyToken = fake.issueReplyToken(USER);
    fake.failNext(500, { path: '/v2/bot/message/reply' });
    const reply = await expectDeliveryError(lineAdapter.send(outbound({ replyContext: { replyToken }, inboundReceivedAt: Date.now() }), conn));
    expect(reply.options).toMatchObject({ retryable: true, status: 500 });
    expect(fake.requests.map((r) => r.path)).toEqual(['/v2/bot/message/push', '/v2/bot/message/reply']);
  });

  it('a network failure is retryable', async () => {
    await fake.close();
    const error = await expectDeliveryError(lineAdapter.send(outbound(), conn));
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error.options.retryable).toBe(true);
    fake = await startFakeLine();
  });

  it('splits long text into messages of 5000 characters, and refuses text beyond five of them', async () => {
    const text = `${'a'.repeat(4999)}😀${'b'.repeat(10)}`;
    await lineAdapter.send(outbound({ text }), conn);
    const messages = (fake.requests[0]!.json as { messages: Array<{ text: string }> }).messages;
    expect(messages.map((m) => m.text.length)).toEqual([4999, 12]);
    expect(messages.map((m) => m.text).join('')).toBe(text);

    const tooLong = await expectDeliveryError(lineAdapter.send(outbound({ text: 'x'.repeat(25_001) }), conn));
    expect(tooLong.options.retryable).toBe(false);
  });

  it('refuses to send without an access token or text', async () => {
    const noToken = await expectDeliveryError(lineAdapter.send(outbound(), { ...conn, secrets: { channelSecret: SECRET } }));
    expect(noToken.options.retryable).toBe(false);
    const empty = await expectDeliveryError(lineAdapter.send(outbound({ text: '  ' }), conn));
    expect(empty.options.retryable).toBe(false);
    expect(fake.requests).toHaveLength(0);
  });
});

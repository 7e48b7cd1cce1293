import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import {
  InboundAuthError,
  type ConnectionContext,
  type OutboundMessage,
  type RawInbound,
} from '../../packages/server/src/channels/adapter.js';
import {
  signStandardWebhook,
  standardWebhookHeaders,
  verifyStandardWebhook,
  webhookAdapter,
  webhookProvider,
  webhookSettingsSchema,
} from '../../packages/server/src/channels/webhook/index.js';
import { startWebhookReceiver, type FakeWebhookReceiver } from '../fakes/webhook-receiver.js';
import { connectionContext, expectAuthError, expectDeliveryError, expectFormatError, inboundUrl, rawInbound, recordingFetch, uniqueKey } from './support.js';

// Official Standard Webhooks vector (providers.md).
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

const INBOUND_SECRET = 'whsec_' + Buffer.from('inbound-secret-key-0123456789abcdef').toString('base64');
const OUTBOUND_SECRET = 'whsec_' + Buffer.from('outbound-secret-key-fedcba9876543210').toString('base64');

function connection(overrides: Partial<ConnectionContext> = {}): ConnectionContext {
  return connectionContext(
    {
      id: 'conn_hook1',
      provider: 'webhook',
      settings: { outboundUrl: receiver?.url ?? 'http://127.0.0.1:9/unused' },
      secrets: { outboundSecret: OUTBOUND_SECRET },
      inboundSecret: INBOUND_SECRET,
    },
    overrides,
  );
}

function raw(body: string, headers: Record<string, string | undefined>, receivedAt = Date.now()): RawInbound {
  return rawInbound({ publicUrl: inboundUrl('webhook', 'conn_hook1'), query: {}, headers: { 'content-type': 'application/json', ...headers }, body, receivedAt });
}

/** A request signed by the official standardwebhooks library. */
function signedByLibrary(payload: unknown, id = 'msg_2b7f1c', secret = INBOUND_SECRET, at = new Date()) {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const signature = new Webhook(secret).sign(id, at, body);
  return raw(body, { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature }, at.getTime());
}

const message = {
  type: 'message',
  channel: 'support-desk',
  contact: { id: 'user-42', name: 'Ada Lovelace' },
  text: 'Hello, is my order on its way?',
};

let receiver: FakeWebhookReceiver;
beforeAll(async () => {
  receiver = await startWebhookReceiver({ secret: OUTBOUND_SECRET });
});
afterAll(async () => {
  await receiver.close();
});

describe('Standard Webhooks verification', () => {
  it('reproduces the official test vector', () => {
    expect(signStandardWebhook(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.body)).toBe(VECTOR.signature);
    expect(signStandardWebhook(VECTOR.secret, VECTOR.id, VECTOR.timestamp, Buffer.from(VECTOR.body))).toBe(VECTOR.signature);
  });

  it('accepts the official vector inside the window and refuses it 6 minutes later', () => {
    const headers = { 'webhook-id': VECTOR.id, 'webhook-timestamp': String(VECTOR.timestamp), 'webhook-signature': VECTOR.signature };
    const at = VECTOR.timestamp * 1000;
    expect(verifyStandardWebhook(VECTOR.secret, headers, Buffer.from(VECTOR.body), at)).toBe(VECTOR.id);
    expect(verifyStandardWebhook(VECTOR.secret, headers, Buffer.from(VECTOR.body), at + 299_000)).toBe(VECTOR.id);
    const stale = expectAuthError(() => verifyStandardWebhook(VECTOR.secret, headers, Buffer.from(VECTOR.body), at + 360_000));
    expect(stale.status).toBe(401);
    expect(stale.message).toMatch(/360 s in the past.*tolerance/);
    const early = expectAuthError(() => verifyStandardWebhook(VECTOR.secret, headers, Buffer.from(VECTOR.body), at - 360_000));
    expect(early.message).toMatch(/in the future/);
  });

  it('accepts the adapter vector through adapter.verify with the connection inbound secret', () => {
    const request = raw(VECTOR.body, { 'webhook-id': VECTOR.id, 'webhook-timestamp': String(VECTOR.timestamp), 'webhook-signature': VECTOR.signature }, VECTOR.timestamp * 1000);
    expect(() => webhookAdapter.verify(request, connection({ inboundSecret: VECTOR.secret }))).not.toThrow();
    expect(() => webhookAdapter.verify(request, connection())).toThrow(InboundAuthError);
  });

  it('accepts requests signed by the standardwebhooks library', () => {
    expect(() => webhookAdapter.verify(signedByLibrary(message), connection())).not.toThrow();
    // A body with non-ASCII characters and odd spacing: only the raw bytes verify.
    expect(() => webhookAdapter.verify(signedByLibrary('{ "text" : "Grüße, 世界 😀" }'), connection())).not.toThrow();
  });

  it('produces signatures the standardwebhooks library accepts', () => {
    const body = JSON.stringify(message);
    const headers = standardWebhookHeaders(OUTBOUND_SECRET, 'msg_out_1', body);
    expect(new Webhook(OUTBOUND_SECRET).verify(body, headers)).toEqual(message);
  });

  it('accepts a header with several signatures when one matches (key rotation)', () => {
    const request = signedByLibrary(message);
    const valid = request.headers['webhook-signature']!;
    const other = new Webhook('whsec_' + Buffer.from('the-old-rotated-key').toString('base64')).sign('msg_2b7f1c', new Date(request.receivedAt), request.body.toString());
    request.headers['webhook-signature'] = `${other} v1a,ignored ${valid}`;
    expect(() => webhookAdapter.verify(request, connection())).not.toThrow();
    request.headers['webhook-signature'] = other;
    expect(expectAuthError(() => webhookAdapter.verify(request, connection())).message).toMatch(/does not match/);
  });

  it('refuses missing headers, each by name', () => {
    for (const header of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const request = signedByLibrary(message);
      delete request.headers[header];
      const error = expectAuthError(() => webhookAdapter.verify(request, connection()));
      expect(error.status).toBe(401);
      expect(error.message).toContain(`Missing ${header}`);
    }
  });

  it('refuses a wrong secret, a tampered body, a changed id and a changed timestamp', () => {
    const wrongSecret = signedByLibrary(message, 'msg_1', 'whsec_' + Buffer.from('someone-else').toString('base64'));
    expect(expectAuthError(() => webhookAdapter.verify(wrongSecret, connection())).message).toMatch(/does not match/);

    const tampered = signedByLibrary(message);
    tampered.body = Buffer.from(JSON.stringify({ ...message, text: 'Refund me everything' }));
    expect(expectAuthError(() => webhookAdapter.verify(tampered, connection())).message).toMatch(/does not match/);

    const otherId = signedByLibrary(message);
    otherId.headers['webhook-id'] = 'msg_other';
    expect(() => webhookAdapter.verify(otherId, connection())).toThrow(InboundAuthError);

    const otherTime = signedByLibrary(message);
    otherTime.headers['webhook-timestamp'] = String(Number(otherTime.headers['webhook-timestamp']) - 1);
    expect(() => webhookAdapter.verify(otherTime, connection())).toThrow(InboundAuthError);
  });

  it('refuses a stale (replayed) request signed by the library', () => {
    const at = new Date(Date.now() - 10 * 60_000);
    const request = signedByLibrary(message, 'msg_old', INBOUND_SECRET, at);
    request.receivedAt = Date.now();
    expect(expectAuthError(() => webhookAdapter.verify(request, connection())).message).toMatch(/tolerance/);
  });

  it('refuses malformed timestamps and signatures without a v1 entry', () => {
    const badTime = signedByLibrary(message);
    badTime.headers['webhook-timestamp'] = '2024-01-01T00:00:00Z';
    expect(expectAuthError(() => webhookAdapter.verify(badTime, connection())).message).toMatch(/unix seconds/);
    const noV1 = signedByLibrary(message);
    noV1.headers['webhook-signature'] = 'v1a,abc v2,def';
    expect(expectAuthError(() => webhookAdapter.verify(noV1, connection())).message).toMatch(/no 'v1,<base64>'/);
  });

  it('refuses everything when the connection secret is not a whsec secret', () => {
    const request = signedByLibrary(message);
    expect(expectAuthError(() => webhookAdapter.verify(request, connection({ inboundSecret: 'not base64!' }))).message).toMatch(/not usable/);
  });
});

describe('custom webhook parse', () => {
  it('turns a message into one event keyed on webhook-id', () => {
    const events = webhookAdapter.parse(signedByLibrary(message, 'msg_abc123'), connection());
    expect(events).toEqual([
      {
        providerEventId: 'msg_abc123',
        channelIdentifier: 'support-desk',
        contact: { externalId: 'user-42', displayName: 'Ada Lovelace' },
        text: 'Hello, is my order on its way?',
        replyContext: { webhookId: 'msg_abc123' },
      },
    ]);
  });

  it('makes the name optional', () => {
    const [event] = webhookAdapter.parse(signedByLibrary({ ...message, contact: { id: 'crm:991' } }), connection());
    expect(event!.contact).toEqual({ externalId: 'crm:991' });
  });

  it('refuses garbage with messages naming the problem', () => {
    const cases: Array<[unknown, RegExp]> = [
      ['not json', /must be JSON/],
      [[message], /JSON object/],
      [{ ...message, type: 'ping' }, /type: must be "message"/],
      [{ channel: 'support-desk', contact: { id: 'u' }, text: 'hi' }, /type: required/],
      [{ ...message, text: undefined }, /text: required/],
      [{ ...message, text: '' }, /text: must not be empty/],
      [{ ...message, text: 42 }, /text: must be a string/],
      [{ ...message, contact: { name: 'Ada' } }, /contact\.id: required/],
      [{ ...message, contact: { id: '   ' } }, /contact\.id: must not be empty/],
      [{ ...message, channel: 'has spaces!' }, /channel: must be 1-128 characters/],
      [{ ...message, metadata: { a: 1 } }, /unknown field\(s\) 'metadata'/],
      [{ ...message, contact: { id: 'u', email: 'x@y.z' } }, /contact: unknown field\(s\) 'email'/],
    ];
    for (const [body, expected] of cases) {
      const error = expectFormatError(() => webhookAdapter.parse(signedByLibrary(body), connection()));
      expect(error.status).toBe(400);
      expect(error.message).toMatch(expected);
    }
  });

  it('acknowledges 202 {"accepted": true}', () => {
    const request = signedByLibrary(message);
    const reply = webhookAdapter.acknowledge(webhookAdapter.parse(request, connection()), request, connection());
    expect(reply.status).toBe(202);
    expect(reply.headers?.['content-type']).toBe('application/json');
    expect(JSON.parse(reply.body!)).toEqual({ accepted: true });
  });
});

describe('custom webhook send', () => {
  function outbound(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
    return {
      idempotencyKey: uniqueKey('dlv'),
      channelIdentifier: 'support-desk',
      channelConfiguration: { connectionId: 'conn_hook1' },
      to: { externalId: 'user-42', displayName: 'Ada Lovelace' },
      text: 'Your order ships tomorrow.',
      replyContext: { webhookId: 'msg_abc123' },
      ...overrides,
    };
  }

  it('POSTs a Standard-Webhooks-signed message with webhook-id = idempotency key', async () => {
    const reply = outbound();
    const before = receiver.requests.length;
    const receipt = await webhookAdapter.send(reply, connection());
    expect(receipt).toEqual({ providerMessageId: reply.idempotencyKey });
    const request = receiver.requests[before]!;
    expect(request.verified).toBe(true);
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/hooks/switchboard');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['webhook-id']).toBe(reply.idempotencyKey);
    expect(Math.abs(Number(request.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
    expect(JSON.parse(request.body)).toEqual({
      type: 'message',
      channel: 'support-desk',
      contact: { id: 'user-42' },
      text: 'Your order ships tomorrow.',
      inReplyTo: 'msg_abc123',
    });
  });

  it('leaves inReplyTo out when the reply answers nothing', async () => {
    const reply = outbound({ replyContext: undefined });
    await webhookAdapter.send(reply, connection());
    const delivery = receiver.deliveries.find((d) => d.webhookId === reply.idempotencyKey)!;
    expect(delivery.payload).not.toHaveProperty('inReplyTo');
  });

  it('is delivered once when a lost acknowledgement makes the outbox retry with the same key', async () => {
    const reply = outbound();
    receiver.failNext(503, { afterDelivery: true });
    const first = await expectDeliveryError(webhookAdapter.send(reply, connection()));
    expect(first.options.retryable).toBe(true);
    receiver.dropNext({ afterDelivery: true });
    const second = await expectDeliveryError(webhookAdapter.send(reply, connection()));
    expect(second.options.retryable).toBe(true);
    await webhookAdapter.send(reply, connection());
    const attempts = receiver.requests.filter((r) => r.headers['webhook-id'] === reply.idempotencyKey);
    expect(attempts).toHaveLength(3);
    expect(receiver.deliveries.filter((d) => d.webhookId === reply.idempotencyKey)).toHaveLength(1);
  });

  it('maps 429 with Retry-After to a retryable error with retryAfterMs', async () => {
    receiver.failNext(429, { retryAfter: 7 });
    const error = await expectDeliveryError(webhookAdapter.send(outbound(), connection()));
    expect(error.options).toMatchObject({ retryable: true, status: 429, retryAfterMs: 7000 });
  });

  it('maps 400 to a permanent error and 5xx to a retryable one', async () => {
    receiver.failNext(400, { body: '{"error":"unknown channel"}' });
    const bad = await expectDeliveryError(webhookAdapter.send(outbound(), connection()));
    expect(bad.options).toMatchObject({ retryable: false, status: 400 });
    expect(bad.message).toContain('unknown channel');
    receiver.failNext(500);
    expect((await expectDeliveryError(webhookAdapter.send(outbound(), connection()))).options).toMatchObject({ retryable: true, status: 500 });
    receiver.failNext(502, { retryAfter: 2 });
    expect((await expectDeliveryError(webhookAdapter.send(outbound(), connection()))).options).toMatchObject({ retryable: true, status: 502, retryAfterMs: 2000 });
  });

  it('is refused by the receiver when signed with another secret (401, permanent)', async () => {
    const error = await expectDeliveryError(
      webhookAdapter.send(outbound(), connection({ secrets: { outboundSecret: 'whsec_' + Buffer.from('wrong').toString('base64') } })),
    );
    expect(error.options).toMatchObject({ retryable: false, status: 401 });
    expect(receiver.requests.at(-1)!.verified).toBe(false);
  });

  it('retries when the endpoint cannot be reached', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const error = await expectDeliveryError(webhookAdapter.send(outbound(), connection({ settings: { outboundUrl: `http://127.0.0.1:${closedPort}/x` } })));
    expect(error.options.retryable).toBe(true);
    expect(error.message).toMatch(/could not be reached/);
  });

  it('fails permanently without an outboundUrl or outboundSecret', async () => {
    const noUrl = await expectDeliveryError(webhookAdapter.send(outbound(), connection({ settings: {} })));
    expect(noUrl.options.retryable).toBe(false);
    expect(noUrl.message).toMatch(/outboundUrl/);
    const noSecret = await expectDeliveryError(webhookAdapter.send(outbound(), connection({ secrets: {} })));
    expect(noSecret.options.retryable).toBe(false);
    expect(noSecret.message).toMatch(/outboundSecret/);
  });

  it('passes the request through the given fetch', async () => {
    const { fetch: fetchSpy, seen } = recordingFetch();
    await webhookAdapter.send(outbound(), connection(), fetchSpy);
    expect(seen).toEqual([receiver.url]);
  });
});

describe('custom webhook provider definition', () => {
  it('declares settings, credentials and the whsec inbound secret', () => {
    expect(webhookProvider.adapter).toBe(webhookAdapter);
    expect(webhookAdapter.provider).toBe('webhook');
    expect(webhookProvider.inboundSecret).toBe('whsec');
    expect(webhookProvider.channelTypes).toEqual(['webhook']);
    expect(webhookProvider.credentials).toEqual([expect.objectContaining({ name: 'outboundSecret', required: true })]);
    expect(webhookProvider.setup).toContain('{inboundUrl}');
    expect(webhookProvider.setup).toContain('{inboundSecret}');
  });

  it('validates settings strictly', () => {
    expect(webhookSettingsSchema.parse({ outboundUrl: 'https://crm.example.com/hooks' })).toEqual({ outboundUrl: 'https://crm.example.com/hooks' });
    expect(webhookSettingsSchema.safeParse({}).success).toBe(false);
    expect(webhookSettingsSchema.safeParse({ outboundUrl: 'ftp://example.com' }).success).toBe(false);
    expect(webhookSettingsSchema.safeParse({ outboundUrl: 'https://a.example', extra: 1 }).success).toBe(false);
  });
});

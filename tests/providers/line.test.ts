import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lineRetryKey } from '../../packages/server/src/channels/line/index.js';
import { ENGINES } from '../helpers/engines.js';
import { waitUntil } from '../helpers/wait.js';
import { startFakeLine, type FakeLine } from '../fakes/line.js';
import {
  contactMessages,
  countRows,
  inboundEvents,
  refusal,
  settled,
  startProviderHarness,
  type ProviderHarness,
} from './harness.js';
import { LINE_USER as USER, deployLineEcho, postLineEvents } from './connections.js';

function textEvent(webhookEventId: string, text: string, options: { replyToken: string; isRedelivery?: boolean; messageId: string }) {
  return {
    type: 'message',
    message: { type: 'text', id: options.messageId, quoteToken: `q-${options.messageId}`, text },
    webhookEventId,
    deliveryContext: { isRedelivery: options.isRedelivery ?? false },
    timestamp: Date.now(),
    source: { type: 'user', userId: USER },
    replyToken: options.replyToken,
    mode: 'active',
  };
}

describe.each(ENGINES)('LINE end to end on %s', (engine) => {
  let h: ProviderHarness;
  let line: FakeLine;
  let connectionId: string;

  const post = (events: unknown[], options: { secret?: string; signature?: string | null } = {}) => postLineEvents(h, connectionId, events, options);

  beforeAll(async () => {
    line = await startFakeLine();
    h = await startProviderHarness(engine);
    connectionId = await deployLineEcho(h.api, line);
  });
  afterAll(async () => {
    await h?.close();
    await line?.close();
  });

  it("answers the console's Verify request (no events) with 200 and records nothing", async () => {
    const before = await countRows(h.server, 'inbound_events');
    const response = await post([]);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    expect(await countRows(h.server, 'inbound_events')).toBe(before);
  });

  it('acknowledges a signed message with an empty 200 and replies through the reply endpoint while the token is fresh', async () => {
    const replyToken = line.issueReplyToken(USER);
    const response = await post([textEvent('01HE2E00000000000000000001', 'こんにちは, any table for two?', { replyToken, messageId: '468789577898262531' })]);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');

    const sent = await waitUntil(() => line.delivered.find((d) => d.messages[0]?.text === 'こんにちは, any table for two?'), 5000, 'the reply at the fake LINE API');
    expect(sent).toMatchObject({ via: 'reply', to: USER, messages: [{ type: 'text', text: 'こんにちは, any table for two?' }] });
    expect(sent.retryKey).toBeUndefined();
    const request = line.requests.find((r) => (r.json as any)?.replyToken === replyToken)!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/v2/bot/message/reply');
    expect(request.headers.authorization).toBe(`Bearer ${line.accessToken}`);
    expect(request.headers['content-type']).toContain('application/json');
    expect(request.headers['x-line-retry-key']).toBeUndefined();
    expect(request.json).toEqual({ replyToken, messages: [{ type: 'text', text: 'こんにちは, any table for two?' }] });

    const [stored] = await contactMessages(h.server, '01HE2E00000000000000000001');
    expect(stored?.text).toBe('こんにちは, any table for two?');
    const delivery = await waitUntil(async () =>
      (await h.api('GET', '/v1/deliveries?status=sent')).body.data.data.find((d: any) => d.providerMessageId === sent.sentMessageIds[0]),
    );
    expect(delivery).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('stores one message and sends one reply when LINE redelivers the same webhookEventId (isRedelivery: true)', async () => {
    const replyToken = line.issueReplyToken(USER);
    const event = (isRedelivery: boolean) => textEvent('01HE2E00000000000000000002', 'Answer me once', { replyToken, isRedelivery, messageId: '468789577898262532' });
    expect((await post([event(false)])).status).toBe(200);
    expect((await post([event(false)])).status).toBe(200);
    expect((await post([event(true)])).status).toBe(200);
    await waitUntil(() => line.delivered.some((d) => d.messages[0]?.text === 'Answer me once'), 5000, 'the reply');
    await settled(h.server);
    expect(line.delivered.filter((d) => d.messages[0]?.text === 'Answer me once')).toHaveLength(1);
    expect(await contactMessages(h.server, '01HE2E00000000000000000002')).toHaveLength(1);
    expect(await inboundEvents(h.server, '01HE2E00000000000000000002')).toHaveLength(1);
  });

  it('answers an event that first arrives as a redelivery by push with a stable X-Line-Retry-Key, not with its stale reply token', async () => {
    const replyToken = line.issueReplyToken(USER);
    const response = await post([textEvent('01HE2E00000000000000000003', 'Sent while you were down', { replyToken, isRedelivery: true, messageId: '468789577898262533' })]);
    expect(response.status).toBe(200);
    const sent = await waitUntil(() => line.delivered.find((d) => d.messages[0]?.text === 'Sent while you were down'), 5000, 'the pushed reply');
    expect(sent.via).toBe('push');
    expect(sent.to).toBe(USER);
    const request = line.requests.find((r) => r.path === '/v2/bot/message/push' && (r.json as any)?.messages?.[0]?.text === 'Sent while you were down')!;
    expect(request.headers.authorization).toBe(`Bearer ${line.accessToken}`);
    expect(request.json).toEqual({ to: USER, messages: [{ type: 'text', text: 'Sent while you were down' }] });
    const reply = await h.server.db.selectFrom('messages').select('id').where('role', '=', 'agent').where('text', '=', 'Sent while you were down').executeTakeFirstOrThrow();
    expect(request.headers['x-line-retry-key']).toBe(lineRetryKey(reply.id));
    expect(line.requests.some((r) => r.path === '/v2/bot/message/reply' && (r.json as any)?.replyToken === replyToken)).toBe(false);
  });

  it('answers each of several messages in one webhook from a new user with its own reply token', async () => {
    const newcomer = 'U4af4980629bbbbbbbbbbbbbbbbbbbbbb';
    const tokens = [line.issueReplyToken(newcomer), line.issueReplyToken(newcomer), line.issueReplyToken(newcomer)];
    const texts = ['First of three', 'Second of three', 'Third of three'];
    const events = texts.map((text, i) => ({
      ...textEvent(`01HE2E0000000000000000010${i}`, text, { replyToken: tokens[i]!, messageId: `46878957789826260${i}` }),
      source: { type: 'user', userId: newcomer },
    }));
    expect((await post(events)).status).toBe(200);
    await waitUntil(() => line.delivered.filter((d) => d.to === newcomer).length === 3, 5000, 'three replies');
    await settled(h.server);
    // Every reply used the token of the message it answers: nothing fell back to (quota-counted) push.
    for (const [i, text] of texts.entries()) {
      const replies = line.requests.filter((r) => (r.json as any)?.messages?.[0]?.text === text);
      expect(replies.map((r) => [r.path, (r.json as any).replyToken])).toEqual([['/v2/bot/message/reply', tokens[i]]]);
    }
    // One contact, one conversation, and every event processed at its first attempt.
    const contacts = await h.server.db.selectFrom('contacts').select('id').where('external_id', '=', newcomer).execute();
    expect(contacts).toHaveLength(1);
    const rows = await h.server.db.selectFrom('inbound_events').selectAll().where('provider_event_id', 'like', '01HE2E000000000000000001%').execute();
    expect(rows.map((r) => [r.status, r.attempts, r.last_error])).toEqual(texts.map(() => ['processed', 1, null]));
  });

  it('refuses a missing or forged X-Line-Signature and stores nothing', async () => {
    const before = await countRows(h.server, 'inbound_events');
    const event = textEvent('01HE2E00000000000000000004', 'Forged', { replyToken: line.issueReplyToken(USER), messageId: '468789577898262534' });
    const forged = await refusal(await post([event], { secret: 'not-the-channel-secret' }));
    expect(forged.status).toBe(403);
    expect(forged.message).toMatch(/X-Line-Signature does not match/);

    const unsigned = await refusal(await post([event], { signature: null }));
    expect(unsigned.status).toBe(401);
    expect(unsigned.message).toMatch(/X-Line-Signature header is missing/);

    expect(await countRows(h.server, 'inbound_events')).toBe(before);
    expect(line.delivered.some((d) => d.messages[0]?.text === 'Forged')).toBe(false);
  });
});

/**
 * Events through a real app: emitEvent inside a transaction, the outbox dispatcher, and fake
 * receivers that verify Standard Webhooks signatures with the official `standardwebhooks` library.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { emitEvent } from '@switchboard/server';
import { ENGINES } from '../helpers/engines.js';
import { controlApi } from '../helpers/control.js';
import { waitUntil } from '../helpers/wait.js';
import type { ReceivedWebhookRequest } from '../fakes/webhook-receiver.js';
import { eventDeliveries, startWebhookServer, subscribeReceiver, type Api, type Subscribed, type WebhookServer } from './support.js';

const settle = (ms = 300) => new Promise((resolve) => setTimeout(resolve, ms));

/** Verifies a received request with the standardwebhooks package and returns the JSON body. */
function verified(secret: string, request: ReceivedWebhookRequest): Record<string, any> {
  return new Webhook(secret).verify(request.body, {
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  }) as Record<string, any>;
}

const requestsFor = (subscribed: Subscribed, eventId: string) => subscribed.receiver.requests.filter((r) => r.headers['webhook-id'] === eventId);

describe.each(ENGINES)('Webhook events on %s', (engine) => {
  let server: WebhookServer;
  let api: Api;
  let workspaceId: string;
  let messages: Subscribed;
  let everything: Subscribed;
  let handoffs: Subscribed;

  /** Emits in a transaction of its own, as a caller would, then wakes the dispatcher. */
  async function emit(type: Parameters<typeof emitEvent>[2], data: object): Promise<number> {
    const queued = await server.db.transaction().execute((trx) => emitEvent(trx, workspaceId, type, data));
    server.app.dispatcher.kick();
    return queued;
  }
  const latestEventId = async (subscriptionId: string) => (await eventDeliveries(server.db, workspaceId)).filter((d) => d.connection_id === subscriptionId).at(-1)!.payload.eventId;

  beforeAll(async () => {
    server = await startWebhookServer(engine, { delivery: { baseDelayMs: 20, maxDelayMs: 200, pollMs: 50 } });
    const workspace = await server.newWorkspace();
    workspaceId = workspace.workspaceId;
    api = controlApi(server.baseUrl, workspace.apiKey);
    messages = await subscribeReceiver(api, ['message.created']);
    everything = await subscribeReceiver(api, ['*']);
    handoffs = await subscribeReceiver(api, ['handoff.requested']);
  });
  afterAll(async () => {
    await server.close();
    for (const s of [messages, everything, handoffs]) await s.receiver.close();
  });

  it('delivers one event, signed, to every subscription listening to its type, with one webhook-id', async () => {
    const occurred = Date.now();
    const data = { message: { id: 'msg_e1', conversationId: 'conv_e1', role: 'contact', text: 'Hello' }, channelId: 'chan_e1' };
    expect(await emit('message.created', data)).toBe(2);

    const rows = await eventDeliveries(server.db, workspaceId);
    const queued = rows.filter((r) => r.payload.data.message?.id === 'msg_e1');
    expect(queued.map((r) => r.connection_id).sort()).toEqual([messages.id, everything.id].sort());
    const eventId = queued[0]!.payload.eventId;
    expect(eventId).toMatch(/^wev_[A-Za-z0-9]{16}$/);
    for (const row of queued) {
      expect(row.payload).toMatchObject({ subscriptionId: row.connection_id, eventId, type: 'message.created', data });
      expect(row).toMatchObject({ kind: 'event', workspace_id: workspaceId, channel_id: 'chan_e1', conversation_id: 'conv_e1', message_id: 'msg_e1' });
    }

    for (const subscribed of [messages, everything]) {
      const delivery = await waitUntil(() => subscribed.receiver.deliveries.find((d) => d.webhookId === eventId), 5000, 'the event at the receiver');
      expect(delivery.payload).toEqual({ id: eventId, type: 'message.created', createdAt: expect.any(Number), data });
      expect(delivery.payload.createdAt as number).toBeGreaterThanOrEqual(occurred);
      const [request] = requestsFor(subscribed, eventId);
      expect(request!.verified).toBe(true);
      expect(request!.headers['content-type']).toBe('application/json');
      expect(verified(subscribed.secret, request!)).toEqual(delivery.payload);
      // Signed with this subscription's own secret, not another's.
      const otherSecret = subscribed === messages ? everything.secret : messages.secret;
      expect(() => verified(otherSecret, request!)).toThrow();
    }
    await waitUntil(async () => (await eventDeliveries(server.db, workspaceId)).filter((r) => r.payload.eventId === eventId).every((r) => r.status === 'sent'));
    await settle(150);
    expect(handoffs.receiver.requests.filter((r) => r.headers['webhook-id'] === eventId)).toHaveLength(0);
    expect((await api('GET', '/v1/deliveries?pageSize=100')).body.data.data.find((d: any) => d.id === queued[0]!.id)).toMatchObject({
      kind: 'event',
      status: 'sent',
      attempts: 1,
      providerMessageId: eventId,
    });
  });

  it('queues nothing when nobody listens, and only for active subscriptions of the workspace', async () => {
    const other = await server.newWorkspace('Other');
    const otherApi = controlApi(server.baseUrl, other.apiKey);
    const theirs = (await otherApi('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/theirs', events: ['*'] })).body.data;
    const before = (await eventDeliveries(server.db)).length;
    expect(await server.db.transaction().execute((trx) => emitEvent(trx, other.workspaceId, 'delivery.failed', {}))).toBe(1);
    await otherApi('PATCH', `/v1/webhooks/${theirs.id}`, { active: false });
    expect(await server.db.transaction().execute((trx) => emitEvent(trx, other.workspaceId, 'delivery.failed', {}))).toBe(0);
    expect((await eventDeliveries(server.db)).length).toBe(before + 1);
    await otherApi('DELETE', `/v1/webhooks/${theirs.id}`);
    // The one queued for it fails for good: the subscription is gone.
    await waitUntil(async () => (await eventDeliveries(server.db, other.workspaceId)).every((r) => r.status === 'dead'), 5000, 'the orphan event dead');
    const [dead] = await eventDeliveries(server.db, other.workspaceId);
    expect(dead!.last_error).toMatch(/inactive|no longer exists/);
  });

  it('retries a 503 with the same webhook-id and the same body', async () => {
    messages.receiver.failNext(503);
    expect(await emit('message.created', { message: { id: 'msg_retry', conversationId: 'conv_retry' } })).toBe(2);
    const eventId = await latestEventId(messages.id);
    // Without Retry-After the retry time has a jittered fraction: PostgreSQL's bigint column must still take it.
    await waitUntil(() => messages.receiver.deliveries.some((d) => d.webhookId === eventId), 5000, 'the retried event');
    const attempts = requestsFor(messages, eventId);
    expect(attempts.map((r) => r.status)).toEqual([503, 200]);
    expect(new Set(attempts.map((r) => r.headers['webhook-id']))).toEqual(new Set([eventId]));
    expect(attempts[0]!.body).toBe(attempts[1]!.body);
    for (const attempt of attempts) expect(verified(messages.secret, attempt).id).toBe(eventId);
    expect(messages.receiver.deliveries.filter((d) => d.webhookId === eventId)).toHaveLength(1);
    const row = await waitUntil(async () => (await eventDeliveries(server.db, workspaceId)).find((r) => r.payload.eventId === eventId && r.connection_id === messages.id && r.status === 'sent'));
    expect(row.attempts).toBe(2);
    // The other subscription got the same event once, with the same id.
    await waitUntil(() => everything.receiver.deliveries.some((d) => d.webhookId === eventId));
    expect(requestsFor(everything, eventId)).toHaveLength(1);
  });

  it('honours Retry-After on a 429', async () => {
    handoffs.receiver.failNext(429, { retryAfter: 1 });
    const started = Date.now();
    expect(await emit('handoff.requested', { conversation: { id: 'conv_busy', channelId: 'chan_busy' }, reason: 'asked for a human' })).toBe(2);
    const eventId = await latestEventId(handoffs.id);
    await waitUntil(() => handoffs.receiver.deliveries.some((d) => d.webhookId === eventId), 8000, 'the event after Retry-After');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(requestsFor(handoffs, eventId).map((r) => r.status)).toEqual([429, 200]);
  });

  it('dead-letters a permanent 400 with lastError, and emits no event about it', async () => {
    everything.receiver.failNext(400, { body: '{"error":"unknown schema"}' });
    expect(await emit('conversation.created', { conversation: { id: 'conv_400', channelId: 'chan_400' } })).toBe(1);
    const eventId = await latestEventId(everything.id);
    const deliveryId = (await eventDeliveries(server.db, workspaceId)).find((r) => r.payload.eventId === eventId)!.id;
    const dead = await waitUntil(
      async () => {
        const response = await api('GET', `/v1/deliveries/${deliveryId}`);
        return response.body.data.status === 'dead' && response.body.data;
      },
      5000,
      'the dead event delivery',
    );
    expect(dead).toMatchObject({ kind: 'event', attempts: 1, connectionId: everything.id, conversationId: 'conv_400', channelId: 'chan_400' });
    expect(dead.lastError).toContain('400');
    expect(dead.lastError).toContain('unknown schema');
    expect((await api('GET', '/v1/deliveries?status=dead&pageSize=100')).body.data.data.map((d: any) => d.id)).toContain(deliveryId);
    await settle(300);
    expect(requestsFor(everything, eventId)).toHaveLength(1);
    // An event delivery that dies is not itself an event: no delivery.failed follows.
    expect((await eventDeliveries(server.db, workspaceId)).filter((r) => r.payload.type === 'delivery.failed')).toHaveLength(0);
  });

  it('emits nothing when the transaction rolls back', async () => {
    const before = await eventDeliveries(server.db);
    const requests = [messages, everything, handoffs].map((s) => s.receiver.requests.length);
    let inside = -1;
    await expect(
      server.db.transaction().execute(async (trx) => {
        inside = await emitEvent(trx, workspaceId, 'message.created', { message: { id: 'msg_rolled_back' } });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(inside).toBe(2);
    server.app.dispatcher.kick();
    await settle(300);
    expect(await eventDeliveries(server.db)).toEqual(before);
    expect([messages, everything, handoffs].map((s) => s.receiver.requests.length)).toEqual(requests);
  });

  it('sends a test event to that subscription only', async () => {
    const requests = [messages, everything].map((s) => s.receiver.requests.length);
    const queued = await api('POST', `/v1/webhooks/${handoffs.id}/test`);
    expect(queued.status).toBe(200);
    const { eventId } = queued.body.data;
    const delivery = await waitUntil(() => handoffs.receiver.deliveries.find((d) => d.webhookId === eventId), 5000, 'the test event');
    expect(delivery.payload).toMatchObject({ id: eventId, type: 'webhook.test', data: { subscriptionId: handoffs.id } });
    await settle(150);
    expect([messages, everything].map((s) => s.receiver.requests.length)).toEqual(requests);
  });

  it('signs with the rotated secret from then on, retries included', async () => {
    handoffs.receiver.failNext(503, { retryAfter: 1 });
    expect(await emit('handoff.requested', { conversation: { id: 'conv_rot' } })).toBe(2);
    const eventId = await latestEventId(handoffs.id);
    await waitUntil(() => requestsFor(handoffs, eventId).length === 1, 5000, 'the first attempt');
    const rotated = await api('POST', `/v1/webhooks/${handoffs.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    // The receiver still checks the old secret: the retry, signed with the new one, is refused (401, final).
    const row = await waitUntil(
      async () => (await eventDeliveries(server.db, workspaceId)).find((r) => r.payload.eventId === eventId && r.connection_id === handoffs.id && r.status === 'dead'),
      8000,
      'the retry refused',
    );
    expect(row.last_error).toContain('401');
    const retry = requestsFor(handoffs, eventId)[1]!;
    expect(retry.verified).toBe(false);
    expect(verified(rotated.body.data.secret, retry).id).toBe(eventId);
  });
});

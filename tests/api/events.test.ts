/**
 * GET /v1/events: the operators' live stream. Events arrive live as they are committed, replay
 * exactly after Last-Event-ID, a forgotten id gets `reset`, workspaces never see each other's
 * events, a revoked key ends the stream, and (PostgreSQL + Redis) an event made on one node
 * reaches a stream on another.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '@switchboard/server';
import { createRedisBus } from '../../packages/server/src/bus/redis-bus.js';
import { ENGINES } from '../helpers/engines.js';
import { startLiveServer, type LiveServer } from '../helpers/live-server.js';
import { openSse, type SseEvent } from '../helpers/sse.js';
import { controlApi } from '../helpers/control.js';
import { waitUntil } from '../helpers/wait.js';
import { fakesEgress } from '../helpers/egress.js';
import { REDIS_URL, availableServices } from '../helpers/services.js';
import { createTeam, createWidget, ok, startVisitor, type Api, type Widget } from '../helpers/inbox.js';
import { memberSession } from '../helpers/console-session.js';
import type { TestApp } from '../helpers/app.js';
import { workspaceEventsRepository, WORKSPACE_EVENT_RETENTION_MS } from '../../packages/server/src/events/workspace-events.js';
import { deliveriesRepository } from '../../packages/server/src/store/repositories/deliveries.js';

const stored = (events: SseEvent[]) => events.filter((e) => e.id !== undefined);

describe.each(ENGINES)('GET /v1/events on %s', (engine) => {
  let server: LiveServer;
  let api: Api;
  let apiKey: string;
  let workspaceId: string;
  let widget: Widget;
  const streamOf = (key: string, headers: Record<string, string> = {}, query = '') =>
    openSse(`${server.baseUrl}/v1/events${query}`, { authorization: `Bearer ${key}`, ...headers });

  beforeAll(async () => {
    server = await startLiveServer(engine, { runtimeRateLimits: { perIp: 10_000, perToken: 10_000 } });
    ({ apiKey, workspaceId } = await server.newWorkspace('Events'));
    api = controlApi(server.baseUrl, apiKey);
    widget = await createWidget(api, 'Events');
  });
  afterAll(async () => {
    await server?.close();
  });

  it('delivers conversation, message, handoff and assignment events live, in order, in the documented frame', async () => {
    const stream = await streamOf(apiKey);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const visitor = await startVisitor(server.baseUrl, widget);
    const id = visitor.conversationId;
    const created = await stream.waitFor((e) => e.event === 'conversation.created');
    expect(created.data).toMatchObject({ id: Number(created.id), type: 'conversation.created', createdAt: expect.any(Number), data: { conversation: { id } } });

    await visitor.say('What are your hours?');
    const reply = await stream.waitFor((e) => e.event === 'message.created' && e.data.data.message.role === 'agent');
    expect(reply.data.data.message).toMatchObject({ conversationId: id, text: 'Bot: we open at nine.', authorId: null });

    const { teamId, memberId } = await createTeam(api, 'Events team');
    await ok(api, 'POST', `/v1/conversations/${id}/handoff`, { teamId });
    await stream.waitFor((e) => e.event === 'handoff.requested' && e.data.data.conversationId === id);
    const pending = await stream.waitFor((e) => e.event === 'conversation.updated' && e.data.data.conversation.handoffState === 'pending_human');
    expect(pending.data.data.conversation).toMatchObject({ id, assignedTeamId: teamId, unreadCount: 0 });

    await ok(api, 'POST', `/v1/conversations/${id}/handoff/takeover`, { memberId });
    await stream.waitFor((e) => e.event === 'handoff.accepted' && e.data.data.memberId === memberId);
    await ok(api, 'POST', `/v1/conversations/${id}/messages`, { role: 'human', memberId, text: 'Hi, Ada here.' });
    const human = await stream.waitFor((e) => e.event === 'message.created' && e.data.data.message.role === 'human');
    expect(human.data.data.message).toMatchObject({ text: 'Hi, Ada here.', authorId: memberId });

    await ok(api, 'POST', `/v1/conversations/${id}/assign`, { teamId: null });
    await stream.waitFor((e) => e.event === 'conversation.updated' && e.data.data.conversation.assignedTeamId === null);

    // Every stored event once, ids strictly increasing, matching the log in the database.
    const ids = stored(stream.events).map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    const log = await workspaceEventsRepository(server.db).after(workspaceId, ids[0]! - 1);
    expect(log.map((e) => [e.id, e.type])).toEqual(stored(stream.events).map((e) => [Number(e.id), e.event]));
    stream.close();
  });

  it('replays exactly the missed events after Last-Event-ID (header or query), in order, then goes on live', async () => {
    const first = await streamOf(apiKey);
    const visitor = await startVisitor(server.baseUrl, widget);
    const seen = await first.waitFor((e) => e.event === 'conversation.created' && e.data.data.conversation.id === visitor.conversationId);
    first.close();

    await visitor.say('hello');
    await visitor.say('What are your hours?');
    await server.app.conversations.drain();
    await ok(api, 'POST', `/v1/conversations/${visitor.conversationId}/read`);
    const missed = await workspaceEventsRepository(server.db).after(workspaceId, Number(seen.id));
    expect(missed.map((e) => e.type)).toEqual(['message.created', 'message.created', 'message.created', 'message.created', 'conversation.updated']);

    const resumes: { headers: Record<string, string>; query: string }[] = [
      { headers: { 'last-event-id': seen.id! }, query: '' },
      { headers: {}, query: `?lastEventId=${seen.id}` },
    ];
    for (const resume of resumes) {
      const again = await streamOf(apiKey, resume.headers, resume.query);
      await again.waitFor((e) => e.event === 'conversation.updated');
      await ok(api, 'POST', `/v1/conversations/${visitor.conversationId}/assign`, { memberId: null });
      await again.waitFor((e) => Number(e.id) > missed.at(-1)!.id);
      const got = stored(again.events);
      expect(got.slice(0, missed.length).map((e) => Number(e.id))).toEqual(missed.map((e) => e.id));
      expect(got.slice(0, missed.length).map((e) => e.data)).toEqual(missed.map((e) => ({ id: e.id, type: e.type, createdAt: e.createdAt, data: e.data })));
      expect(again.events.some((e) => e.event === 'reset')).toBe(false);
      again.close();
    }
  });

  it('sends reset when Last-Event-ID is no longer kept, or is not one of the workspace', async () => {
    const visitor = await startVisitor(server.baseUrl, widget);
    await visitor.say('to be forgotten');
    await server.app.conversations.drain();
    const log = await workspaceEventsRepository(server.db).after(workspaceId, 0, 10_000);
    const oldest = log[0]!.id;
    await server.db.deleteFrom('workspace_events').where('seq', '=', oldest).execute();

    const stale = await streamOf(apiKey, { 'last-event-id': String(oldest) });
    const reset = await stale.waitFor((e) => e.event === 'reset');
    expect(reset.data.lastEventId).toBe(log.at(-1)!.id);
    // Then live from now on, nothing replayed.
    await ok(api, 'POST', `/v1/conversations/${visitor.conversationId}/read`);
    const next = await stale.waitFor((e) => e.event === 'conversation.updated');
    expect(Number(next.id)).toBeGreaterThan(log.at(-1)!.id);
    expect(stored(stale.events)).toHaveLength(1);
    stale.close();
  });

  it('an event numbered before another but committed after it is still delivered, in order', async () => {
    const stream = await streamOf(apiKey);
    await new Promise((resolve) => setTimeout(resolve, 100));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let firstSeq = 0;
    const first = server.db.transaction().execute(async (trx) => {
      firstSeq = await workspaceEventsRepository(trx).append(workspaceId, 'conversation.updated', { n: 1 });
      await held;
    });
    await waitUntil(() => firstSeq > 0);
    const second = server.db.transaction().execute((trx) => workspaceEventsRepository(trx).append(workspaceId, 'conversation.updated', { n: 2 }));
    // Longer than the streams' poll, so a stream that read the second event alone would have moved past the first.
    await new Promise((resolve) => setTimeout(resolve, 2300));
    release();
    await first;
    const secondSeq = await second;
    expect(secondSeq).toBeGreaterThan(firstSeq);
    await stream.waitFor((e) => Number(e.id) === secondSeq, 5000);
    expect(stored(stream.events).map((e) => [Number(e.id), e.data.data.n])).toEqual([
      [firstSeq, 1],
      [secondSeq, 2],
    ]);
    stream.close();
  });

  it('prunes events older than the retention and keeps the recent ones', async () => {
    const events = workspaceEventsRepository(server.db);
    const before = await events.after(workspaceId, 0, 10_000);
    const now = Date.now();
    await server.db.updateTable('workspace_events').set({ created_at: now - WORKSPACE_EVENT_RETENTION_MS - 1000 }).where('seq', '=', before[0]!.id).execute();
    expect(await events.prune(now - WORKSPACE_EVENT_RETENTION_MS)).toBe(1);
    expect((await events.after(workspaceId, 0, 10_000)).map((e) => e.id)).toEqual(before.slice(1).map((e) => e.id));
  });

  it('never shows another workspace its events, not even through its Last-Event-ID', async () => {
    const other = await server.newWorkspace('Other');
    const otherApi = controlApi(server.baseUrl, other.apiKey);
    const otherWidget = await createWidget(otherApi, 'Other');
    const mine = await streamOf(apiKey);
    const theirs = await streamOf(other.apiKey);
    const visitor = await startVisitor(server.baseUrl, widget);
    const theirVisitor = await startVisitor(server.baseUrl, otherWidget);
    await visitor.say('mine');
    await theirVisitor.say('theirs');
    await server.app.conversations.drain();
    await mine.waitFor((e) => e.event === 'message.created' && e.data.data.message.text === 'Bot: how can I help?');
    await theirs.waitFor((e) => e.event === 'message.created' && e.data.data.message.text === 'Bot: how can I help?');
    const conversationsIn = (s: typeof mine) => new Set(stored(s.events).map((e) => e.data.data.conversation?.id ?? e.data.data.message?.conversationId));
    expect([...conversationsIn(mine)]).toEqual([visitor.conversationId]);
    expect([...conversationsIn(theirs)]).toEqual([theirVisitor.conversationId]);

    const theirLast = stored(theirs.events).at(-1)!.id!;
    const probing = await streamOf(apiKey, { 'last-event-id': theirLast });
    await probing.waitFor((e) => e.event === 'reset');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stored(probing.events)).toEqual([]);
    for (const s of [mine, theirs, probing]) s.close();
  });

  it('refuses a missing key and a malformed lastEventId in the error envelope', async () => {
    const anonymous = await fetch(`${server.baseUrl}/v1/events`);
    expect(anonymous.status).toBe(401);
    const bad = await fetch(`${server.baseUrl}/v1/events?lastEventId=abc`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as any;
    expect(body.error.details).toEqual([expect.objectContaining({ field: 'lastEventId' })]);
  });

  it('ends the stream with a closed event within 1.5 s of the key being revoked', async () => {
    const extra = await server.newWorkspace('Revoked');
    const stream = await streamOf(extra.apiKey);
    expect(stream.status).toBe(200);
    const revokedAt = Date.now();
    await server.db.updateTable('api_keys').set({ revoked_at: revokedAt }).where('workspace_id', '=', extra.workspaceId).execute();
    const closed = await stream.waitFor((e) => e.event === 'closed', 1500);
    expect(Date.now() - revokedAt).toBeLessThan(1500);
    expect(closed.data).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    stream.close();
  });

  it('a retried dead delivery sends delivery.retried, and its failing again delivery.failed', async () => {
    const stream = await streamOf(apiKey);
    const id = await deliveriesRepository(server.db).insert({
      kind: 'reply',
      workspaceId,
      connectionId: 'conn_gone',
      channelId: widget.channelId,
      conversationId: 'conv_gone',
      messageId: 'msg_gone',
      payload: { channelType: 'sms', text: 'never sent' },
      maxAttempts: 3,
    });
    await server.db.updateTable('deliveries').set({ status: 'dead', next_attempt_at: Date.now() + 3_600_000 }).where('id', '=', id).execute();
    await ok(api, 'POST', `/v1/deliveries/${id}/retry`);
    const retried = await stream.waitFor((e) => e.event === 'delivery.retried');
    expect(retried.data.data.delivery).toMatchObject({ id, status: 'pending', attempts: 0 });
    const failed = await stream.waitFor((e) => e.event === 'delivery.failed' && e.data.data.delivery.id === id);
    expect(failed.data.data.delivery.lastError).toMatch(/conn_gone/);
    expect(Number(failed.id)).toBeGreaterThan(Number(retried.id));
    stream.close();
  });

  it('a signed-in agent streams with the session cookie, and the stream ends once the member is removed', async () => {
    const member = await memberSession({ app: server.app, apiKey } as unknown as TestApp, 'agent');
    const stream = await openSse(`${server.baseUrl}/v1/events`, { cookie: `sb_session=${member.session}; sb_csrf=${member.csrfCookie}` });
    expect(stream.status).toBe(200);
    const visitor = await startVisitor(server.baseUrl, widget);
    await stream.waitFor((e) => e.event === 'conversation.created' && e.data.data.conversation.id === visitor.conversationId);
    await ok(api, 'DELETE', `/v1/members/${member.memberId}`);
    const removedAt = Date.now();
    const closed = await stream.waitFor((e) => e.event === 'closed', 1500);
    expect(Date.now() - removedAt).toBeLessThan(1500);
    expect(closed.data.status).toBe(401);
    stream.close();
  });

  it('is documented as text/event-stream', async () => {
    const doc = (await (await fetch(`${server.baseUrl}/v1/openapi.json`)).json()) as any;
    expect(Object.keys(doc.paths['/v1/events'].get.responses['200'].content)).toEqual(['text/event-stream']);
  });
});

describe.each(ENGINES)('GET /v1/events when the server closes on %s', (engine) => {
  it('ends open streams with a shutdown event telling the client to reconnect', async () => {
    const server = await startLiveServer(engine);
    const { apiKey } = await server.newWorkspace('Closing');
    const stream = await openSse(`${server.baseUrl}/v1/events`, { authorization: `Bearer ${apiKey}` });
    expect(stream.status).toBe(200);
    const closing = server.close();
    const shutdown = await stream.waitFor((e) => e.event === 'shutdown', 3000);
    expect(shutdown.data).toMatchObject({ reconnect: true, retryMs: expect.any(Number) });
    await closing;
    stream.close();
  });
});

describe.runIf(ENGINES.includes('postgres') && availableServices().redis)('GET /v1/events across two nodes (PostgreSQL + Redis)', () => {
  let server: LiveServer;
  let nodeB: App;
  let baseB: string;

  beforeAll(async () => {
    const prefix = `sbtest:${Date.now()}:`;
    server = await startLiveServer('postgres', { bus: await createRedisBus(REDIS_URL, { prefix }), runtimeRateLimits: { perIp: 10_000, perToken: 10_000 } });
    nodeB = buildApp({ db: server.db, egress: fakesEgress, secretBox: server.app.secretBox, bus: await createRedisBus(REDIS_URL, { prefix }) });
    baseB = await nodeB.server.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await nodeB?.server.close();
    await nodeB?.bus.close();
    const busA = server?.app.bus;
    await server?.close();
    await busA?.close();
  });

  it('an event made on node A reaches a stream on node B at once (well before the safety poll)', async () => {
    const { apiKey } = await server.newWorkspace('Two nodes');
    const apiA = controlApi(server.baseUrl, apiKey);
    const widget = await createWidget(apiA, 'Two nodes');
    const visitor = await startVisitor(server.baseUrl, widget);
    const onB = await openSse(`${baseB}/v1/events`, { authorization: `Bearer ${apiKey}` });
    expect(onB.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const timings: number[] = [];
    for (let i = 0; i < 3; i++) {
      const sent = Date.now();
      await ok(apiA, 'POST', `/v1/conversations/${visitor.conversationId}/read`);
      await onB.waitFor((e) => e.event === 'conversation.updated' && stored(onB.events).filter((x) => x.event === 'conversation.updated').length === i + 1, 3000);
      timings.push(Date.now() - sent);
    }
    // The poll runs every 2 s: three wake-ups in a row all under 1 s come through Redis.
    expect(Math.max(...timings)).toBeLessThan(1000);
    onB.close();
  });

  it('under concurrent writes on both nodes, a stream receives every event once, in order, none skipped', async () => {
    const { apiKey, workspaceId } = await server.newWorkspace('Concurrent');
    const apiA = controlApi(server.baseUrl, apiKey);
    const apiB = controlApi(baseB, apiKey);
    const widget = await createWidget(apiA, 'Concurrent');
    const visitors = await Promise.all([1, 2, 3, 4].map(() => startVisitor(server.baseUrl, widget)));
    const onB = await openSse(`${baseB}/v1/events`, { authorization: `Bearer ${apiKey}` });
    const start = await workspaceEventsRepository(server.db).latest(workspaceId);
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => {
        const visitor = visitors[i % visitors.length]!;
        return ok(i % 2 === 0 ? apiA : apiB, 'POST', `/v1/conversations/${visitor.conversationId}/read`);
      }),
    );
    const log = await workspaceEventsRepository(server.db).after(workspaceId, start, 1000);
    expect(log).toHaveLength(40);
    await onB.waitFor((e) => Number(e.id) === log.at(-1)!.id, 5000);
    expect(stored(onB.events).map((e) => Number(e.id))).toEqual(log.map((e) => e.id));
    onB.close();
  });
});

/**
 * The operator inbox: list filters and recent-first order, last-message preview and unread
 * counts, take-over (from the agent or a pending handoff) with exactly one winner when people
 * race, assignment, and replies authored by a person.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { startLiveServer, type LiveServer } from '../helpers/live-server.js';
import { controlApi } from '../helpers/control.js';
import { createTeam, createWidget, ok, startVisitor, type Api, type Visitor, type Widget } from '../helpers/inbox.js';
import { asMember, memberSession } from '../helpers/console-session.js';
import type { TestApp } from '../helpers/app.js';

describe.each(ENGINES)('operator inbox on %s', (engine) => {
  let server: LiveServer;
  let api: Api;
  let web: Widget;
  let other: Widget;
  let teamA: { teamId: string; memberId: string };
  let teamB: { teamId: string; memberId: string };
  let apiKey: string;
  const list = async (query = '') => (await ok(api, 'GET', `/v1/conversations${query}`)).data as any[];
  const ids = (rows: any[]) => rows.map((c) => c.id).sort();
  const snapshot = async () => JSON.stringify(await server.db.selectFrom('conversations').selectAll().orderBy('id').execute());

  beforeAll(async () => {
    server = await startLiveServer(engine, { runtimeRateLimits: { perIp: 10_000, perToken: 10_000 } });
    const workspace = await server.newWorkspace('Inbox');
    apiKey = workspace.apiKey;
    api = controlApi(server.baseUrl, apiKey);
    web = await createWidget(api, 'Inbox web');
    other = await createWidget(api, 'Inbox other');
    teamA = await createTeam(api, 'Alpha', 'Ada');
    teamB = await createTeam(api, 'Beta', 'Bo');
  });
  afterAll(async () => {
    await server?.close();
  });

  describe('filters and order', () => {
    let bot: Visitor;
    let pending: Visitor;
    let mine: Visitor;
    let elsewhere: Visitor;

    beforeAll(async () => {
      bot = await startVisitor(server.baseUrl, web);
      pending = await startVisitor(server.baseUrl, web);
      mine = await startVisitor(server.baseUrl, web);
      elsewhere = await startVisitor(server.baseUrl, other);
      await ok(api, 'POST', `/v1/conversations/${pending.conversationId}/handoff`, { teamId: teamB.teamId });
      await ok(api, 'POST', `/v1/conversations/${mine.conversationId}/handoff/takeover`, { memberId: teamA.memberId });
      await ok(api, 'POST', `/v1/conversations/${mine.conversationId}/assign`, { teamId: teamA.teamId });
      // Messages in an order unlike creation: elsewhere, bot, then pending last.
      await elsewhere.say('first');
      await server.app.conversations.drain();
      await bot.say('second');
      await server.app.conversations.drain();
      await pending.say('third');
      await server.app.conversations.drain();
    });

    it('filters by channel, state (one or several), team and assigned member', async () => {
      const all = [bot, pending, mine, elsewhere].map((v) => v.conversationId);
      expect(ids(await list('?pageSize=100')).filter((id) => all.includes(id))).toEqual([...all].sort());
      expect(ids(await list(`?channelId=${other.channelId}`))).toEqual([elsewhere.conversationId]);
      expect(ids(await list('?state=pending_human'))).toEqual([pending.conversationId]);
      expect(ids(await list('?state=human,pending_human'))).toEqual([pending.conversationId, mine.conversationId].sort());
      expect(ids(await list(`?state=bot&channelId=${web.channelId}`))).toEqual([bot.conversationId]);
      expect(ids(await list(`?teamId=${teamA.teamId}`))).toEqual([mine.conversationId]);
      expect(ids(await list(`?teamId=${teamB.teamId}`))).toEqual([pending.conversationId]);
      expect(ids(await list(`?assignedMemberId=${teamA.memberId}`))).toEqual([mine.conversationId]);
      expect(ids(await list(`?assignedMemberId=${teamB.memberId}`))).toEqual([]);
      const page = await ok(api, 'GET', '/v1/conversations?state=bot&pageSize=1');
      expect(page.meta).toMatchObject({ page: 1, pageSize: 1, totalCount: 2 });
    });

    it('order=recent lists by last message, newest first, conversations without messages last', async () => {
      const recent = (await list('?order=recent&pageSize=100')).map((c) => c.id);
      expect(recent).toEqual([pending.conversationId, bot.conversationId, elsewhere.conversationId, mine.conversationId]);
      const created = (await list('?pageSize=100')).map((c) => c.id);
      expect(created).toEqual([bot.conversationId, pending.conversationId, mine.conversationId, elsewhere.conversationId]);
    });

    it('refuses unknown values with 400 naming the field, and changes nothing', async () => {
      const before = await snapshot();
      for (const [query, field] of [
        ['?state=open', 'state'],
        ['?state=bot,closed', 'state'],
        ['?order=oldest', 'order'],
        ['?channelId=not%20an%20id', 'channelId'],
        ['?teamId=', 'teamId'],
        ['?assignee=me', 'assignee'],
      ] as const) {
        const response = await api('GET', `/v1/conversations${query}`);
        expect(response.status, query).toBe(400);
        expect(response.body.success).toBe(false);
        expect(response.body.error.details.map((d: any) => d.field), query).toContain(field);
      }
      expect(await snapshot()).toBe(before);
    });
  });

  it('previews the last message and counts unread contact messages until read', async () => {
    const visitor = await startVisitor(server.baseUrl, web);
    const id = visitor.conversationId;
    let view = await ok(api, 'GET', `/v1/conversations/${id}`);
    expect(view).toMatchObject({ lastMessagePreview: null, unreadCount: 0, lastReadAt: null });

    // While the agent answers, every contact message is answered: nothing waits.
    await visitor.say('What are your hours?');
    await server.app.conversations.drain();
    view = await ok(api, 'GET', `/v1/conversations/${id}`);
    expect(view).toMatchObject({ lastMessagePreview: 'Bot: we open at nine.', unreadCount: 0 });

    await ok(api, 'POST', `/v1/conversations/${id}/handoff/takeover`, { memberId: teamA.memberId });
    const long = 'x'.repeat(300);
    await visitor.say('one');
    await visitor.say('two');
    await visitor.say(long);
    await server.app.conversations.drain();
    view = await ok(api, 'GET', `/v1/conversations/${id}`);
    expect(view.unreadCount).toBe(3);
    expect(view.lastMessagePreview).toBe('x'.repeat(140));
    expect((await list('?pageSize=100')).find((c) => c.id === id)).toMatchObject({ unreadCount: 3, lastMessagePreview: 'x'.repeat(140) });

    const read = await ok(api, 'POST', `/v1/conversations/${id}/read`);
    expect(read).toMatchObject({ unreadCount: 0, lastReadAt: expect.any(Number) });
    await visitor.say('four');
    await server.app.conversations.drain();
    expect((await ok(api, 'GET', `/v1/conversations/${id}`)).unreadCount).toBe(1);

    // A person's reply answers what came before it.
    const reply = await ok(api, 'POST', `/v1/conversations/${id}/messages`, { role: 'human', memberId: teamA.memberId, text: 'Ada here' });
    expect(reply).toMatchObject({ role: 'human', authorId: teamA.memberId });
    expect((await ok(api, 'GET', `/v1/conversations/${id}`)).unreadCount).toBe(0);
    expect((await api('POST', '/v1/conversations/conv_missing/read')).status).toBe(404);
  });

  it('take-over from the agent: when two people race, exactly one wins and the other learns who', async () => {
    for (let round = 0; round < 3; round++) {
      const visitor = await startVisitor(server.baseUrl, web);
      const id = visitor.conversationId;
      const [a, b] = await Promise.all([
        api('POST', `/v1/conversations/${id}/handoff/takeover`, { memberId: teamA.memberId }),
        api('POST', `/v1/conversations/${id}/handoff/takeover`, { memberId: teamB.memberId }),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const [won, lost] = a.status === 200 ? [a, b] : [b, a];
      const winner = a.status === 200 ? teamA.memberId : teamB.memberId;
      const winnerName = winner === teamA.memberId ? 'Ada' : 'Bo';
      expect(won.body.data).toMatchObject({ handoffState: 'human', assignedMemberId: winner });
      expect(lost.body.error.code).toBe('CONFLICT');
      expect(lost.body.error.message).toBe(`Already taken over by ${winnerName} (${winner})`);
      expect(lost.body.error.details).toEqual([{ field: 'assignedMemberId', message: expect.stringContaining(winner) }]);
      const stored = await ok(api, 'GET', `/v1/conversations/${id}`);
      expect(stored).toMatchObject({ handoffState: 'human', assignedMemberId: winner });
      const accepted = await server.db.selectFrom('workspace_events').select('payload').where('type', '=', 'handoff.accepted').execute();
      expect(accepted.filter((row) => JSON.parse(row.payload).conversationId === id)).toHaveLength(1);
    }
  });

  it('take-over of a pending handoff races the same way, and the winner taking over again changes nothing', async () => {
    const visitor = await startVisitor(server.baseUrl, web);
    const id = visitor.conversationId;
    await ok(api, 'POST', `/v1/conversations/${id}/handoff`, {});
    const results = await Promise.all([teamA.memberId, teamB.memberId].map((memberId) => api('POST', `/v1/conversations/${id}/handoff/takeover`, { memberId })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = results.find((r) => r.status === 200)!.body.data.assignedMemberId;
    const again = await api('POST', `/v1/conversations/${id}/handoff/takeover`, { memberId: winner });
    expect(again.status).toBe(200);
    expect(again.body.data.assignedMemberId).toBe(winner);
  });

  it('take-over refuses a missing or unknown member and a resolved conversation, changing nothing', async () => {
    const visitor = await startVisitor(server.baseUrl, web);
    const id = visitor.conversationId;
    const before = await snapshot();
    const noMember = await api('POST', `/v1/conversations/${id}/handoff/takeover`, {});
    expect(noMember.status).toBe(400);
    expect(noMember.body.error.details[0].field).toBe('memberId');
    expect((await api('POST', `/v1/conversations/${id}/handoff/takeover`, { memberId: 'tm_nobody' })).status).toBe(404);
    expect((await api('POST', `/v1/conversations/${id}/handoff/takeover`, { memberId: 'mem_nobody' })).status).toBe(404);
    expect(await snapshot()).toBe(before);
    await ok(api, 'POST', `/v1/conversations/${id}/handoff/takeover`, { memberId: teamA.memberId });
    await ok(api, 'POST', `/v1/conversations/${id}/handoff/resolve`);
    const resolved = await api('POST', `/v1/conversations/${id}/handoff/takeover`, { memberId: teamA.memberId });
    expect(resolved.status).toBe(409);
  });

  it('assigns a team and a member, clears them with null, and validates the body', async () => {
    const visitor = await startVisitor(server.baseUrl, web);
    const id = visitor.conversationId;
    let view = await ok(api, 'POST', `/v1/conversations/${id}/assign`, { teamId: teamB.teamId, memberId: teamB.memberId });
    expect(view).toMatchObject({ assignedTeamId: teamB.teamId, assignedMemberId: teamB.memberId, handoffState: 'bot' });
    view = await ok(api, 'POST', `/v1/conversations/${id}/assign`, { memberId: null });
    expect(view).toMatchObject({ assignedTeamId: teamB.teamId, assignedMemberId: null });
    const before = await snapshot();
    const empty = await api('POST', `/v1/conversations/${id}/assign`, {});
    expect(empty.status).toBe(400);
    expect((await api('POST', `/v1/conversations/${id}/assign`, { teamId: 'team_missing' })).status).toBe(404);
    expect((await api('POST', `/v1/conversations/${id}/assign`, { memberId: 'tm_missing' })).status).toBe(404);
    const unknown = await api('POST', `/v1/conversations/${id}/assign`, { team: teamA.teamId });
    expect(unknown.status).toBe(400);
    expect(await snapshot()).toBe(before);
  });

  it('a signed-in member takes over and replies as themself, without naming a memberId', async () => {
    const t = { app: server.app, apiKey } as unknown as TestApp;
    const member = await memberSession(t, 'agent');
    const visitor = await startVisitor(server.baseUrl, web);
    const id = visitor.conversationId;
    const taken = await asMember(t, member, 'POST', `/v1/conversations/${id}/handoff/takeover`, {});
    expect(taken.status, JSON.stringify(taken.body)).toBe(200);
    expect(taken.body.data).toMatchObject({ handoffState: 'human', assignedMemberId: member.memberId });
    const reply = await asMember(t, member, 'POST', `/v1/conversations/${id}/messages`, { role: 'human', text: 'A person here' });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    expect(reply.body.data).toMatchObject({ role: 'human', authorId: member.memberId });
    const mine = await asMember(t, member, 'GET', `/v1/conversations?assignedMemberId=${member.memberId}`);
    expect(mine.body.data.data.map((c: any) => c.id)).toEqual([id]);

    // Someone else racing for it learns the member's name.
    const late = await api('POST', `/v1/conversations/${id}/handoff/takeover`, { memberId: teamA.memberId });
    expect(late.status).toBe(409);
    expect(late.body.error.message).toBe(`Already taken over by A agent (${member.memberId})`);
  });

  it('a human reply without memberId from an API key is refused naming memberId', async () => {
    const visitor = await startVisitor(server.baseUrl, web);
    await ok(api, 'POST', `/v1/conversations/${visitor.conversationId}/handoff/takeover`, { memberId: teamA.memberId });
    const response = await api('POST', `/v1/conversations/${visitor.conversationId}/messages`, { role: 'human', text: 'who am I?' });
    expect(response.status).toBe(400);
    expect(response.body.error.details).toEqual([expect.objectContaining({ field: 'memberId' })]);
  });
});

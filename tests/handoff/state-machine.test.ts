/**
 * Human handoff end to end: bot → pending_human → human → resolved (and back to bot on
 * hand-back), over SMS through a fake Twilio and over the widget runtime (SSE). Triggers: the
 * contact asks for a person, the agent asks (a webhook backend answering `"handoff": true`), an
 * operator asks. Operators' webhook subscriptions get handoff.requested and handoff.accepted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveServer } from '../helpers/live-server.js';
import { ENGINES } from '../helpers/engines.js';
import { openSse } from '../helpers/sse.js';
import { waitUntil } from '../helpers/wait.js';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import { subscribeReceiver, type Subscribed } from '../webhooks/support.js';
import {
  HANDOFF_NOTICE,
  ORIGIN,
  conversation,
  conversationOf,
  createAgent,
  createTeam,
  ok,
  quiet,
  scripted,
  sendSms,
  sentTo,
  smsChannel,
  startAgentBackend,
  startHandoffServer,
  twilioConnection,
  verifiedEvent,
  waitForSms,
  waitForState,
  type Api,
} from './support.js';

const NUMBER = '+14155550100';
const AGENT_ASKS_NUMBER = '+14155550101';
const BOT_REPLY = 'Concierge: we open at nine.';

describe.each(ENGINES)('human handoff state machine on %s', (engine) => {
  let server: LiveServer;
  let api: Api;
  let twilio: FakeTwilio;
  let connectionId: string;
  let channelId: string;
  let agentId: string;
  let tier1: { teamId: string; memberId: string };
  let billing: { teamId: string; memberId: string };
  let events: Subscribed;
  let backend: Awaited<ReturnType<typeof startAgentBackend>>;

  const sms = (from: string, body: string, to = NUMBER) => sendSms(server, twilio, connectionId, { from, to, body });
  const humanReply = (id: string, memberId: string, text: string) => api('POST', `/v1/conversations/${id}/messages`, { role: 'human', memberId, text });
  /** The subscription events of a type about a conversation, each verified with the standardwebhooks package. */
  const eventsAbout = (type: string, conversationId: string) =>
    events.receiver.requests
      .filter((request) => request.status === 200)
      .map((request) => verifiedEvent(events.secret, request))
      .filter((event) => event.type === type && event.data.conversationId === conversationId);

  beforeAll(async () => {
    twilio = await startFakeTwilio();
    ({ server, api } = await startHandoffServer(engine));
    connectionId = await twilioConnection(api, twilio);
    agentId = await createAgent(api, 'Concierge', scripted('Concierge', [{ pattern: 'opening hours', reply: BOT_REPLY }]));
    channelId = await smsChannel(api, connectionId, NUMBER, agentId);
    tier1 = await createTeam(api, 'Tier one');
    billing = await createTeam(api, 'Billing');
    const assignable = await ok(api, 'PUT', `/v1/deployment-channels/${channelId}/teams`, { teamIds: [tier1.teamId] });
    expect(assignable.map((team: any) => team.id)).toEqual([tier1.teamId]);
    events = await subscribeReceiver(api, ['handoff.requested', 'handoff.accepted']);

    backend = await startAgentBackend({ reply: 'Let me get a colleague.', handoff: true });
    const asking = await createAgent(api, 'Asks for help', { type: 'webhook', url: backend.url });
    const askingChannel = await smsChannel(api, connectionId, AGENT_ASKS_NUMBER, asking);
    await ok(api, 'PUT', `/v1/deployment-channels/${askingChannel}/teams`, { teamIds: [tier1.teamId] });
  });
  afterAll(async () => {
    await server?.close();
    await twilio?.close();
    await events?.receiver.close();
    await backend?.close();
  });

  describe('over SMS', () => {
    const contact = '+14155550111';
    let id: string;

    it('the contact asks for a person: pending_human for the channel team, the notice through Twilio, then the agent stays silent', async () => {
      await sms(contact, 'What are your opening hours?');
      await waitForSms(twilio, contact, BOT_REPLY);
      id = await conversationOf(server, contact);
      expect((await conversation(api, id)).handoffState).toBe('bot');

      await sms(contact, 'I want to talk to a human');
      const notice = await waitForSms(twilio, contact, HANDOFF_NOTICE);
      expect(notice.from).toBe(NUMBER);
      expect(notice.idempotencyToken).toMatch(/^msg_/);
      const pending = await waitForState(api, id, 'pending_human');
      expect(pending).toMatchObject({ assignedTeamId: tier1.teamId, assignedMemberId: null });
      await quiet(server);
      expect(sentTo(twilio, contact).map((m) => m.body)).toEqual([BOT_REPLY, HANDOFF_NOTICE]);

      // Later messages are stored, but no agent answers them.
      await sms(contact, 'Hello? What are your opening hours?');
      await sms(contact, 'Is anyone there?');
      await waitUntil(async () => {
        const messages = (await ok(api, 'GET', `/v1/conversations/${id}/messages?pageSize=100`)).data;
        return messages.filter((m: any) => m.role === 'contact').length === 4;
      });
      await quiet(server);
      expect(sentTo(twilio, contact)).toHaveLength(2);
      expect((await conversation(api, id)).handoffState).toBe('pending_human');

      const requested = await waitUntil(() => eventsAbout('handoff.requested', id)[0], 8000, 'handoff.requested at the subscriber');
      expect(requested.data).toMatchObject({ conversationId: id, teamId: tier1.teamId, requestedBy: 'contact' });
      // docs/webhooks.md: handoff events carry the conversation.
      expect(requested.data.conversation).toMatchObject({ id, channelId, handoffState: 'pending_human', assignedTeamId: tier1.teamId, assignedMemberId: null });
      expect(requested.data.conversation).not.toHaveProperty('workspaceId');
      expect(requested.data.conversation).not.toHaveProperty('helpdeskRef');
      expect(requested.id).toMatch(/^wev_/);
    });

    it("a member of the conversation's team replies: human, and the reply reaches the contact once with its idempotency token", async () => {
      const outsider = await humanReply(id, billing.memberId, 'Billing here.');
      expect(outsider.status).toBe(400);
      expect(outsider.body.error.details[0].field).toBe('memberId');
      expect((await conversation(api, id)).handoffState).toBe('pending_human');
      const unknown = await humanReply(id, 'tm_doesnotexist00', 'Who am I?');
      expect(unknown.status).toBe(404);

      const reply = await humanReply(id, tier1.memberId, 'Hi, this is Tier one. How can I help?');
      expect(reply.status, JSON.stringify(reply.body)).toBe(201);
      expect(reply.body.data).toMatchObject({ role: 'human', conversationId: id, authorId: tier1.memberId, text: 'Hi, this is Tier one. How can I help?' });
      expect(await conversation(api, id)).toMatchObject({ handoffState: 'human', assignedTeamId: tier1.teamId, assignedMemberId: tier1.memberId });

      const sent = await waitForSms(twilio, contact, 'Hi, this is Tier one. How can I help?');
      expect(sent).toMatchObject({ from: NUMBER, idempotencyToken: reply.body.data.id });
      const delivery = await waitUntil(async () => (await ok(api, 'GET', '/v1/deliveries?status=sent&pageSize=100')).data.find((d: any) => d.messageId === reply.body.data.id));
      expect(delivery).toMatchObject({ conversationId: id, attempts: 1, providerMessageId: sent.sid });

      // A member of another team cannot write into this team's conversation, pending or not.
      const intruder = await humanReply(id, billing.memberId, 'Billing again.');
      expect(intruder.status).toBe(400);
      expect(intruder.body.error.details[0].field).toBe('memberId');

      // The contact answers the person; the agent still says nothing.
      await sms(contact, 'My opening hours question is still open');
      await quiet(server);
      expect(sentTo(twilio, contact).map((m) => m.body)).toEqual([BOT_REPLY, HANDOFF_NOTICE, 'Hi, this is Tier one. How can I help?']);
      expect(twilio.messages.filter((m) => m.idempotencyToken === reply.body.data.id)).toHaveLength(1);

      const accepted = await waitUntil(() => eventsAbout('handoff.accepted', id)[0], 8000, 'handoff.accepted at the subscriber');
      expect(accepted.data).toMatchObject({ conversationId: id, memberId: tier1.memberId });
      expect(accepted.data.conversation).toMatchObject({ id, handoffState: 'human', assignedTeamId: tier1.teamId, assignedMemberId: tier1.memberId });
    });

    it('resolve: resolved, and the next contact message is answered by the agent again (bot)', async () => {
      const resolved = await api('POST', `/v1/conversations/${id}/handoff/resolve`);
      expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
      expect(resolved.body.data).toMatchObject({ id, handoffState: 'resolved' });
      const late = await humanReply(id, tier1.memberId, 'One more thing');
      expect(late.status).toBe(409);

      const before = sentTo(twilio, contact).length;
      await sms(contact, 'Thanks! And your opening hours on Sunday?');
      await waitUntil(() => sentTo(twilio, contact).length === before + 1, 8000, 'the agent answering again');
      expect(sentTo(twilio, contact).at(-1)!.body).toBe(BOT_REPLY);
      expect((await conversation(api, id)).handoffState).toBe('bot');
    });

    it('hand-back from human returns the conversation to the agent', async () => {
      await sms(contact, 'Can I speak to a real person please?');
      await waitForState(api, id, 'pending_human');
      expect((await humanReply(id, tier1.memberId, 'Back again, hello.')).status).toBe(201);
      await waitForSms(twilio, contact, 'Back again, hello.');
      expect((await conversation(api, id)).handoffState).toBe('human');

      const handedBack = await api('POST', `/v1/conversations/${id}/handoff/handback`);
      expect(handedBack.status, JSON.stringify(handedBack.body)).toBe(200);
      expect(handedBack.body.data).toMatchObject({ handoffState: 'bot', assignedMemberId: null });

      const before = sentTo(twilio, contact).length;
      await sms(contact, 'What are your opening hours today?');
      await waitUntil(() => sentTo(twilio, contact).length === before + 1, 8000, 'the agent answering after the hand-back');
      expect(sentTo(twilio, contact).at(-1)!.body).toBe(BOT_REPLY);
      expect((await conversation(api, id)).handoffState).toBe('bot');
      expect(eventsAbout('handoff.requested', id).length).toBeGreaterThanOrEqual(2);
    });

    it('refuses moves the state machine does not allow with 409 naming both states', async () => {
      expect((await conversation(api, id)).handoffState).toBe('bot');
      const conflictOf = async (path: string, body?: unknown) => {
        const response = await api('POST', `/v1/conversations/${id}${path}`, body);
        expect(response.status, `${path}: ${JSON.stringify(response.body)}`).toBe(409);
        return response.body.message as string;
      };
      expect(await conflictOf('/handoff/handback')).toMatch(/from bot to bot/);
      expect(await conflictOf('/handoff/accept', { memberId: tier1.memberId })).toMatch(/from bot to human/);
      expect(await conflictOf('/handoff/resolve')).toMatch(/from bot to resolved/);
      expect(await conflictOf('/messages', { role: 'human', memberId: tier1.memberId, text: 'Hi?' })).toMatch(/bot/);

      const requested = await api('POST', `/v1/conversations/${id}/handoff`, { reason: 'Testing the moves' });
      expect(requested.status).toBe(200);
      expect(requested.body.data).toMatchObject({ handoffState: 'pending_human', assignedTeamId: tier1.teamId });
      expect(await conflictOf('/handoff', {})).toMatch(/pending_human/);
      const accepted = await api('POST', `/v1/conversations/${id}/handoff/accept`, { memberId: tier1.memberId });
      expect(accepted.body.data).toMatchObject({ handoffState: 'human', assignedMemberId: tier1.memberId });
      expect(await conflictOf('/handoff/accept', { memberId: tier1.memberId })).toMatch(/from human to human/);
      expect((await api('POST', `/v1/conversations/${id}/handoff/resolve`)).status).toBe(200);
      expect(await conflictOf('/handoff/resolve')).toMatch(/from resolved to resolved/);
      expect(await conflictOf('/handoff/accept', { memberId: tier1.memberId })).toMatch(/from resolved to human/);
      expect((await api('POST', `/v1/conversations/${id}/handoff/handback`)).body.data.handoffState).toBe('bot');

      const missing = await api('POST', '/v1/conversations/conv_doesnotexist0/handoff/resolve');
      expect(missing.status).toBe(404);
    });
  });

  it('the agent asks for a person: its reply is delivered and the conversation becomes pending_human', async () => {
    const contact = '+14155550122';
    await sms(contact, 'My order arrived broken', AGENT_ASKS_NUMBER);
    const reply = await waitForSms(twilio, contact, 'Let me get a colleague.');
    expect(reply.from).toBe(AGENT_ASKS_NUMBER);
    const id = await conversationOf(server, contact);
    expect(await waitForState(api, id, 'pending_human')).toMatchObject({ assignedTeamId: tier1.teamId });
    expect(backend.turns).toHaveLength(1);
    expect(backend.turns[0]!.body).toMatchObject({ conversationId: id, message: { text: 'My order arrived broken' } });

    // The agent is not asked again while people own the conversation.
    await sms(contact, 'Hello?', AGENT_ASKS_NUMBER);
    await quiet(server);
    expect(backend.turns).toHaveLength(1);
    expect(sentTo(twilio, contact).map((m) => m.body)).toEqual(['Let me get a colleague.']);
    const requested = await waitUntil(() => eventsAbout('handoff.requested', id)[0], 8000, 'handoff.requested at the subscriber');
    expect(requested.data).toMatchObject({ teamId: tier1.teamId, requestedBy: 'agent' });
  });

  it('an operator hands a widget conversation over; the human reply reaches the widget over SSE', async () => {
    const deployment = await ok(api, 'POST', `/v1/agents/${agentId}/deployments`, {
      allowedOrigins: [ORIGIN],
      channel: { channelIdentifier: 'https://handoff-widget.example.com' },
    });
    await ok(api, 'PUT', `/v1/deployment-channels/${deployment.deploymentChannelId}/teams`, { teamIds: [tier1.teamId] });
    const runtime = async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
      const response = await fetch(`${server.baseUrl}/v1/public/runtime${path}`, {
        method,
        headers: { authorization: `Bearer ${deployment.token}`, origin: ORIGIN, ...headers, ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as any };
    };
    const started = await runtime('POST', '/sessions', {}, {});
    expect(started.status).toBe(201);
    const { sessionId, visitorToken } = started.body.data;
    const visitor = { 'x-visitor-token': visitorToken };
    const stream = await openSse(`${server.baseUrl}/v1/public/runtime/sessions/${sessionId}/events`, {
      authorization: `Bearer ${deployment.token}`,
      origin: ORIGIN,
      ...visitor,
    });
    try {
      expect(stream.status).toBe(200);
      expect((await runtime('POST', `/sessions/${sessionId}/messages`, visitor, { text: 'What are your opening hours?', clientMessageId: 'w-1' })).status).toBe(202);
      await stream.waitFor((e) => e.event === 'message' && e.data.role === 'agent' && e.data.text === BOT_REPLY);

      const handed = await api('POST', `/v1/conversations/${sessionId}/handoff`, { reason: 'VIP visitor' });
      expect(handed.status, JSON.stringify(handed.body)).toBe(200);
      expect(handed.body.data).toMatchObject({ id: sessionId, handoffState: 'pending_human', assignedTeamId: tier1.teamId });

      // While pending, the agent stays silent on the widget too.
      expect((await runtime('POST', `/sessions/${sessionId}/messages`, visitor, { text: 'What are your opening hours again?', clientMessageId: 'w-2' })).status).toBe(202);
      await quiet(server);
      expect(stream.events.filter((e) => e.event === 'message' && e.data.role === 'agent')).toHaveLength(1);

      const reply = await humanReply(sessionId, tier1.memberId, 'Hello from a real person.');
      expect(reply.status).toBe(201);
      const event = await stream.waitFor((e) => e.event === 'message' && e.data.role === 'human');
      expect(event.data).toMatchObject({ id: reply.body.data.id, conversationId: sessionId, role: 'human', text: 'Hello from a real person.', authorId: tier1.memberId });
      expect(event.id).toBeDefined();
      expect((await conversation(api, sessionId)).handoffState).toBe('human');

      const history = await runtime('GET', `/sessions/${sessionId}/messages`, visitor);
      expect(history.body.data.map((m: any) => m.role)).toEqual(['contact', 'agent', 'contact', 'human']);

      const requested = await waitUntil(() => eventsAbout('handoff.requested', sessionId)[0], 8000, 'handoff.requested at the subscriber');
      expect(requested.data).toMatchObject({ teamId: tier1.teamId, requestedBy: 'operator', reason: 'VIP visitor' });
      const accepted = await waitUntil(() => eventsAbout('handoff.accepted', sessionId)[0], 8000, 'handoff.accepted at the subscriber');
      expect(accepted.data).toMatchObject({ memberId: tier1.memberId });
    } finally {
      stream.close();
    }
  });

  it('signs every handoff event for the subscriber, one delivery per event id', async () => {
    await quiet(server);
    const delivered = events.receiver.requests.filter((r) => r.status === 200);
    expect(delivered.length).toBeGreaterThanOrEqual(6);
    for (const request of delivered) {
      expect(request.verified).toBe(true);
      const event = verifiedEvent(events.secret, request);
      expect(['handoff.requested', 'handoff.accepted']).toContain(event.type);
      expect(event.id).toBe(request.headers['webhook-id']);
    }
    expect(new Set(events.receiver.deliveries.map((d) => d.webhookId)).size).toBe(events.receiver.deliveries.length);
  });
});

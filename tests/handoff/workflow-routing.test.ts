/**
 * Routing workflows through the whole pipeline: the same SMS routed to a team inside business
 * hours and to the fallback agent outside them (windows computed around the current time in the
 * rule's time zone, so the test is deterministic whenever it runs), a keyword rule choosing
 * another agent, and a language rule reading the language the widget's locale gave the contact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveServer } from '../helpers/live-server.js';
import { ENGINES } from '../helpers/engines.js';
import { waitUntil } from '../helpers/wait.js';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
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
  startHandoffServer,
  twilioConnection,
  waitForSms,
  waitForState,
  type Api,
} from './support.js';

const NUMBER = '+14155550100';
const TIME_ZONE = 'Asia/Tokyo'; // UTC+09:00, no daylight saving time
const ALL_DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const SAME_MESSAGE = 'Hello, I need help with my order';

/** Minutes since midnight now, on the wall clock of `timeZone`. */
function minutesNow(timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date());
  const part = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return (part('hour') % 24) * 60 + part('minute');
}

/** `HH:MM` of `minutes` from now in the zone (wrapping around midnight). */
function clock(offsetMinutes: number): string {
  const minutes = (((minutesNow(TIME_ZONE) + offsetMinutes) % 1440) + 1440) % 1440;
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** Business hours every day from `from` to `to` minutes relative to now (a span may cross midnight). */
const hoursAround = (from: number, to: number) => ({ timeZone: TIME_ZONE, days: ALL_DAYS, start: clock(from), end: clock(to) });

describe.each(ENGINES)('routing workflows end to end on %s', (engine) => {
  let server: LiveServer;
  let api: Api;
  let twilio: FakeTwilio;
  let connectionId: string;
  let channelId: string;
  let concierge: string;
  let night: string;
  let refunds: string;
  let bonjour: string;
  let dayShift: { teamId: string; memberId: string };
  let workflowId: string;

  const sms = (from: string, body: string) => sendSms(server, twilio, connectionId, { from, to: NUMBER, body });
  const rules = (businessHours: Record<string, unknown>) => [
    { name: 'Refunds', when: { keywords: ['refund'] }, then: { agentId: refunds } },
    { name: 'Office hours', when: { businessHours }, then: { teamId: dayShift.teamId } },
  ];

  beforeAll(async () => {
    twilio = await startFakeTwilio();
    ({ server, api } = await startHandoffServer(engine));
    connectionId = await twilioConnection(api, twilio);
    concierge = await createAgent(api, 'Concierge', scripted('Concierge'));
    night = await createAgent(api, 'Night bot', scripted('Night bot'));
    refunds = await createAgent(api, 'Refunds bot', scripted('Refunds bot'));
    bonjour = await createAgent(api, 'Bonjour bot', scripted('Bonjour bot'));
    channelId = await smsChannel(api, connectionId, NUMBER, concierge);
    dayShift = await createTeam(api, 'Day shift');
    const workflow = await ok(api, 'POST', '/v1/workflows', { name: 'Support routing', rules: rules(hoursAround(-60, 60)), fallback: { agentId: night } });
    workflowId = workflow.id;
    expect(workflow.rules[1].when.businessHours).toMatchObject({ timeZone: TIME_ZONE, inside: true });
    await ok(api, 'PUT', `/v1/deployment-channels/${channelId}/workflow`, { workflowId });
  });
  afterAll(async () => {
    await server?.close();
    await twilio?.close();
  });

  it('inside business hours the message goes to the team: pending_human, the notice, no agent reply', async () => {
    const window = hoursAround(-60, 60);
    await ok(api, 'PATCH', `/v1/workflows/${workflowId}`, { rules: rules(window) });
    const contact = '+14155550131';
    await sms(contact, SAME_MESSAGE);
    await waitForSms(twilio, contact, HANDOFF_NOTICE);
    const id = await conversationOf(server, contact);
    expect(await waitForState(api, id, 'pending_human')).toMatchObject({ assignedTeamId: dayShift.teamId, assignedMemberId: null });
    await quiet(server);
    expect(sentTo(twilio, contact).map((m) => m.body), `window ${window.start}-${window.end} ${TIME_ZONE}`).toEqual([HANDOFF_NOTICE]);

    // The team answers from here.
    const reply = await api('POST', `/v1/conversations/${id}/messages`, { role: 'human', memberId: dayShift.memberId, text: 'Day shift here, happy to help.' });
    expect(reply.status).toBe(201);
    await waitForSms(twilio, contact, 'Day shift here, happy to help.');
  });

  it('outside business hours the same message goes to the fallback agent', async () => {
    const window = hoursAround(120, 240);
    await ok(api, 'PATCH', `/v1/workflows/${workflowId}`, { rules: rules(window) });
    const contact = '+14155550132';
    await sms(contact, SAME_MESSAGE);
    const answer = await waitForSms(twilio, contact, 'Night bot: how can I help?');
    expect(answer.from).toBe(NUMBER);
    const id = await conversationOf(server, contact);
    await quiet(server);
    expect(sentTo(twilio, contact).map((m) => m.body), `window ${window.start}-${window.end} ${TIME_ZONE}`).toEqual(['Night bot: how can I help?']);
    expect(await conversation(api, id)).toMatchObject({ handoffState: 'bot', assignedTeamId: null });
    const stored = (await ok(api, 'GET', `/v1/conversations/${id}/messages`)).data;
    expect(stored.map((m: any) => [m.role, m.text])).toEqual([
      ['contact', SAME_MESSAGE],
      ['agent', 'Night bot: how can I help?'],
    ]);
  });

  it('`inside: false` over hours that cover now does not match: the fallback answers', async () => {
    await ok(api, 'PATCH', `/v1/workflows/${workflowId}`, { rules: rules({ ...hoursAround(-60, 60), inside: false }) });
    const contact = '+14155550133';
    await sms(contact, SAME_MESSAGE);
    await waitForSms(twilio, contact, 'Night bot: how can I help?');
    expect((await conversation(api, await conversationOf(server, contact))).handoffState).toBe('bot');
  });

  it('a keyword rule routes to another agent, whatever the hours', async () => {
    await ok(api, 'PATCH', `/v1/workflows/${workflowId}`, { rules: rules(hoursAround(-60, 60)) });
    const contact = '+14155550134';
    await sms(contact, 'I would like a REFUND for my order');
    await waitForSms(twilio, contact, 'Refunds bot: how can I help?');
    // "refunded" is not the whole word: the office-hours rule takes it.
    const other = '+14155550135';
    await sms(other, 'Was my order refunded?');
    await waitForSms(twilio, other, HANDOFF_NOTICE);
    await quiet(server);
    expect(sentTo(twilio, contact).map((m) => m.body)).toEqual(['Refunds bot: how can I help?']);
    expect((await conversation(api, await conversationOf(server, contact))).handoffState).toBe('bot');
    expect((await conversation(api, await conversationOf(server, other))).handoffState).toBe('pending_human');
  });

  it('an attribute rule routes by what an operator set on the contact through the API', async () => {
    await ok(api, 'PATCH', `/v1/workflows/${workflowId}`, {
      rules: [{ name: 'VIP', when: { attribute: { name: 'plan', equals: 'vip' } }, then: { agentId: refunds } }],
    });
    const contact = '+14155550136';
    await sms(contact, 'First question');
    await waitForSms(twilio, contact, 'Night bot: how can I help?');
    const { contactId } = await conversation(api, await conversationOf(server, contact));
    const bad = await api('PATCH', `/v1/contacts/${contactId}`, { attributes: { '9plan': 'vip' } });
    expect(bad.status).toBe(400);
    const tagged = await ok(api, 'PATCH', `/v1/contacts/${contactId}`, { attributes: { plan: 'vip', region: 'emea' } });
    expect(tagged.attributes).toEqual({ plan: 'vip', region: 'emea' });
    await sms(contact, 'Second question');
    await waitForSms(twilio, contact, 'Refunds bot: how can I help?');
    const untagged = await ok(api, 'PATCH', `/v1/contacts/${contactId}`, { attributes: { plan: null } });
    expect(untagged.attributes).toEqual({ region: 'emea' });
    const other = await server.newWorkspace();
    const elsewhere = await fetch(`${server.baseUrl}/v1/contacts/${contactId}`, { headers: { authorization: `Bearer ${other.apiKey}` } });
    expect(elsewhere.status).toBe(404);
  });

  it("a language rule reads the language the widget's locale gave the contact", async () => {
    const deployment = await ok(api, 'POST', `/v1/agents/${concierge}/deployments`, {
      allowedOrigins: [ORIGIN],
      channel: { channelIdentifier: 'https://routing-widget.example.com' },
    });
    const languages = await ok(api, 'POST', '/v1/workflows', {
      name: 'By language',
      rules: [{ name: 'French', when: { languages: ['fr'] }, then: { agentId: bonjour } }],
      fallback: { agentId: concierge },
    });
    await ok(api, 'PUT', `/v1/deployment-channels/${deployment.deploymentChannelId}/workflow`, { workflowId: languages.id });

    const runtime = async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
      const response = await fetch(`${server.baseUrl}/v1/public/runtime${path}`, {
        method,
        headers: { authorization: `Bearer ${deployment.token}`, origin: ORIGIN, ...headers, ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as any };
    };
    async function chat(locale: string | undefined): Promise<{ reply: string; contactId: string }> {
      const started = await runtime('POST', '/sessions', {}, locale ? { locale } : {});
      expect(started.status).toBe(201);
      const { sessionId, visitorToken } = started.body.data;
      const visitor = { 'x-visitor-token': visitorToken };
      expect((await runtime('POST', `/sessions/${sessionId}/messages`, visitor, { text: 'Bonjour, je cherche de l’aide', clientMessageId: 'm-1' })).status).toBe(202);
      const reply = await waitUntil(
        async () => (await runtime('GET', `/sessions/${sessionId}/messages`, visitor)).body.data.find((m: any) => m.role === 'agent'),
        8000,
        `the agent's answer (${locale ?? 'no locale'})`,
      );
      return { reply: reply.text, contactId: (await conversation(api, sessionId)).contactId };
    }

    const french = await chat('fr-FR');
    expect(french.reply).toBe('Bonjour bot: how can I help?');
    const contact = await server.db.selectFrom('contacts').select('attributes').where('id', '=', french.contactId).executeTakeFirstOrThrow();
    expect(JSON.parse(contact.attributes!)).toEqual({ language: 'fr' });

    expect((await chat('fr_CA')).reply).toBe('Bonjour bot: how can I help?');
    expect((await chat('en-US')).reply).toBe('Concierge: how can I help?');
    expect((await chat(undefined)).reply).toBe('Concierge: how can I help?');
  });
});

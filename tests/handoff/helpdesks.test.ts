/**
 * Helpdesk connectors end to end, each against its local fake: a team whose helpdesk connection
 * is Zendesk (tickets, or Sunshine Conversations passControl), ServiceNow (incident, or the Live
 * Agent bot integration), Genesys Cloud Open Messaging or a custom webhook takes the handoff of an
 * SMS conversation. The helpdesk gets the transcript and the contact's later messages; its signed
 * agent replies, sent to the connection's inbound URL, reach the contact through the fake Twilio
 * once (a repeated callback is applied once, a forged one is refused), and its resolution
 * resolves the handoff.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveServer } from '../helpers/live-server.js';
import { ENGINES } from '../helpers/engines.js';
import { waitUntil } from '../helpers/wait.js';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import { startFakeZendesk, sunshineSwitchboardEvent, sunshineWebhookRequest, zendeskWebhookRequest, type FakeZendesk } from '../fakes/zendesk.js';
import { startFakeServiceNow, type FakeServiceNow } from '../fakes/servicenow.js';
import { startFakeGenesys, type FakeGenesys } from '../fakes/genesys.js';
import { startFakeHelpdeskWebhook, type FakeHelpdeskWebhook } from '../fakes/helpdesk-webhook.js';
import {
  HANDOFF_NOTICE,
  PUBLIC_URL,
  conversation,
  conversationOf,
  createAgent,
  createSecret,
  createTeam,
  ok,
  postToPublicUrl,
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
const BOT_REPLY = 'Concierge: we open at nine.';
const FIRST = 'Hi, what are your opening hours?';
const ASK = 'I want to talk to a human';
const LATER = 'My order number is 4242';

const ZENDESK = { email: 'switchboard@acme.example.com', apiToken: 'zd-api-token-6f1c2e', keyId: 'app_5f1c0a7e3b2d4c00', keySecret: 'sunshine-key-secret-9a8b7c', appId: '5f1c0a7e3b2d4c0012345678' };
const SERVICENOW = { username: 'switchboard.integration', password: 'sn-integration-pw-31415', botToken: 'va-provider-token-2718' };
const GENESYS = { clientId: '7de3af06-c0b3-4f9b-af45-72f4a1403797', clientSecret: 'genesys-client-secret-1f2e3d', integrationId: '3c5cd6b2-8f0e-4d5a-9b1e-2a6f7c8d9e0f' };
const WEBHOOK_SIGNING_SECRET = `whsec_${randomBytes(32).toString('base64')}`;

interface Fakes {
  zendesk: FakeZendesk;
  servicenow: FakeServiceNow;
  genesys: FakeGenesys;
  webhook: FakeHelpdeskWebhook;
}

/** What a case knows once the handoff is open. */
interface Handoff {
  conversationId: string;
  contact: string;
  connection: { id: string; inboundUrl: string; inboundSecret: string };
  /** The helpdesk's own id of the handoff (ticket id, sys_id, Sunshine conversation id…). */
  ref: string;
}

type Callback = { method: 'POST'; headers: Record<string, string>; body: string };

interface HelpdeskCase {
  name: string;
  provider: 'zendesk' | 'servicenow' | 'genesys' | 'webhook';
  /** Connection body (settings, credentials by secret id, apiBaseUrl). */
  connection(fakes: Fakes, secret: (name: string, value: string) => Promise<string>): Promise<Record<string, unknown>>;
  /** Waits for the handoff at the fake, asserts path, auth and transcript; returns the helpdesk's ref. */
  opened(fakes: Fakes, handoff: Omit<Handoff, 'ref'>): Promise<string>;
  /** Waits for a later contact message at the fake. */
  forwarded(fakes: Fakes, handoff: Handoff, text: string): Promise<void>;
  /** How many calls the fake has had (to show nothing more was sent). */
  calls(fakes: Fakes): number;
  reply(fakes: Fakes, handoff: Handoff, text: string, secret: string): Callback;
  resolved(fakes: Fakes, handoff: Handoff, secret: string): Callback;
  /** Where the helpdesk sends its callbacks. */
  callbackUrl(fakes: Fakes, handoff: Handoff): string;
  /** The status the helpdesk's callbacks are acknowledged with. */
  ack: number;
  /** A secret that is not the connection's, shaped as the helpdesk's secrets are. */
  wrongSecret?: string;
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** The transcript the helpdesk must show: both contact turns and the agent's answer. */
function expectTranscript(text: string) {
  expect(text).toContain(FIRST);
  expect(text).toContain(BOT_REPLY);
  expect(text).toContain(ASK);
}

const CASES: HelpdeskCase[] = [
  {
    name: 'Zendesk (ticket)',
    provider: 'zendesk',
    ack: 200,
    connection: async (fakes, secret) => ({
      settings: { mode: 'ticket', subdomain: 'acme', email: ZENDESK.email },
      credentials: { apiToken: await secret('zendesk-api-token', ZENDESK.apiToken) },
      apiBaseUrl: fakes.zendesk.url,
    }),
    async opened({ zendesk }, handoff) {
      const ticket = await waitUntil(() => [...zendesk.tickets.values()].find((t) => t.externalId === handoff.conversationId), 8000, 'the Zendesk ticket');
      const create = zendesk.requests.find((r) => r.method === 'POST' && r.path === '/api/v2/tickets.json' && (r.json as any)?.ticket?.external_id === handoff.conversationId)!;
      expect(create.status).toBe(201);
      expect(create.headers.authorization).toBe(basic(`${ZENDESK.email}/token`, ZENDESK.apiToken));
      expect(create.headers['idempotency-key']).toMatch(/^switchboard-/);
      expect(ticket.tags).toEqual(expect.arrayContaining(['switchboard', 'switchboard_handoff', 'switchboard_sms']));
      expect(ticket.requester?.name).toBe(handoff.contact);
      expect(ticket.comments[0]!.public).toBe(false);
      expectTranscript(ticket.comments[0]!.body);
      return String(ticket.id);
    },
    async forwarded({ zendesk }, handoff, text) {
      const comment = await waitUntil(() => zendesk.tickets.get(Number(handoff.ref))!.comments.find((c) => c.body === text), 8000, 'the forwarded comment');
      expect(comment.public).toBe(true);
      expect(comment.authorId).toBe(zendesk.tickets.get(Number(handoff.ref))!.requesterId);
      const update = zendesk.requests.find((r) => r.method === 'PUT' && r.path === `/api/v2/tickets/${handoff.ref}.json` && r.body.includes(text))!;
      expect(update.headers.authorization).toBe(basic(`${ZENDESK.email}/token`, ZENDESK.apiToken));
    },
    calls: ({ zendesk }) => zendesk.requests.length,
    reply: ({ zendesk }, handoff, text, secret) => zendesk.agentReply({ ticketId: handoff.ref, text, secret }),
    resolved: (_fakes, handoff, secret) => zendeskWebhookRequest(secret, { ticket_id: handoff.ref, status: 'solved' }),
    callbackUrl: (_fakes, handoff) => handoff.connection.inboundUrl,
  },
  {
    name: 'Zendesk (Sunshine Conversations passControl)',
    provider: 'zendesk',
    ack: 200,
    connection: async (fakes, secret) => ({
      settings: { mode: 'sunshine', appId: ZENDESK.appId },
      credentials: { keyId: await secret('sunshine-key-id', ZENDESK.keyId), keySecret: await secret('sunshine-key-secret', ZENDESK.keySecret) },
      apiBaseUrl: fakes.zendesk.url,
    }),
    async opened({ zendesk }, handoff) {
      const found = await waitUntil(
        () => [...zendesk.sunshine.conversations.values()].find((c) => c.metadata?.switchboardConversationId === handoff.conversationId && c.passControls.length > 0),
        8000,
        'the Sunshine conversation, control passed',
      );
      const base = `/v2/apps/${ZENDESK.appId}`;
      const calls = zendesk.requests.filter((r) => r.path.startsWith(base) && (r.body.includes(handoff.conversationId) || r.path.includes(found.id)));
      expect(calls.map((r) => `${r.method} ${r.path.slice(base.length)}`)).toEqual([
        'POST /conversations',
        `POST /conversations/${found.id}/messages`,
        `POST /conversations/${found.id}/passControl`,
      ]);
      expect(zendesk.requests.some((r) => r.method === 'POST' && r.path === `${base}/users` && r.status === 201)).toBe(true);
      for (const call of calls) expect(call.headers.authorization).toBe(basic(ZENDESK.keyId, ZENDESK.keySecret));
      expect(found.passControls).toEqual([expect.objectContaining({ switchboardIntegration: 'next' })]);
      expect(found.messages[0]!.author).toMatchObject({ type: 'user' });
      expectTranscript(String(found.messages[0]!.content.text));
      return found.id;
    },
    async forwarded({ zendesk }, handoff, text) {
      const message = await waitUntil(() => zendesk.sunshine.conversations.get(handoff.ref)!.messages.find((m) => m.content.text === text), 8000, 'the forwarded message');
      expect(message.author).toMatchObject({ type: 'user' });
    },
    calls: ({ zendesk }) => zendesk.requests.length,
    reply: ({ zendesk }, handoff, text, secret) => zendesk.sunshineAgentReply({ conversationId: handoff.ref, text, secret }),
    resolved: (_fakes, handoff, secret) => sunshineWebhookRequest(secret, [sunshineSwitchboardEvent('switchboard:releaseControl', handoff.ref)], { appId: ZENDESK.appId }),
    callbackUrl: (_fakes, handoff) => handoff.connection.inboundUrl,
  },
  {
    name: 'ServiceNow (incident)',
    provider: 'servicenow',
    ack: 200,
    connection: async (fakes, secret) => ({
      settings: { mode: 'incident', instance: 'acme', username: SERVICENOW.username, urgency: '2' },
      credentials: { password: await secret('servicenow-password', SERVICENOW.password) },
      apiBaseUrl: fakes.servicenow.url,
    }),
    async opened({ servicenow }, handoff) {
      const incident = await waitUntil(() => [...servicenow.incidents.values()].find((i) => i.fields.correlation_id === handoff.conversationId), 8000, 'the incident');
      const create = servicenow.requests.find((r) => r.method === 'POST' && r.path === '/api/now/table/incident' && r.body.includes(handoff.conversationId))!;
      expect(create.status).toBe(201);
      expect(create.headers.authorization).toBe(basic(SERVICENOW.username, SERVICENOW.password));
      expect(incident.fields).toMatchObject({ correlation_display: 'Switchboard', contact_type: 'chat', urgency: '2' });
      expect(incident.fields.short_description).toContain(handoff.contact);
      expectTranscript(incident.fields.description!);
      return incident.sysId;
    },
    async forwarded({ servicenow }, handoff, text) {
      const entry = await waitUntil(() => servicenow.incidents.get(handoff.ref)!.journal.find((j) => j.value.includes(text)), 8000, 'the forwarded comment');
      expect(entry).toMatchObject({ element: 'comments', value: `${handoff.contact}: ${text}`, createdBy: SERVICENOW.username });
      const update = servicenow.requests.find((r) => r.method === 'PATCH' && r.path === `/api/now/table/incident/${handoff.ref}`)!;
      expect(update.headers.authorization).toBe(basic(SERVICENOW.username, SERVICENOW.password));
    },
    calls: ({ servicenow }) => servicenow.requests.length,
    reply: ({ servicenow }, handoff, text, secret) => servicenow.agentComment({ sysId: handoff.ref, text, secret }),
    resolved: ({ servicenow }, handoff, secret) => servicenow.agentComment({ sysId: handoff.ref, state: '6', secret }),
    callbackUrl: (_fakes, handoff) => handoff.connection.inboundUrl,
  },
  {
    name: 'ServiceNow (Live Agent bot integration)',
    provider: 'servicenow',
    ack: 200,
    connection: async (fakes, secret) => ({
      settings: { mode: 'live-agent', instance: 'acme', username: SERVICENOW.username, contextVariables: { queue: 'tier1' } },
      credentials: { password: await secret('servicenow-la-password', SERVICENOW.password), botToken: await secret('servicenow-bot-token', SERVICENOW.botToken) },
      apiBaseUrl: fakes.servicenow.url,
    }),
    async opened({ servicenow }, handoff) {
      const session = await waitUntil(() => servicenow.sessions.get(handoff.conversationId), 8000, 'the Live Agent escalation');
      const call = servicenow.requests.find((r) => r.path === '/api/sn_va_as_service/bot/integration' && (r.json as any)?.action === 'AGENT' && r.body.includes(handoff.conversationId))!;
      expect(call.status).toBe(200);
      expect(call.headers.authorization).toBe(basic(SERVICENOW.username, SERVICENOW.password));
      expect(call.headers.token).toBe(SERVICENOW.botToken);
      expect(session.userId).toBe(handoff.contact);
      expect(session.escalation).toMatchObject({ action: 'AGENT', clientSessionId: handoff.conversationId, contextVariables: { live_agent_only: 'true', queue: 'tier1' } });
      const history = session.escalation.history as { value: string; isBotMessage: boolean }[];
      expectTranscript(history.map((h) => h.value).join('\n'));
      expect(history.find((h) => h.value === BOT_REPLY)!.isBotMessage).toBe(true);
      return handoff.conversationId;
    },
    async forwarded({ servicenow }, handoff, text) {
      const message = await waitUntil(() => servicenow.sessions.get(handoff.ref)!.messages.find((m) => (m.message as any)?.text === text), 8000, 'the forwarded message');
      expect(message).toMatchObject({ clientSessionId: handoff.conversationId, userId: handoff.contact });
      expect(message).not.toHaveProperty('action');
    },
    calls: ({ servicenow }) => servicenow.requests.length,
    reply: ({ servicenow }, handoff, text, secret) => servicenow.liveAgentReply({ clientSessionId: handoff.ref, text, secret }),
    resolved: ({ servicenow }, handoff, secret) => servicenow.liveAgentEnd({ clientSessionId: handoff.ref, secret }),
    callbackUrl: (_fakes, handoff) => handoff.connection.inboundUrl,
  },
  {
    name: 'Genesys Cloud (Open Messaging)',
    provider: 'genesys',
    ack: 200,
    connection: async (fakes, secret) => ({
      settings: { integrationId: GENESYS.integrationId, region: 'mypurecloud.de', loginBaseUrl: fakes.genesys.url },
      credentials: { clientId: await secret('genesys-client-id', GENESYS.clientId), clientSecret: await secret('genesys-client-secret', GENESYS.clientSecret) },
      apiBaseUrl: fakes.genesys.url,
    }),
    async opened({ genesys }, handoff) {
      const message = await waitUntil(() => genesys.messages.find((m) => m.fromId === handoff.conversationId), 8000, 'the Open Messaging inbound message');
      const token = genesys.requests.find((r) => r.path === '/oauth/token')!;
      expect(token.headers.authorization).toBe(basic(GENESYS.clientId, GENESYS.clientSecret));
      expect(token.body).toBe('grant_type=client_credentials');
      const inbound = genesys.requests.find((r) => r.path === `/api/v2/conversations/messages/${GENESYS.integrationId}/inbound/open/message` && r.body.includes(handoff.conversationId))!;
      expect(inbound.status).toBe(202);
      expect(inbound.headers.authorization).toMatch(/^Bearer \S+$/);
      expect(message.customAttributes).toMatchObject({ switchboardConversationId: handoff.conversationId, switchboardChannel: 'sms' });
      expect(message.nickname).toBe(handoff.contact);
      expectTranscript(message.text);
      return handoff.conversationId;
    },
    async forwarded({ genesys }, handoff, text) {
      await waitUntil(() => genesys.messages.find((m) => m.fromId === handoff.ref && m.text === text), 8000, 'the forwarded message');
    },
    calls: ({ genesys }) => genesys.requests.length,
    reply: ({ genesys }, handoff, text, secret) => genesys.agentReply({ toId: handoff.ref, text, secret }),
    resolved: ({ genesys }, handoff, secret) => genesys.disconnect({ toId: handoff.ref, secret }),
    callbackUrl: (_fakes, handoff) => handoff.connection.inboundUrl,
  },
  {
    name: 'custom webhook',
    provider: 'webhook',
    ack: 202,
    wrongSecret: `whsec_${randomBytes(32).toString('base64')}`,
    connection: async (fakes, secret) => ({
      settings: { outboundUrl: fakes.webhook.url },
      credentials: { outboundSecret: await secret('helpdesk-signing-secret', WEBHOOK_SIGNING_SECRET) },
    }),
    async opened({ webhook }, handoff) {
      const opened = await waitUntil(
        () => webhook.events.find((e) => e.payload.type === 'handoff.opened' && e.payload.conversationId === handoff.conversationId),
        8000,
        'handoff.opened at the helpdesk',
      );
      const request = webhook.requests.find((r) => r.headers['webhook-id'] === opened.webhookId)!;
      expect(request.verified).toBe(true);
      expect(request.path).toBe('/switchboard/handoffs');
      expect(opened.payload).toMatchObject({
        contact: { externalId: handoff.contact, channelType: 'sms' },
        reason: 'The contact asked for a person',
        replyUrl: `${PUBLIC_URL}/v1/public/helpdesks/webhook/${handoff.connection.id}`,
      });
      const transcript = opened.payload.transcript as { role: string; text: string }[];
      expect(transcript.map((t) => [t.role, t.text])).toEqual([
        ['contact', FIRST],
        ['agent', BOT_REPLY],
        ['contact', ASK],
      ]);
      expectTranscript(transcript.map((t) => t.text).join('\n'));
      return handoff.conversationId;
    },
    async forwarded({ webhook }, handoff, text) {
      const event = await waitUntil(() => webhook.events.find((e) => e.payload.type === 'handoff.message' && e.payload.text === text), 8000, 'handoff.message at the helpdesk');
      expect(event.payload.conversationId).toBe(handoff.conversationId);
      expect(webhook.requests.find((r) => r.headers['webhook-id'] === event.webhookId)!.verified).toBe(true);
    },
    calls: ({ webhook }) => webhook.requests.length,
    reply: ({ webhook }, handoff, text, secret) => webhook.agentMessage({ conversationId: handoff.ref, text, secret }),
    resolved: ({ webhook }, handoff, secret) => webhook.resolve({ conversationId: handoff.ref, secret }),
    // The helpdesk answers to the replyUrl each handoff.opened carries.
    callbackUrl: ({ webhook }, handoff) =>
      String(webhook.events.find((e) => e.payload.type === 'handoff.opened' && e.payload.conversationId === handoff.conversationId)!.payload.replyUrl),
  },
];

describe.each(ENGINES)('helpdesk handoffs end to end on %s', (engine) => {
  let server: LiveServer;
  let api: Api;
  let twilio: FakeTwilio;
  let fakes: Fakes;
  let connectionId: string;
  let channelId: string;
  let contactNumber = 200;

  beforeAll(async () => {
    twilio = await startFakeTwilio();
    fakes = {
      zendesk: await startFakeZendesk({ email: ZENDESK.email, apiToken: ZENDESK.apiToken, keyId: ZENDESK.keyId, keySecret: ZENDESK.keySecret, appId: ZENDESK.appId }),
      servicenow: await startFakeServiceNow(SERVICENOW),
      genesys: await startFakeGenesys(GENESYS),
      webhook: await startFakeHelpdeskWebhook({ secret: WEBHOOK_SIGNING_SECRET }),
    };
    ({ server, api } = await startHandoffServer(engine));
    connectionId = await twilioConnection(api, twilio);
    const agentId = await createAgent(api, 'Concierge', scripted('Concierge', [{ pattern: 'opening hours', reply: BOT_REPLY }]));
    channelId = await smsChannel(api, connectionId, NUMBER, agentId);
  });
  afterAll(async () => {
    await server?.close();
    await twilio?.close();
    for (const fake of Object.values(fakes ?? {})) await fake.close();
  });

  it.each(CASES)('$name: transcript in, contact messages forwarded, signed agent replies out once, resolution back', async (helpdesk) => {
    const contact = `+1415555${String((contactNumber += 1)).padStart(4, '0')}`;
    const sms = (body: string) => sendSms(server, twilio, connectionId, { from: contact, to: NUMBER, body });
    const tag = randomUUID().slice(0, 8);

    // The helpdesk connection, its secrets through /v1/secrets, and a team that uses it.
    const body = await helpdesk.connection(fakes, (name, value) => createSecret(api, `${name}-${tag}`, value));
    const created = await api('POST', '/v1/connections', { provider: helpdesk.provider, name: `${helpdesk.name} ${tag}`, ...body });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const connection = created.body.data as Handoff['connection'] & Record<string, any>;
    expect(JSON.stringify(created.body)).not.toMatch(/zd-api-token|sunshine-key-secret|sn-integration-pw|genesys-client-secret|va-provider-token/);
    if (helpdesk.provider !== 'webhook') {
      expect(connection.inboundUrl).toBe(`${PUBLIC_URL}/v1/public/helpdesks/${helpdesk.provider}/${connection.id}`);
      expect(connection.setup).toContain(connection.inboundUrl);
    }
    const team = await createTeam(api, `${helpdesk.provider} desk ${tag}`, { helpdeskConnectionId: connection.id });
    await ok(api, 'PUT', `/v1/deployment-channels/${channelId}/teams`, { teamIds: [team.teamId] });

    // The agent answers first, so the transcript has both sides; then the contact asks for a person.
    await sms(FIRST);
    await waitForSms(twilio, contact, BOT_REPLY);
    await sms(ASK);
    await waitForSms(twilio, contact, HANDOFF_NOTICE);
    const conversationId = await conversationOf(server, contact);
    expect(await waitForState(api, conversationId, 'pending_human')).toMatchObject({ assignedTeamId: team.teamId });
    const handoff: Handoff = { conversationId, contact, connection, ref: '' };
    handoff.ref = await helpdesk.opened(fakes, handoff);

    // A later contact message goes to the helpdesk, and no agent answers it.
    await sms(LATER);
    await helpdesk.forwarded(fakes, handoff, LATER);
    await quiet(server);
    expect(sentTo(twilio, contact).map((m) => m.body)).toEqual([BOT_REPLY, HANDOFF_NOTICE]);

    // The helpdesk agent's signed reply reaches the contact through Twilio, once.
    const url = helpdesk.callbackUrl(fakes, handoff);
    expect(url).toBe(`${PUBLIC_URL}/v1/public/helpdesks/${helpdesk.provider}/${connection.id}`);
    const text = `Hello from the ${helpdesk.name} desk (${tag})`;
    const reply = helpdesk.reply(fakes, handoff, text, connection.inboundSecret);
    const first = await postToPublicUrl(server, url, reply);
    expect(first.status, await first.clone().text()).toBe(helpdesk.ack);
    const sent = await waitForSms(twilio, contact, text);
    expect(sent.from).toBe(NUMBER);
    expect(await waitForState(api, conversationId, 'human')).toMatchObject({ assignedTeamId: team.teamId });
    const stored = (await ok(api, 'GET', `/v1/conversations/${conversationId}/messages?pageSize=100`)).data;
    const human = stored.find((m: any) => m.role === 'human');
    expect(human).toMatchObject({ text, id: sent.idempotencyToken });

    const again = await postToPublicUrl(server, url, reply);
    expect(again.status).toBe(helpdesk.ack);

    // A forged callback is refused and delivers nothing.
    const forged = helpdesk.reply(fakes, handoff, `Forged reply (${tag})`, helpdesk.wrongSecret ?? 'not-the-secret-at-all');
    const refused = await postToPublicUrl(server, url, forged);
    expect([401, 403]).toContain(refused.status);
    expect(((await refused.json()) as any).success).toBe(false);

    await quiet(server);
    expect(twilio.messages.filter((m) => m.body === text)).toHaveLength(1);
    expect(twilio.messages.some((m) => m.body.startsWith('Forged reply'))).toBe(false);
    expect(sentTo(twilio, contact).map((m) => m.body)).toEqual([BOT_REPLY, HANDOFF_NOTICE, text]);
    expect((await ok(api, 'GET', `/v1/conversations/${conversationId}/messages?pageSize=100`)).data.filter((m: any) => m.role === 'human')).toHaveLength(1);

    // A reply holding a NUL reaches the contact with U+FFFD in its place: PostgreSQL could not store it as sent.
    const odd = `Odd\u0000byte (${tag})`;
    expect((await postToPublicUrl(server, url, helpdesk.reply(fakes, handoff, odd, connection.inboundSecret))).status).toBe(helpdesk.ack);
    await waitForSms(twilio, contact, odd.replace('\u0000', '\ufffd'));

    // The helpdesk resolves: so does the handoff, and the agent answers the next message, not the helpdesk.
    const resolved = await postToPublicUrl(server, url, helpdesk.resolved(fakes, handoff, connection.inboundSecret));
    expect(resolved.status).toBe(helpdesk.ack);
    await waitForState(api, conversationId, 'resolved');
    const calls = helpdesk.calls(fakes);
    await sms('What are your opening hours tomorrow?');
    await waitUntil(() => sentTo(twilio, contact).length === 5, 8000, 'the agent answering after the resolution');
    expect(sentTo(twilio, contact).at(-1)!.body).toBe(BOT_REPLY);
    expect((await conversation(api, conversationId)).handoffState).toBe('bot');
    await quiet(server);
    expect(helpdesk.calls(fakes)).toBe(calls);

    // The helpdesk's callbacks were applied where they arrived: nothing is left for the channel inbox.
    const events = await server.db.selectFrom('inbound_events').select(['status', 'last_error']).where('connection_id', '=', connection.id).execute();
    expect(events.length).toBeGreaterThan(0);
    expect(events.filter((e) => e.status === 'failed'), JSON.stringify(events)).toEqual([]);
  });

  it("checks a helpdesk connection's settings and credentials with its connector, naming the field", async () => {
    const secret = await createSecret(api, `any-secret-${randomUUID().slice(0, 8)}`, 'some-value');
    const refused = async (body: Record<string, unknown>, field: string) => {
      const response = await api('POST', '/v1/connections', { name: 'Bad desk', ...body });
      expect(response.status, JSON.stringify(response.body)).toBe(400);
      expect(response.body.error.details.map((d: any) => d.field)).toContain(field);
    };
    const before = (await ok(api, 'GET', '/v1/connections?pageSize=100')).data.length;
    await refused({ provider: 'zendesk', settings: { mode: 'ticket', subdomain: 'acme' }, credentials: { apiToken: secret } }, 'settings.email');
    await refused({ provider: 'zendesk', settings: { mode: 'sunshine' }, credentials: {} }, 'settings.appId');
    await refused({ provider: 'zendesk', settings: { mode: 'ticket', subdomain: 'acme', email: ZENDESK.email, colour: 'red' }, credentials: {} }, 'settings');
    await refused({ provider: 'servicenow', settings: { mode: 'chat', instance: 'acme', username: 'x' }, credentials: { password: secret } }, 'settings.mode');
    await refused({ provider: 'servicenow', settings: { instance: 'acme', username: 'x' }, credentials: {} }, 'credentials.password');
    await refused({ provider: 'genesys', settings: { integrationId: 'not-a-uuid' }, credentials: { clientId: secret, clientSecret: secret } }, 'settings.integrationId');
    await refused({ provider: 'genesys', settings: { integrationId: GENESYS.integrationId }, credentials: { clientId: secret, password: secret } }, 'credentials.password');
    expect((await ok(api, 'GET', '/v1/connections?pageSize=100')).data.length).toBe(before);

    // Defaults are filled in, as the connector reads them.
    const created = await ok(api, 'POST', '/v1/connections', {
      provider: 'servicenow',
      name: 'Defaults',
      settings: { instance: 'ACME', username: 'integration' },
      credentials: { password: secret },
    });
    expect(created.settings).toEqual({ mode: 'incident', instance: 'acme', username: 'integration' });
    expect(created.inboundUrl).toBe(`${PUBLIC_URL}/v1/public/helpdesks/servicenow/${created.id}`);
  });

  it('refuses callbacks for unknown connections and providers that do not match the connection', async () => {
    const unknown = await fetch(`${server.baseUrl}/v1/public/helpdesks/zendesk/conn_doesnotexist00`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(unknown.status).toBe(404);
    const connections = (await ok(api, 'GET', '/v1/connections?pageSize=100')).data as any[];
    const zendesk = connections.find((c) => c.provider === 'zendesk');
    expect(zendesk).toBeDefined();
    const mismatched = await fetch(`${server.baseUrl}/v1/public/helpdesks/genesys/${zendesk.id}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(mismatched.status).toBe(404);
    const notHelpdesk = await fetch(`${server.baseUrl}/v1/public/helpdesks/twilio/${connectionId}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(notHelpdesk.status).toBe(404);
  });
});

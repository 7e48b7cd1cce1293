import { describe, expect, it } from 'vitest';
import type { ConnectionContext } from '../../../packages/server/src/channels/adapter.js';
import { zendeskConnector, zendeskSettingsSchema } from '../../../packages/server/src/handoff/helpdesks/zendesk/index.js';
import {
  startFakeZendesk,
  sunshineMessageEvent,
  sunshineSwitchboardEvent,
  sunshineWebhookRequest,
  zendeskWebhookRequest,
  type FakeZendesk,
} from '../../fakes/zendesk.js';
import {
  connectionContext,
  expectAuthError,
  expectDeliveryError,
  expectFormatError,
  handoffContext,
  json,
  rawFrom,
  refMatches,
  stubFetch,
  TRANSCRIPT,
  useFakeHelpdesk,
  withHeaders,
} from './support.js';

const EMAIL = 'handoff-bot@acme.example';
const API_TOKEN = 'zd_tok_6wiIBWbGkBMo1mRDMuVwkw1EPsNkeUj95PIz2akv';
const KEY_ID = 'app_5f1c0a7e3b2d4c00abcdef01';
const KEY_SECRET = 'sc_secret_vN3rS7x2Qp9LmK4tY8wZ1aB6cD0eF5gH';
const APP_ID = '5f1c0a7e3b2d4c0012345678';
const INBOUND_SECRET = 'Zk8qW3nR5tY7uI9oP1aS2dF4gH6jK8lZ';

let zendesk: FakeZendesk;

function ticketConnection(overrides: Partial<ConnectionContext> = {}): ConnectionContext {
  return connectionContext({
    id: 'conn_zd1',
    provider: 'zendesk',
    settings: { mode: 'ticket', subdomain: 'acme', email: EMAIL },
    secrets: { apiToken: API_TOKEN },
    inboundSecret: INBOUND_SECRET,
    apiBaseUrl: zendesk.url,
    ...overrides,
  });
}

function sunshineConnection(overrides: Partial<ConnectionContext> = {}): ConnectionContext {
  return connectionContext({
    id: 'conn_zd2',
    provider: 'zendesk',
    settings: { mode: 'sunshine', appId: APP_ID, subdomain: 'acme' },
    secrets: { keyId: KEY_ID, keySecret: KEY_SECRET },
    inboundSecret: INBOUND_SECRET,
    apiBaseUrl: zendesk.url,
    ...overrides,
  });
}

useFakeHelpdesk(() => startFakeZendesk({ email: EMAIL, apiToken: API_TOKEN, keyId: KEY_ID, keySecret: KEY_SECRET, appId: APP_ID }), (fake) => (zendesk = fake));

describe('zendesk settings', () => {
  it('defaults to ticket mode and normalizes the subdomain', () => {
    const parsed = zendeskSettingsSchema.parse({ subdomain: 'Acme.zendesk.com', email: EMAIL });
    expect(parsed).toEqual({ mode: 'ticket', subdomain: 'acme', email: EMAIL });
  });

  it('ticket mode needs a subdomain and an email; sunshine mode needs an appId', () => {
    const ticket = zendeskSettingsSchema.safeParse({ mode: 'ticket' });
    expect(ticket.success).toBe(false);
    expect(ticket.error?.issues.map((issue) => issue.path.join('.')).sort()).toEqual(['email', 'subdomain']);
    const sunshine = zendeskSettingsSchema.safeParse({ mode: 'sunshine', subdomain: 'acme' });
    expect(sunshine.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['appId']);
    expect(zendeskSettingsSchema.safeParse({ mode: 'sunshine', appId: APP_ID }).success).toBe(true);
  });

  it('is strict', () => {
    expect(zendeskSettingsSchema.safeParse({ subdomain: 'acme', email: EMAIL, token: 'x' }).success).toBe(false);
  });
});

describe('zendesk ticket mode: open', () => {
  it('creates a ticket with the transcript as its first comment, the conversation as external_id, Basic email/token auth', async () => {
    const ref = await zendeskConnector.open(handoffContext(ticketConnection()));

    expect(zendesk.tickets.size).toBe(1);
    const ticket = [...zendesk.tickets.values()][0]!;
    expect(ref).toEqual({ connection: 'conn_zd1', ticketId: String(ticket.id), requesterId: String(ticket.requesterId) });

    const request = zendesk.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/api/v2/tickets.json');
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from(`${EMAIL}/token:${API_TOKEN}`).toString('base64')}`);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['idempotency-key']).toMatch(/^switchboard-[0-9a-f]{40}$/);
    const sent = (request.json as { ticket: Record<string, any> }).ticket;
    expect(sent.external_id).toBe('conv_7Hq2LmX9');
    expect(sent.subject).toBe('Handoff: Ada Lovelace via whatsapp');
    expect(sent.requester).toEqual({ name: 'Ada Lovelace' });
    expect(sent.tags).toEqual(expect.arrayContaining(['switchboard', 'switchboard_handoff', 'switchboard_whatsapp']));
    expect(sent.comment.public).toBe(false);
    const body: string = sent.comment.body;
    expect(body).toContain('Handoff from Switchboard: The contact asked for a person');
    expect(body).toContain('Switchboard conversation: conv_7Hq2LmX9');
    expect(body).toContain('[2025-06-09 10:00:00 UTC] Ada Lovelace: Hi, my order #1042 never arrived.');
    expect(body).toContain('[2025-06-09 10:00:02 UTC] AI agent: Sorry to hear that! Let me check order #1042.');
    for (const turn of TRANSCRIPT) expect(body).toContain(turn.text);
    expect(ticket.comments[0]!.body).toBe(body);
  });

  it('passes group, priority and extra tags from the settings; an email contact becomes the requester email', async () => {
    const connection = ticketConnection({ settings: { mode: 'ticket', subdomain: 'acme', email: EMAIL, groupId: 360001, priority: 'high', tags: ['vip'] } });
    await zendeskConnector.open(handoffContext(connection, { conversation: { id: 'conv_e1', channelType: 'email', contactId: 'ct_e1', contactExternalId: 'ada@example.org' } }));
    const sent = (zendesk.requests[0]!.json as { ticket: Record<string, any> }).ticket;
    expect(sent.group_id).toBe(360001);
    expect(sent.priority).toBe('high');
    expect(sent.tags).toContain('vip');
    expect(sent.requester).toEqual({ name: 'ada@example.org', email: 'ada@example.org' });
  });

  it('a retried open reuses the Idempotency-Key: Zendesk returns the same ticket', async () => {
    const context = handoffContext(ticketConnection());
    const first = await zendeskConnector.open(context);
    const second = await zendeskConnector.open(context);
    expect(second).toEqual(first);
    expect(zendesk.tickets.size).toBe(1);
    expect(zendesk.requests[0]!.headers['idempotency-key']).toBe(zendesk.requests[1]!.headers['idempotency-key']);
  });

  it('builds https://{subdomain}.zendesk.com when the connection has no API base URL', async () => {
    const stub = stubFetch(() => json(201, { ticket: { id: 77, requester_id: 5 } }));
    const ref = await zendeskConnector.open(handoffContext(ticketConnection({ apiBaseUrl: '' })), stub.fetch);
    expect(stub.calls[0]!.url).toBe('https://acme.zendesk.com/api/v2/tickets.json');
    expect(ref).toEqual({ connection: 'conn_zd1', ticketId: '77', requesterId: '5' });
  });

  it('maps failures: bad credentials are final, 429/5xx and network errors retry', async () => {
    const unauthorized = await expectDeliveryError(zendeskConnector.open(handoffContext(ticketConnection({ secrets: { apiToken: 'wrong' } }))));
    expect(unauthorized.options).toMatchObject({ retryable: false, status: 401 });

    zendesk.failNext(429, { retryAfter: 7 });
    const limited = await expectDeliveryError(zendeskConnector.open(handoffContext(ticketConnection())));
    expect(limited.options).toMatchObject({ retryable: true, status: 429, retryAfterMs: 7000 });

    zendesk.dropNext();
    const dropped = await expectDeliveryError(zendeskConnector.open(handoffContext(ticketConnection())));
    expect(dropped.options.retryable).toBe(true);

    const noToken = await expectDeliveryError(zendeskConnector.open(handoffContext(ticketConnection({ secrets: {} }))));
    expect(noToken.options.retryable).toBe(false);
    expect(noToken.message).toMatch(/apiToken/);
    expect(zendesk.tickets.size).toBe(0);
  });
});

describe('zendesk ticket mode: forward', () => {
  it("adds the contact's message as a public comment from the requester", async () => {
    const context = handoffContext(ticketConnection());
    const ref = await zendeskConnector.open(context);
    await zendeskConnector.forward(context, ref, 'Hello? Is anyone there?');

    const request = zendesk.requests.at(-1)!;
    expect(request.method).toBe('PUT');
    expect(request.path).toBe(`/api/v2/tickets/${ref.ticketId}.json`);
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from(`${EMAIL}/token:${API_TOKEN}`).toString('base64')}`);
    expect(request.json).toEqual({ ticket: { comment: { body: 'Hello? Is anyone there?', public: true, author_id: Number(ref.requesterId) } } });
    const ticket = zendesk.tickets.get(Number(ref.ticketId))!;
    expect(ticket.comments.at(-1)).toMatchObject({ body: 'Hello? Is anyone there?', public: true, authorId: Number(ref.requesterId) });
  });

  it('a closed ticket refuses the comment for good (422)', async () => {
    const context = handoffContext(ticketConnection());
    const ref = await zendeskConnector.open(context);
    zendesk.tickets.get(Number(ref.ticketId))!.status = 'closed';
    const error = await expectDeliveryError(zendeskConnector.forward(context, ref, 'still there?'));
    expect(error.options).toMatchObject({ retryable: false, status: 422 });
  });
});

describe('zendesk ticket mode: verify (X-Zendesk-Webhook-Signature)', () => {
  async function reply(secret = INBOUND_SECRET, timestamp?: string) {
    const ref = await zendeskConnector.open(handoffContext(ticketConnection()));
    return { ref, request: zendesk.agentReply({ ticketId: ref.ticketId!, text: 'Hi Ada, I am looking into it now.', secret, ...(timestamp && { timestamp }) }) };
  }

  it('accepts a webhook signed with the inbound secret', async () => {
    const { request } = await reply();
    expect(() => zendeskConnector.verify(rawFrom(request), ticketConnection())).not.toThrow();
  });

  it('uses the webhookSecret credential (the signing secret Zendesk generated) when it is set', async () => {
    const { request } = await reply('zd_generated_signing_secret_0123456789');
    const connection = ticketConnection({ secrets: { apiToken: API_TOKEN, webhookSecret: 'zd_generated_signing_secret_0123456789' } });
    expect(() => zendeskConnector.verify(rawFrom(request), connection)).not.toThrow();
    expectAuthError(() => zendeskConnector.verify(rawFrom(request), ticketConnection()));
  });

  it('refuses a missing signature, a missing timestamp, a wrong secret and a tampered body (401)', async () => {
    const { request } = await reply();
    expect(expectAuthError(() => zendeskConnector.verify(rawFrom(withHeaders(request, { 'x-zendesk-webhook-signature': undefined })), ticketConnection())).message).toMatch(
      /X-Zendesk-Webhook-Signature header is missing/,
    );
    expect(
      expectAuthError(() => zendeskConnector.verify(rawFrom(withHeaders(request, { 'x-zendesk-webhook-signature-timestamp': undefined })), ticketConnection())).message,
    ).toMatch(/Timestamp header is missing/);
    expect(expectAuthError(() => zendeskConnector.verify(rawFrom(request), ticketConnection({ inboundSecret: 'another-secret' }))).message).toMatch(/does not match/);
    const tampered = { ...request, body: request.body.replace('looking into it', 'ignoring you') };
    expectAuthError(() => zendeskConnector.verify(rawFrom(tampered), ticketConnection()));
  });

  it('refuses a stale timestamp, even correctly signed (replay window ±5 min)', async () => {
    const stale = new Date(Date.now() - 10 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const { request } = await reply(INBOUND_SECRET, stale);
    expect(expectAuthError(() => zendeskConnector.verify(rawFrom(request), ticketConnection())).message).toMatch(/outside the ±300 s window/);
    const future = new Date(Date.now() + 10 * 60_000).toISOString();
    const signed = zendeskWebhookRequest(INBOUND_SECRET, { ticket_id: '1' }, { timestamp: future });
    expect(expectAuthError(() => zendeskConnector.verify(rawFrom(signed), ticketConnection())).message).toMatch(/in the future/);
  });
});

describe('zendesk ticket mode: parse', () => {
  it("turns an agent's public comment into a message for the ticket's conversation", async () => {
    const ref = await zendeskConnector.open(handoffContext(ticketConnection()));
    const request = zendesk.agentReply({ ticketId: ref.ticketId!, text: 'Hi Ada, I am looking into it now.', secret: INBOUND_SECRET });
    const events = zendeskConnector.parse(rawFrom(request), ticketConnection());
    expect(events).toEqual([
      {
        ref: { connection: 'conn_zd1', ticketId: ref.ticketId },
        kind: 'message',
        text: 'Hi Ada, I am looking into it now.',
        author: { id: String(zendesk.agent.id), name: 'Sam Agent' },
        eventId: `zendesk:${request.headers['x-zendesk-webhook-invocation-id']}:message`,
      },
    ]);
    expect(refMatches(ref, events[0]!)).toBe(true);
    const again = zendesk.agentReply({ ticketId: ref.ticketId!, text: 'Found it.', secret: INBOUND_SECRET });
    expect(zendeskConnector.parse(rawFrom(again), ticketConnection())[0]!.eventId).not.toBe(events[0]!.eventId);
  });

  it('a reply that solves the ticket is a message then resolved; a status-only call is resolved', async () => {
    const ref = await zendeskConnector.open(handoffContext(ticketConnection()));
    const solving = zendesk.agentReply({ ticketId: ref.ticketId!, text: 'A replacement is on its way. Bye!', secret: INBOUND_SECRET, status: 'solved' });
    expect(zendeskConnector.parse(rawFrom(solving), ticketConnection()).map((event) => event.kind)).toEqual(['message', 'resolved']);

    const solved = zendeskWebhookRequest(INBOUND_SECRET, { ticket_id: ref.ticketId, status: 'Solved' });
    const events = zendeskConnector.parse(rawFrom(solved), ticketConnection());
    expect(events).toEqual([{ ref: { connection: 'conn_zd1', ticketId: ref.ticketId }, kind: 'resolved', eventId: expect.stringMatching(/^zendesk:.+:resolved$/) }]);
  });

  it('an assignee accepts the handoff, once per ticket and assignee', () => {
    const body = { ticket_id: '4101', assignee: { id: '35000000001', name: 'Sam Agent' } };
    const first = zendeskConnector.parse(rawFrom(zendeskWebhookRequest(INBOUND_SECRET, body)), ticketConnection());
    const second = zendeskConnector.parse(rawFrom(zendeskWebhookRequest(INBOUND_SECRET, body)), ticketConnection());
    expect(first).toEqual([{ ref: { connection: 'conn_zd1', ticketId: '4101' }, kind: 'accepted', author: { id: '35000000001', name: 'Sam Agent' }, eventId: 'zendesk:ticket:4101:accepted:35000000001' }]);
    expect(second[0]!.eventId).toBe(first[0]!.eventId);
    // An empty placeholder ({{ticket.assignee.id}} of an unassigned ticket) is no assignee.
    expect(zendeskConnector.parse(rawFrom(zendeskWebhookRequest(INBOUND_SECRET, { ticket_id: '4101', assignee: { id: '', name: '' } })), ticketConnection())).toEqual([]);
  });

  it('internal notes, end-user comments and empty comments are not agent replies', () => {
    const parse = (body: unknown) => zendeskConnector.parse(rawFrom(zendeskWebhookRequest(INBOUND_SECRET, body)), ticketConnection());
    expect(parse({ ticket_id: '4101', comment: { body: 'internal: refund approved', public: false }, author: { id: '1', name: 'Sam' } })).toEqual([]);
    expect(parse({ ticket_id: '4101', comment: 'I replied by email', author: { id: '2', name: 'Ada', role: 'end-user' } })).toEqual([]);
    expect(parse({ ticket_id: '4101', status: 'Open', comment: { body: '   ' } })).toEqual([]);
    // A plain string comment and author name are accepted too.
    expect(parse({ ticket_id: '4101', comment: 'On it!', author: 'Sam Agent', event_id: 'evt-1' })).toEqual([
      { ref: { connection: 'conn_zd1', ticketId: '4101' }, kind: 'message', text: 'On it!', author: { name: 'Sam Agent' }, eventId: 'zendesk:evt-1:message' },
    ]);
    // A comment id makes the event id, so two triggers reporting one comment are one event.
    expect(parse({ ticket_id: '4101', comment: { id: 9001, body: 'Hello' } })[0]!.eventId).toBe('zendesk:comment:9001');
  });

  it('refuses bodies that are not the configured webhook body (400)', () => {
    expectFormatError(() => zendeskConnector.parse(rawFrom(zendeskWebhookRequest(INBOUND_SECRET, 'not json')), ticketConnection()));
    expect(expectFormatError(() => zendeskConnector.parse(rawFrom(zendeskWebhookRequest(INBOUND_SECRET, { comment: 'hi' })), ticketConnection())).message).toMatch(/ticket_id/);
  });

  it('acknowledges with 200', () => {
    expect(zendeskConnector.acknowledge(rawFrom(zendeskWebhookRequest(INBOUND_SECRET, { ticket_id: '1' })))).toMatchObject({ status: 200 });
  });
});

describe('zendesk sunshine mode: open and forward', () => {
  const keyAuth = `Basic ${Buffer.from(`${KEY_ID}:${KEY_SECRET}`).toString('base64')}`;

  it('creates the user and a personal conversation, posts the transcript as the contact, and passes control to the next integration', async () => {
    const ref = await zendeskConnector.open(handoffContext(sunshineConnection()));

    expect(zendesk.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /v2/apps/${APP_ID}/users`,
      `POST /v2/apps/${APP_ID}/conversations`,
      `POST /v2/apps/${APP_ID}/conversations/${ref.conversationId}/messages`,
      `POST /v2/apps/${APP_ID}/conversations/${ref.conversationId}/passControl`,
    ]);
    for (const request of zendesk.requests) expect(request.headers.authorization).toBe(keyAuth);
    expect(ref).toEqual({ connection: 'conn_zd2', conversationId: expect.stringMatching(/^[0-9a-f]{24}$/), userExternalId: 'ct_ada01' });

    expect(zendesk.requests[0]!.json).toMatchObject({ externalId: 'ct_ada01', profile: { givenName: 'Ada Lovelace' } });
    expect(zendesk.requests[1]!.json).toMatchObject({
      type: 'personal',
      participants: [{ userExternalId: 'ct_ada01', subscribeSDKClient: false }],
      metadata: { switchboardConversationId: 'conv_7Hq2LmX9', switchboardChannel: 'whatsapp', handoffReason: 'The contact asked for a person' },
    });
    const conversation = zendesk.sunshine.conversations.get(ref.conversationId!)!;
    expect(conversation.messages).toHaveLength(1);
    const message = conversation.messages[0]!;
    expect(message.author).toEqual({ type: 'user', userExternalId: 'ct_ada01' });
    const text = String(message.content.text);
    expect(text).toContain('Handoff from Switchboard: The contact asked for a person');
    for (const turn of TRANSCRIPT) expect(text).toContain(turn.text);
    expect(conversation.passControls).toEqual([{ switchboardIntegration: 'next', metadata: { first_message_id: message.id } }]);
  });

  it('a second handoff for the same contact reuses the user and (without multi-conversations) their conversation', async () => {
    const first = await zendeskConnector.open(handoffContext(sunshineConnection()));
    zendesk.requests.length = 0;
    const second = await zendeskConnector.open(handoffContext(sunshineConnection(), { conversation: { id: 'conv_second', channelType: 'web', contactId: 'ct_ada01' } }));
    expect(second.conversationId).toBe(first.conversationId);
    expect(zendesk.requests.map((r) => r.status)).toEqual([409, 409, 200, 201, 200]);
    expect(zendesk.requests[2]!.query).toEqual({ 'filter[userExternalId]': 'ct_ada01' });
  });

  it('splits a transcript longer than 4096 characters over several messages', async () => {
    const long = Array.from({ length: 40 }, (_, i) => ({ role: (i % 2 ? 'agent' : 'contact') as 'agent' | 'contact', text: `Turn ${i}: ${'x'.repeat(200)}`, at: i * 1000 }));
    const ref = await zendeskConnector.open(handoffContext(sunshineConnection(), { transcript: long }));
    const messages = zendesk.sunshine.conversations.get(ref.conversationId!)!.messages;
    expect(messages.length).toBeGreaterThan(1);
    for (const message of messages) expect(String(message.content.text).length).toBeLessThanOrEqual(4096);
    const all = messages.map((m) => String(m.content.text)).join('\n');
    for (const turn of long) expect(all).toContain(turn.text);
  });

  it("forwards the contact's messages into the conversation as the user", async () => {
    const context = handoffContext(sunshineConnection());
    const ref = await zendeskConnector.open(context);
    await zendeskConnector.forward(context, ref, 'Any news?');
    const request = zendesk.requests.at(-1)!;
    expect(request.path).toBe(`/v2/apps/${APP_ID}/conversations/${ref.conversationId}/messages`);
    expect(request.json).toEqual({ author: { type: 'user', userExternalId: 'ct_ada01' }, content: { type: 'text', text: 'Any news?' } });
  });

  it('uses https://{subdomain}.zendesk.com/sc without an API base URL', async () => {
    const stub = stubFetch((url) =>
      url.endsWith('/users') ? json(201, { user: { id: 'u1' } }) : url.endsWith('/conversations') ? json(201, { conversation: { id: 'c1' } }) : url.endsWith('/messages') ? json(201, { messages: [{ id: 'm1' }] }) : json(200, {}),
    );
    await zendeskConnector.open(handoffContext(sunshineConnection({ apiBaseUrl: '' })), stub.fetch);
    expect(stub.calls.map((call) => call.url)).toEqual([
      `https://acme.zendesk.com/sc/v2/apps/${APP_ID}/users`,
      `https://acme.zendesk.com/sc/v2/apps/${APP_ID}/conversations`,
      `https://acme.zendesk.com/sc/v2/apps/${APP_ID}/conversations/c1/messages`,
      `https://acme.zendesk.com/sc/v2/apps/${APP_ID}/conversations/c1/passControl`,
    ]);
  });

  it('wrong API key: a final DeliveryError', async () => {
    const error = await expectDeliveryError(zendeskConnector.open(handoffContext(sunshineConnection({ secrets: { keyId: KEY_ID, keySecret: 'nope' } }))));
    expect(error.options).toMatchObject({ retryable: false, status: 401 });
  });
});

describe('zendesk sunshine mode: verify and parse', () => {
  it('verifies X-API-Key against the inbound secret (or the webhookSecret credential)', async () => {
    const ref = await zendeskConnector.open(handoffContext(sunshineConnection()));
    const request = zendesk.sunshineAgentReply({ conversationId: ref.conversationId!, text: 'Hi Ada, Sam here.', secret: INBOUND_SECRET });
    expect(() => zendeskConnector.verify(rawFrom(request), sunshineConnection())).not.toThrow();
    expect(expectAuthError(() => zendeskConnector.verify(rawFrom(withHeaders(request, { 'x-api-key': undefined })), sunshineConnection())).message).toMatch(/X-API-Key header is missing/);
    expectAuthError(() => zendeskConnector.verify(rawFrom(withHeaders(request, { 'x-api-key': 'guess' })), sunshineConnection()));
    const generated = sunshineWebhookRequest('sunshine-generated-secret', []);
    expect(() => zendeskConnector.verify(rawFrom(generated), sunshineConnection({ secrets: { webhookSecret: 'sunshine-generated-secret' } }))).not.toThrow();
    // A ticket-mode signature is not what a sunshine connection accepts.
    expectAuthError(() => zendeskConnector.verify(rawFrom(zendeskWebhookRequest(INBOUND_SECRET, { ticket_id: '1' })), sunshineConnection()));
  });

  it('business messages are replies; the contact\'s own messages are not', async () => {
    const ref = await zendeskConnector.open(handoffContext(sunshineConnection()));
    const request = zendesk.sunshineAgentReply({ conversationId: ref.conversationId!, text: 'Hi Ada, Sam here.', secret: INBOUND_SECRET });
    const events = zendeskConnector.parse(rawFrom(request), sunshineConnection());
    expect(events).toEqual([
      { ref: { connection: 'conn_zd2', conversationId: ref.conversationId }, kind: 'message', text: 'Hi Ada, Sam here.', author: { name: 'Sam Agent' }, eventId: expect.stringMatching(/^sunshine:message:[0-9a-f]{24}$/) },
    ]);
    expect(refMatches(ref, events[0]!)).toBe(true);

    const echo = sunshineWebhookRequest(INBOUND_SECRET, [sunshineMessageEvent({ conversationId: ref.conversationId!, text: 'Any news?', authorType: 'user' })]);
    expect(zendeskConnector.parse(rawFrom(echo), sunshineConnection())).toEqual([]);
  });

  it('acceptControl accepts, releaseControl resolves, passControl echoes are ignored', () => {
    const events = [
      sunshineSwitchboardEvent('switchboard:passControl', 'c1'),
      sunshineSwitchboardEvent('switchboard:acceptControl', 'c1'),
      sunshineMessageEvent({ conversationId: 'c1', text: 'Done, bye', messageId: 'm42' }),
      sunshineSwitchboardEvent('switchboard:releaseControl', 'c1'),
    ];
    const parsed = zendeskConnector.parse(rawFrom(sunshineWebhookRequest(INBOUND_SECRET, events)), sunshineConnection());
    expect(parsed.map((event) => [event.kind, event.eventId])).toEqual([
      ['accepted', `sunshine:${events[1]!.id}`],
      ['message', 'sunshine:message:m42'],
      ['resolved', `sunshine:${events[3]!.id}`],
    ]);
    for (const event of parsed) expect(event.ref).toEqual({ connection: 'conn_zd2', conversationId: 'c1' });
  });

  it('refuses a body without events (400)', () => {
    expectFormatError(() => zendeskConnector.parse(rawFrom({ headers: { 'x-api-key': INBOUND_SECRET }, body: '{"app":{}}' }), sunshineConnection()));
  });
});

import { describe, expect, it } from 'vitest';
import type { ConnectionContext } from '../../../packages/server/src/channels/adapter.js';
import { serviceNowConnector, serviceNowSettingsSchema } from '../../../packages/server/src/handoff/helpdesks/servicenow/index.js';
import { serviceNowCallbackRequest, startFakeServiceNow, type FakeServiceNow } from '../../fakes/servicenow.js';
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
  T0,
  TRANSCRIPT,
  useFakeHelpdesk,
  withHeaders,
} from './support.js';

const USERNAME = 'switchboard.integration';
const PASSWORD = 'Sn0w!pass-4f9c2a';
const BOT_TOKEN = 'ORANGE-7d1e';
const INBOUND_SECRET = 'snInb0und5ecretAbCdEfGhIjKlMnOpQr';

let servicenow: FakeServiceNow;

function incidentConnection(overrides: Partial<ConnectionContext> = {}): ConnectionContext {
  return connectionContext({
    id: 'conn_sn1',
    provider: 'servicenow',
    settings: { mode: 'incident', instance: 'acme', username: USERNAME, assignmentGroup: 'Service Desk', urgency: '2' },
    secrets: { password: PASSWORD },
    inboundSecret: INBOUND_SECRET,
    apiBaseUrl: servicenow.url,
    ...overrides,
  });
}

function liveConnection(overrides: Partial<ConnectionContext> = {}): ConnectionContext {
  return connectionContext({
    id: 'conn_sn2',
    provider: 'servicenow',
    settings: { mode: 'live-agent', instance: 'acme', username: USERNAME, contextVariables: { queue: 'billing' } },
    secrets: { password: PASSWORD, botToken: BOT_TOKEN },
    inboundSecret: INBOUND_SECRET,
    apiBaseUrl: servicenow.url,
    ...overrides,
  });
}

const basic = `Basic ${Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64')}`;

useFakeHelpdesk(() => startFakeServiceNow({ username: USERNAME, password: PASSWORD, botToken: BOT_TOKEN }), (fake) => (servicenow = fake));

describe('servicenow settings', () => {
  it('defaults to incident mode; instance is a name or a host', () => {
    expect(serviceNowSettingsSchema.parse({ instance: 'ACME', username: USERNAME })).toEqual({ mode: 'incident', instance: 'acme', username: USERNAME });
    expect(serviceNowSettingsSchema.parse({ instance: 'https://acme.servicenowservices.com/', username: USERNAME }).instance).toBe('acme.servicenowservices.com');
  });

  it('needs instance and username, and is strict', () => {
    const missing = serviceNowSettingsSchema.safeParse({ mode: 'live-agent' });
    expect(missing.error?.issues.map((issue) => issue.path.join('.')).sort()).toEqual(['instance', 'username']);
    expect(serviceNowSettingsSchema.safeParse({ instance: 'acme', username: USERNAME, password: 'x' }).success).toBe(false);
    expect(serviceNowSettingsSchema.safeParse({ instance: 'acme', username: USERNAME, mode: 'chat' }).success).toBe(false);
  });
});

describe('servicenow incident mode: open and forward', () => {
  it('creates an incident with the transcript in the description and the conversation as correlation_id', async () => {
    const ref = await serviceNowConnector.open(handoffContext(incidentConnection()));

    expect(servicenow.incidents.size).toBe(1);
    const incident = [...servicenow.incidents.values()][0]!;
    expect(ref).toEqual({ connection: 'conn_sn1', sysId: incident.sysId, number: incident.number });

    const request = servicenow.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/api/now/table/incident');
    expect(request.query).toEqual({ sysparm_exclude_reference_link: 'true', sysparm_fields: 'sys_id,number,state' });
    expect(request.headers.authorization).toBe(basic);
    const sent = request.json as Record<string, string>;
    expect(sent).toMatchObject({
      short_description: 'Handoff: Ada Lovelace via whatsapp',
      correlation_id: 'conv_7Hq2LmX9',
      correlation_display: 'Switchboard',
      contact_type: 'chat',
      assignment_group: 'Service Desk',
      urgency: '2',
    });
    expect(sent.description).toContain('Handoff from Switchboard: The contact asked for a person');
    for (const turn of TRANSCRIPT) expect(sent.description).toContain(turn.text);
    expect(incident.fields.correlation_id).toBe('conv_7Hq2LmX9');
  });

  it('keeps the description within 4000 characters and puts a long transcript in full into a work note', async () => {
    const long = Array.from({ length: 40 }, (_, i) => ({ role: (i % 3 === 2 ? 'human' : i % 2 ? 'agent' : 'contact') as 'human' | 'agent' | 'contact', text: `Turn ${i}: ${'z'.repeat(150)}`, at: T0 + i * 1000 }));
    const ref = await serviceNowConnector.open(handoffContext(incidentConnection(), { transcript: long }));
    const sent = servicenow.requests[0]!.json as { description: string; work_notes?: string };
    expect(sent.description.length).toBeLessThanOrEqual(4000);
    expect(sent.description).toMatch(/… \d+ earlier turns omitted/);
    expect(sent.description).toContain(long.at(-1)!.text);
    for (const turn of long) expect(sent.work_notes).toContain(turn.text);
    expect(sent.work_notes).toContain('Human agent: Turn 2:');
    expect(servicenow.incidents.get(ref.sysId!)!.journal.map((entry) => entry.element)).toEqual(['work_notes']);
    // A short transcript needs no work note.
    servicenow.reset();
    await serviceNowConnector.open(handoffContext(incidentConnection()));
    expect((servicenow.requests[0]!.json as Record<string, string>).work_notes).toBeUndefined();
  });

  it("adds the contact's messages as Additional comments", async () => {
    const context = handoffContext(incidentConnection());
    const ref = await serviceNowConnector.open(context);
    await serviceNowConnector.forward(context, ref, 'Any update?');
    const request = servicenow.requests.at(-1)!;
    expect(request.method).toBe('PATCH');
    expect(request.path).toBe(`/api/now/table/incident/${ref.sysId}`);
    expect(request.headers.authorization).toBe(basic);
    expect(request.json).toEqual({ comments: 'Ada Lovelace: Any update?' });
    expect(servicenow.incidents.get(ref.sysId!)!.journal).toEqual([{ element: 'comments', value: 'Ada Lovelace: Any update?', createdBy: USERNAME, createdOn: expect.any(String) }]);
  });

  it('builds https://{instance}.service-now.com (or the host given) without an API base URL', async () => {
    const stub = stubFetch(() => json(201, { result: { sys_id: 'a'.repeat(32), number: 'INC0010001' } }));
    await serviceNowConnector.open(handoffContext(incidentConnection({ apiBaseUrl: '' })), stub.fetch);
    await serviceNowConnector.open(handoffContext(incidentConnection({ apiBaseUrl: '', settings: { instance: 'acme.servicenowservices.com', username: USERNAME } })), stub.fetch);
    expect(stub.calls.map((call) => new URL(call.url).origin + new URL(call.url).pathname)).toEqual([
      'https://acme.service-now.com/api/now/table/incident',
      'https://acme.servicenowservices.com/api/now/table/incident',
    ]);
  });

  it('maps failures: a wrong password is final, 503 retries, an unknown incident is final', async () => {
    const denied = await expectDeliveryError(serviceNowConnector.open(handoffContext(incidentConnection({ secrets: { password: 'wrong' } }))));
    expect(denied.options).toMatchObject({ retryable: false, status: 401 });
    servicenow.failNext(503, { retryAfter: 3 });
    const busy = await expectDeliveryError(serviceNowConnector.open(handoffContext(incidentConnection())));
    expect(busy.options).toMatchObject({ retryable: true, status: 503, retryAfterMs: 3000 });
    const gone = await expectDeliveryError(serviceNowConnector.forward(handoffContext(incidentConnection()), { sysId: 'f'.repeat(32) }, 'hello'));
    expect(gone.options).toMatchObject({ retryable: false, status: 404 });
    const bad = await expectDeliveryError(serviceNowConnector.open(handoffContext(incidentConnection({ settings: { instance: 'acme' } }))));
    expect(bad.message).toMatch(/settings are not valid \(username/);
  });
});

describe('servicenow verify (Authorization: Bearer <inbound secret>)', () => {
  const request = serviceNowCallbackRequest(INBOUND_SECRET, { sys_id: 'a'.repeat(32), comment: 'hi' });

  it('accepts the inbound secret as a bearer token', () => {
    expect(() => serviceNowConnector.verify(rawFrom(request), incidentConnection())).not.toThrow();
    expect(() => serviceNowConnector.verify(rawFrom(withHeaders(request, { authorization: `bearer   ${INBOUND_SECRET}` })), incidentConnection())).not.toThrow();
  });

  it('refuses a missing header, another scheme and a wrong token (401)', () => {
    expect(expectAuthError(() => serviceNowConnector.verify(rawFrom(withHeaders(request, { authorization: undefined })), incidentConnection())).message).toMatch(/missing/);
    const basicAuth = `Basic ${Buffer.from(`x:${INBOUND_SECRET}`).toString('base64')}`;
    expectAuthError(() => serviceNowConnector.verify(rawFrom(withHeaders(request, { authorization: basicAuth })), incidentConnection()));
    expect(expectAuthError(() => serviceNowConnector.verify(rawFrom(withHeaders(request, { authorization: 'Bearer guess' })), incidentConnection())).message).toMatch(/does not match/);
  });
});

describe('servicenow incident mode: parse', () => {
  it("an agent's Additional comment is a message (journal header stripped); In Progress accepts once", async () => {
    const ref = await serviceNowConnector.open(handoffContext(incidentConnection()));
    const request = servicenow.agentComment({ sysId: ref.sysId!, text: 'Hi Ada, Beth here. Checking with the courier.', state: '2', secret: INBOUND_SECRET });
    const events = serviceNowConnector.parse(rawFrom(request), incidentConnection());
    expect(events).toEqual([
      { ref: { connection: 'conn_sn1', sysId: ref.sysId }, kind: 'accepted', author: { name: 'Beth Anglin' }, eventId: `servicenow:incident:${ref.sysId}:accepted` },
      { ref: { connection: 'conn_sn1', sysId: ref.sysId }, kind: 'message', text: 'Hi Ada, Beth here. Checking with the courier.', author: { id: 'beth.anglin', name: 'Beth Anglin' }, eventId: `servicenow:incident:${ref.sysId}:1:message` },
    ]);
    for (const event of events) expect(refMatches(ref, event)).toBe(true);
    const next = servicenow.agentComment({ sysId: ref.sysId!, text: 'The courier confirms a loss.', secret: INBOUND_SECRET });
    const later = serviceNowConnector.parse(rawFrom(next), incidentConnection());
    expect(later.map((event) => event.eventId)).toEqual([`servicenow:incident:${ref.sysId}:accepted`, `servicenow:incident:${ref.sysId}:2:message`]);
  });

  it('Resolved, Closed and Canceled resolve the handoff', async () => {
    const ref = await serviceNowConnector.open(handoffContext(incidentConnection()));
    const resolving = servicenow.agentComment({ sysId: ref.sysId!, text: 'Refund issued.', state: '6', secret: INBOUND_SECRET });
    expect(serviceNowConnector.parse(rawFrom(resolving), incidentConnection()).map((event) => event.kind)).toEqual(['message', 'resolved']);
    for (const state of ['7', '8', 'Closed', 'Resolved']) {
      const events = serviceNowConnector.parse(rawFrom(serviceNowCallbackRequest(INBOUND_SECRET, { sys_id: ref.sysId, state })), incidentConnection());
      expect(events.map((event) => event.kind)).toEqual(['resolved']);
    }
  });

  it('work notes and our own forwarded comments are not agent replies', async () => {
    const ref = await serviceNowConnector.open(handoffContext(incidentConnection()));
    const note = servicenow.agentComment({ sysId: ref.sysId!, text: 'internal: check warehouse', workNote: true, secret: INBOUND_SECRET });
    expect(serviceNowConnector.parse(rawFrom(note), incidentConnection())).toEqual([]);
    const echo = serviceNowCallbackRequest(INBOUND_SECRET, { sys_id: ref.sysId, comment: 'Ada Lovelace: Any update?', author: { id: USERNAME, name: 'Switchboard Integration' }, sys_mod_count: '3' });
    expect(serviceNowConnector.parse(rawFrom(echo), incidentConnection())).toEqual([]);
  });

  it('refuses a body without sys_id (400)', () => {
    expectFormatError(() => serviceNowConnector.parse(rawFrom(serviceNowCallbackRequest(INBOUND_SECRET, { comment: 'hi' })), incidentConnection()));
    expectFormatError(() => serviceNowConnector.parse(rawFrom(serviceNowCallbackRequest(INBOUND_SECRET, '<xml/>')), incidentConnection()));
  });

  it('acknowledges with 200 {"status":"success"}', () => {
    expect(serviceNowConnector.acknowledge(rawFrom(serviceNowCallbackRequest(INBOUND_SECRET, {})))).toEqual({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"status":"success"}' });
  });
});

describe('servicenow live-agent mode: open and forward', () => {
  it('escalates with action AGENT, the transcript as history, clientSessionId = conversation id', async () => {
    const ref = await serviceNowConnector.open(handoffContext(liveConnection()));
    expect(ref).toEqual({ connection: 'conn_sn2', clientSessionId: 'conv_7Hq2LmX9', userId: '+447700900123' });

    const request = servicenow.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/api/sn_va_as_service/bot/integration');
    expect(request.headers.authorization).toBe(basic);
    expect(request.headers.token).toBe(BOT_TOKEN);
    const sent = request.json as Record<string, any>;
    expect(sent).toMatchObject({
      action: 'AGENT',
      botToBot: true,
      clientSessionId: 'conv_7Hq2LmX9',
      userId: '+447700900123',
      message: { typed: true },
      contextVariables: { live_agent_only: 'true', queue: 'billing' },
    });
    expect(sent.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent.message.text).toContain('Handoff from Switchboard: The contact asked for a person');
    expect(sent.history).toEqual(
      TRANSCRIPT.map((turn) => ({ displayName: turn.role === 'contact' ? 'Ada Lovelace' : 'Bot', isBotMessage: turn.role !== 'contact', timestamp: String(turn.at), type: 'text', value: turn.text })),
    );
    expect(servicenow.sessions.get('conv_7Hq2LmX9')).toBeDefined();
  });

  it('forwards later messages into the chat (no action)', async () => {
    const context = handoffContext(liveConnection());
    const ref = await serviceNowConnector.open(context);
    await serviceNowConnector.forward(context, ref, 'Are you there?');
    const sent = servicenow.requests.at(-1)!.json as Record<string, any>;
    expect(sent.action).toBeUndefined();
    expect(sent).toMatchObject({ clientSessionId: 'conv_7Hq2LmX9', userId: '+447700900123', message: { text: 'Are you there?', typed: true } });
    expect(servicenow.sessions.get('conv_7Hq2LmX9')!.messages).toHaveLength(1);
  });

  it('a missing bot token or a failure status is a DeliveryError', async () => {
    const noToken = await expectDeliveryError(serviceNowConnector.open(handoffContext(liveConnection({ secrets: { password: PASSWORD } }))));
    expect(noToken.options).toMatchObject({ retryable: false, status: 401 });
    const stub = stubFetch(() => json(200, { status: 'failure', error: { message: 'Provider channel disabled', detail: 'sys_cs_provider inactive' } }));
    const failed = await expectDeliveryError(serviceNowConnector.open(handoffContext(liveConnection()), stub.fetch));
    expect(failed.message).toMatch(/Provider channel disabled \(sys_cs_provider inactive\)/);
    expect(failed.options.retryable).toBe(false);
  });
});

describe('servicenow live-agent mode: parse', () => {
  it("a live agent's message accepts the handoff (once) and is a reply", async () => {
    const ref = await serviceNowConnector.open(handoffContext(liveConnection()));
    const request = servicenow.liveAgentReply({ clientSessionId: 'conv_7Hq2LmX9', text: 'Hi, this is Beth from billing.', secret: INBOUND_SECRET });
    expect(() => serviceNowConnector.verify(rawFrom(request), liveConnection())).not.toThrow();
    const events = serviceNowConnector.parse(rawFrom(request), liveConnection());
    const author = { id: servicenow.agent.sysId, name: 'Beth Anglin' };
    expect(events).toEqual([
      { ref: { connection: 'conn_sn2', clientSessionId: 'conv_7Hq2LmX9' }, kind: 'accepted', author, eventId: 'servicenow:live:conv_7Hq2LmX9:accepted' },
      { ref: { connection: 'conn_sn2', clientSessionId: 'conv_7Hq2LmX9' }, kind: 'message', text: 'Hi, this is Beth from billing.', author, eventId: expect.stringMatching(/^servicenow:message:[0-9a-f]{32}$/) },
    ]);
    for (const event of events) expect(refMatches(ref, event)).toBe(true);
    const second = serviceNowConnector.parse(rawFrom(servicenow.liveAgentReply({ clientSessionId: 'conv_7Hq2LmX9', text: 'One moment.', secret: INBOUND_SECRET })), liveConnection());
    expect(second[0]!.eventId).toBe('servicenow:live:conv_7Hq2LmX9:accepted');
    expect(second[1]!.eventId).not.toBe(events[1]!.eventId);
  });

  it('the chat ending resolves it', async () => {
    await serviceNowConnector.open(handoffContext(liveConnection()));
    const request = servicenow.liveAgentEnd({ clientSessionId: 'conv_7Hq2LmX9', secret: INBOUND_SECRET });
    expect(serviceNowConnector.parse(rawFrom(request), liveConnection())).toEqual([
      { ref: { connection: 'conn_sn2', clientSessionId: 'conv_7Hq2LmX9' }, kind: 'resolved', eventId: expect.stringMatching(/^servicenow:live:conv_7Hq2LmX9:resolved:/) },
    ]);
  });

  it("the Virtual Agent's own topic output and bare acknowledgements are not relayed", () => {
    const botTurn = serviceNowCallbackRequest(INBOUND_SECRET, {
      requestId: 'r1',
      clientSessionId: 'conv_7Hq2LmX9',
      body: [{ uiType: 'OutputText', group: 'DefaultText', value: "I am sorry but I didn't understand your request.", maskType: 'NONE' }],
      score: 0,
    });
    expect(serviceNowConnector.parse(rawFrom(botTurn), liveConnection())).toEqual([]);
    expect(serviceNowConnector.parse(rawFrom(serviceNowCallbackRequest(INBOUND_SECRET, 'Message Processed Successfully')), liveConnection())).toEqual([]);
    // agentChat without agentInfo (e.g. "Please stand by…") is relayed without an author.
    const standBy = serviceNowCallbackRequest(INBOUND_SECRET, {
      requestId: 'r2',
      clientSessionId: 'conv_7Hq2LmX9',
      body: [{ uiType: 'OutputText', group: 'DefaultText', value: 'Please stand by while I connect you to a live agent.' }],
      agentChat: true,
    });
    expect(serviceNowConnector.parse(rawFrom(standBy), liveConnection())).toEqual([
      { ref: { connection: 'conn_sn2', clientSessionId: 'conv_7Hq2LmX9' }, kind: 'message', text: 'Please stand by while I connect you to a live agent.', eventId: expect.stringMatching(/^servicenow:live:sha256:[0-9a-f]{32}:0$/) },
    ]);
    expectFormatError(() => serviceNowConnector.parse(rawFrom(serviceNowCallbackRequest(INBOUND_SECRET, '{broken')), liveConnection()));
  });
});

import { describe, expect, it } from 'vitest';
import type { ConnectionContext } from '../../../packages/server/src/channels/adapter.js';
import { helpdeskWebhookConnector, helpdeskWebhookSettingsSchema } from '../../../packages/server/src/handoff/helpdesks/webhook/index.js';
import { signedHelpdeskCallback, startFakeHelpdeskWebhook, type FakeHelpdeskWebhook } from '../../fakes/helpdesk-webhook.js';
import { connectionContext, expectAuthError, expectDeliveryError, expectFormatError, handoffContext, rawFrom, refMatches, TRANSCRIPT, useFakeHelpdesk, withHeaders } from './support.js';

// Official Standard Webhooks test secret (providers.md) for what Switchboard signs; another for what comes back.
const SIGNING_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const INBOUND_SECRET = 'whsec_dGhpcyBpcyB0aGUgaW5ib3VuZCBzZWNyZXQgMzIh';

let helpdesk: FakeHelpdeskWebhook;

function connection(overrides: Partial<ConnectionContext> = {}): ConnectionContext {
  return connectionContext({
    id: 'conn_wh1',
    provider: 'webhook',
    settings: { url: helpdesk.url },
    secrets: { signingSecret: SIGNING_SECRET },
    inboundSecret: INBOUND_SECRET,
    ...overrides,
  });
}

useFakeHelpdesk(() => startFakeHelpdeskWebhook({ secret: SIGNING_SECRET }), (fake) => (helpdesk = fake));

describe('webhook helpdesk settings', () => {
  it('takes url (or outboundUrl, as custom webhook channels on the same connection call it); strict', () => {
    expect(helpdeskWebhookSettingsSchema.safeParse({ url: 'https://desk.example.com/hooks' }).success).toBe(true);
    expect(helpdeskWebhookSettingsSchema.safeParse({ outboundUrl: 'https://desk.example.com/hooks' }).success).toBe(true);
    expect(helpdeskWebhookSettingsSchema.safeParse({}).error?.issues[0]?.path).toEqual(['url']);
    expect(helpdeskWebhookSettingsSchema.safeParse({ url: 'mailto:desk@example.com' }).success).toBe(false);
    expect(helpdeskWebhookSettingsSchema.safeParse({ url: 'https://desk.example.com', secret: 'x' }).success).toBe(false);
  });
});

describe('webhook helpdesk open and forward', () => {
  it('POSTs handoff.opened with the contact, the transcript and the reason, signed with Standard Webhooks', async () => {
    const context = handoffContext(connection());
    const ref = await helpdeskWebhookConnector.open(context);
    expect(ref).toEqual({ connection: 'conn_wh1', conversationId: 'conv_7Hq2LmX9' });

    expect(helpdesk.requests).toHaveLength(1);
    expect(helpdesk.requests[0]!.verified).toBe(true);
    expect(helpdesk.requests[0]!.headers['content-type']).toBe('application/json');
    expect(helpdesk.events).toHaveLength(1);
    expect(helpdesk.events[0]!.webhookId).toMatch(/^hnd_[0-9a-f]{32}$/);
    expect(helpdesk.events[0]!.payload).toEqual({
      type: 'handoff.opened',
      conversationId: 'conv_7Hq2LmX9',
      contact: { id: 'ct_ada01', name: 'Ada Lovelace', externalId: '+447700900123', channelType: 'whatsapp' },
      transcript: TRANSCRIPT,
      reason: 'The contact asked for a person',
      replyUrl: context.inboundUrl,
    });
  });

  it('a retried open repeats its webhook-id (the helpdesk drops the duplicate)', async () => {
    const context = handoffContext(connection());
    await helpdeskWebhookConnector.open(context);
    await helpdeskWebhookConnector.open(context);
    expect(helpdesk.requests).toHaveLength(2);
    expect(helpdesk.events).toHaveLength(1);
  });

  it('POSTs handoff.message for a later contact message; its id is stable when the message is in the transcript', async () => {
    const message = 'Hello? Still there?';
    const context = handoffContext(connection(), { transcript: [...TRANSCRIPT, { role: 'contact', text: message, at: TRANSCRIPT.at(-1)!.at + 60_000 }] });
    const ref = await helpdeskWebhookConnector.open(context);
    await helpdeskWebhookConnector.forward(context, ref, message);
    await helpdeskWebhookConnector.forward(context, ref, message);
    expect(helpdesk.events).toHaveLength(2);
    expect(helpdesk.events[1]!.webhookId).toMatch(/^hmsg_[0-9a-f]{32}$/);
    expect(helpdesk.events[1]!.payload).toEqual({
      type: 'handoff.message',
      conversationId: 'conv_7Hq2LmX9',
      contact: { id: 'ct_ada01', name: 'Ada Lovelace', externalId: '+447700900123', channelType: 'whatsapp' },
      text: message,
      reason: 'The contact asked for a person',
    });
  });

  it('works with a custom webhook channel connection (outboundUrl, outboundSecret)', async () => {
    await helpdeskWebhookConnector.open(handoffContext(connection({ settings: { outboundUrl: helpdesk.url }, secrets: { outboundSecret: SIGNING_SECRET } })));
    expect(helpdesk.events).toHaveLength(1);
  });

  it('failures: no secret or a bad one is final, 5xx and dropped connections retry, 4xx is final', async () => {
    expect((await expectDeliveryError(helpdeskWebhookConnector.open(handoffContext(connection({ secrets: {} }))))).options.retryable).toBe(false);
    expect((await expectDeliveryError(helpdeskWebhookConnector.open(handoffContext(connection({ secrets: { signingSecret: 'whsec_!!' } }))))).options.retryable).toBe(false);
    helpdesk.failNext(503, { retryAfter: 5 });
    expect((await expectDeliveryError(helpdeskWebhookConnector.open(handoffContext(connection())))).options).toMatchObject({ retryable: true, status: 503, retryAfterMs: 5000 });
    helpdesk.dropNext();
    expect((await expectDeliveryError(helpdeskWebhookConnector.open(handoffContext(connection())))).options.retryable).toBe(true);
    helpdesk.failNext(400);
    expect((await expectDeliveryError(helpdeskWebhookConnector.open(handoffContext(connection())))).options).toMatchObject({ retryable: false, status: 400 });
    // Signed with another secret: the helpdesk refuses it (401), for good.
    expect((await expectDeliveryError(helpdeskWebhookConnector.open(handoffContext(connection({ secrets: { signingSecret: INBOUND_SECRET } }))))).options).toMatchObject({
      retryable: false,
      status: 401,
    });
  });
});

describe('webhook helpdesk verify (Standard Webhooks with the inbound secret)', () => {
  it('accepts a callback signed with the inbound secret', () => {
    const request = helpdesk.agentMessage({ conversationId: 'conv_7Hq2LmX9', text: 'Hi Ada!', secret: INBOUND_SECRET });
    expect(() => helpdeskWebhookConnector.verify(rawFrom(request), connection())).not.toThrow();
  });

  it('refuses missing headers, a wrong secret, a tampered body and a stale timestamp (401)', () => {
    const request = helpdesk.agentMessage({ conversationId: 'conv_7Hq2LmX9', text: 'Hi Ada!', secret: INBOUND_SECRET });
    for (const header of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      expect(expectAuthError(() => helpdeskWebhookConnector.verify(rawFrom(withHeaders(request, { [header]: undefined })), connection())).message).toMatch(new RegExp(`Missing ${header}`));
    }
    expectAuthError(() => helpdeskWebhookConnector.verify(rawFrom(helpdesk.agentMessage({ conversationId: 'c', text: 'x', secret: SIGNING_SECRET })), connection()));
    expectAuthError(() => helpdeskWebhookConnector.verify(rawFrom({ ...request, body: request.body.replace('Hi Ada!', 'Bye Ada!') }), connection()));
    const stale = helpdesk.agentMessage({ conversationId: 'conv_7Hq2LmX9', text: 'Hi Ada!', secret: INBOUND_SECRET, timestamp: new Date(Date.now() - 10 * 60_000) });
    expect(expectAuthError(() => helpdeskWebhookConnector.verify(rawFrom(stale), connection())).message).toMatch(/tolerance/);
  });
});

describe('webhook helpdesk parse', () => {
  it('agent.message, agent.accepted and handoff.resolved, keyed by webhook-id', async () => {
    const ref = await helpdeskWebhookConnector.open(handoffContext(connection()));
    const message = helpdesk.agentMessage({ conversationId: 'conv_7Hq2LmX9', text: 'Hi Ada, Riley here.', secret: INBOUND_SECRET, webhookId: 'msg_agent_1' });
    const accept = helpdesk.accept({ conversationId: 'conv_7Hq2LmX9', secret: INBOUND_SECRET });
    const resolve = helpdesk.resolve({ conversationId: 'conv_7Hq2LmX9', secret: INBOUND_SECRET });
    const expectedRef = { connection: 'conn_wh1', conversationId: 'conv_7Hq2LmX9' };
    expect(helpdeskWebhookConnector.parse(rawFrom(message), connection())).toEqual([
      { ref: expectedRef, kind: 'message', text: 'Hi Ada, Riley here.', author: { id: 'agt_77', name: 'Riley Support' }, eventId: 'webhook:msg_agent_1' },
    ]);
    expect(helpdeskWebhookConnector.parse(rawFrom(accept), connection())).toEqual([
      { ref: expectedRef, kind: 'accepted', author: { id: 'agt_77', name: 'Riley Support' }, eventId: `webhook:${accept.headers['webhook-id']}` },
    ]);
    const resolved = helpdeskWebhookConnector.parse(rawFrom(resolve), connection());
    expect(resolved).toEqual([{ ref: expectedRef, kind: 'resolved', eventId: `webhook:${resolve.headers['webhook-id']}` }]);
    expect(refMatches(ref, resolved[0]!)).toBe(true);
  });

  it('unknown types yield nothing; malformed callbacks are refused (400)', () => {
    const parse = (payload: unknown) => helpdeskWebhookConnector.parse(rawFrom(signedHelpdeskCallback(INBOUND_SECRET, payload)), connection());
    expect(parse({ type: 'agent.typing', conversationId: 'c1' })).toEqual([]);
    expectFormatError(() => parse({ type: 'agent.message', conversationId: 'c1' }));
    expectFormatError(() => parse({ type: 'agent.message', text: 'hi' }));
    expectFormatError(() => parse({ conversationId: 'c1' }));
    expectFormatError(() => parse('[1,2]'));
  });

  it('acknowledges with 202', () => {
    expect(helpdeskWebhookConnector.acknowledge(rawFrom(helpdesk.resolve({ conversationId: 'c', secret: INBOUND_SECRET })))).toMatchObject({ status: 202 });
  });
});

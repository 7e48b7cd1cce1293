/**
 * Shared set-up of the handoff end-to-end tests: a live Switchboard with short delivery and inbox
 * timings, an SMS channel on a fake Twilio driven with signed webhooks, and the few queries the
 * tests assert with (the conversation of a contact, its handoff state, "nothing more happened").
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { Webhook } from 'standardwebhooks';
import type { Engine } from '@switchboard/server';
import { startLiveServer, type LiveServer } from '../helpers/live-server.js';
import { controlApi } from '../helpers/control.js';
import { waitUntil } from '../helpers/wait.js';
import { inboundSmsParams, signedTwilioWebhook, type FakeTwilio, type FakeTwilioMessage } from '../fakes/twilio.js';
import type { ReceivedWebhookRequest } from '../fakes/webhook-receiver.js';

export const PUBLIC_URL = 'https://switchboard.example.com';
export const ORIGIN = 'http://localhost:5500';
/** What the contact is told when a handoff starts (handoff-service.ts). */
export const HANDOFF_NOTICE = "I'm connecting you with a member of our team. They will reply here.";

export type Api = ReturnType<typeof controlApi>;

export async function startHandoffServer(engine: Engine): Promise<{ server: LiveServer; api: Api; workspaceId: string }> {
  const server = await startLiveServer(engine, {
    publicUrl: PUBLIC_URL,
    delivery: { baseDelayMs: 20, maxDelayMs: 200, pollMs: 50 },
    inbox: { pollMs: 100 },
    runtimeRateLimits: { perIp: 10_000, perToken: 10_000 },
  });
  const workspace = await server.newWorkspace();
  return { server, api: controlApi(server.baseUrl, workspace.apiKey), workspaceId: workspace.workspaceId };
}

/** Expects a 2xx answer and returns its `data`. */
export async function ok(api: Api, method: string, path: string, body?: unknown): Promise<any> {
  const response = await api(method, path, body);
  expect(response.status, `${method} ${path}: ${JSON.stringify(response.body)}`).toBeLessThan(300);
  return response.body.data;
}

export async function createSecret(api: Api, name: string, value: string): Promise<string> {
  return (await ok(api, 'POST', '/v1/secrets', { name, value })).id as string;
}

/** A Twilio connection whose API is the fake. */
export async function twilioConnection(api: Api, twilio: FakeTwilio): Promise<string> {
  const token = await createSecret(api, `twilio-${randomBytes(3).toString('hex')}`, twilio.authToken);
  const connection = await ok(api, 'POST', '/v1/connections', {
    provider: 'twilio',
    name: 'Twilio',
    settings: { accountSid: twilio.accountSid },
    credentials: { authToken: token },
    apiBaseUrl: twilio.url,
  });
  return connection.id as string;
}

/** An agent (scripted unless another backend is given). */
export async function createAgent(api: Api, name: string, backend: Record<string, unknown>): Promise<string> {
  return (await ok(api, 'POST', '/v1/agents', { name, backend })).id as string;
}

/** A scripted agent whose every answer starts with its name, so replies tell which agent spoke. */
export const scripted = (name: string, rules: { pattern: string; reply: string }[] = []) => ({
  type: 'scripted',
  rules: rules.length > 0 ? rules.map((rule) => ({ match: 'keyword', ...rule })) : [{ match: 'keyword', pattern: 'opening hours', reply: `${name}: we open at nine.` }],
  fallback: `${name}: how can I help?`,
});

/** An SMS channel on a Twilio number, answered by `agentId` through an active deployment. */
export async function smsChannel(api: Api, connectionId: string, phoneNumber: string, agentId: string): Promise<string> {
  const phone = await ok(api, 'POST', '/v1/phone-configurations', { phoneNumber, provider: 'twilio', connectionId });
  const channel = await ok(api, 'POST', '/v1/deployment-channels', {
    channelIdentifier: phoneNumber,
    deploymentType: 'sms',
    configuration: { phoneConfigurationId: phone.id },
  });
  await ok(api, 'POST', '/v1/deployment-configurations', { deploymentChannelId: channel.id, agentId, status: 'active' });
  return channel.id as string;
}

/** A team with one member; returns both ids. */
export async function createTeam(api: Api, name: string, options: { helpdeskConnectionId?: string; member?: string } = {}) {
  const team = await ok(api, 'POST', '/v1/teams', { name, ...(options.helpdeskConnectionId && { helpdeskConnectionId: options.helpdeskConnectionId }) });
  const member = options.member ?? `${name.toLowerCase().replace(/[^a-z]+/g, '')}-agent`;
  const added = await ok(api, 'POST', `/v1/teams/${team.id}/members`, { name: member, email: `${member}@example.com` });
  return { teamId: team.id as string, memberId: added.id as string };
}

let sidCounter = 0;
/** A unique Twilio message SID. */
export const messageSid = () => `SM${randomBytes(12).toString('hex')}${String((sidCounter += 1)).padStart(8, '0')}`;

/** Sends an SMS from a contact to a Switchboard number, signed as Twilio signs it; expects 200. */
export async function sendSms(server: LiveServer, twilio: FakeTwilio, connectionId: string, input: { from: string; to: string; body: string }) {
  const path = `/v1/public/channels/twilio/${connectionId}`;
  const params = inboundSmsParams({ MessageSid: messageSid(), SmsSid: messageSid(), SmsMessageSid: messageSid(), From: input.from, To: input.to, Body: input.body });
  const { headers, body } = signedTwilioWebhook(twilio.authToken, `${PUBLIC_URL}${path}`, params);
  const response = await fetch(`${server.baseUrl}${path}`, { method: 'POST', headers, body });
  expect(response.status).toBe(200);
}

/** Messages the fake Twilio sent to a number. */
export const sentTo = (twilio: FakeTwilio, to: string): FakeTwilioMessage[] => twilio.messages.filter((m) => m.to === to);

/** Waits for the message with this body sent to `to` at the fake Twilio. */
export const waitForSms = (twilio: FakeTwilio, to: string, body: string, timeoutMs = 8000) =>
  waitUntil(() => twilio.messages.find((m) => m.to === to && m.body === body), timeoutMs, `"${body}" sent to ${to}`);

/** The open conversation of a contact (by its external id: the phone number), once it exists. */
export async function conversationOf(server: LiveServer, externalId: string): Promise<string> {
  return waitUntil(
    async () => {
      const row = await server.db
        .selectFrom('conversations')
        .innerJoin('contacts', 'contacts.id', 'conversations.contact_id')
        .select('conversations.id')
        .where('contacts.external_id', '=', externalId)
        .where('conversations.status', '=', 'open')
        .executeTakeFirst();
      return row?.id;
    },
    8000,
    `the conversation of ${externalId}`,
  );
}

export async function conversation(api: Api, id: string): Promise<any> {
  return ok(api, 'GET', `/v1/conversations/${id}`);
}

/** Waits until the conversation is in `state`; returns it. */
export async function waitForState(api: Api, id: string, state: string, timeoutMs = 8000): Promise<any> {
  return waitUntil(
    async () => {
      const current = await conversation(api, id);
      return current.handoffState === state ? current : undefined;
    },
    timeoutMs,
    `conversation ${id} in state ${state}`,
  );
}

/**
 * Waits until nothing is left to do — every inbound event processed, every delivery finished,
 * every agent turn over — then a short bounded wait: after it, no further message can reach a
 * fake. Used only to prove that something did NOT happen.
 */
export async function quiet(server: LiveServer, graceMs = 300): Promise<void> {
  await waitUntil(
    async () => {
      const events = await server.db.selectFrom('inbound_events').select('id').where('status', 'in', ['pending', 'processing']).execute();
      const deliveries = await server.db.selectFrom('deliveries').select('id').where('status', 'in', ['pending', 'sending']).execute();
      return events.length === 0 && deliveries.length === 0;
    },
    8000,
    'every inbound event processed and every delivery finished',
  );
  await server.app.inbox.idle();
  await server.app.conversations.drain();
  await new Promise((resolve) => setTimeout(resolve, graceMs));
  await server.app.inbox.idle();
  await server.app.conversations.drain();
}

/** Verifies a received webhook subscription request with the standardwebhooks package; the JSON body. */
export function verifiedEvent(secret: string, request: ReceivedWebhookRequest): Record<string, any> {
  return new Webhook(secret).verify(request.body, {
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  }) as Record<string, any>;
}

/** A tiny agent backend: answers every webhook turn with `answer` (JSON), recording the turns. */
export async function startAgentBackend(answer: Record<string, unknown>) {
  const turns: { headers: IncomingMessage['headers']; body: any }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      turns.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/turn`,
    turns,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Sends a helpdesk callback (as a fake builds it) to a URL on the public URL, rewritten to the live server. */
export function postToPublicUrl(server: LiveServer, publicUrl: string, request: { method: 'POST'; headers: Record<string, string>; body: string }): Promise<Response> {
  expect(publicUrl.startsWith(PUBLIC_URL)).toBe(true);
  return fetch(`${server.baseUrl}${publicUrl.slice(PUBLIC_URL.length)}`, { method: request.method, headers: request.headers, body: request.body });
}

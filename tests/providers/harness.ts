/**
 * Shared set-up of the provider end-to-end tests: a live Switchboard on one engine with short
 * delivery and inbox timings, a workspace driven through the control-plane API, and the few
 * queries the tests assert with (rows stored, everything processed and delivered).
 */
import { expect } from 'vitest';
import type { Engine } from '@switchboard/server';
import { startLiveServer, type LiveServer } from '../helpers/live-server.js';
import { controlApi } from '../helpers/control.js';
import { waitUntil } from '../helpers/wait.js';

export const PUBLIC_URL = 'https://switchboard.example.com';

export type Api = ReturnType<typeof controlApi>;

export interface ProviderHarness {
  server: LiveServer;
  api: Api;
  close(): Promise<void>;
}

export async function startProviderHarness(engine: Engine): Promise<ProviderHarness> {
  const server = await startLiveServer(engine, {
    publicUrl: PUBLIC_URL,
    delivery: { baseDelayMs: 20, maxDelayMs: 200, pollMs: 50, maxAttempts: 3 },
    inbox: { pollMs: 100 },
  });
  const api = controlApi(server.baseUrl, (await server.newWorkspace()).apiKey);
  return { server, api, close: () => server.close() };
}

/** Stores a workspace secret and returns its id. */
export async function createSecret(api: Api, name: string, value: string): Promise<string> {
  const secret = await api('POST', '/v1/secrets', { name, value });
  expect(secret.status, JSON.stringify(secret.body)).toBe(201);
  expect(JSON.stringify(secret.body)).not.toContain(value);
  return secret.body.data.id as string;
}

export interface ConnectionView {
  id: string;
  inboundUrl: string;
  inboundSecret: string;
  [field: string]: unknown;
}

/** Creates a connection and checks its inbound URL is on the public URL. */
export async function createConnection(api: Api, body: Record<string, unknown>): Promise<ConnectionView> {
  const connection = await api('POST', '/v1/connections', body);
  expect(connection.status, JSON.stringify(connection.body)).toBe(201);
  const view = connection.body.data as ConnectionView;
  expect(view.inboundUrl).toBe(`${PUBLIC_URL}/v1/public/channels/${String(body.provider)}/${view.id}`);
  expect(view.inboundSecret.length).toBeGreaterThan(0);
  return view;
}

/** A deployment channel answered by an echo agent through an active deployment. */
export async function deployEcho(api: Api, channel: Record<string, unknown>): Promise<{ channelId: string; agentId: string }> {
  const created = await api('POST', '/v1/deployment-channels', channel);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const agent = await api('POST', '/v1/agents', { name: `Echo ${String(channel.deploymentType)}` });
  expect(agent.status, JSON.stringify(agent.body)).toBe(201);
  const deployment = await api('POST', '/v1/deployment-configurations', {
    deploymentChannelId: created.body.data.id,
    agentId: agent.body.data.id,
    status: 'active',
  });
  expect(deployment.status, JSON.stringify(deployment.body)).toBe(201);
  return { channelId: created.body.data.id, agentId: agent.body.data.id };
}

/** The path of a connection's inbound URL (what the provider calls, below PUBLIC_URL). */
export const inboundPath = (provider: string, connectionId: string, subpath = '') => `/v1/public/channels/${provider}/${connectionId}${subpath}`;

/**
 * The inbound calls of a Weixin-style connection (WeChat, WeCom), which are signed in the query:
 * `url(query)` is the connection's public inbound URL with that query, `post` sends an XML callback
 * to it. `target` is read on each call, so it may name a harness and connection set up later.
 */
export function weixinInbound(provider: 'wechat' | 'wecom', target: () => { h: ProviderHarness; connectionId: string }) {
  const url = (query: Record<string, string>) => {
    const { h, connectionId } = target();
    return `${h.server.baseUrl}${inboundPath(provider, connectionId)}?${new URLSearchParams(query)}`;
  };
  const post = ({ query, body }: { query: Record<string, string>; body: string }) => fetch(url(query), { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
  return { url, post };
}

export async function countRows(server: LiveServer, table: 'inbound_events' | 'messages' | 'deliveries'): Promise<number> {
  const row = await server.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Contact messages stored for one provider event id (the dedupe key of the contact message). */
export async function contactMessages(server: LiveServer, providerEventId: string) {
  return server.db.selectFrom('messages').selectAll().where('role', '=', 'contact').where('client_message_id', '=', providerEventId).execute();
}

/** The inbound events recorded for one provider event id. */
export async function inboundEvents(server: LiveServer, providerEventId: string) {
  return server.db.selectFrom('inbound_events').selectAll().where('provider_event_id', '=', providerEventId).execute();
}

/**
 * Waits until nothing is left to do: every inbound event processed (or failed) and every
 * delivery sent (or dead). After that no further reply can reach a fake provider.
 */
export async function settled(server: LiveServer, timeoutMs = 5000): Promise<void> {
  await waitUntil(
    async () => {
      const events = await server.db.selectFrom('inbound_events').select('id').where('status', 'in', ['pending', 'processing']).execute();
      const deliveries = await server.db.selectFrom('deliveries').select('id').where('status', 'in', ['pending', 'sending']).execute();
      return events.length === 0 && deliveries.length === 0;
    },
    timeoutMs,
    'every inbound event processed and every delivery finished',
  );
  await server.app.inbox.idle();
}

/** A refused webhook: the status, and the JSON error whose message says what was wrong. */
export async function refusal(response: Response): Promise<{ status: number; message: string }> {
  expect(response.headers.get('content-type')).toContain('application/json');
  const body = (await response.json()) as { success: boolean; message: string };
  expect(body.success).toBe(false);
  return { status: response.status, message: body.message };
}

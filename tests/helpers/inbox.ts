/** A widget to start conversations with, as a browser does, for the inbox and event-stream tests. */
import { expect } from 'vitest';
import { controlApi } from './control.js';

export const INBOX_ORIGIN = 'http://localhost:5600';

export type Api = ReturnType<typeof controlApi>;

export async function ok(api: Api, method: string, path: string, body?: unknown): Promise<any> {
  const response = await api(method, path, body);
  expect(response.status, `${method} ${path}: ${JSON.stringify(response.body)}`).toBeLessThan(300);
  return response.body.data;
}

export interface Widget {
  agentId: string;
  channelId: string;
  token: string;
}

/** An agent answering "Bot: …" deployed on a web channel. */
export async function createWidget(api: Api, name = 'Inbox'): Promise<Widget> {
  const agentId = (
    await ok(api, 'POST', '/v1/agents', {
      name,
      backend: { type: 'scripted', rules: [{ match: 'keyword', pattern: 'hours', reply: 'Bot: we open at nine.' }], fallback: 'Bot: how can I help?' },
    })
  ).id;
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const web = await ok(api, 'POST', `/v1/agents/${agentId}/deployments`, {
    name: `${name} widget`,
    allowedOrigins: [INBOX_ORIGIN],
    channel: { channelIdentifier: `https://${slug}-${Date.now()}.example.com` },
  });
  return { agentId, channelId: web.deploymentChannelId ?? web.channelId ?? web.channel?.id, token: web.token };
}

export interface Visitor {
  conversationId: string;
  say(text: string): Promise<void>;
}

/** A visitor who opens the widget: a new conversation. */
export async function startVisitor(baseUrl: string, widget: Widget): Promise<Visitor> {
  const headers = { authorization: `Bearer ${widget.token}`, origin: INBOX_ORIGIN, 'content-type': 'application/json' };
  const started = await fetch(`${baseUrl}/v1/public/runtime/sessions`, { method: 'POST', headers, body: '{}' });
  expect(started.status).toBe(201);
  const session = ((await started.json()) as any).data;
  let n = 0;
  return {
    conversationId: session.sessionId,
    async say(text) {
      const sent = await fetch(`${baseUrl}/v1/public/runtime/sessions/${session.sessionId}/messages`, {
        method: 'POST',
        headers: { ...headers, 'x-visitor-token': session.visitorToken },
        body: JSON.stringify({ text, clientMessageId: `m-${(n += 1)}-${Date.now()}` }),
      });
      expect(sent.status).toBe(202);
    },
  };
}

/** A team with one answering member. */
export async function createTeam(api: Api, name: string, member = `${name} person`): Promise<{ teamId: string; memberId: string }> {
  const team = await ok(api, 'POST', '/v1/teams', { name });
  const added = await ok(api, 'POST', `/v1/teams/${team.id}/members`, { name: member, email: `${member.toLowerCase().replace(/[^a-z]+/g, '.')}@example.com` });
  return { teamId: team.id, memberId: added.id };
}

/**
 * `client.deployments`, `client.conversations` and the agent backends of `client.agents`,
 * run against a real Switchboard on both engines. The widget's side (the public runtime)
 * is spoken with plain fetch, as a browser would.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AgentBackendType,
  ConflictError,
  NotFoundError,
  SwitchboardClient,
  ValidationError,
  type Agent,
  type IssuedWebDeployment,
  type Message,
  type WebDeployment,
} from '@switchboard/sdk';
import { ENGINES } from '../helpers/engines.js';
import { startLiveServer, type LiveServer } from '../helpers/live-server.js';

const ORIGIN = 'http://localhost:5500';
const OTHER_ORIGIN = 'https://shop.example.com';

describe.each(ENGINES)('SDK deployments, conversations and agent backends on %s', (engine) => {
  let server: LiveServer;
  let client: SwitchboardClient;

  beforeAll(async () => {
    server = await startLiveServer(engine, { runtimeRateLimits: { perIp: 10_000, perToken: 10_000 } });
    const { apiKey } = await server.newWorkspace();
    client = new SwitchboardClient({ apiKey, baseUrl: server.baseUrl });
  });
  afterAll(async () => {
    await server.close();
  });

  const uniqueSite = () => `https://site-${Math.random().toString(36).slice(2)}.example.com`;

  async function deploy(name = 'Concierge'): Promise<{ agent: Agent; deployment: IssuedWebDeployment }> {
    const agent = await client.agents.create({ name, introductionMessage: 'Hi! How can I help?' });
    const deployment = await client.deployments.create(agent.id, {
      name: `${name} widget`,
      allowedOrigins: [ORIGIN],
      channel: { channelIdentifier: uniqueSite() },
      theme: { primaryColor: '#112233', headerTitle: 'Help' },
    });
    return { agent, deployment };
  }

  /** Calls the public runtime API the way the widget does. */
  async function runtime(path: string, token: string, body: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${server.baseUrl}/v1/public/runtime${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, origin: ORIGIN, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  }

  describe('client.deployments', () => {
    it('creates a deployment whose token and snippet are shown once', async () => {
      const { agent, deployment } = await deploy();
      expect(deployment).toMatchObject({
        agentId: agent.id,
        name: 'Concierge widget',
        allowedOrigins: [ORIGIN],
        theme: { primaryColor: '#112233', headerTitle: 'Help' },
        revokedAt: null,
      });
      expect(deployment.token).toMatch(/^cdp_/);
      expect(deployment.tokenPrefix).toBe(deployment.token.slice(0, deployment.tokenPrefix.length));
      expect(deployment.embedSnippet).toContain(deployment.token);

      const listed = await client.deployments.list(agent.id);
      expect(listed.meta).toMatchObject({ page: 1, totalCount: 1 });
      expect(listed.data).toHaveLength(1);
      const [first] = listed.data as [WebDeployment];
      expect(first).toMatchObject({ id: deployment.id, tokenPrefix: deployment.tokenPrefix });
      expect(first).not.toHaveProperty('token');
      expect(first).not.toHaveProperty('embedSnippet');
      expect(JSON.stringify(listed)).not.toContain(deployment.token);

      const fetched = await client.deployments.get(agent.id, deployment.id);
      const { token: _token, embedSnippet: _snippet, ...publicView } = deployment;
      expect(fetched).toEqual(publicView);
      expect(JSON.stringify(fetched)).not.toContain(deployment.token);
    });

    it('paginates the list', async () => {
      const { agent } = await deploy('Paged');
      await client.deployments.create(agent.id, { allowedOrigins: [OTHER_ORIGIN], channel: { channelIdentifier: uniqueSite() } });
      const page = await client.deployments.list(agent.id, { page: 2, pageSize: 1 });
      expect(page.meta).toMatchObject({ page: 2, pageSize: 1, totalCount: 2 });
      expect(page.data).toHaveLength(1);
    });

    it('updates origins and theme', async () => {
      const { agent, deployment } = await deploy();
      const updated = await client.deployments.update(agent.id, deployment.id, {
        allowedOrigins: [ORIGIN, OTHER_ORIGIN],
        theme: { primaryColor: '#ff0000', position: 'left', greeting: 'Welcome!' },
      });
      expect(updated.allowedOrigins).toEqual([ORIGIN, OTHER_ORIGIN]);
      // The theme is replaced whole: headerTitle is gone.
      expect(updated.theme).toEqual({ primaryColor: '#ff0000', position: 'left', greeting: 'Welcome!' });
      expect(updated.name).toBe('Concierge widget');
      expect(await client.deployments.get(agent.id, deployment.id)).toEqual(updated);

      const renamed = await client.deployments.update(agent.id, deployment.id, { name: 'Renamed' });
      expect(renamed).toMatchObject({ name: 'Renamed', allowedOrigins: [ORIGIN, OTHER_ORIGIN], theme: updated.theme });
    });

    it('returns the embed snippet, naming the token by its prefix', async () => {
      const { agent, deployment } = await deploy();
      const snippet = await client.deployments.embedSnippet(agent.id, deployment.id);
      expect(snippet.snippet).toContain(deployment.tokenPrefix);
      expect(snippet.snippet).toContain(agent.id);
      expect(snippet.snippet).not.toContain(deployment.token);
      expect(snippet.loaderUrl).toMatch(/\/embed\/v1\.js$/);
      expect(snippet.snippet).toContain(snippet.loaderUrl);
      expect(typeof snippet.apiUrl).toBe('string');
    });

    it('rotates the token: a new one is shown once and the old one stops working', async () => {
      const { agent, deployment } = await deploy();
      const rotated = await client.deployments.rotate(agent.id, deployment.id);
      expect(rotated.id).toBe(deployment.id);
      expect(rotated.token).toMatch(/^cdp_/);
      expect(rotated.token).not.toBe(deployment.token);
      expect(rotated.tokenPrefix).not.toBe(deployment.tokenPrefix);
      expect(rotated.embedSnippet).toContain(rotated.token);

      const fetched = await client.deployments.get(agent.id, deployment.id);
      expect(fetched.tokenPrefix).toBe(rotated.tokenPrefix);
      expect(fetched).not.toHaveProperty('token');
      const listed = await client.deployments.list(agent.id);
      expect(JSON.stringify(listed)).not.toContain(deployment.tokenPrefix);
      expect(JSON.stringify(listed)).not.toContain(rotated.token);

      expect((await runtime('/sessions', deployment.token, {})).status).toBe(401);
      expect((await runtime('/sessions', rotated.token, {})).status).toBe(201);
    });

    it('revokes a deployment: revokedAt is set and the token stops working', async () => {
      const { agent, deployment } = await deploy();
      expect((await runtime('/sessions', deployment.token, {})).status).toBe(201);
      const before = Date.now();
      const revoked = await client.deployments.revoke(agent.id, deployment.id);
      expect(revoked.id).toBe(deployment.id);
      expect(revoked.revokedAt).toEqual(expect.any(Number));
      expect(revoked.revokedAt!).toBeGreaterThanOrEqual(before - 5_000);
      expect((await client.deployments.get(agent.id, deployment.id)).revokedAt).toBe(revoked.revokedAt);

      const refused = await runtime('/sessions', deployment.token, {});
      expect(refused.status).toBe(401);
      expect(refused.body.message).toBe('Deployment token was revoked');
      await expect(client.deployments.rotate(agent.id, deployment.id)).rejects.toBeInstanceOf(ConflictError);
    });

    it('rejects an inexact origin before sending, telling the accepted form', async () => {
      const agent = await client.agents.create({ name: 'Origins' });
      const error = await client.deployments.create(agent.id, { allowedOrigins: ['http://localhost:5500/'] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).message).toContain('use "http://localhost:5500"');
      expect((error as ValidationError).issues[0]).toMatchObject({ field: 'allowedOrigins.0' });
      expect((await client.deployments.list(agent.id)).data).toEqual([]);

      const { deployment } = await deploy();
      const updateError = await client.deployments
        .update(deployment.agentId, deployment.id, { allowedOrigins: [ORIGIN, 'HTTPS://Example.com'] })
        .catch((e: unknown) => e);
      expect(updateError).toBeInstanceOf(ValidationError);
      expect((updateError as ValidationError).message).toContain('use "https://example.com"');
      expect((await client.deployments.get(deployment.agentId, deployment.id)).allowedOrigins).toEqual([ORIGIN]);

      await expect(client.deployments.update(deployment.agentId, deployment.id, { theme: { primaryColor: 'url(javascript:1)' } })).rejects.toBeInstanceOf(
        ValidationError,
      );
      await expect(client.deployments.update(deployment.agentId, deployment.id, { id: 'wdep_other' })).rejects.toThrow(/must match the id/);
      await expect(client.deployments.get('', deployment.id)).rejects.toThrow(ValidationError);
    });

    it('maps a missing agent or deployment to NotFoundError', async () => {
      const missing = await client.deployments.create('agent_doesnotexist', { allowedOrigins: [ORIGIN] }).catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(NotFoundError);
      expect(missing).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
      await expect(client.deployments.list('agent_doesnotexist')).rejects.toBeInstanceOf(NotFoundError);

      const { agent, deployment } = await deploy();
      const other = await client.agents.create({ name: 'Someone else' });
      await expect(client.deployments.get(other.id, deployment.id)).rejects.toBeInstanceOf(NotFoundError);
      await expect(client.deployments.embedSnippet(agent.id, 'wdep_doesnotexist')).rejects.toBeInstanceOf(NotFoundError);
      await expect(client.deployments.revoke(agent.id, 'wdep_doesnotexist')).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('client.conversations', () => {
    it('shows a widget conversation, its transcript, and an agent reply posted later', async () => {
      const { agent, deployment } = await deploy('Talker');
      const started = await runtime('/sessions', deployment.token, {});
      expect(started.status).toBe(201);
      const { sessionId, visitorToken } = started.body.data as { sessionId: string; visitorToken: string };

      const sent = await runtime(`/sessions/${sessionId}/messages`, deployment.token, { text: 'Hello there', clientMessageId: 'c-1' }, { 'x-visitor-token': visitorToken });
      expect(sent.status).toBe(202);
      await server.app.conversations.drain();

      const listed = await client.conversations.list();
      const conversation = listed.data.find((c) => c.id === sessionId);
      expect(conversation).toMatchObject({ agentId: agent.id, webDeploymentId: deployment.id, channelId: deployment.deploymentChannelId, status: 'open' });

      const fetched = await client.conversations.get(sessionId);
      expect(fetched).toEqual(conversation);
      expect(fetched.lastMessageAt).toEqual(expect.any(Number));

      const transcript = await client.conversations.messages(sessionId);
      expect(transcript.meta).toMatchObject({ page: 1, totalCount: 2 });
      expect(transcript.data.map((m) => [m.role, m.text])).toEqual([
        ['contact', 'Hello there'],
        ['agent', 'Hello there'],
      ]);
      expect(transcript.data[0]).toMatchObject({ conversationId: sessionId, sessionId, clientMessageId: 'c-1', fallback: false });

      const posted = await client.conversations.postMessage(sessionId, { text: 'A human will follow up shortly.', clientMessageId: 'late-1' });
      expect(posted).toMatchObject({ conversationId: sessionId, role: 'agent', text: 'A human will follow up shortly.', clientMessageId: 'late-1' });
      const again = await client.conversations.postMessage(sessionId, { text: 'A human will follow up shortly.', clientMessageId: 'late-1' });
      expect(again.id).toBe(posted.id);

      const after = await client.conversations.messages(sessionId);
      expect(after.data).toHaveLength(3);
      expect(after.data.at(-1)).toEqual(posted);
      const page2 = await client.conversations.messages(sessionId, { page: 2, pageSize: 2 });
      expect(page2.data.map((m: Message) => m.id)).toEqual([posted.id]);
    });

    it('validates before sending and maps an unknown conversation to NotFoundError', async () => {
      await expect(client.conversations.postMessage('conv_x', { text: '   ' })).rejects.toBeInstanceOf(ValidationError);
      await expect(client.conversations.postMessage('conv_x', { text: 'hi', clientMessageId: 'has space' })).rejects.toBeInstanceOf(ValidationError);
      await expect(client.conversations.messages('conv_x', { pageSize: 0 })).rejects.toBeInstanceOf(ValidationError);
      await expect(client.conversations.get('conv_doesnotexist')).rejects.toBeInstanceOf(NotFoundError);
      await expect(client.conversations.messages('conv_doesnotexist')).rejects.toBeInstanceOf(NotFoundError);
      await expect(client.conversations.postMessage('conv_doesnotexist', { text: 'hi' })).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('client.agents backends', () => {
    it('creates a webhook agent: signingSecret once, then only a masked secret', async () => {
      const created = await client.agents.create({
        name: 'Hooked',
        backend: { type: AgentBackendType.WEBHOOK, url: 'https://hooks.example.com/switchboard' },
      });
      expect(created.signingSecret).toMatch(/^whsec_/);
      expect(created.backend).toMatchObject({
        type: 'webhook',
        url: 'https://hooks.example.com/switchboard',
        timeoutMs: 15_000,
        secret: { mask: expect.any(String), fingerprint: expect.any(String) },
      });
      const secret = created.signingSecret!;
      expect(JSON.stringify(created.backend)).not.toContain(secret);

      const fetched = await client.agents.get(created.id);
      expect(fetched).not.toHaveProperty('signingSecret');
      expect(fetched.backend).toEqual(created.backend);
      expect(JSON.stringify(fetched)).not.toContain(secret);
      const listed = await client.agents.list({ pageSize: 100 });
      expect(JSON.stringify(listed)).not.toContain(secret);
      expect(listed.data.find((a) => a.id === created.id)).not.toHaveProperty('signingSecret');

      // Same type without `secret`: the stored one is kept and not shown again.
      const updated = await client.agents.update({ id: created.id, backend: { type: 'webhook', url: 'https://hooks.example.com/v2', timeoutMs: 5_000 } });
      expect(updated).not.toHaveProperty('signingSecret');
      expect(updated.backend).toMatchObject({ type: 'webhook', url: 'https://hooks.example.com/v2', timeoutMs: 5_000 });
      if (updated.backend.type === 'webhook' && created.backend.type === 'webhook') {
        expect(updated.backend.secret.fingerprint).toBe(created.backend.secret.fingerprint);
      }
    });

    it('accepts every backend type and masks secrets', async () => {
      const echo = await client.agents.create({ name: 'Echo' });
      expect(echo.backend).toEqual({ type: 'echo' });

      const scripted = await client.agents.create({
        name: 'Scripted',
        backend: { type: 'scripted', rules: [{ match: 'keyword', pattern: 'hours', reply: 'We open at 9.' }], fallback: 'Sorry?' },
      });
      expect(scripted.backend).toEqual({
        type: 'scripted',
        rules: [{ match: 'keyword', pattern: 'hours', reply: 'We open at 9.', caseSensitive: false }],
        fallback: 'Sorry?',
      });

      const apiKey = 'sk-test-0123456789abcdefghijklmnopqrstuvwxyz';
      const llm = await client.agents.create({
        name: 'LLM',
        instructions: 'Be brief.',
        backend: { type: AgentBackendType.OPENAI_COMPATIBLE, baseUrl: 'https://llm.example.com/v1', model: 'tiny', apiKey, temperature: 0.2 },
      });
      expect(llm.backend).toMatchObject({
        type: 'openai-compatible',
        baseUrl: 'https://llm.example.com/v1',
        model: 'tiny',
        temperature: 0.2,
        timeoutMs: 30_000,
        apiKey: { mask: expect.any(String), fingerprint: expect.any(String) },
      });
      expect(JSON.stringify(await client.agents.get(llm.id))).not.toContain(apiKey);

      // Switching an echo agent to a webhook backend generates a secret, shown once.
      const switched = await client.agents.update({ id: echo.id, backend: { type: 'webhook', url: 'https://hooks.example.com/x' } });
      expect(switched.signingSecret).toMatch(/^whsec_/);
      expect(await client.agents.get(echo.id)).not.toHaveProperty('signingSecret');

      const keyless = await client.agents.update({ id: llm.id, backend: { type: 'openai-compatible', baseUrl: 'https://llm.example.com/v1', model: 'tiny', apiKey: null } });
      expect(keyless.backend).toMatchObject({ type: 'openai-compatible', apiKey: null });
    });

    it('validates backends before sending', async () => {
      // @ts-expect-error a webhook backend needs a url
      await expect(client.agents.create({ name: 'Bad', backend: { type: 'webhook' } })).rejects.toThrow(/^Required$/);
      // @ts-expect-error echo takes no url
      await expect(client.agents.create({ name: 'Bad', backend: { type: 'echo', url: 'https://x.example.com' } })).rejects.toBeInstanceOf(ValidationError);
      await expect(client.agents.create({ name: 'Bad', backend: { type: 'webhook', url: 'not a url' } })).rejects.toBeInstanceOf(ValidationError);
      await expect(client.agents.create({ name: 'Bad', backend: { type: 'webhook', url: 'https://x.example.com', secret: 'nope' } })).rejects.toThrow(
        /Standard Webhooks secret/,
      );
      await expect(
        client.agents.create({ name: 'Bad', backend: { type: 'scripted', rules: [{ match: 'regex', pattern: '(', reply: 'x' }], fallback: 'f' } }),
      ).rejects.toThrow(/valid regular expression/);
      await expect(client.agents.create({ name: 'Bad', backend: { type: 'nope' } as never })).rejects.toThrow(/backend\.type must be one of/);
    });
  });
});

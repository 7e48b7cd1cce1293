import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { controlApi } from '../helpers/control.js';
import { startLiveServer, type LiveServer } from '../helpers/live-server.js';
import { openSse } from '../helpers/sse.js';

const ORIGIN = 'http://localhost:5500';

describe.each(ENGINES)('web deployments and the public runtime on %s', (engine) => {
  let server: LiveServer;
  let key: string;
  const api = (method: string, path: string, body?: unknown) => controlApi(server.baseUrl, key)(method, path, body);
  const runtime = async (method: string, path: string, token: string, options: { body?: unknown; origin?: string | null; headers?: Record<string, string> } = {}) => {
    const origin = options.origin === undefined ? ORIGIN : options.origin;
    const response = await fetch(`${server.baseUrl}/v1/public/runtime${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(origin && { origin }),
        ...(options.body !== undefined && { 'content-type': 'application/json' }),
        ...options.headers,
      },
      ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as any };
  };

  async function deployAgent(overrides: Record<string, unknown> = {}, agent: Record<string, unknown> = {}) {
    const created = await api('POST', '/v1/agents', { name: 'Concierge', introductionMessage: 'Hi! How can I help?', ...agent });
    expect(created.status).toBe(201);
    const deployed = await api('POST', `/v1/agents/${created.body.data.id}/deployments`, {
      allowedOrigins: [ORIGIN],
      channel: { channelIdentifier: `https://site-${Math.random().toString(36).slice(2)}.example.com` },
      theme: { primaryColor: '#112233', headerTitle: 'Help' },
      ...overrides,
    });
    expect(deployed.status).toBe(201);
    return { agentId: created.body.data.id as string, deployment: deployed.body.data };
  }

  beforeAll(async () => {
    server = await startLiveServer(engine, { runtimeRateLimits: { perIp: 10_000, perToken: 10_000 } });
    key = (await server.newWorkspace()).apiKey;
  });
  afterAll(async () => {
    await server.close();
  });

  it('issues a cdp_ token once and stores only its hash', async () => {
    const { agentId, deployment } = await deployAgent();
    expect(deployment.token).toMatch(/^cdp_[0-9A-Za-z]{43}$/);
    expect(deployment.tokenPrefix).toBe(deployment.token.slice(0, 10));
    expect(deployment.embedSnippet).toContain(deployment.token);
    expect(deployment.embedSnippet).toContain("ConvoshipQueue.push(['init'");
    const listed = await api('GET', `/v1/agents/${agentId}/deployments`);
    expect(listed.body.data.data).toHaveLength(1);
    expect(JSON.stringify(listed.body)).not.toContain(deployment.token);
    expect(listed.body.data.data[0]).toMatchObject({ tokenPrefix: deployment.tokenPrefix, allowedOrigins: [ORIGIN], revokedAt: null });
    const stored = await server.db.selectFrom('web_deployment_tokens').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(deployment.token);
    const snippet = await api('GET', `/v1/agents/${agentId}/deployments/${deployment.id}/embed-snippet`);
    expect(snippet.body.data.snippet).toContain(deployment.tokenPrefix);
    expect(snippet.body.data.snippet).not.toContain(deployment.token);
  });

  it('accepts only exact origins, showing the accepted form', async () => {
    const agent = await api('POST', '/v1/agents', { name: 'Origins' });
    for (const [bad, hint] of [
      ['http://localhost:5500/', 'http://localhost:5500'],
      ['https://example.com/app', 'https://example.com'],
      ['HTTPS://Example.com', 'https://example.com'],
      ['https://example.com:443', 'https://example.com'],
    ]) {
      const response = await api('POST', `/v1/agents/${agent.body.data.id}/deployments`, { allowedOrigins: [bad] });
      expect(response.status, bad).toBe(400);
      expect(response.body.error.details[0].field).toBe('allowedOrigins.0');
      expect(response.body.message).toContain(`use "${hint}"`);
    }
    const garbage = await api('POST', `/v1/agents/${agent.body.data.id}/deployments`, { allowedOrigins: ['localhost'] });
    expect(garbage.status).toBe(400);
    expect(garbage.body.message).toContain('scheme://host[:port]');
  });

  it('starts sessions only from allowed origins and answers preflights only for them', async () => {
    const { deployment } = await deployAgent();
    const started = await runtime('POST', '/sessions', deployment.token, { body: {} });
    expect(started.status).toBe(201);
    expect(started.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(started.body.data).toMatchObject({ resumed: false, greeting: 'Hi! How can I help?', agent: { name: 'Concierge' } });
    expect(started.body.data.widget.theme).toMatchObject({ primaryColor: '#112233', headerTitle: 'Help', position: 'right', launcherIcon: 'chat' });
    expect(started.body.data.sessionId).toMatch(/^conv_/);
    expect(started.body.data.visitorToken).toMatch(/^vt_/);

    const other = await runtime('POST', '/sessions', deployment.token, { body: {}, origin: 'http://localhost:5501' });
    expect(other.status).toBe(403);
    expect(other.body.message).toBe('Origin http://localhost:5501 is not allowed for this deployment');
    expect(other.body.meta.reason).toBe('ORIGIN_NOT_ALLOWED');
    const none = await runtime('POST', '/sessions', deployment.token, { body: {}, origin: null });
    expect(none.status).toBe(403);
    expect(none.body.message).toMatch(/Origin header is required/);

    const preflight = (origin: string) =>
      fetch(`${server.baseUrl}/v1/public/runtime/sessions`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
      });
    const ok = await preflight(ORIGIN);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(ok.headers.get('access-control-allow-headers')).toContain('authorization');
    const refused = await preflight('http://evil.example');
    expect(refused.status).toBe(403);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('GET /config answers the agent, greeting and theme without creating a contact or a conversation', async () => {
    const { agentId, deployment } = await deployAgent();
    const count = async (table: 'conversations' | 'contacts') =>
      Number((await server.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const before = [await count('conversations'), await count('contacts')];
    const config = await runtime('GET', '/config', deployment.token);
    expect(config.status).toBe(200);
    expect(config.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(config.body.data).toMatchObject({ agent: { id: agentId, name: 'Concierge' }, greeting: 'Hi! How can I help?' });
    expect(config.body.data.widget.theme).toMatchObject({ primaryColor: '#112233', headerTitle: 'Help', position: 'right' });
    expect(config.body.data).not.toHaveProperty('sessionId');
    expect([await count('conversations'), await count('contacts')]).toEqual(before);

    // The session start answers the same configuration beside the session.
    const started = await runtime('POST', '/sessions', deployment.token, { body: {} });
    expect(started.body.data).toMatchObject(config.body.data);
    expect(await count('conversations')).toBe(before[0]! + 1);

    // Refused like every runtime request, with the reason readable by the page.
    const other = await runtime('GET', '/config', deployment.token, { origin: 'http://localhost:5501' });
    expect(other.status).toBe(403);
    expect(other.headers.get('access-control-allow-origin')).toBe('http://localhost:5501');
    expect(other.body.meta.reason).toBe('ORIGIN_NOT_ALLOWED');
    const unknown = await runtime('GET', '/config', `cdp_${'x'.repeat(43)}`);
    expect(unknown.status).toBe(401);
    expect(unknown.body.meta.reason).toBe('TOKEN_INVALID');
  });

  it('knows a page of its own origin by Sec-Fetch-Site when a same-origin GET carries no Origin', async () => {
    const { deployment } = await deployAgent({ allowedOrigins: [server.baseUrl] });
    const started = await runtime('POST', '/sessions', deployment.token, { body: {}, origin: server.baseUrl });
    expect(started.status).toBe(201);
    const path = `/sessions/${started.body.data.sessionId}/messages`;
    const visitor = { 'x-visitor-token': started.body.data.visitorToken };
    const sameOrigin = await runtime('GET', path, deployment.token, { origin: null, headers: { ...visitor, 'sec-fetch-site': 'same-origin' } });
    expect(sameOrigin.status).toBe(200);
    for (const site of ['cross-site', 'same-site', 'none']) {
      const refused = await runtime('GET', path, deployment.token, { origin: null, headers: { ...visitor, 'sec-fetch-site': site } });
      expect(refused.status, site).toBe(403);
      expect(refused.body.meta.reason).toBe('ORIGIN_MISSING');
    }
    // The server's own origin counts only when the deployment lists it.
    const elsewhere = await deployAgent();
    const other = await runtime('POST', '/sessions', elsewhere.deployment.token, { body: {} });
    const notListed = await runtime('GET', `/sessions/${other.body.data.sessionId}/messages`, elsewhere.deployment.token, {
      origin: null,
      headers: { 'x-visitor-token': other.body.data.visitorToken, 'sec-fetch-site': 'same-origin' },
    });
    expect(notListed.status).toBe(403);
    expect(notListed.body.message).toBe(`Origin ${server.baseUrl} is not allowed for this deployment`);
  });

  it('exchanges messages over SSE: the contact message, typing, streamed deltas and the reply', async () => {
    const { deployment } = await deployAgent();
    const { sessionId, visitorToken } = (await runtime('POST', '/sessions', deployment.token, { body: {} })).body.data;
    const headers = { authorization: `Bearer ${deployment.token}`, origin: ORIGIN, 'x-visitor-token': visitorToken };
    const stream = await openSse(`${server.baseUrl}/v1/public/runtime/sessions/${sessionId}/events`, headers);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toContain('text/event-stream');

    const sent = await runtime('POST', `/sessions/${sessionId}/messages`, deployment.token, {
      body: { text: 'Hello there', clientMessageId: 'c-1' },
      headers: { 'x-visitor-token': visitorToken },
    });
    expect(sent.status).toBe(202);
    expect(sent.body.data).toMatchObject({ duplicate: false, message: { role: 'contact', text: 'Hello there', clientMessageId: 'c-1' } });

    const reply = await stream.waitFor((e) => e.event === 'message' && e.data.role === 'agent');
    expect(reply.data.text).toBe('Hello there');
    const kinds = stream.events.map((e) => e.event);
    expect(kinds.indexOf('message')).toBeLessThan(kinds.indexOf('delta'));
    expect(stream.events.find((e) => e.event === 'typing')?.data).toEqual({ active: true });
    const delta = stream.events.find((e) => e.event === 'delta')!;
    expect(delta.data.messageId).toBe(reply.data.id);
    await stream.waitFor((e) => e.event === 'typing' && e.data.active === false);
    stream.close();

    const again = await runtime('POST', `/sessions/${sessionId}/messages`, deployment.token, {
      body: { text: 'Hello there', clientMessageId: 'c-1' },
      headers: { 'x-visitor-token': visitorToken },
    });
    expect(again.body.data.duplicate).toBe(true);
    expect(again.body.data.message.id).toBe(sent.body.data.message.id);
    await server.app.conversations.drain();
    const history = await runtime('GET', `/sessions/${sessionId}/messages`, deployment.token, { headers: { 'x-visitor-token': visitorToken } });
    expect(history.body.data.map((m: any) => [m.role, m.text])).toEqual([
      ['contact', 'Hello there'],
      ['agent', 'Hello there'],
    ]);

    // A reconnecting client names the last event it saw and gets everything after it.
    const firstId = stream.events.find((e) => e.id !== undefined)!.id!;
    const resumed = await openSse(`${server.baseUrl}/v1/public/runtime/sessions/${sessionId}/events`, { ...headers, 'last-event-id': firstId });
    const replayed = await resumed.waitFor((e) => e.event === 'message' && e.data.role === 'agent');
    expect(replayed.data.id).toBe(reply.data.id);
    expect(resumed.events.some((e) => e.id === firstId)).toBe(false);
    resumed.close();

    const resumedSession = await runtime('POST', '/sessions', deployment.token, { body: { visitorToken } });
    expect(resumedSession.status).toBe(200);
    expect(resumedSession.body.data).toMatchObject({ sessionId, resumed: true });

    const stranger = await runtime('GET', `/sessions/${sessionId}/messages`, deployment.token, { headers: { 'x-visitor-token': 'vt_forged' } });
    expect(stranger.status).toBe(404);
  });

  it('keeps no message body when the channel does not record', async () => {
    const { deployment } = await deployAgent({ channel: { channelIdentifier: 'https://private.example.com', recordingEnabled: false } });
    const { sessionId, visitorToken } = (await runtime('POST', '/sessions', deployment.token, { body: {} })).body.data;
    const headers = { authorization: `Bearer ${deployment.token}`, origin: ORIGIN, 'x-visitor-token': visitorToken };
    const stream = await openSse(`${server.baseUrl}/v1/public/runtime/sessions/${sessionId}/events`, headers);
    await runtime('POST', `/sessions/${sessionId}/messages`, deployment.token, {
      body: { text: 'my secret address', clientMessageId: 'p-1' },
      headers: { 'x-visitor-token': visitorToken },
    });
    const reply = await stream.waitFor((e) => e.event === 'message' && e.data.role === 'agent');
    expect(reply.data.text).toBe('my secret address');
    stream.close();
    await server.app.conversations.drain();

    const messages = await server.db.selectFrom('messages').selectAll().where('conversation_id', '=', sessionId).execute();
    expect(messages).toHaveLength(2);
    expect(messages.every((m) => m.text === null)).toBe(true);
    const events = await server.db.selectFrom('conversation_events').selectAll().where('conversation_id', '=', sessionId).execute();
    expect(events.length).toBeGreaterThan(0);
    expect(JSON.stringify(events)).not.toContain('secret address');
  });

  it('revokes on the very next request, and rotation retires the old token', async () => {
    const { agentId, deployment } = await deployAgent();
    const rotated = await api('POST', `/v1/agents/${agentId}/deployments/${deployment.id}/rotate`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.data.token).not.toBe(deployment.token);
    const old = await runtime('POST', '/sessions', deployment.token, { body: {} });
    expect(old.status).toBe(401);
    expect(old.body.message).toBe('Deployment token was revoked');
    expect(old.body.meta.reason).toBe('TOKEN_REVOKED');
    expect((await runtime('POST', '/sessions', rotated.body.data.token, { body: {} })).status).toBe(201);

    const revoked = await api('POST', `/v1/agents/${agentId}/deployments/${deployment.id}/revoke`);
    expect(revoked.body.data.revokedAt).toBeGreaterThan(0);
    const after = await runtime('POST', '/sessions', rotated.body.data.token, { body: {} });
    expect(after.status).toBe(401);
    expect(after.body.message).toBe('Deployment token was revoked');
    expect((await runtime('POST', '/sessions', 'cdp_unknown', { body: {} })).body.message).toBe('Deployment token is not valid');
    expect((await runtime('POST', '/sessions', 'nope', { body: {} })).body.message).toMatch(/Deployment token is missing/);
  });

  it('lists conversations and their messages, and takes agent replies posted later', async () => {
    const { deployment } = await deployAgent();
    const { sessionId, visitorToken } = (await runtime('POST', '/sessions', deployment.token, { body: {} })).body.data;
    const stream = await openSse(`${server.baseUrl}/v1/public/runtime/sessions/${sessionId}/events`, {
      authorization: `Bearer ${deployment.token}`,
      origin: ORIGIN,
      'x-visitor-token': visitorToken,
    });
    const posted = await api('POST', `/v1/conversations/${sessionId}/messages`, { text: 'A human-crafted answer', clientMessageId: 'later-1' });
    expect(posted.status).toBe(201);
    const live = await stream.waitFor((e) => e.event === 'message' && e.data.text === 'A human-crafted answer');
    expect(live.data.role).toBe('agent');
    stream.close();
    const conversation = await api('GET', `/v1/conversations/${sessionId}`);
    expect(conversation.body.data).toMatchObject({ id: sessionId, webDeploymentId: deployment.id, status: 'open' });
    const messages = await api('GET', `/v1/conversations/${sessionId}/messages`);
    expect(messages.body.data.data.map((m: any) => m.text)).toEqual(['A human-crafted answer']);
    const list = await api('GET', '/v1/conversations?pageSize=100');
    expect(list.body.data.data.some((c: any) => c.id === sessionId)).toBe(true);
  });
});

describe.each(ENGINES)('runtime rate limits on %s', (engine) => {
  let server: LiveServer;
  beforeAll(async () => {
    server = await startLiveServer(engine, { runtimeRateLimits: { perIp: 1000, perToken: 3 } });
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers 429 with Retry-After past the per-token limit', async () => {
    const { apiKey } = await server.newWorkspace();
    const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
    const agent = (await (await fetch(`${server.baseUrl}/v1/agents`, { method: 'POST', headers, body: JSON.stringify({ name: 'Busy' }) })).json()) as any;
    const deployment = (await (
      await fetch(`${server.baseUrl}/v1/agents/${agent.data.id}/deployments`, { method: 'POST', headers, body: JSON.stringify({ allowedOrigins: [ORIGIN] }) })
    ).json()) as any;
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 5; i++) {
      last = await fetch(`${server.baseUrl}/v1/public/runtime/sessions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${deployment.data.token}`, origin: ORIGIN, 'content-type': 'application/json' },
        body: '{}',
      });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([201, 201, 201, 429, 429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await last!.json()) as any).code).toBe('RATE_LIMITED');
  });
});

describe.each(ENGINES)('runtime origin check on %s', (engine) => {
  let server: LiveServer;
  beforeAll(async () => {
    server = await startLiveServer(engine);
  });
  afterAll(async () => {
    await server.close();
  });

  it('tells a refused page why, without a preflight and without the token', async () => {
    const { apiKey } = await server.newWorkspace();
    const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
    const agent = (await (await fetch(`${server.baseUrl}/v1/agents`, { method: 'POST', headers, body: JSON.stringify({ name: 'Check' }) })).json()) as any;
    const deployment = (await (
      await fetch(`${server.baseUrl}/v1/agents/${agent.data.id}/deployments`, { method: 'POST', headers, body: JSON.stringify({ allowedOrigins: [ORIGIN] }) })
    ).json()) as any;
    const check = async (origin: string, prefix: string) => {
      const response = await fetch(`${server.baseUrl}/v1/public/runtime/origin-check?tokenPrefix=${prefix}`, { headers: { origin } });
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      return ((await response.json()) as any).data;
    };
    const prefix = deployment.data.tokenPrefix;
    expect(await check(ORIGIN, prefix)).toEqual({ origin: ORIGIN, allowed: true, reason: 'ALLOWED', message: 'Origin is allowed' });
    expect(await check('http://localhost:5501', prefix)).toEqual({
      origin: 'http://localhost:5501',
      allowed: false,
      reason: 'ORIGIN_NOT_ALLOWED',
      message: 'Origin http://localhost:5501 is not allowed for this deployment',
    });
    expect((await check(ORIGIN, 'cdp_zzzzzz')).message).toBe('Deployment token is not valid');
    await fetch(`${server.baseUrl}/v1/agents/${agent.data.id}/deployments/${deployment.data.id}/revoke`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}` } });
    expect((await check(ORIGIN, prefix)).message).toBe('Deployment token was revoked');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentRunner, type AgentTurnInput } from '@switchboard/server';
import { MAX_QUICK_REPLIES, MAX_QUICK_REPLY_LENGTH, SwitchboardClient, ValidationError } from '@switchboard/sdk';
import { ENGINES } from '../helpers/engines.js';
import { controlApi } from '../helpers/control.js';
import { startLiveServer, type LiveServer } from '../helpers/live-server.js';
import { openSse } from '../helpers/sse.js';
import { useAgentBackends } from './agent-backends.js';

const ORIGIN = 'http://localhost:5500';

describe.each(ENGINES)('quick replies in the agent reply contract on %s', (engine) => {
  const backends = useAgentBackends(engine);
  let sequence = 0;

  async function createAgent(backend: Record<string, unknown>) {
    const response = await backends.t.request('POST', '/v1/agents', { name: 'Quick replies', backend });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body.data as { id: string; backend: any };
  }

  function ask(agentId: string, text: string) {
    sequence += 1;
    const input: AgentTurnInput = {
      workspaceId: backends.t.workspaceId,
      conversationId: 'conv_quickreplies',
      channelType: 'web',
      contactId: 'ct_quickreplies',
      messageId: `msg_quick${sequence}`,
      text,
      history: [],
    };
    return createAgentRunner({ db: backends.t.db, secretBox: backends.t.app.secretBox, logger: backends.logger }).respond(agentId, backends.t.workspaceId, input, () => undefined);
  }

  function answerWith(body: unknown) {
    backends.fake.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
  }

  it('takes a webhook reply’s quickReplies, trimmed', async () => {
    const agent = await createAgent({ type: 'webhook', url: `${backends.fake.url}/hook`, timeoutMs: 2000 });
    answerWith({ reply: 'Shall I book it?', quickReplies: ['Yes', ' No thanks ', 'Talk to a person'] });
    expect(await ask(agent.id, 'Book a table')).toEqual({
      kind: 'reply',
      text: 'Shall I book it?',
      fallback: false,
      quickReplies: ['Yes', 'No thanks', 'Talk to a person'],
    });
    expect(backends.logger.entries).toEqual([]);
  });

  it('drops invalid suggestions from a webhook with one logged warning, and still replies', async () => {
    const agent = await createAgent({ type: 'webhook', url: `${backends.fake.url}/hook`, timeoutMs: 2000 });
    const eleven = Array.from({ length: 11 }, (_, i) => `Option ${i + 1}`);
    answerWith({ reply: 'Pick one', quickReplies: ['Fine', 42, '', 'x'.repeat(21), 'Fine', 'Two\nlines', ...eleven] });
    const outcome = await ask(agent.id, 'Menu');
    expect(outcome).toEqual({ kind: 'reply', text: 'Pick one', fallback: false, quickReplies: ['Fine', ...eleven.slice(0, 9)] });
    const warnings = backends.logger.entries.filter((e) => e.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(backends.logger.entries.filter((e) => e.level === 'error')).toEqual([]);
    expect(warnings[0]!.obj).toMatchObject({ agentId: agent.id, conversationId: 'conv_quickreplies' });
    expect(warnings[0]!.obj.dropped).toEqual([
      '[1] must be a string',
      '[2] must not be empty',
      '[3] must be at most 20 characters',
      '[4] repeats another quick reply',
      '[5] must not contain line breaks or control characters',
      '[15] is past the 10 quick replies allowed',
      '[16] is past the 10 quick replies allowed',
    ]);
  });

  it('drops quickReplies that are not a list, and counts characters, not UTF-16 units', async () => {
    const agent = await createAgent({ type: 'webhook', url: `${backends.fake.url}/hook`, timeoutMs: 2000 });
    answerWith({ reply: 'Hello', quickReplies: 'Yes, No' });
    expect(await ask(agent.id, 'Hi')).toEqual({ kind: 'reply', text: 'Hello', fallback: false });
    expect(backends.logger.entries.filter((e) => e.level === 'warn').map((e) => e.obj.dropped)).toEqual([['quickReplies is not a list']]);

    backends.logger.entries.length = 0;
    const emoji = '👍'.repeat(20); // 20 characters, 40 UTF-16 units
    answerWith({ reply: 'Hello', quickReplies: [emoji] });
    expect(await ask(agent.id, 'Hi')).toMatchObject({ quickReplies: [emoji] });
    expect(backends.logger.entries).toEqual([]);
  });

  it('offers a scripted rule’s quick replies, and the fallback’s', async () => {
    const agent = await createAgent({
      type: 'scripted',
      rules: [
        { match: 'keyword', pattern: 'hours', reply: 'Open 9 to 5. Anything else?', quickReplies: ['Prices', 'No, thanks'] },
        { match: 'keyword', pattern: 'prices', reply: 'From $10.' },
      ],
      fallback: 'I can help with:',
      fallbackQuickReplies: ['Opening hours', 'Prices'],
    });
    expect(agent.backend.rules[0].quickReplies).toEqual(['Prices', 'No, thanks']);
    expect(agent.backend.rules[1].quickReplies).toBeUndefined();
    expect(agent.backend.fallbackQuickReplies).toEqual(['Opening hours', 'Prices']);
    expect(await ask(agent.id, 'What are your hours?')).toEqual({
      kind: 'reply',
      text: 'Open 9 to 5. Anything else?',
      fallback: false,
      quickReplies: ['Prices', 'No, thanks'],
    });
    expect(await ask(agent.id, 'prices')).toEqual({ kind: 'reply', text: 'From $10.', fallback: false });
    expect(await ask(agent.id, 'Something else')).toEqual({
      kind: 'reply',
      text: 'I can help with:',
      fallback: false,
      quickReplies: ['Opening hours', 'Prices'],
    });
    const read = await backends.t.request('GET', `/v1/agents/${agent.id}`);
    expect(read.body.data.backend.rules[0].quickReplies).toEqual(['Prices', 'No, thanks']);
  });

  it('refuses a script with invalid quick replies, naming the field and the rule, and stores nothing', async () => {
    const before = await backends.t.snapshot();
    const cases: [unknown, string, RegExp][] = [
      [{ rules: [{ match: 'keyword', pattern: 'a', reply: 'b', quickReplies: ['ok', 'x'.repeat(21)] }] }, 'backend.rules.0.quickReplies.1', /at most 20 characters/],
      [{ rules: [{ match: 'keyword', pattern: 'a', reply: 'b', quickReplies: ['ok', 'ok'] }] }, 'backend.rules.0.quickReplies.1', /must not repeat/],
      [{ rules: [{ match: 'keyword', pattern: 'a', reply: 'b' }], fallbackQuickReplies: Array.from({ length: 11 }, (_, i) => `n${i}`) }, 'backend.fallbackQuickReplies', /at most 10/],
      [{ rules: [{ match: 'keyword', pattern: 'a', reply: 'b', quickReplies: 'yes' }] }, 'backend.rules.0.quickReplies', /list of strings/],
    ];
    for (const [backend, field, rule] of cases) {
      const response = await backends.t.request('POST', '/v1/agents', {
        name: 'Bad',
        backend: { type: 'scripted', fallback: 'f', ...(backend as object) },
      });
      expect(response.status, JSON.stringify(response.body)).toBe(400);
      const detail = (response.body.error.details as { field: string; message: string }[]).find((d) => d.field === field);
      expect(detail, JSON.stringify(response.body.error.details)).toBeDefined();
      expect(detail!.message).toMatch(rule);
    }
    expect(await backends.t.snapshot()).toEqual(before);
  });
});

describe.each(ENGINES)('quick replies through the runtime and the API on %s', (engine) => {
  let server: LiveServer;
  let key: string;
  const api = (method: string, path: string, body?: unknown) => controlApi(server.baseUrl, key)(method, path, body);

  beforeAll(async () => {
    server = await startLiveServer(engine, { runtimeRateLimits: { perIp: 10_000, perToken: 10_000 } });
    key = (await server.newWorkspace()).apiKey;
  });
  afterAll(async () => {
    await server.close();
  });

  async function session(recordingEnabled = true) {
    const agent = await api('POST', '/v1/agents', {
      name: 'Menu',
      backend: { type: 'scripted', rules: [{ match: 'keyword', pattern: 'menu', reply: 'What would you like?', quickReplies: ['Pizza', 'Salad'] }], fallback: 'Say menu.' },
    });
    expect(agent.status).toBe(201);
    const deployed = await api('POST', `/v1/agents/${agent.body.data.id}/deployments`, {
      allowedOrigins: [ORIGIN],
      channel: { channelIdentifier: `https://site-${Math.random().toString(36).slice(2)}.example.com`, recordingEnabled },
    });
    expect(deployed.status).toBe(201);
    const token = deployed.body.data.token as string;
    const started = await fetch(`${server.baseUrl}/v1/public/runtime/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, origin: ORIGIN, 'content-type': 'application/json' },
      body: '{}',
    });
    const { sessionId, visitorToken } = ((await started.json()) as any).data;
    const headers = { authorization: `Bearer ${token}`, origin: ORIGIN, 'x-visitor-token': visitorToken };
    const send = (text: string, clientMessageId: string) =>
      fetch(`${server.baseUrl}/v1/public/runtime/sessions/${sessionId}/messages`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ text, clientMessageId }),
      });
    const history = async () =>
      ((await (await fetch(`${server.baseUrl}/v1/public/runtime/sessions/${sessionId}/messages`, { headers })).json()) as any).data as any[];
    return { sessionId, headers, send, history };
  }

  it('streams the reply’s quick replies and keeps them in the transcript', async () => {
    const { sessionId, headers, send, history } = await session();
    const stream = await openSse(`${server.baseUrl}/v1/public/runtime/sessions/${sessionId}/events`, headers);
    expect((await send('menu please', 'q-1')).status).toBe(202);
    const reply = await stream.waitFor((e) => e.event === 'message' && e.data.role === 'agent');
    expect(reply.data).toMatchObject({ text: 'What would you like?', quickReplies: ['Pizza', 'Salad'] });
    stream.close();
    await server.app.conversations.drain();
    expect((await history()).map((m) => [m.role, m.text, m.quickReplies])).toEqual([
      ['contact', 'menu please', undefined],
      ['agent', 'What would you like?', ['Pizza', 'Salad']],
    ]);
    const listed = await api('GET', `/v1/conversations/${sessionId}/messages`);
    expect(listed.body.data.data[1].quickReplies).toEqual(['Pizza', 'Salad']);
    expect('quickReplies' in listed.body.data.data[0]).toBe(false);
  });

  it('shows them live but keeps them no more than the text when the channel does not record', async () => {
    const { sessionId, headers, send, history } = await session(false);
    const stream = await openSse(`${server.baseUrl}/v1/public/runtime/sessions/${sessionId}/events`, headers);
    await send('menu', 'q-1');
    const reply = await stream.waitFor((e) => e.event === 'message' && e.data.role === 'agent');
    expect(reply.data.quickReplies).toEqual(['Pizza', 'Salad']);
    stream.close();
    await server.app.conversations.drain();
    const stored = (await history()).find((m) => m.role === 'agent');
    expect(stored).toMatchObject({ text: null });
    expect(stored.quickReplies).toBeUndefined();
  });

  it('takes quick replies on an agent reply posted later through the API, and refuses invalid ones', async () => {
    const { sessionId, headers, history } = await session();
    const stream = await openSse(`${server.baseUrl}/v1/public/runtime/sessions/${sessionId}/events`, headers);
    const bad = await api('POST', `/v1/conversations/${sessionId}/messages`, { text: 'Pick', quickReplies: ['A', 'B', 'A'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0]).toMatchObject({ field: 'quickReplies.2' });
    const tooMany = await api('POST', `/v1/conversations/${sessionId}/messages`, { text: 'Pick', quickReplies: Array.from({ length: 11 }, (_, i) => `${i}`) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.details[0]).toMatchObject({ field: 'quickReplies' });
    expect(await history()).toEqual([]);

    const posted = await api('POST', `/v1/conversations/${sessionId}/messages`, { text: 'Which size?', quickReplies: ['Small', 'Large'], clientMessageId: 'later-q' });
    expect(posted.status).toBe(201);
    expect(posted.body.data).toMatchObject({ role: 'agent', text: 'Which size?', quickReplies: ['Small', 'Large'] });
    const live = await stream.waitFor((e) => e.event === 'message' && e.data.text === 'Which size?');
    expect(live.data.quickReplies).toEqual(['Small', 'Large']);
    stream.close();
  });

  it('goes through the TypeScript SDK, which checks the rules before sending', async () => {
    const { sessionId } = await session();
    const client = new SwitchboardClient({ apiKey: key, baseUrl: server.baseUrl });
    const posted = await client.conversations.postMessage(sessionId, { text: 'Delivery or pickup?', quickReplies: ['Delivery', 'Pickup'] });
    expect(posted.quickReplies).toEqual(['Delivery', 'Pickup']);
    expect([MAX_QUICK_REPLIES, MAX_QUICK_REPLY_LENGTH]).toEqual([10, 20]);
    await expect(client.conversations.postMessage(sessionId, { text: 'Pick', quickReplies: ['x'.repeat(MAX_QUICK_REPLY_LENGTH + 1)] })).rejects.toBeInstanceOf(ValidationError);
    expect((await client.conversations.messages(sessionId)).data.map((m) => m.text)).toEqual(['Delivery or pickup?']);
  });
});

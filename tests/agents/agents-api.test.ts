import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOpenedAgent } from '@switchboard/server';
import { ENGINES } from '../helpers/engines.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

const base = '/v1/agents';
const API_KEY = `sk-test-${randomBytes(18).toString('hex')}wxyz`;
const WEBHOOK_SECRET = `whsec_${randomBytes(32).toString('base64')}`;

describe.each(ENGINES)('agent backends through the API on %s', (engine) => {
  let t: TestApp;
  /** Every response body the tests saw, to prove no secret ever leaves in one. */
  const seen: { label: string; text: string }[] = [];
  /** The app's fingerprint: an HMAC under a key derived from its master key. */
  const fingerprint = (value: string) => t.app.secretBox.fingerprint(value);
  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(async () => {
    await t.close();
  });

  async function call(method: string, url: string, body?: unknown) {
    const response = await t.request(method, url, body);
    seen.push({ label: `${method} ${url}`, text: JSON.stringify(response.body) });
    return response;
  }
  async function create(body: Record<string, unknown>) {
    const response = await call('POST', base, body);
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body.data;
  }
  async function rawBackend(id: string): Promise<string> {
    const row = await t.db.selectFrom('agents').select('backend').where('id', '=', id).executeTakeFirstOrThrow();
    return row.backend;
  }
  const opened = (id: string) => loadOpenedAgent(t.db, t.app.secretBox, t.workspaceId, id);

  it('creates an echo agent', async () => {
    const agent = await create({ name: 'Echo', backend: { type: 'echo' } });
    expect(agent.backend).toEqual({ type: 'echo' });
    expect(agent).not.toHaveProperty('signingSecret');
  });

  it('creates a scripted agent, filling caseSensitive', async () => {
    const backend = {
      type: 'scripted',
      rules: [
        { match: 'keyword', pattern: 'opening hours', reply: 'We are open 9–5.' },
        { match: 'regex', pattern: '^order\\s+#?(\\d+)$', reply: 'Looking up your order.', caseSensitive: true },
      ],
      fallback: 'A human will get back to you.',
    };
    const agent = await create({ name: 'Scripted', backend });
    expect(agent.backend).toEqual({
      ...backend,
      rules: [
        { ...backend.rules[0], caseSensitive: false },
        { ...backend.rules[1], caseSensitive: true },
      ],
    });
    expect((await call('GET', `${base}/${agent.id}`)).body.data).toEqual(agent);
  });

  it('creates a webhook agent with a generated secret shown once as signingSecret', async () => {
    const agent = await create({ name: 'Hooked', backend: { type: 'webhook', url: 'https://hooks.example.com/switchboard' } });
    const secret = agent.signingSecret as string;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(agent.backend).toEqual({
      type: 'webhook',
      url: 'https://hooks.example.com/switchboard',
      timeoutMs: 15000,
      secret: { mask: `whsec_…${secret.slice(-4)}`, fingerprint: fingerprint(secret) },
    });
    const fetched = await call('GET', `${base}/${agent.id}`);
    expect(fetched.body.data).not.toHaveProperty('signingSecret');
    const { signingSecret: _shownOnce, ...rest } = agent;
    expect(fetched.body.data).toEqual(rest);
    expect(JSON.stringify(fetched.body)).not.toContain(secret.slice(6, 30));
    expect((await opened(agent.id))!.backend).toMatchObject({ type: 'webhook', secret });
    expect(await rawBackend(agent.id)).not.toContain(secret.slice(6));
  });

  it('creates a webhook agent with the operator’s secret, never returning it', async () => {
    const agent = await create({ name: 'Own secret', backend: { type: 'webhook', url: 'http://127.0.0.1:9/hook', secret: WEBHOOK_SECRET, timeoutMs: 2000 } });
    expect(agent).not.toHaveProperty('signingSecret');
    expect(agent.backend).toEqual({
      type: 'webhook',
      url: 'http://127.0.0.1:9/hook',
      timeoutMs: 2000,
      secret: { mask: `whsec_…${WEBHOOK_SECRET.slice(-4)}`, fingerprint: fingerprint(WEBHOOK_SECRET) },
    });
  });

  it('creates openai-compatible agents with and without an API key', async () => {
    const withKey = await create({
      name: 'LLM',
      instructions: 'You are terse.',
      backend: { type: 'openai-compatible', baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini', apiKey: API_KEY, temperature: 0.3, maxTokens: 256 },
    });
    expect(withKey.backend).toEqual({
      type: 'openai-compatible',
      baseUrl: 'https://api.openai.com/v1',
      model: 'gpt-4o-mini',
      temperature: 0.3,
      maxTokens: 256,
      timeoutMs: 30000,
      apiKey: { mask: 'sk-…wxyz', fingerprint: fingerprint(API_KEY) },
    });
    const local = await create({ name: 'Local LLM', backend: { type: 'openai-compatible', baseUrl: 'http://127.0.0.1:11434/v1', model: 'llama3' } });
    expect(local.backend).toEqual({ type: 'openai-compatible', baseUrl: 'http://127.0.0.1:11434/v1', model: 'llama3', timeoutMs: 30000, apiKey: null });
    expect((await opened(local.id))!.backend).toMatchObject({ apiKey: null });
    expect((await opened(withKey.id))!.backend).toMatchObject({ apiKey: API_KEY });
  });

  it('rejects invalid backends with field paths, changing nothing', async () => {
    const before = await t.snapshot();
    const cases: { backend: unknown; field: string; message: RegExp }[] = [
      {
        backend: {
          type: 'scripted',
          rules: [
            { match: 'keyword', pattern: 'hi', reply: 'Hello' },
            { match: 'regex', pattern: '\\d+', reply: 'A number' },
            { match: 'regex', pattern: '(unclosed', reply: 'Never' },
          ],
          fallback: 'Hm?',
        },
        field: 'backend.rules.2.pattern',
        message: /must be a valid regular expression/,
      },
      { backend: { type: 'scripted', rules: [], fallback: 'x' }, field: 'backend.rules', message: /at least one rule/ },
      { backend: { type: 'scripted', rules: [{ match: 'keyword', pattern: 'a', reply: 'b' }] }, field: 'backend.fallback', message: /Required/ },
      { backend: { type: 'scripted', rules: [{ match: 'glob', pattern: 'a', reply: 'b' }], fallback: 'x' }, field: 'backend.rules.0.match', message: /keyword, regex/ },
      { backend: { type: 'scripted', rules: [{ match: 'keyword', pattern: '   ', reply: 'b' }], fallback: 'x' }, field: 'backend.rules.0.pattern', message: /blank/ },
      { backend: { type: 'webhook', url: 'not a url' }, field: 'backend.url', message: /absolute http\(s\) URL/ },
      { backend: { type: 'webhook', url: 'ftp://example.com/x' }, field: 'backend.url', message: /absolute http\(s\) URL/ },
      { backend: { type: 'webhook', url: 'https://example.com', secret: 'hunter2' }, field: 'backend.secret', message: /whsec_/ },
      { backend: { type: 'webhook', url: 'https://example.com', secret: `whsec_${randomBytes(16).toString('base64')}` }, field: 'backend.secret', message: /24 to 64/ },
      { backend: { type: 'webhook', url: 'https://example.com', timeoutMs: 500 }, field: 'backend.timeoutMs', message: /1000 to 60000/ },
      { backend: { type: 'openai-compatible', baseUrl: 'https://api.openai.com/v1' }, field: 'backend.model', message: /Required/ },
      { backend: { type: 'openai-compatible', model: 'm' }, field: 'backend.baseUrl', message: /Required/ },
      { backend: { type: 'openai-compatible', baseUrl: 'api.openai.com', model: 'm' }, field: 'backend.baseUrl', message: /absolute http\(s\) URL/ },
      { backend: { type: 'openai-compatible', baseUrl: 'https://x.example/v1?key=1', model: 'm' }, field: 'backend.baseUrl', message: /query string/ },
      { backend: { type: 'openai-compatible', baseUrl: 'https://x.example/v1', model: 'm', temperature: 3 }, field: 'backend.temperature', message: /0 to 2/ },
      { backend: { type: 'openai-compatible', baseUrl: 'https://x.example/v1', model: 'm', maxTokens: 1.5 }, field: 'backend.maxTokens', message: /whole number/ },
      { backend: { type: 'openai-compatible', baseUrl: 'https://x.example/v1', model: 'm', apiKey: '' }, field: 'backend.apiKey', message: /must not be empty/ },
      { backend: { type: 'openai-compatible', baseUrl: 'https://x.example/v1', model: 'm', api_key: 'x' }, field: 'backend', message: /Unknown field: api_key/ },
    ];
    for (const c of cases) {
      const response = await call('POST', base, { name: 'Invalid', backend: c.backend });
      expect(response.status, JSON.stringify(c.backend)).toBe(400);
      expect(response.body.code).toBe('VALIDATION_ERROR');
      const detail = response.body.error.details.find((d: { field: string }) => d.field === c.field);
      expect(detail, `${JSON.stringify(c.backend)} → ${JSON.stringify(response.body.error.details)}`).toBeDefined();
      expect(detail.message).toMatch(c.message);
    }
    const unknown = await call('POST', base, { name: 'X', backend: { type: 'gpt-9' } });
    expect(unknown.body.message).toContain('echo, scripted, webhook, openai-compatible');
    expect(await t.snapshot()).toEqual(before);
  });

  it('PATCH keeps the stored API key when the backend keeps its type and origin', async () => {
    const agent = await create({
      name: 'Patch key',
      backend: { type: 'openai-compatible', baseUrl: 'https://llm.example.com/v1', model: 'small', apiKey: API_KEY },
    });
    const patched = await call('PATCH', `${base}/${agent.id}`, {
      backend: { type: 'openai-compatible', baseUrl: 'https://llm.example.com/v2', model: 'large', timeoutMs: 60000 },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.data.backend).toEqual({
      type: 'openai-compatible',
      baseUrl: 'https://llm.example.com/v2',
      model: 'large',
      timeoutMs: 60000,
      apiKey: agent.backend.apiKey,
    });
    expect((await opened(agent.id))!.backend).toMatchObject({ model: 'large', apiKey: API_KEY });

    // Another host does not get the stored key unasked.
    const moved = await call('PATCH', `${base}/${agent.id}`, { backend: { type: 'openai-compatible', baseUrl: 'https://evil.example.net/v1', model: 'large' } });
    expect(moved.status).toBe(400);
    expect(moved.body.error.details[0].field).toBe('backend.apiKey');
    expect(moved.body.message).toContain('https://evil.example.net');
    expect((await opened(agent.id))!.backend).toMatchObject({ baseUrl: 'https://llm.example.com/v2', apiKey: API_KEY });

    const rotated = await call('PATCH', `${base}/${agent.id}`, {
      backend: { type: 'openai-compatible', baseUrl: 'https://other.example.net/v1', model: 'large', apiKey: 'sk-new-key-000000000000abcd' },
    });
    expect(rotated.body.data.backend.apiKey).toEqual({ mask: 'sk-…abcd', fingerprint: fingerprint('sk-new-key-000000000000abcd') });

    const cleared = await call('PATCH', `${base}/${agent.id}`, { backend: { type: 'openai-compatible', baseUrl: 'https://other.example.net/v1', model: 'large', apiKey: null } });
    expect(cleared.body.data.backend.apiKey).toBeNull();
    expect((await opened(agent.id))!.backend).toMatchObject({ apiKey: null });

    const renamed = await call('PATCH', `${base}/${agent.id}`, { name: 'Renamed only' });
    expect(renamed.body.data.backend).toEqual(cleared.body.data.backend);
  });

  it('PATCH keeps a webhook secret, and shows a generated one once when switching to webhook', async () => {
    const agent = await create({ name: 'Switcher' });
    const switched = await call('PATCH', `${base}/${agent.id}`, { backend: { type: 'webhook', url: 'https://hooks.example.com/a' } });
    expect(switched.status).toBe(200);
    const secret = switched.body.data.signingSecret as string;
    expect(secret).toMatch(/^whsec_/);
    expect(switched.body.data.backend.secret.fingerprint).toBe(fingerprint(secret));

    const moved = await call('PATCH', `${base}/${agent.id}`, { backend: { type: 'webhook', url: 'https://hooks.example.com/b', timeoutMs: 5000 } });
    expect(moved.body.data).not.toHaveProperty('signingSecret');
    expect(moved.body.data.backend).toEqual({ type: 'webhook', url: 'https://hooks.example.com/b', timeoutMs: 5000, secret: switched.body.data.backend.secret });
    expect((await opened(agent.id))!.backend).toMatchObject({ secret });

    const own = await call('PATCH', `${base}/${agent.id}`, { backend: { type: 'webhook', url: 'https://hooks.example.com/b', secret: WEBHOOK_SECRET } });
    expect(own.body.data).not.toHaveProperty('signingSecret');
    expect(own.body.data.backend.secret.fingerprint).toBe(fingerprint(WEBHOOK_SECRET));

    const back = await call('PATCH', `${base}/${agent.id}`, { backend: { type: 'echo' } });
    expect(back.body.data.backend).toEqual({ type: 'echo' });
    expect(await rawBackend(agent.id)).toBe('{"type":"echo"}');
  });

  it('never returns a secret from create, get, list or update, and never stores one in plain text', async () => {
    const created = await create({
      name: 'Leak check',
      backend: { type: 'openai-compatible', baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o', apiKey: API_KEY },
    });
    await call('PATCH', `${base}/${created.id}`, { instructions: 'updated' });
    await call('GET', `${base}/${created.id}`);
    const list = await call('GET', `${base}?pageSize=1000`);
    expect(list.body.data.data.length).toBeGreaterThanOrEqual(8);

    const apiKeyCore = API_KEY.slice(3, -4);
    const secretCore = WEBHOOK_SECRET.slice(6, -4);
    for (const { label, text } of seen) {
      expect(text, label).not.toContain(apiKeyCore);
      expect(text, label).not.toContain(secretCore);
      expect(text, label).not.toContain('Sealed');
      expect(text, label).not.toMatch(/v1\.[A-Za-z0-9_-]{16}\./);
    }
    const generated = seen.filter(({ text }) => text.includes('signingSecret'));
    expect(generated.length).toBe(2); // the create and the PATCH that generated one, nothing else
    for (const { text } of generated) {
      const secret = JSON.parse(text).data.signingSecret as string;
      expect(seen.filter((s) => s.text.includes(secret.slice(6, -4)))).toHaveLength(1);
    }

    const rows = await t.db.selectFrom('agents').select(['id', 'backend']).where('workspace_id', '=', t.workspaceId).execute();
    const all = rows.map((r) => r.backend).join('\n');
    expect(all).not.toContain(apiKeyCore);
    expect(all).not.toContain(secretCore);
    const stored = JSON.parse(rows.find((r) => r.id === created.id)!.backend);
    expect(stored).toMatchObject({ type: 'openai-compatible', model: 'gpt-4o', apiKeySealed: { mask: 'sk-…wxyz', fingerprint: fingerprint(API_KEY) } });
    expect(stored.apiKeySealed.sealed).toMatch(/^v1\./);
    expect(stored).not.toHaveProperty('apiKey');
    expect(t.app.secretBox.decrypt(stored.apiKeySealed.sealed, `agent:${created.id}:apiKey`)).toBe(API_KEY);
  });

  it('describes the public backend view in the OpenAPI document', async () => {
    const doc = (await t.request('GET', '/v1/openapi.json')).body;
    const agent = JSON.stringify(doc.components.schemas.Agent);
    for (const word of ['scripted', 'webhook', 'openai-compatible', 'fingerprint', 'signingSecret']) expect(agent).toContain(word);
    expect(agent).not.toContain('Sealed');
    const request = JSON.stringify(doc.components.schemas.AgentRequest);
    for (const word of ['rules', 'baseUrl', 'apiKey', 'timeoutMs']) expect(request).toContain(word);
  });
});

/**
 * The pre-chat form on SQLite and PostgreSQL: configured on a web deployment (validated with a
 * 400 naming the field and the rule, nothing changed), answered in GET …/config so the widget
 * knows to ask, and submitted to POST …/prechat, which checks the answers against the form
 * (400 naming `values.<key>`, nothing created), starts the session and stores the answers on
 * its contact: the name as its display name, the rest as attributes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { ORIGIN, useRuntimeApp } from './runtime-app.js';

const FORM = {
  title: 'Before we start',
  fields: [
    { key: 'name', label: 'Your name', required: true },
    { key: 'email', label: 'Email', type: 'email', required: true },
    { key: 'phone', label: 'Phone', type: 'tel' },
    { key: 'plan', label: 'Plan', type: 'select', options: ['Free', 'Pro'], required: true },
  ],
};

describe.each(ENGINES)('pre-chat form on %s', (engine) => {
  const runtimeApp = useRuntimeApp(engine);
  const { call, api, runtime, count } = runtimeApp;
  /** The field names and messages of a 400's details. */
  const issues = (body: any) => (body.error.details as { field: string; message: string }[]).map((issue) => `${issue.field}: ${issue.message}`);

  let agentId: string;
  const deploy = async (preChatForm?: unknown) =>
    api('POST', `/v1/agents/${agentId}/deployments`, {
      allowedOrigins: [ORIGIN],
      channel: { channelIdentifier: `https://site-${Math.random().toString(36).slice(2)}.example.com` },
      ...(preChatForm !== undefined && { preChatForm }),
    });

  beforeAll(async () => {
    agentId = (await api('POST', '/v1/agents', { name: 'Concierge' })).body.data.id;
  });

  it('stores a valid form with its defaults, answers it in GET …/config, and can change or remove it', async () => {
    const created = await deploy(FORM);
    expect(created.status).toBe(201);
    const deployment = created.body.data;
    expect(deployment.preChatForm).toEqual({
      showBeforeFirstMessage: true,
      title: 'Before we start',
      fields: [
        { key: 'name', label: 'Your name', type: 'text', required: true },
        { key: 'email', label: 'Email', type: 'email', required: true },
        { key: 'phone', label: 'Phone', type: 'tel', required: false },
        { key: 'plan', label: 'Plan', type: 'select', options: ['Free', 'Pro'], required: true },
      ],
    });
    const url = `/v1/agents/${agentId}/deployments/${deployment.id}`;
    expect((await api('GET', url)).body.data.preChatForm).toEqual(deployment.preChatForm);
    const config = await runtime(deployment.token, 'GET', '/config');
    expect(config.status).toBe(200);
    expect(config.body.data.widget.preChatForm).toEqual(deployment.preChatForm);

    // Kept but not shown: the widget is told nothing.
    const hidden = await api('PATCH', url, { preChatForm: { ...FORM, showBeforeFirstMessage: false } });
    expect(hidden.status).toBe(200);
    expect(hidden.body.data.preChatForm.showBeforeFirstMessage).toBe(false);
    expect((await runtime(deployment.token, 'GET', '/config')).body.data.widget.preChatForm).toBeNull();

    // A theme change leaves the form alone; null removes it.
    expect((await api('PATCH', url, { theme: { primaryColor: '#123456' } })).body.data.preChatForm.fields).toHaveLength(4);
    const removed = await api('PATCH', url, { preChatForm: null });
    expect(removed.body.data.preChatForm).toBeNull();
    expect((await runtime(deployment.token, 'GET', '/config')).body.data.widget.preChatForm).toBeNull();

    const plain = await deploy();
    expect(plain.body.data.preChatForm).toBeNull();
    expect((await runtime(plain.body.data.token, 'GET', '/config')).body.data.widget.preChatForm).toBeNull();
  });

  it('refuses a bad form with a 400 naming the field and the rule, and changes nothing', async () => {
    const field = (extra: Record<string, unknown>) => ({ fields: [{ key: 'company', label: 'Company', ...extra }] });
    const cases: Array<[unknown, string]> = [
      [{ fields: [] }, 'preChatForm.fields: must list at least one field'],
      [{ fields: Array.from({ length: 11 }, (_, i) => ({ key: `f${i}`, label: 'F' })) }, 'preChatForm.fields: must list at most 10 fields'],
      [field({ key: 'Company' }), 'preChatForm.fields.0.key: must start with a lower-case letter'],
      [field({ key: '../x' }), 'preChatForm.fields.0.key: must start with a lower-case letter'],
      [field({ label: '  ' }), 'preChatForm.fields.0.label: must not be empty'],
      [field({ label: 'x'.repeat(101) }), 'preChatForm.fields.0.label: must be at most 100 characters'],
      [field({ type: 'date' }), 'preChatForm.fields.0.type: must be one of text, email, tel, select'],
      [field({ type: 'select' }), 'preChatForm.fields.0.options: is required for a select field'],
      [field({ options: ['A'] }), 'preChatForm.fields.0.options: is only for select fields'],
      [field({ type: 'select', options: ['A', 'A'] }), 'preChatForm.fields.0.options: must not repeat an option'],
      [field({ type: 'select', options: [] }), 'preChatForm.fields.0.options: must list at least one option'],
      [field({ required: 'yes' }), 'preChatForm.fields.0.required: must be true or false'],
      [field({ colour: 'red' }), 'preChatForm.fields.0'],
      [{ fields: [{ key: 'email', label: 'Email', type: 'text' }] }, 'preChatForm.fields.0.type: must be "email" for the email field'],
      [{ fields: [{ key: 'name', label: 'Name', type: 'tel' }] }, 'preChatForm.fields.0.type: must be "text" for the name field'],
      [{ fields: [{ key: 'a', label: 'A' }, { key: 'a', label: 'B' }] }, 'preChatForm.fields.1.key: must be unique'],
      [{ ...FORM, showBeforeFirstMessage: 'yes' }, 'preChatForm.showBeforeFirstMessage: must be true or false'],
      [{ ...FORM, submitLabel: 'x'.repeat(41) }, 'preChatForm.submitLabel: must be at most 40 characters'],
      ['ask them', 'preChatForm'],
    ];
    const before = await count('web_deployments');
    for (const [preChatForm, expected] of cases) {
      const refused = await deploy(preChatForm);
      expect(refused.status, expected).toBe(400);
      expect(refused.body).toMatchObject({ success: false, status: 400, code: 'VALIDATION_ERROR' });
      expect(issues(refused.body).some((issue) => issue.startsWith(expected)), `${expected} in ${issues(refused.body).join(' | ')}`).toBe(true);
    }
    expect(await count('web_deployments')).toBe(before);

    const deployment = (await deploy(FORM)).body.data;
    const url = `/v1/agents/${agentId}/deployments/${deployment.id}`;
    const refused = await api('PATCH', url, { preChatForm: field({ type: 'select' }) });
    expect(refused.status).toBe(400);
    expect(issues(refused.body)).toEqual(['preChatForm.fields.0.options: is required for a select field']);
    expect((await api('GET', url)).body.data.preChatForm.fields).toHaveLength(4);
  });

  it('checks the answers against the form (400 naming the field, nothing created), then starts the session and stores them on the contact', async () => {
    const deployment = (await deploy(FORM)).body.data;
    const token: string = deployment.token;
    const conversations = await count('conversations');
    const contacts = await count('contacts');
    const cases: Array<[Record<string, unknown>, string[]]> = [
      [{ name: 'Ada', plan: 'Pro' }, ['values.email: is required']],
      [{ name: '  ', email: 'ada@example.com', plan: 'Pro' }, ['values.name: is required']],
      [{ name: 'Ada', email: 'ada at example', plan: 'Pro' }, ['values.email: must be an email address, like name@example.com']],
      [{ name: 'Ada', email: 'ada@example.com', plan: 'Gold' }, ['values.plan: must be one of: Free, Pro']],
      [{ name: 'Ada', email: 'ada@example.com', plan: 'Pro', phone: 'call me' }, ['values.phone: must be a phone number: digits, spaces, ( ) . - and an optional leading +']],
      [{ name: 'Ada', email: 'ada@example.com', plan: 'Pro', admin: 'yes' }, ['values.admin: is not a field of this form (its fields: name, email, phone, plan)']],
      [{ name: 'x'.repeat(501), email: 'ada@example.com', plan: 'Pro' }, ['values.name: must be at most 500 characters']],
      [{ name: 'Ada', email: 'ada@example.com', plan: 7 }, ['values.plan: must be a string']],
    ];
    for (const [values, expected] of cases) {
      const refused = await runtime(token, 'POST', '/prechat', { values });
      expect(refused.status, expected[0]).toBe(400);
      expect(refused.body).toMatchObject({ success: false, status: 400, code: 'VALIDATION_ERROR' });
      expect(issues(refused.body)).toEqual(expected);
    }
    expect((await runtime(token, 'POST', '/prechat', {})).status).toBe(400);
    const flood = await runtime(token, 'POST', '/prechat', { values: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'x'])) });
    expect(flood.status).toBe(400);
    expect(issues(flood.body)).toEqual(['values: must hold at most 10 answers (a form has at most 10 fields)']);
    expect(await count('conversations')).toBe(conversations);
    expect(await count('contacts')).toBe(contacts);

    const submitted = await runtime(token, 'POST', '/prechat', { values: { name: ' Ada Lovelace ', email: 'ada@example.com', plan: 'Pro', phone: '' }, locale: 'fr-FR' });
    expect(submitted.status).toBe(201);
    expect(submitted.body.data).toMatchObject({ sessionId: expect.any(String), visitorToken: expect.stringMatching(/^vt_/), resumed: false, stored: ['name', 'email', 'plan'] });
    const { sessionId, visitorToken } = submitted.body.data;
    const conversation = (await api('GET', `/v1/conversations/${sessionId}`)).body.data;
    const contact = (await api('GET', `/v1/contacts/${conversation.contactId}`)).body.data;
    expect(contact.displayName).toBe('Ada Lovelace');
    expect(contact.attributes).toEqual({ language: 'fr', email: 'ada@example.com', plan: 'Pro' });

    // The widget then starts its session with the token: the same conversation, resumed.
    const started = await runtime(token, 'POST', '/sessions', { visitorToken });
    expect(started.status).toBe(200);
    expect(started.body.data).toMatchObject({ sessionId, visitorToken, resumed: true });
    expect(await count('conversations')).toBe(conversations + 1);

    // Answering again (the form asked on another page) updates the same contact.
    const again = await runtime(token, 'POST', '/prechat', { values: { name: 'Ada', email: 'ada@example.org', plan: 'Free', phone: '+44 20 7946 0958' }, visitorToken });
    expect(again.status).toBe(200);
    expect(again.body.data).toMatchObject({ sessionId, visitorToken, resumed: true });
    const updated = (await api('GET', `/v1/contacts/${conversation.contactId}`)).body.data;
    expect(updated.displayName).toBe('Ada');
    expect(updated.attributes).toEqual({ language: 'fr', email: 'ada@example.org', plan: 'Free', phone: '+44 20 7946 0958' });
    expect(await count('conversations')).toBe(conversations + 1);
  });

  it('answers 409 where the deployment asks nothing, and refuses a page the deployment does not allow', async () => {
    const plain = (await deploy()).body.data;
    const refused = await runtime(plain.token, 'POST', '/prechat', { values: { name: 'Ada' } });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ success: false, code: 'CONFLICT', message: expect.stringContaining('no pre-chat form') });

    const asking = (await deploy(FORM)).body.data;
    const foreign = await call('POST', '/v1/public/runtime/prechat', { authorization: `Bearer ${asking.token}`, origin: 'https://evil.example' }, { values: { name: 'Ada', email: 'a@b.co', plan: 'Pro' } });
    expect(foreign.status).toBe(403);
    const anonymous = await call('POST', '/v1/public/runtime/prechat', { origin: ORIGIN }, { values: {} });
    expect(anonymous.status).toBe(401);
  });
});

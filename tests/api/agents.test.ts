import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

const base = '/v1/agents';

describe.each(ENGINES)('agents API on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(async () => {
    await t.close();
  });

  async function createAgent(body: Record<string, unknown> = { name: 'Support bot' }, headers?: Record<string, string>) {
    const response = await t.request('POST', base, body, headers);
    expect(response.status).toBe(201);
    return response.body.data as { id: string; name: string; updatedAt: number };
  }

  it('creates an agent with every field', async () => {
    const before = Date.now();
    const response = await t.request('POST', base, {
      name: 'Concierge',
      instructions: 'Be brief and friendly.',
      introductionMessage: 'Hi! How can I help?',
      backend: { type: 'echo' },
    });
    expect(response.status).toBe(201);
    expect(response.body.success).toBe(true);
    const agent = response.body.data;
    expect(agent).toMatchObject({
      name: 'Concierge',
      instructions: 'Be brief and friendly.',
      introductionMessage: 'Hi! How can I help?',
      backend: { type: 'echo' },
    });
    expect(agent.id).toMatch(/^agent_[A-Za-z0-9]{16}$/);
    expect(agent.createdAt).toBeGreaterThanOrEqual(before);
    expect(agent.updatedAt).toBe(agent.createdAt);
  });

  it('fills defaults: echo backend, empty instructions, no introduction', async () => {
    const response = await t.request('POST', base, { name: '  Minimal  ' });
    expect(response.status).toBe(201);
    expect(response.body.data).toMatchObject({ name: 'Minimal', instructions: '', introductionMessage: null, backend: { type: 'echo' } });
    const fetched = await t.request('GET', `${base}/${response.body.data.id}`);
    expect(fetched.body.data.backend).toEqual({ type: 'echo' });
  });

  it('requires a name and a known backend type, changing nothing when rejected', async () => {
    const before = await t.snapshot();
    const noName = await t.request('POST', base, { instructions: 'x' });
    expect(noName.status).toBe(400);
    expect(noName.body.code).toBe('VALIDATION_ERROR');
    expect(noName.body.error.details).toEqual([{ field: 'name', message: 'Required' }]);

    const blank = await t.request('POST', base, { name: '   ' });
    expect(blank.status).toBe(400);
    expect(blank.body.error.details[0].field).toBe('name');

    const unknownBackend = await t.request('POST', base, { name: 'X', backend: { type: 'gpt-9' } });
    expect(unknownBackend.status).toBe(400);
    expect(['backend.type', 'backend']).toContain(unknownBackend.body.error.details[0].field);
    expect(unknownBackend.body.message).toContain('echo');

    const backendExtra = await t.request('POST', base, { name: 'X', backend: { type: 'echo', model: 'big' } });
    expect(backendExtra.status).toBe(400);
    expect(backendExtra.body.message).toContain('Unknown field: model');

    const notObject = await t.request('POST', base, { name: 'X', backend: 'echo' });
    expect(notObject.status).toBe(400);
    expect(notObject.body.error.details[0].field).toBe('backend');

    const unknownField = await t.request('POST', base, { name: 'X', temperature: 0.2 });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.message).toBe('Unknown field: temperature');

    const wrongType = await t.request('POST', base, { name: 'X', introductionMessage: 42 });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error.details[0].field).toBe('introductionMessage');
    expect(await t.snapshot()).toEqual(before);
  });

  it('gets an agent and answers 404 for an unknown one', async () => {
    const created = await createAgent({ name: 'Getter', instructions: 'i' });
    const fetched = await t.request('GET', `${base}/${created.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body.data).toEqual(created);
    const missing = await t.request('GET', `${base}/agent_doesnotexist`);
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('NOT_FOUND');
    expect(missing.body.message).toBe('Agent not found');
  });

  it('lists agents with pagination meta', async () => {
    const fresh = await t.newWorkspace('Agents listing');
    const auth = { authorization: `Bearer ${fresh.apiKey}` };
    const names = ['A1', 'A2', 'A3'];
    for (const name of names) await createAgent({ name }, auth);
    const first = await t.request('GET', `${base}?pageSize=2`, undefined, auth);
    expect(first.status).toBe(200);
    expect(first.body.data.data).toHaveLength(2);
    expect(first.body.data.meta).toEqual({ page: 1, pageSize: 2, totalCount: 3, totalPages: 2, hasNextPage: true, hasPreviousPage: false });
    const second = await t.request('GET', `${base}?pageSize=2&page=2`, undefined, auth);
    expect(second.body.data.data).toHaveLength(1);
    expect(second.body.data.meta).toMatchObject({ page: 2, hasNextPage: false, hasPreviousPage: true });
    const listed = [...first.body.data.data, ...second.body.data.data].map((a: { name: string }) => a.name).sort();
    expect(listed).toEqual(names);
  });

  it('updates through PATCH, leaving fields not sent untouched', async () => {
    const created = await createAgent({ name: 'Patchable', instructions: 'old', introductionMessage: 'Hello' });
    const renamed = await t.request('PATCH', `${base}/${created.id}`, { name: 'Patched', instructions: 'new' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.data).toMatchObject({ id: created.id, name: 'Patched', instructions: 'new', introductionMessage: 'Hello', backend: { type: 'echo' } });
    expect(renamed.body.data.updatedAt).toBeGreaterThanOrEqual(created.updatedAt);

    const cleared = await t.request('PATCH', `${base}/${created.id}`, { id: created.id, introductionMessage: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body.data.introductionMessage).toBeNull();
    expect(cleared.body.data.name).toBe('Patched');
    expect((await t.request('GET', `${base}/${created.id}`)).body.data).toEqual(cleared.body.data);

    const badBackend = await t.request('PATCH', `${base}/${created.id}`, { backend: { type: 'nope' } });
    expect(badBackend.status).toBe(400);
    const unknown = await t.request('PATCH', `${base}/${created.id}`, { nickname: 'x' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toContain('nickname');
    const mismatch = await t.request('PATCH', `${base}/${created.id}`, { id: 'agent_other', name: 'x' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error.details[0].field).toBe('id');
    expect((await t.request('GET', `${base}/${created.id}`)).body.data.name).toBe('Patched');

    const missing = await t.request('PATCH', `${base}/agent_doesnotexist`, { name: 'x' });
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('Agent not found');
  });

  it('deletes answering data: true', async () => {
    const created = await createAgent({ name: 'Doomed' });
    const deleted = await t.request('DELETE', `${base}/${created.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.data).toBe(true);
    expect((await t.request('GET', `${base}/${created.id}`)).status).toBe(404);
    expect((await t.request('DELETE', `${base}/${created.id}`)).status).toBe(404);
  });

  it('refuses to delete an agent a deployment uses, naming the deployment', async () => {
    const agent = await createAgent({ name: 'Busy' });
    const setup = await t.request('POST', '/v1/deployment-configurations/setup', {
      agentId: agent.id,
      channel: { channelIdentifier: 'https://agents-busy.example.com', deploymentType: 'web' },
    });
    expect(setup.status).toBe(201);
    const deploymentId = setup.body.data.deployment.id as string;

    const before = await t.snapshot();
    const refused = await t.request('DELETE', `${base}/${agent.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('CONFLICT');
    expect(refused.body.message).toContain(deploymentId);
    expect(refused.body.meta.deploymentId).toBe(deploymentId);
    expect(await t.snapshot()).toEqual(before);
    expect((await t.request('GET', `${base}/${agent.id}`)).status).toBe(200);

    expect((await t.request('DELETE', `/v1/deployment-configurations/${deploymentId}`)).status).toBe(200);
    expect((await t.request('DELETE', `${base}/${agent.id}`)).body.data).toBe(true);
  });

  it('never resolves an agent from another workspace', async () => {
    const created = await createAgent({ name: 'Private' });
    const other = await t.newWorkspace();
    const auth = { authorization: `Bearer ${other.apiKey}` };
    const before = await t.snapshot();
    expect((await t.request('GET', `${base}/${created.id}`, undefined, auth)).status).toBe(404);
    expect((await t.request('PATCH', `${base}/${created.id}`, { name: 'hijack' }, auth)).status).toBe(404);
    expect((await t.request('DELETE', `${base}/${created.id}`, undefined, auth)).status).toBe(404);
    expect((await t.request('GET', base, undefined, auth)).body.data.meta.totalCount).toBe(0);
    expect(await t.snapshot()).toEqual(before);
    expect((await t.request('GET', `${base}/${created.id}`)).body.data.name).toBe('Private');
  });
});

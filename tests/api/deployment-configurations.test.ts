import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

const base = '/v1/deployment-configurations';

interface Deployment {
  id: string;
  deploymentChannelId: string;
  agentId: string;
  deploymentName: string | null;
  instructions: string | null;
  status: string;
  createdAt: number;
  updatedAt: number;
}

describe.each(ENGINES)('deployment configurations API on %s', (engine) => {
  let t: TestApp;
  let counter = 0;
  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(async () => {
    await t.close();
  });

  const webChannel = (identifier = `https://dep-${++counter}.example.com`) => ({
    channelIdentifier: identifier,
    deploymentType: 'web',
    channelName: 'Website Chat',
    configuration: { communicationType: 'text' },
  });

  async function createChannel(headers?: Record<string, string>) {
    const response = await t.request('POST', '/v1/deployment-channels', webChannel(), headers);
    expect(response.status).toBe(201);
    return response.body.data as { id: string; channelIdentifier: string };
  }

  async function createAgent(name = 'Agent', headers?: Record<string, string>) {
    const response = await t.request('POST', '/v1/agents', { name }, headers);
    expect(response.status).toBe(201);
    return response.body.data as { id: string };
  }

  async function createDeployment(extra: Record<string, unknown> = {}) {
    const channel = await createChannel();
    const agent = await createAgent();
    const response = await t.request('POST', base, { deploymentChannelId: channel.id, agentId: agent.id, ...extra });
    expect(response.status).toBe(201);
    return response.body.data as Deployment;
  }

  async function setStatus(id: string, status: string) {
    return t.request('PATCH', `${base}/${id}`, { status });
  }

  it('binds a channel to an agent, status pending by default', async () => {
    const channel = await createChannel();
    const agent = await createAgent();
    const before = Date.now();
    const response = await t.request('POST', base, {
      deploymentChannelId: channel.id,
      agentId: agent.id,
      deploymentName: 'Website deployment',
      instructions: 'Only talk about shoes.',
    });
    expect(response.status).toBe(201);
    expect(response.body.success).toBe(true);
    const deployment = response.body.data;
    expect(deployment).toMatchObject({
      deploymentChannelId: channel.id,
      agentId: agent.id,
      deploymentName: 'Website deployment',
      instructions: 'Only talk about shoes.',
      status: 'pending',
    });
    expect(deployment.id).toMatch(/^dep_[A-Za-z0-9]{16}$/);
    expect(deployment.createdAt).toBeGreaterThanOrEqual(before);

    const active = await createDeployment({ status: 'ACTIVE' });
    expect(active.status).toBe('active');
    expect(active.deploymentName).toBeNull();

    const notInitial = await t.request('POST', base, { deploymentChannelId: (await createChannel()).id, agentId: agent.id, status: 'paused' });
    expect(notInitial.status).toBe(400);
    expect(notInitial.body.error.details[0].field).toBe('status');
  });

  it('allows one deployment per channel', async () => {
    const first = await createDeployment();
    const otherAgent = await createAgent('Second');
    const before = await t.snapshot();
    const second = await t.request('POST', base, { deploymentChannelId: first.deploymentChannelId, agentId: otherAgent.id });
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('CONFLICT');
    expect(second.body.message).toBe('Deployment channel is already associated with another deployment');
    expect(second.body.meta.deploymentId).toBe(first.id);
    expect(await t.snapshot()).toEqual(before);
  });

  it('answers 404 for an unknown channel or agent, and for ones of another workspace', async () => {
    const channel = await createChannel();
    const agent = await createAgent();
    const before = await t.snapshot();
    const noChannel = await t.request('POST', base, { deploymentChannelId: 'chan_doesnotexist', agentId: agent.id });
    expect(noChannel.status).toBe(404);
    expect(noChannel.body.message).toBe('Deployment channel not found');
    const noAgent = await t.request('POST', base, { deploymentChannelId: channel.id, agentId: 'agent_doesnotexist' });
    expect(noAgent.status).toBe(404);
    expect(noAgent.body.message).toBe('Agent not found');

    const other = await t.newWorkspace();
    const auth = { authorization: `Bearer ${other.apiKey}` };
    const theirAgent = await createAgent('Theirs', auth);
    const theirChannel = await createChannel(auth);
    const afterTheirs = await t.snapshot();
    const foreignAgent = await t.request('POST', base, { deploymentChannelId: channel.id, agentId: theirAgent.id });
    expect(foreignAgent.status).toBe(404);
    expect(foreignAgent.body.message).toBe('Agent not found');
    const foreignChannel = await t.request('POST', base, { deploymentChannelId: theirChannel.id, agentId: agent.id });
    expect(foreignChannel.status).toBe(404);
    expect(foreignChannel.body.message).toBe('Deployment channel not found');
    expect(await t.snapshot()).toEqual(afterTheirs);
    expect(afterTheirs.deployment_configurations).toBe(before.deployment_configurations);

    const missingFields = await t.request('POST', base, { agentId: agent.id });
    expect(missingFields.status).toBe(400);
    expect(missingFields.body.error.details).toEqual([{ field: 'deploymentChannelId', message: 'Required' }]);
  });

  it('gets by id, by channel, by agent (paginated) and lists', async () => {
    const fresh = await t.newWorkspace('Deployments listing');
    const auth = { authorization: `Bearer ${fresh.apiKey}` };
    const agent = await createAgent('Shared', auth);
    const lonely = await createAgent('Lonely', auth);
    const unused = await createAgent('Unused', auth);
    const deployments: Deployment[] = [];
    for (const agentId of [agent.id, agent.id, agent.id, lonely.id]) {
      const channel = await createChannel(auth);
      const response = await t.request('POST', base, { deploymentChannelId: channel.id, agentId }, auth);
      expect(response.status).toBe(201);
      deployments.push(response.body.data);
    }
    const [first] = deployments as [Deployment];

    const byId = await t.request('GET', `${base}/${first.id}`, undefined, auth);
    expect(byId.status).toBe(200);
    expect(byId.body.data).toEqual(first);

    const byChannel = await t.request('GET', `${base}/by-channel/${first.deploymentChannelId}`, undefined, auth);
    expect(byChannel.status).toBe(200);
    expect(byChannel.body.data).toEqual(first);
    const unboundChannel = await createChannel(auth);
    const noDeployment = await t.request('GET', `${base}/by-channel/${unboundChannel.id}`, undefined, auth);
    expect(noDeployment.status).toBe(404);
    expect(noDeployment.body.message).toBe('Deployment configuration not found');

    const agentPage1 = await t.request('GET', `${base}/by-agent/${agent.id}?pageSize=2`, undefined, auth);
    expect(agentPage1.status).toBe(200);
    expect(agentPage1.body.data.data).toHaveLength(2);
    expect(agentPage1.body.data.meta).toEqual({ page: 1, pageSize: 2, totalCount: 3, totalPages: 2, hasNextPage: true, hasPreviousPage: false });
    const agentPage2 = await t.request('GET', `${base}/by-agent/${agent.id}?pageSize=2&page=2`, undefined, auth);
    expect(agentPage2.body.data.data).toHaveLength(1);
    const ofAgent = [...agentPage1.body.data.data, ...agentPage2.body.data.data].map((d: Deployment) => d.id).sort();
    expect(ofAgent).toEqual(deployments.slice(0, 3).map((d) => d.id).sort());
    expect([...agentPage1.body.data.data, ...agentPage2.body.data.data].every((d: Deployment) => d.agentId === agent.id)).toBe(true);

    const none = await t.request('GET', `${base}/by-agent/${unused.id}`, undefined, auth);
    expect(none.status).toBe(200);
    expect(none.body.data.data).toEqual([]);
    expect(none.body.data.meta.totalCount).toBe(0);
    const unknownAgent = await t.request('GET', `${base}/by-agent/agent_doesnotexist`, undefined, auth);
    expect(unknownAgent.status).toBe(404);
    expect(unknownAgent.body.message).toBe('Agent not found');

    const all = await t.request('GET', base, undefined, auth);
    expect(all.status).toBe(200);
    expect(all.body.data.meta).toEqual({ page: 1, pageSize: 20, totalCount: 4, totalPages: 1, hasNextPage: false, hasPreviousPage: false });
    expect(all.body.data.data.map((d: Deployment) => d.id).sort()).toEqual(deployments.map((d) => d.id).sort());

    const missing = await t.request('GET', `${base}/dep_doesnotexist`, undefined, auth);
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('Deployment configuration not found');
  });

  it('moves status pending → active → paused → active → paused → archived', async () => {
    const deployment = await createDeployment();
    expect(deployment.status).toBe('pending');
    for (const status of ['active', 'paused', 'active', 'paused', 'archived']) {
      const response = await setStatus(deployment.id, status);
      expect(response.status, `→ ${status}`).toBe(200);
      expect(response.body.data.status).toBe(status);
    }
    expect((await t.request('GET', `${base}/${deployment.id}`)).body.data.status).toBe('archived');
    // Staying in the same state is not a transition.
    expect((await setStatus(deployment.id, 'archived')).status).toBe(200);
  });

  it('refuses other status moves with 409 naming both states', async () => {
    const check = async (id: string, from: string, to: string) => {
      const response = await setStatus(id, to);
      expect(response.status, `${from} → ${to}`).toBe(409);
      expect(response.body.code).toBe('CONFLICT');
      expect(response.body.message).toContain(from);
      expect(response.body.message).toContain(to);
      expect(response.body.meta).toMatchObject({ from, to });
      expect((await t.request('GET', `${base}/${id}`)).body.data.status).toBe(from);
    };
    const pending = await createDeployment();
    await check(pending.id, 'pending', 'paused');
    await check(pending.id, 'pending', 'archived');

    const active = await createDeployment({ status: 'active' });
    await check(active.id, 'active', 'archived');
    await check(active.id, 'active', 'pending');

    const archived = await createDeployment();
    for (const status of ['active', 'paused', 'archived']) expect((await setStatus(archived.id, status)).status).toBe(200);
    await check(archived.id, 'archived', 'active');
    await check(archived.id, 'archived', 'paused');
    await check(archived.id, 'archived', 'pending');

    const bad = await setStatus(pending.id, 'running');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('status');
  });

  it('updates with the id in the body on PATCH /v1/deployment-configurations', async () => {
    const deployment = await createDeployment();
    const newAgent = await createAgent('Replacement');
    const response = await t.request('PATCH', base, {
      id: deployment.id,
      deploymentName: 'Renamed',
      instructions: 'New rules',
      agentId: newAgent.id,
      status: 'active',
    });
    expect(response.status).toBe(200);
    expect(response.body.data).toMatchObject({
      id: deployment.id,
      deploymentChannelId: deployment.deploymentChannelId,
      deploymentName: 'Renamed',
      instructions: 'New rules',
      agentId: newAgent.id,
      status: 'active',
    });
    expect(response.body.data.updatedAt).toBeGreaterThanOrEqual(deployment.updatedAt);
    expect((await t.request('GET', `${base}/${deployment.id}`)).body.data).toEqual(response.body.data);

    const before = await t.snapshot();
    const noId = await t.request('PATCH', base, { deploymentName: 'x' });
    expect(noId.status).toBe(400);
    expect(noId.body.error.details).toEqual([{ field: 'id', message: 'Required' }]);
    const unknown = await t.request('PATCH', base, { id: 'dep_doesnotexist', deploymentName: 'x' });
    expect(unknown.status).toBe(404);
    const unknownAgent = await t.request('PATCH', base, { id: deployment.id, agentId: 'agent_doesnotexist' });
    expect(unknownAgent.status).toBe(404);
    expect(unknownAgent.body.message).toBe('Agent not found');
    const mismatch = await t.request('PATCH', `${base}/${deployment.id}`, { id: 'dep_other', deploymentName: 'x' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error.details[0].field).toBe('id');
    const channelChange = await t.request('PATCH', base, { id: deployment.id, deploymentChannelId: 'chan_x' });
    expect(channelChange.status).toBe(400);
    expect(channelChange.body.message).toContain('deploymentChannelId');
    expect(await t.snapshot()).toEqual(before);
    expect((await t.request('GET', `${base}/${deployment.id}`)).body.data).toEqual(response.body.data);
  });

  it('refuses to delete an active deployment and deletes a paused one', async () => {
    const deployment = await createDeployment({ status: 'active' });
    const before = await t.snapshot();
    const refused = await t.request('DELETE', `${base}/${deployment.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('CONFLICT');
    expect(refused.body.message).toBe('Cannot delete active deployment');
    expect(await t.snapshot()).toEqual(before);
    const still = await t.request('GET', `${base}/${deployment.id}`);
    expect(still.status).toBe(200);
    expect(still.body.data.status).toBe('active');

    expect((await setStatus(deployment.id, 'paused')).status).toBe(200);
    const deleted = await t.request('DELETE', `${base}/${deployment.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.data).toBe(true);
    expect((await t.request('GET', `${base}/${deployment.id}`)).status).toBe(404);
    expect((await t.request('DELETE', `${base}/${deployment.id}`)).status).toBe(404);
    // The channel is free to be bound again.
    const rebound = await t.request('POST', base, { deploymentChannelId: deployment.deploymentChannelId, agentId: deployment.agentId });
    expect(rebound.status).toBe(201);
  });

  it('refuses to delete a channel bound to a deployment', async () => {
    const deployment = await createDeployment();
    const before = await t.snapshot();
    const refused = await t.request('DELETE', `/v1/deployment-channels/${deployment.deploymentChannelId}`);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('CONFLICT');
    expect(refused.body.message).toContain(deployment.id);
    expect(await t.snapshot()).toEqual(before);
    expect((await t.request('GET', `/v1/deployment-channels/${deployment.deploymentChannelId}`)).status).toBe(200);

    expect((await t.request('DELETE', `${base}/${deployment.id}`)).status).toBe(200);
    expect((await t.request('DELETE', `/v1/deployment-channels/${deployment.deploymentChannelId}`)).status).toBe(200);
  });

  it('sets up a channel and its deployment in one step', async () => {
    const agent = await createAgent('Setup agent');
    const before = await t.snapshot();
    const response = await t.request('POST', `${base}/setup`, {
      agentId: agent.id,
      deploymentName: 'One step',
      status: 'active',
      channel: {
        channelIdentifier: 'https://setup.example.com',
        deploymentType: 'web',
        channelName: 'Setup chat',
        configuration: { widgetConfiguration: { position: 'left' } },
      },
    });
    expect(response.status).toBe(201);
    expect(response.body.success).toBe(true);
    const { channel, deployment } = response.body.data;
    expect(channel).toMatchObject({
      deploymentType: 'web',
      channelIdentifier: 'https://setup.example.com',
      channelName: 'Setup chat',
      configuration: { communicationType: 'unified', widgetConfiguration: { position: 'left' } },
    });
    expect(channel.id).toMatch(/^chan_/);
    expect(deployment).toMatchObject({ deploymentChannelId: channel.id, agentId: agent.id, deploymentName: 'One step', status: 'active' });
    const after = await t.snapshot();
    expect(after.deployment_channels).toBe(Number(before.deployment_channels) + 1);
    expect(after.deployment_configurations).toBe(Number(before.deployment_configurations) + 1);
    expect((await t.request('GET', `/v1/deployment-channels/${channel.id}`)).body.data).toEqual(channel);
    expect((await t.request('GET', `${base}/by-channel/${channel.id}`)).body.data).toEqual(deployment);

    const defaults = await t.request('POST', `${base}/setup`, {
      agentId: agent.id,
      channel: { channelIdentifier: 'com.example.setup', deploymentType: 'mobile-app', configuration: { platform: 'ios' } },
    });
    expect(defaults.status).toBe(201);
    expect(defaults.body.data.deployment.status).toBe('pending');
  });

  it('keeps nothing when setup names an unknown agent (the channel insert is rolled back)', async () => {
    const before = await t.snapshot();
    const response = await t.request('POST', `${base}/setup`, {
      agentId: 'agent_doesnotexist',
      channel: webChannel('https://rollback.example.com'),
    });
    expect(response.status).toBe(404);
    expect(response.body.code).toBe('NOT_FOUND');
    expect(response.body.message).toBe('Agent not found');
    expect(await t.snapshot()).toEqual(before);
    const lookup = await t.request('GET', `/v1/deployment-channels/by-identifier/${encodeURIComponent('https://rollback.example.com')}`);
    expect(lookup.status).toBe(404);

    // The identifier was never taken: a real setup with it succeeds.
    const agent = await createAgent('Real');
    const retry = await t.request('POST', `${base}/setup`, { agentId: agent.id, channel: webChannel('https://rollback.example.com') });
    expect(retry.status).toBe(201);
  });

  it('answers 409 for setup with an identifier already in use, keeping nothing', async () => {
    const existing = await createChannel();
    const agent = await createAgent();
    const before = await t.snapshot();
    const response = await t.request('POST', `${base}/setup`, { agentId: agent.id, channel: webChannel(existing.channelIdentifier) });
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('CONFLICT');
    expect(response.body.message).toBe('Channel identifier already in use');
    expect(await t.snapshot()).toEqual(before);

    const invalid = await t.request('POST', `${base}/setup`, { agentId: agent.id, channel: webChannel('example.com') });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.details[0].field).toBe('channel.channelIdentifier');
    expect(await t.snapshot()).toEqual(before);
  });

  it('never resolves a deployment from another workspace', async () => {
    const deployment = await createDeployment();
    const other = await t.newWorkspace();
    const auth = { authorization: `Bearer ${other.apiKey}` };
    const before = await t.snapshot();
    expect((await t.request('GET', `${base}/${deployment.id}`, undefined, auth)).status).toBe(404);
    expect((await t.request('GET', `${base}/by-channel/${deployment.deploymentChannelId}`, undefined, auth)).status).toBe(404);
    expect((await t.request('GET', `${base}/by-agent/${deployment.agentId}`, undefined, auth)).status).toBe(404);
    expect((await t.request('PATCH', `${base}/${deployment.id}`, { status: 'active' }, auth)).status).toBe(404);
    expect((await t.request('PATCH', base, { id: deployment.id, deploymentName: 'hijack' }, auth)).status).toBe(404);
    expect((await t.request('DELETE', `${base}/${deployment.id}`, undefined, auth)).status).toBe(404);
    expect((await t.request('GET', base, undefined, auth)).body.data.meta.totalCount).toBe(0);
    expect(await t.snapshot()).toEqual(before);
    expect((await t.request('GET', `${base}/${deployment.id}`)).body.data.status).toBe('pending');
  });
});

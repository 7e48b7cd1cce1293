import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import type { TestApp } from '../helpers/app.js';
import { createRoutingTestApp } from '../helpers/routing-app.js';
import { connectionsRepository } from '../../packages/server/src/store/repositories/connections.js';

const base = '/v1/teams';
let identifiers = 0;

describe.each(ENGINES)('teams API on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createRoutingTestApp(engine);
  });
  afterAll(async () => {
    await t.close();
  });

  const as = (apiKey: string) => ({ authorization: `Bearer ${apiKey}` });

  async function createTeam(body: Record<string, unknown> = { name: 'Support' }, headers?: Record<string, string>) {
    const response = await t.request('POST', base, body, headers);
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body.data as { id: string; name: string; updatedAt: number; createdAt: number };
  }

  async function createChannel(headers?: Record<string, string>) {
    const response = await t.request(
      'POST',
      '/v1/deployment-channels',
      { channelIdentifier: `https://teams-${++identifiers}.example.com`, deploymentType: 'web' },
      headers,
    );
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body.data.id as string;
  }

  /** Connections are stored directly: these tests are about teams, not about connecting providers. */
  async function createConnection(provider: string, workspaceId = t.workspaceId) {
    const record = await connectionsRepository(t.db, workspaceId).insert({
      provider,
      name: `${provider} desk`,
      settings: {},
      credentials: {},
      apiBaseUrl: null,
      inboundSecretSealed: 'unused',
    });
    return record.id;
  }

  it('creates a team and reads it with empty members and observers', async () => {
    const before = Date.now();
    const response = await t.request('POST', base, { name: '  Tier 1  ', description: 'First line' });
    expect(response.status).toBe(201);
    const team = response.body.data;
    expect(team).toEqual({
      id: expect.stringMatching(/^team_[A-Za-z0-9]{16}$/),
      name: 'Tier 1',
      description: 'First line',
      helpdeskConnectionId: null,
      members: [],
      observers: [],
      createdAt: expect.any(Number),
      updatedAt: expect.any(Number),
    });
    expect(team.createdAt).toBeGreaterThanOrEqual(before);
    const fetched = await t.request('GET', `${base}/${team.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body.data).toEqual(team);
  });

  it('rejects a bad team with field paths, changing nothing', async () => {
    const before = await t.snapshot();
    const noName = await t.request('POST', base, { description: 'x' });
    expect(noName.status).toBe(400);
    expect(noName.body.error.details).toEqual([{ field: 'name', message: 'Required' }]);
    const unknown = await t.request('POST', base, { name: 'X', members: [] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toBe('Unknown field: members');
    const badConnection = await t.request('POST', base, { name: 'X', helpdeskConnectionId: 'not an id!' });
    expect(badConnection.status).toBe(400);
    expect(badConnection.body.error.details[0].field).toBe('helpdeskConnectionId');
    const badDescription = await t.request('POST', base, { name: 'X', description: 7 });
    expect(badDescription.body.error.details[0].field).toBe('description');
    expect(await t.snapshot()).toEqual(before);
  });

  it('accepts a zendesk, servicenow, genesys or webhook connection of the workspace as helpdesk', async () => {
    for (const provider of ['zendesk', 'servicenow', 'genesys', 'webhook']) {
      const connectionId = await createConnection(provider);
      const team = await createTeam({ name: `${provider} team`, helpdeskConnectionId: connectionId });
      expect((await t.request('GET', `${base}/${team.id}`)).body.data.helpdeskConnectionId).toBe(connectionId);
    }
  });

  it('refuses a helpdesk that is unknown, of another provider or of another workspace', async () => {
    const before = await t.snapshot();
    const missing = await t.request('POST', base, { name: 'X', helpdeskConnectionId: 'conn_doesnotexist' });
    expect(missing.status).toBe(404);
    expect(missing.body.meta).toMatchObject({ field: 'helpdeskConnectionId', connectionId: 'conn_doesnotexist' });

    const twilio = await createConnection('twilio');
    const wrong = await t.request('POST', base, { name: 'X', helpdeskConnectionId: twilio });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details[0].field).toBe('helpdeskConnectionId');
    expect(wrong.body.message).toContain('twilio');
    expect(wrong.body.message).toContain('zendesk');

    const other = await t.newWorkspace('Other helpdesk');
    const foreign = await createConnection('zendesk', other.workspaceId);
    const foreignResponse = await t.request('POST', base, { name: 'X', helpdeskConnectionId: foreign });
    expect(foreignResponse.status).toBe(404);

    expect((await t.snapshot()).teams).toBe(before.teams);
  });

  it('updates through PATCH: rename, clear the description, set and clear the helpdesk', async () => {
    const team = await createTeam({ name: 'Patchable', description: 'old' });
    const zendesk = await createConnection('zendesk');
    const renamed = await t.request('PATCH', `${base}/${team.id}`, { name: 'Patched', description: null, helpdeskConnectionId: zendesk });
    expect(renamed.status).toBe(200);
    expect(renamed.body.data).toMatchObject({ id: team.id, name: 'Patched', description: null, helpdeskConnectionId: zendesk });
    expect(renamed.body.data.updatedAt).toBeGreaterThan(team.updatedAt);

    const cleared = await t.request('PATCH', `${base}/${team.id}`, { id: team.id, helpdeskConnectionId: null });
    expect(cleared.body.data).toMatchObject({ name: 'Patched', helpdeskConnectionId: null });

    const twilio = await createConnection('twilio');
    expect((await t.request('PATCH', `${base}/${team.id}`, { helpdeskConnectionId: twilio })).status).toBe(400);
    const mismatch = await t.request('PATCH', `${base}/${team.id}`, { id: 'team_other', name: 'x' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error.details[0].field).toBe('id');
    expect((await t.request('GET', `${base}/${team.id}`)).body.data).toMatchObject({ name: 'Patched', helpdeskConnectionId: null });

    const missing = await t.request('PATCH', `${base}/team_doesnotexist`, { name: 'x' });
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('Team not found');
  });

  it('refuses to delete a connection a team uses as helpdesk', async () => {
    const zendesk = await createConnection('zendesk');
    const team = await createTeam({ name: 'Desk users', helpdeskConnectionId: zendesk });
    const refused = await t.request('DELETE', `/v1/connections/${zendesk}`);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain(team.id);
    await t.request('PATCH', `${base}/${team.id}`, { helpdeskConnectionId: null });
    expect((await t.request('DELETE', `/v1/connections/${zendesk}`)).status).toBe(200);
  });

  it('adds and removes members, with roles and lower-cased emails', async () => {
    const team = await createTeam({ name: 'Members' });
    const ana = await t.request('POST', `${base}/${team.id}/members`, { name: 'Ana', email: ' Ana@Example.COM ', role: 'supervisor' });
    expect(ana.status).toBe(201);
    expect(ana.body.data).toEqual({ id: expect.stringMatching(/^tm_[A-Za-z0-9]{16}$/), name: 'Ana', email: 'ana@example.com', role: 'supervisor', memberId: null });
    const bo = await t.request('POST', `${base}/${team.id}/members`, { name: 'Bo', email: 'bo@example.com' });
    expect(bo.body.data.role).toBe('agent');

    const fetched = (await t.request('GET', `${base}/${team.id}`)).body.data;
    expect(fetched.members).toEqual([ana.body.data, bo.body.data]);
    expect(fetched.observers).toEqual([]);
    expect(fetched.updatedAt).toBeGreaterThan(team.updatedAt);

    const removed = await t.request('DELETE', `${base}/${team.id}/members/${ana.body.data.id}`);
    expect(removed.status).toBe(200);
    expect(removed.body.data).toBe(true);
    expect((await t.request('GET', `${base}/${team.id}`)).body.data.members).toEqual([bo.body.data]);
    const again = await t.request('DELETE', `${base}/${team.id}/members/${ana.body.data.id}`);
    expect(again.status).toBe(404);
    expect(again.body.message).toBe('Team member not found');
    expect((await t.request('POST', `${base}/team_doesnotexist/members`, { name: 'X', email: 'x@example.com' })).status).toBe(404);
  });

  it('validates members: email, role, name', async () => {
    const team = await createTeam({ name: 'Strict' });
    const before = await t.snapshot();
    for (const email of ['nope', 'a@b', 'a b@example.com', '@example.com', 'ana@', `${'x'.repeat(250)}@example.com`]) {
      const response = await t.request('POST', `${base}/${team.id}/members`, { name: 'Ana', email });
      expect(response.status, email).toBe(400);
      expect(response.body.error.details[0].field, email).toBe('email');
    }
    const role = await t.request('POST', `${base}/${team.id}/members`, { name: 'Ana', email: 'ana@example.com', role: 'owner' });
    expect(role.status).toBe(400);
    expect(role.body.error.details).toEqual([{ field: 'role', message: 'must be one of agent, supervisor, admin' }]);
    const noEmail = await t.request('POST', `${base}/${team.id}/members`, { name: 'Ana' });
    expect(noEmail.body.error.details).toEqual([{ field: 'email', message: 'Required' }]);
    expect(await t.snapshot()).toEqual(before);
  });

  it('answers 409 for a duplicate member email in a team, whatever its case', async () => {
    const team = await createTeam({ name: 'Unique' });
    const other = await createTeam({ name: 'Elsewhere' });
    expect((await t.request('POST', `${base}/${team.id}/members`, { name: 'Ana', email: 'ana@example.com' })).status).toBe(201);
    const before = await t.snapshot();
    const duplicate = await t.request('POST', `${base}/${team.id}/members`, { name: 'Ana again', email: 'ANA@example.com', role: 'admin' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.code).toBe('CONFLICT');
    expect(duplicate.body.message).toContain('ana@example.com');
    expect(await t.snapshot()).toEqual(before);
    // The same person may be in another team, and may observe this one.
    expect((await t.request('POST', `${base}/${other.id}/members`, { name: 'Ana', email: 'ana@example.com' })).status).toBe(201);
    expect((await t.request('POST', `${base}/${team.id}/observers`, { name: 'Ana', email: 'ana@example.com' })).status).toBe(201);
  });

  it('adds, lists and removes observers', async () => {
    const team = await createTeam({ name: 'Watched' });
    const member = (await t.request('POST', `${base}/${team.id}/members`, { name: 'Mia', email: 'mia@example.com' })).body.data;
    const added = [];
    for (const name of ['Olu', 'Pat', 'Quinn']) {
      const response = await t.request('POST', `${base}/${team.id}/observers`, { name, email: `${name.toLowerCase()}@example.com` });
      expect(response.status).toBe(201);
      expect(response.body.data).toEqual({ id: expect.stringMatching(/^tm_/), name, email: `${name.toLowerCase()}@example.com` });
      added.push(response.body.data);
    }
    const first = await t.request('GET', `${base}/${team.id}/observers?pageSize=2`);
    expect(first.status).toBe(200);
    expect(first.body.data.data).toEqual(added.slice(0, 2));
    expect(first.body.data.meta).toEqual({ page: 1, pageSize: 2, totalCount: 3, totalPages: 2, hasNextPage: true, hasPreviousPage: false });
    expect((await t.request('GET', `${base}/${team.id}/observers?page=2&pageSize=2`)).body.data.data).toEqual(added.slice(2));

    const fetched = (await t.request('GET', `${base}/${team.id}`)).body.data;
    expect(fetched.observers).toEqual(added);
    expect(fetched.members).toEqual([member]);

    const duplicate = await t.request('POST', `${base}/${team.id}/observers`, { name: 'Olu', email: 'OLU@example.com' });
    expect(duplicate.status).toBe(409);
    const badEmail = await t.request('POST', `${base}/${team.id}/observers`, { name: 'Olu', email: 'olu' });
    expect(badEmail.body.error.details[0].field).toBe('email');
    const withRole = await t.request('POST', `${base}/${team.id}/observers`, { name: 'Olu', email: 'o2@example.com', role: 'agent' });
    expect(withRole.body.message).toBe('Unknown field: role');

    // A member is not an observer, nor the other way round.
    expect((await t.request('DELETE', `${base}/${team.id}/observers/${member.id}`)).status).toBe(404);
    expect((await t.request('DELETE', `${base}/${team.id}/members/${added[0].id}`)).status).toBe(404);

    const removed = await t.request('DELETE', `${base}/${team.id}/observers/${added[0].id}`);
    expect(removed.body.data).toBe(true);
    expect((await t.request('GET', `${base}/${team.id}/observers`)).body.data.data).toEqual(added.slice(1));
    const again = await t.request('DELETE', `${base}/${team.id}/observers/${added[0].id}`);
    expect(again.status).toBe(404);
    expect(again.body.message).toBe('Team observer not found');
    expect((await t.request('GET', `${base}/team_doesnotexist/observers`)).status).toBe(404);
  });

  it('lists teams with pagination meta and their people', async () => {
    const fresh = await t.newWorkspace('Teams listing');
    const auth = as(fresh.apiKey);
    const ids = [];
    for (const name of ['T1', 'T2', 'T3']) ids.push((await createTeam({ name }, auth)).id);
    await t.request('POST', `${base}/${ids[0]}/members`, { name: 'Ana', email: 'ana@example.com' }, auth);
    const first = await t.request('GET', `${base}?pageSize=2`, undefined, auth);
    expect(first.status).toBe(200);
    expect(first.body.data.data.map((team: { id: string }) => team.id)).toEqual(ids.slice(0, 2));
    expect(first.body.data.data[0].members).toHaveLength(1);
    expect(first.body.data.data[1].members).toEqual([]);
    expect(first.body.data.meta).toEqual({ page: 1, pageSize: 2, totalCount: 3, totalPages: 2, hasNextPage: true, hasPreviousPage: false });
    const second = await t.request('GET', `${base}?pageSize=2&page=2`, undefined, auth);
    expect(second.body.data.data.map((team: { id: string }) => team.id)).toEqual(ids.slice(2));
  });

  it("replaces and lists a channel's assignable teams", async () => {
    const channelId = await createChannel();
    const [a, b, c] = [await createTeam({ name: 'A' }), await createTeam({ name: 'B' }), await createTeam({ name: 'C' })];
    expect((await t.request('GET', `/v1/deployment-channels/${channelId}/teams`)).body.data.data).toEqual([]);

    const set = await t.request('PUT', `/v1/deployment-channels/${channelId}/teams`, { teamIds: [b.id, a.id, b.id] });
    expect(set.status).toBe(200);
    expect(set.body.data.map((team: { id: string }) => team.id)).toEqual([a.id, b.id]);
    expect(set.body.data[0]).toMatchObject({ name: 'A', members: [], observers: [] });
    const listed = await t.request('GET', `/v1/deployment-channels/${channelId}/teams`);
    expect(listed.body.data.data).toEqual(set.body.data);
    expect(listed.body.data.meta).toMatchObject({ totalCount: 2, page: 1 });

    const replaced = await t.request('PUT', `/v1/deployment-channels/${channelId}/teams`, { teamIds: [c.id] });
    expect(replaced.body.data.map((team: { id: string }) => team.id)).toEqual([c.id]);
    expect((await t.request('GET', `/v1/deployment-channels/${channelId}/teams`)).body.data.data.map((team: { id: string }) => team.id)).toEqual([c.id]);

    const before = await t.snapshot();
    const unknown = await t.request('PUT', `/v1/deployment-channels/${channelId}/teams`, { teamIds: [a.id, 'team_doesnotexist'] });
    expect(unknown.status).toBe(404);
    expect(unknown.body.meta).toEqual({ field: 'teamIds.1', teamId: 'team_doesnotexist' });
    expect(unknown.body.message).toContain('teamIds.1');
    const invalid = await t.request('PUT', `/v1/deployment-channels/${channelId}/teams`, { teamIds: 'x' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.details[0].field).toBe('teamIds');
    const missing = await t.request('PUT', `/v1/deployment-channels/${channelId}/teams`, {});
    expect(missing.body.error.details).toEqual([{ field: 'teamIds', message: 'Required' }]);
    expect(await t.snapshot()).toEqual(before);

    const channelMissing = await t.request('PUT', '/v1/deployment-channels/chan_doesnotexist/teams', { teamIds: [a.id] });
    expect(channelMissing.status).toBe(404);
    expect(channelMissing.body.message).toBe('Deployment channel not found');
    expect((await t.request('GET', '/v1/deployment-channels/chan_doesnotexist/teams')).status).toBe(404);

    const cleared = await t.request('PUT', `/v1/deployment-channels/${channelId}/teams`, { teamIds: [] });
    expect(cleared.body.data).toEqual([]);
    expect((await t.request('GET', `/v1/deployment-channels/${channelId}/teams`)).body.data.meta.totalCount).toBe(0);
  });

  it('refuses to delete a team a channel or a workflow still uses, naming them', async () => {
    const team = await createTeam({ name: 'Busy' });
    await t.request('POST', `${base}/${team.id}/members`, { name: 'Ana', email: 'ana@example.com' });
    await t.request('POST', `${base}/${team.id}/observers`, { name: 'Olu', email: 'olu@example.com' });
    const channelId = await createChannel();
    await t.request('PUT', `/v1/deployment-channels/${channelId}/teams`, { teamIds: [team.id] });
    const agent = (await t.request('POST', '/v1/agents', { name: 'Bot' })).body.data;
    const workflow = await t.request('POST', '/v1/workflows', {
      name: 'Uses the team',
      rules: [{ when: { keywords: ['human'] }, then: { teamId: team.id } }],
      fallback: { agentId: agent.id },
    });
    expect(workflow.status).toBe(201);
    const workflowId = workflow.body.data.id as string;

    const before = await t.snapshot();
    const refused = await t.request('DELETE', `${base}/${team.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('CONFLICT');
    expect(refused.body.message).toContain(channelId);
    expect(refused.body.message).toContain(workflowId);
    expect(refused.body.meta).toEqual({ channelIds: [channelId], workflowIds: [workflowId] });
    expect(await t.snapshot()).toEqual(before);

    await t.request('PUT', `/v1/deployment-channels/${channelId}/teams`, { teamIds: [] });
    const stillWorkflow = await t.request('DELETE', `${base}/${team.id}`);
    expect(stillWorkflow.status).toBe(409);
    expect(stillWorkflow.body.meta).toEqual({ channelIds: [], workflowIds: [workflowId] });

    await t.request('PATCH', `/v1/workflows/${workflowId}`, { rules: [] });
    const deleted = await t.request('DELETE', `${base}/${team.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.data).toBe(true);
    const after = await t.snapshot();
    expect(after.teams).toBe(before.teams! - 1);
    expect(after.team_members).toBe(before.team_members! - 2);
    expect((await t.request('GET', `${base}/${team.id}`)).status).toBe(404);
    expect((await t.request('DELETE', `${base}/${team.id}`)).status).toBe(404);
  });

  it("forgets a deleted channel's assignments", async () => {
    const team = await createTeam({ name: 'Orphaned' });
    const channelId = await createChannel();
    await t.request('PUT', `/v1/deployment-channels/${channelId}/teams`, { teamIds: [team.id] });
    expect((await t.request('DELETE', `/v1/deployment-channels/${channelId}`)).status).toBe(200);
    expect((await t.request('DELETE', `${base}/${team.id}`)).body.data).toBe(true);
  });

  it('never resolves a team or a channel of another workspace', async () => {
    const team = await createTeam({ name: 'Private' });
    const member = (await t.request('POST', `${base}/${team.id}/members`, { name: 'Ana', email: 'ana@example.com' })).body.data;
    const observer = (await t.request('POST', `${base}/${team.id}/observers`, { name: 'Olu', email: 'olu@example.com' })).body.data;
    const channelId = await createChannel();
    const other = await t.newWorkspace('Intruder');
    const auth = as(other.apiKey);
    const theirChannel = await createChannel(auth);
    const theirTeam = await createTeam({ name: 'Theirs' }, auth);

    const before = await t.snapshot();
    expect((await t.request('GET', `${base}/${team.id}`, undefined, auth)).status).toBe(404);
    expect((await t.request('PATCH', `${base}/${team.id}`, { name: 'hijack' }, auth)).status).toBe(404);
    expect((await t.request('DELETE', `${base}/${team.id}`, undefined, auth)).status).toBe(404);
    expect((await t.request('POST', `${base}/${team.id}/members`, { name: 'X', email: 'x@example.com' }, auth)).status).toBe(404);
    expect((await t.request('DELETE', `${base}/${team.id}/members/${member.id}`, undefined, auth)).status).toBe(404);
    expect((await t.request('POST', `${base}/${team.id}/observers`, { name: 'X', email: 'x@example.com' }, auth)).status).toBe(404);
    expect((await t.request('GET', `${base}/${team.id}/observers`, undefined, auth)).status).toBe(404);
    expect((await t.request('DELETE', `${base}/${team.id}/observers/${observer.id}`, undefined, auth)).status).toBe(404);
    // Their channel cannot take our team; our channel cannot take theirs, nor be read by them.
    const ours = await t.request('PUT', `/v1/deployment-channels/${theirChannel}/teams`, { teamIds: [team.id] }, auth);
    expect(ours.status).toBe(404);
    expect(ours.body.meta.field).toBe('teamIds.0');
    expect((await t.request('PUT', `/v1/deployment-channels/${channelId}/teams`, { teamIds: [theirTeam.id] }, auth)).status).toBe(404);
    expect((await t.request('PUT', `/v1/deployment-channels/${channelId}/teams`, { teamIds: [theirTeam.id] })).status).toBe(404);
    expect((await t.request('GET', `/v1/deployment-channels/${channelId}/teams`, undefined, auth)).status).toBe(404);
    expect((await t.request('GET', base, undefined, auth)).body.data.data.map((x: { id: string }) => x.id)).toEqual([theirTeam.id]);
    expect(await t.snapshot()).toEqual(before);
    expect((await t.request('GET', `${base}/${team.id}`)).body.data).toMatchObject({ name: 'Private', members: [member], observers: [observer] });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { createTestApp, type TestApp, type TestWorkspace } from '../helpers/app.js';
import { asMember, memberSession, uniqueEmail, type ConsoleSession } from '../helpers/console-session.js';

let identifiers = 0;
const channel = () => ({ channelIdentifier: `https://roles-${++identifiers}-${Date.now()}.example.com`, deploymentType: 'web' });

describe.each(ENGINES)('member roles on %s', (engine) => {
  let t: TestApp;
  let other: TestWorkspace;
  let agent: ConsoleSession;
  let admin: ConsoleSession;
  let owner: ConsoleSession;
  let otherChannelId: string;
  beforeAll(async () => {
    t = await createTestApp(engine);
    other = await t.newWorkspace('Other');
    [agent, admin, owner] = [await memberSession(t, 'agent'), await memberSession(t, 'admin'), await memberSession(t, 'owner')];
    const created = await t.request('POST', '/v1/deployment-channels', channel(), { authorization: `Bearer ${other.apiKey}` });
    otherChannelId = created.body.data.id;
  });
  afterAll(async () => {
    await t.close();
  });

  it('lets an agent work the inbox but nothing else', async () => {
    for (const url of ['/v1/conversations', '/v1/teams', '/v1/deployment-channels', '/v1/session', '/v1/me']) {
      expect((await asMember(t, agent, 'GET', url)).status, url).toBe(200);
    }
    const members = await asMember(t, agent, 'GET', '/v1/members');
    expect(members.status).toBe(403);
    expect(members.body.error).toMatchObject({ code: 'FORBIDDEN', message: 'This needs the owner role; you are signed in as agent' });
    const keys = await asMember(t, agent, 'GET', `/v1/workspaces/${t.workspaceId}/keys`);
    expect(keys.status).toBe(403);
    expect(keys.body.error.message).toBe('This needs the admin role; you are signed in as agent');
    const before = await t.snapshot();
    const create = await asMember(t, agent, 'POST', '/v1/deployment-channels', channel());
    expect(create.status).toBe(403);
    expect(create.body.error.message).toBe('This needs the admin role; you are signed in as agent');
    expect((await asMember(t, agent, 'POST', `/v1/workspaces/${t.workspaceId}/keys`, { name: 'mine' })).status).toBe(403);
    expect(await t.snapshot()).toEqual(before);
    expect((await asMember(t, agent, 'GET', '/v1/agents')).status).toBe(403);
  });

  it("lets an admin configure and manage its own workspace's keys, but not members", async () => {
    expect((await asMember(t, admin, 'POST', '/v1/deployment-channels', channel())).status).toBe(201);
    const members = await asMember(t, admin, 'GET', '/v1/members');
    expect(members.status).toBe(403);
    expect(members.body.error.message).toBe('This needs the owner role; you are signed in as admin');
    expect((await asMember(t, admin, 'POST', '/v1/members', { email: uniqueEmail(), role: 'owner' })).status).toBe(403);

    const created = await asMember(t, admin, 'POST', `/v1/workspaces/${t.workspaceId}/keys`, { name: 'console key', scope: 'read' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.data).toMatchObject({ name: 'console key', scope: 'read', instanceAdmin: false, key: expect.stringMatching(/^sbk_/) });
    const listed = await asMember(t, admin, 'GET', `/v1/workspaces/${t.workspaceId}/keys`);
    expect(listed.status).toBe(200);
    expect(listed.body.data.data.map((k: { id: string }) => k.id)).toContain(created.body.data.id);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.data.key);
    const revoked = await asMember(t, admin, 'POST', `/v1/workspaces/${t.workspaceId}/keys/${created.body.data.id}/revoke`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.data.revokedAt).toEqual(expect.any(Number));
  });

  it('lets an owner do everything in its workspace', async () => {
    expect((await asMember(t, owner, 'GET', '/v1/members')).status).toBe(200);
    expect((await asMember(t, owner, 'POST', '/v1/members', { email: uniqueEmail(), role: 'admin' })).status).toBe(201);
    expect((await asMember(t, owner, 'POST', '/v1/deployment-channels', channel())).status).toBe(201);
    expect((await asMember(t, owner, 'GET', `/v1/workspaces/${t.workspaceId}/keys`)).status).toBe(200);
    expect((await asMember(t, owner, 'GET', '/v1/conversations')).status).toBe(200);
  });

  it("never reaches another workspace's resources", async () => {
    for (const session of [agent, admin, owner]) {
      expect((await asMember(t, session, 'GET', `/v1/deployment-channels/${otherChannelId}`)).status).toBe(404);
    }
    const before = await t.snapshot();
    const keys = await asMember(t, owner, 'GET', `/v1/workspaces/${other.workspaceId}/keys`);
    expect(keys.status).toBe(403);
    expect((await asMember(t, owner, 'POST', `/v1/workspaces/${other.workspaceId}/keys`, { name: 'stolen' })).status).toBe(403);
    expect((await asMember(t, owner, 'GET', '/v1/workspaces')).status).toBe(403);
    expect((await asMember(t, owner, 'DELETE', `/v1/deployment-channels/${otherChannelId}`)).status).toBe(404);
    expect(await t.snapshot()).toEqual(before);
    const otherOwner = await memberSession(t, 'owner', other.apiKey);
    expect((await asMember(t, owner, 'GET', `/v1/members/${otherOwner.memberId}`)).status).toBe(404);
    expect((await asMember(t, owner, 'DELETE', `/v1/members/${otherOwner.memberId}`)).status).toBe(404);
    const listed = await asMember(t, owner, 'GET', '/v1/members?pageSize=100');
    expect(listed.body.data.data.map((m: { id: string }) => m.id)).not.toContain(otherOwner.memberId);
  });

  it('applies a role change on the next request', async () => {
    const promoted = await memberSession(t, 'agent');
    expect((await asMember(t, promoted, 'GET', '/v1/agents')).status).toBe(403);
    expect((await t.request('PATCH', `/v1/members/${promoted.memberId}`, { role: 'admin' })).status).toBe(200);
    expect((await asMember(t, promoted, 'GET', '/v1/agents')).status).toBe(200);
  });
});

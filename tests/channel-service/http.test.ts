/**
 * The channel service over raw HTTP: auth (x-api-key with x-organization-id, Bearer), the core
 * channel paths, `_count`, plain bodies without an envelope, `{"success": true}` deletes, the
 * error format, workflows and teams. Provider-backed creation is in providers.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { controlApi } from '../helpers/control.js';
import { registerChannelService } from '../../packages/server/src/channel-service/index.js';
import { activate, channelApi, startChannelServiceServer, type ChannelServiceServer } from './harness.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe.each(ENGINES)('channel service HTTP on %s', (engine) => {
  let server: ChannelServiceServer;
  let workspaceId: string;
  let apiKey: string;
  let api: ReturnType<typeof channelApi>;

  beforeAll(async () => {
    server = await startChannelServiceServer(engine);
    ({ workspaceId, apiKey } = await server.newWorkspace());
    api = channelApi(server.baseUrl, apiKey);
  });
  afterAll(async () => {
    await server?.close();
  });

  async function web(name: string, extra: Record<string, unknown> = {}) {
    const created = await api('POST', '/channel-service/v1/channels/_web', { name, ...extra });
    expect(created.status, created.text).toBe(201);
    return created.body;
  }

  describe('authentication', () => {
    it('answers 401 without a key, or with an unknown one, in the plain error format', async () => {
      const anonymous = channelApi(server.baseUrl);
      const missing = await anonymous('GET', '/channel-service/v1/channels');
      expect(missing.status).toBe(401);
      expect(missing.contentType).toContain('application/json');
      expect(missing.body).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.stringContaining('Missing API key'), details: null } });
      expect(missing.body.success).toBeUndefined();

      const unknown = await channelApi(server.baseUrl, 'sk_not_a_key')('GET', '/channel-service/v1/channels');
      expect(unknown.status).toBe(401);
      expect(unknown.body.error.code).toBe('UNAUTHORIZED');
      // Unauthenticated callers learn nothing else: not even whether a route exists.
      expect((await anonymous('GET', '/channel-service/v1/nothing-here')).status).toBe(401);
    });

    it('accepts x-api-key, with or without a matching x-organization-id, and Authorization: Bearer', async () => {
      expect((await api('GET', '/channel-service/v1/channels')).status).toBe(200);
      expect((await api('GET', '/channel-service/v1/channels', undefined, { 'x-organization-id': workspaceId })).status).toBe(200);
      const bearer = await channelApi(server.baseUrl)('GET', '/channel-service/v1/channels', undefined, { authorization: `Bearer ${apiKey}` });
      expect(bearer.status).toBe(200);
      expect(Array.isArray(bearer.body)).toBe(true);
    });

    it('answers 403 when x-organization-id names another workspace than the key', async () => {
      const other = await server.newWorkspace('Other');
      const mismatch = await api('GET', '/channel-service/v1/channels', undefined, { 'x-organization-id': other.workspaceId });
      expect(mismatch.status).toBe(403);
      expect(mismatch.body.error.code).toBe('FORBIDDEN');
      expect(mismatch.body.error.message).toContain(other.workspaceId);
      const before = await api('GET', '/channel-service/v1/channels/_count');
      const refused = await api('POST', '/channel-service/v1/channels/_web', { name: 'Nope' }, { 'x-organization-id': other.workspaceId });
      expect(refused.status).toBe(403);
      expect((await api('GET', '/channel-service/v1/channels/_count')).body).toEqual(before.body);
    });

    it('keeps workspaces apart: another workspace\'s channel is not found', async () => {
      const mine = await web('Isolated');
      const other = await server.newWorkspace('Elsewhere');
      const theirs = channelApi(server.baseUrl, other.apiKey);
      expect((await theirs('GET', `/channel-service/v1/channels/${mine.id}`)).status).toBe(404);
      expect((await theirs('PUT', `/channel-service/v1/channels/${mine.id}`, { name: 'Mine now' })).status).toBe(404);
      expect((await theirs('DELETE', `/channel-service/v1/channels/${mine.id}`)).status).toBe(404);
      expect((await theirs('GET', '/channel-service/v1/channels')).body).toEqual([]);
    });
  });

  describe('channels', () => {
    it('creates a web channel and reads it in the spec\'s Channel shape, plain JSON', async () => {
      const created = await api('POST', '/channel-service/v1/channels/_web', { name: 'Website Chat' });
      expect(created.status).toBe(201);
      expect(created.contentType).toContain('application/json');
      const channel = created.body;
      expect(Object.keys(channel).sort()).toEqual(
        [
          'business_unit_id',
          'config',
          'created_at',
          'credential_id',
          'id',
          'identifier',
          'is_active',
          'name',
          'object_name',
          'organization_id',
          'type',
          'updated_at',
          'workflow_id',
        ].sort(),
      );
      expect(channel).toMatchObject({
        object_name: 'channel',
        name: 'Website Chat',
        type: 'web',
        organization_id: workspaceId,
        business_unit_id: null,
        is_active: false,
        credential_id: null,
        workflow_id: null,
        config: { communicationType: 'unified', widgetConfiguration: { position: 'right' } },
      });
      expect(channel.id).toMatch(/^chan_/);
      expect(channel.created_at).toMatch(ISO);
      expect(channel.updated_at).toMatch(ISO);
      expect(channel.identifier).toMatch(/^https:\/\/web\.switchboard\.invalid\/website-chat-[0-9a-f]{10}$/);

      const read = await api('GET', `/channel-service/v1/channels/${channel.id}`);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(channel);

      // A second channel of the same name gets its own identifier.
      const again = await web('Website Chat');
      expect(again.identifier).not.toBe(channel.identifier);
    });

    it('takes a real URL and a configuration, and validates them with this API\'s field names', async () => {
      const channel = await web('Shop', { url: 'https://shop.example.com', config: { widgetConfiguration: { position: 'left' } } });
      expect(channel.identifier).toBe('https://shop.example.com');
      expect(channel.config.widgetConfiguration.position).toBe('left');

      const duplicate = await api('POST', '/channel-service/v1/channels/_web', { name: 'Shop again', url: 'https://shop.example.com' });
      expect(duplicate.status).toBe(409);
      expect(duplicate.body.error.code).toBe('CONFLICT');

      const badUrl = await api('POST', '/channel-service/v1/channels/_web', { name: 'Bad', url: 'ftp://example.com' });
      expect(badUrl.status).toBe(400);
      expect(badUrl.body.error.code).toBe('VALIDATION_ERROR');
      expect(badUrl.body.error.details).toEqual([{ field: 'url', message: expect.any(String) }]);

      const noName = await api('POST', '/channel-service/v1/channels/_web', {});
      expect(noName.status).toBe(400);
      expect(noName.body.error.details[0].field).toBe('name');

      const badConfig = await api('POST', '/channel-service/v1/channels/_web', { name: 'Bad config', config: { widgetConfiguration: { position: 'top' } } });
      expect(badConfig.status).toBe(400);
      expect(badConfig.body.error.details[0].field).toBe('config.widgetConfiguration.position');
    });

    it('lists (optionally by type) and counts messaging channels only', async () => {
      const { workspaceId: ws, apiKey: key } = await server.newWorkspace('Counting');
      const counting = channelApi(server.baseUrl, key);
      const control = controlApi(server.baseUrl, key);
      expect((await counting('GET', '/channel-service/v1/channels/_count')).body).toEqual({ count: 0 });
      const a = (await counting('POST', '/channel-service/v1/channels/_web', { name: 'A' })).body;
      const b = (await counting('POST', '/channel-service/v1/channels/_email', { name: 'B', email: 'b@example.com' })).body;
      // A calls channel belongs to /v1 only: not listed, counted or read here.
      const phone = await control('POST', '/v1/phone-configurations', { phoneNumber: '+12025551234', provider: 'twilio' });
      expect(phone.status, JSON.stringify(phone.body)).toBe(201);
      const calls = await control('POST', '/v1/deployment-channels', {
        deploymentType: 'calls',
        channelIdentifier: '+12025551234',
        configuration: { phoneConfigurationId: phone.body.data.id },
      });
      expect(calls.status, JSON.stringify(calls.body)).toBe(201);

      const all = await counting('GET', '/channel-service/v1/channels');
      expect(all.body.map((c: { id: string }) => c.id)).toEqual([a.id, b.id]);
      expect(all.body.every((c: { organization_id: string }) => c.organization_id === ws)).toBe(true);
      expect((await counting('GET', '/channel-service/v1/channels?type=email')).body.map((c: { id: string }) => c.id)).toEqual([b.id]);
      expect((await counting('GET', '/channel-service/v1/channels/_count')).body).toEqual({ count: 2 });
      expect((await counting('GET', '/channel-service/v1/channels/_count?type=web')).body).toEqual({ count: 1 });
      expect((await counting('GET', '/channel-service/v1/channels/_count?type=whatsapp')).body).toEqual({ count: 0 });

      const badType = await counting('GET', '/channel-service/v1/channels?type=calls');
      expect(badType.status).toBe(400);
      expect(badType.body.error.details[0].field).toBe('type');

      const callsRead = await counting('GET', `/channel-service/v1/channels/${calls.body.data.id}`);
      expect(callsRead.status).toBe(404);
      expect(callsRead.body.error.message).toMatch(/calls channel.*\/v1\/deployment-channels/);
    });

    it('updates name and config, and switches is_active through the deployment', async () => {
      const channel = await web('Toggle');
      const renamed = await api('PUT', `/channel-service/v1/channels/${channel.id}`, { name: 'Toggled', config: { widgetConfiguration: { position: 'left' } } });
      expect(renamed.status).toBe(200);
      expect(renamed.body).toMatchObject({ name: 'Toggled', config: { widgetConfiguration: { position: 'left' } } });

      const badConfig = await api('PUT', `/channel-service/v1/channels/${channel.id}`, { config: { communicationType: 'fax' } });
      expect(badConfig.status).toBe(400);
      expect(badConfig.body.error.details[0].field).toBe('config.communicationType');

      // No deployment: already inactive; activating needs an agent.
      expect((await api('PUT', `/channel-service/v1/channels/${channel.id}`, { active: false })).body.is_active).toBe(false);
      const noAgent = await api('PUT', `/channel-service/v1/channels/${channel.id}`, { active: true });
      expect(noAgent.status).toBe(409);
      expect(noAgent.body.error.message).toMatch(/no deployment/);

      const deployment = await activate(server, workspaceId, channel.id, 'pending');
      const on = await api('PUT', `/channel-service/v1/channels/${channel.id}`, { active: true });
      expect(on.status).toBe(200);
      expect(on.body.is_active).toBe(true);
      expect(on.body.updated_at >= renamed.body.updated_at).toBe(true);
      const off = await api('PUT', `/channel-service/v1/channels/${channel.id}`, { active: false });
      expect(off.body.is_active).toBe(false);
      const row = await server.db.selectFrom('deployment_configurations').select('status').where('id', '=', deployment.id).executeTakeFirstOrThrow();
      expect(row.status).toBe('paused');
      expect((await api('GET', `/channel-service/v1/channels/${channel.id}`)).body.is_active).toBe(false);
      expect((await api('PUT', `/channel-service/v1/channels/${channel.id}`, { active: true })).body.is_active).toBe(true);

      const wrongType = await api('PUT', `/channel-service/v1/channels/${channel.id}`, { active: 'yes' });
      expect(wrongType.status).toBe(400);
      expect(wrongType.body.error.details[0].field).toBe('active');
    });

    it('deletes with {"success": true}: v1 refuses while a deployment binds the channel, v3 removes a paused one with it', async () => {
      const plain = await web('Delete me');
      const deleted = await api('DELETE', `/channel-service/v1/channels/${plain.id}`);
      expect(deleted.status).toBe(200);
      expect(deleted.text).toBe('{"success":true}');
      expect((await api('GET', `/channel-service/v1/channels/${plain.id}`)).status).toBe(404);
      const again = await api('DELETE', `/channel-service/v1/channels/${plain.id}`);
      expect(again.status).toBe(404);
      expect(again.body.error.code).toBe('NOT_FOUND');

      const bound = await web('Bound');
      const deployment = await activate(server, workspaceId, bound.id, 'active');
      const v1 = await api('DELETE', `/channel-service/v1/channels/${bound.id}`);
      expect(v1.status).toBe(409);
      expect(v1.body.error.meta).toEqual({ deploymentId: deployment.id });
      const v3Active = await api('DELETE', `/channel-service/v3/channels/${bound.id}`);
      expect(v3Active.status).toBe(409);
      expect(v3Active.body.error.message).toMatch(/active deployment/);

      await api('PUT', `/channel-service/v1/channels/${bound.id}`, { active: false });
      const v3 = await api('DELETE', `/channel-service/v3/channels/${bound.id}`);
      expect(v3.status).toBe(200);
      expect(v3.body).toEqual({ success: true });
      expect(await server.db.selectFrom('deployment_configurations').select('id').where('id', '=', deployment.id).executeTakeFirst()).toBeUndefined();
      expect((await api('GET', `/channel-service/v1/channels/${bound.id}`)).status).toBe(404);
      expect((await api('DELETE', `/channel-service/v3/channels/${bound.id}`)).status).toBe(404);
    });

    it('creates through the generic path by type, and rejects an unknown type', async () => {
      const created = await api('POST', '/channel-service/v1/channels', { type: 'web', name: 'Generic' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ type: 'web', name: 'Generic' });
      const unknown = await api('POST', '/channel-service/v1/channels', { type: 'fax', name: 'Nope' });
      expect(unknown.status).toBe(400);
      expect(unknown.body.error.details[0].field).toBe('type');
      const missing = await api('POST', '/channel-service/v1/channels', { type: 'email', name: 'No address' });
      expect(missing.status).toBe(400);
      expect(missing.body.error.details[0].field).toBe('email');
    });

    it('registers once: a second registration on the same server is a no-op', async () => {
      expect(() =>
        registerChannelService(server.app.server, { db: server.db, secretBox: server.app.secretBox, connections: server.app.connections }),
      ).not.toThrow();
      expect((await api('GET', '/channel-service/v1/channels/_count')).status).toBe(200);
    });

    it('answers framework errors and unknown routes in its own format', async () => {
      const malformed = await api('POST', '/channel-service/v1/channels/_web', '{"name":');
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.code).toBe('VALIDATION_ERROR');
      expect(malformed.body.error.message).toMatch(/Malformed JSON/);

      const noBody = await api('POST', '/channel-service/v1/channels/_web');
      expect(noBody.status).toBe(400);
      expect(noBody.body.error.message).toMatch(/body is required/);

      const text = await api('POST', '/channel-service/v1/channels/_web', 'name=x', { 'content-type': 'text/plain' });
      expect(text.status).toBe(415);
      expect(text.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');

      const route = await api('GET', '/channel-service/v9/everything');
      expect(route.status).toBe(404);
      expect(route.body).toEqual({ error: { code: 'NOT_FOUND', message: 'Route GET /channel-service/v9/everything not found', details: null } });

      const badId = await api('GET', '/channel-service/v1/channels/not%20an%20id');
      expect(badId.status).toBe(400);
      expect(badId.body.error.details[0].field).toBe('id');
    });
  });

  describe('workflows', () => {
    it('attaches a workflow of the workspace and detaches it', async () => {
      const channel = await web('Routed');
      const missing = await api('PUT', `/channel-service/v1/channels/workflows/${channel.id}`, { workflow_id: 'wf_missing' });
      expect(missing.status).toBe(404);
      expect(missing.body.error.message).toBe('Workflow not found');

      const now = Date.now();
      await server.db
        .insertInto('workflows')
        .values({ id: 'wf_http_test', workspace_id: workspaceId, name: 'Routing', definition: '{"rules":[]}', created_at: now, updated_at: now })
        .execute();
      const other = await server.newWorkspace('Workflows elsewhere');
      await server.db
        .insertInto('workflows')
        .values({ id: 'wf_other_ws', workspace_id: other.workspaceId, name: 'Theirs', definition: '{}', created_at: now, updated_at: now })
        .execute();
      expect((await api('PUT', `/channel-service/v1/channels/workflows/${channel.id}`, { workflow_id: 'wf_other_ws' })).status).toBe(404);

      const attached = await api('PUT', `/channel-service/v1/channels/workflows/${channel.id}`, { workflow_id: 'wf_http_test' });
      expect(attached.status).toBe(200);
      expect(attached.body).toMatchObject({ id: channel.id, workflow_id: 'wf_http_test' });
      const row = await server.db.selectFrom('deployment_channels').select('workflow_id').where('id', '=', channel.id).executeTakeFirstOrThrow();
      expect(row.workflow_id).toBe('wf_http_test');

      const noBody = await api('PUT', `/channel-service/v1/channels/workflows/${channel.id}`, {});
      expect(noBody.status).toBe(400);
      expect(noBody.body.error.details[0].field).toBe('workflow_id');

      const detached = await api('DELETE', `/channel-service/v1/channels/workflows/${channel.id}`);
      expect(detached.status).toBe(200);
      expect(detached.body).toEqual({ success: true });
      expect((await api('GET', `/channel-service/v1/channels/${channel.id}`)).body.workflow_id).toBeNull();
      expect((await api('DELETE', `/channel-service/v1/channels/workflows/${channel.id}`)).body).toEqual({ success: true });
      expect((await api('DELETE', '/channel-service/v1/channels/workflows/chan_missing')).status).toBe(404);
    });
  });

  describe('teams', () => {
    it('lists assignable teams with their members, per channel when it has assignments, and a team\'s observers', async () => {
      const { workspaceId: ws, apiKey: key } = await server.newWorkspace('Teams');
      const teamsApi = channelApi(server.baseUrl, key);
      expect((await teamsApi('GET', '/channel-service/v1/assign/teams/all')).body).toEqual([]);
      const now = Date.now();
      const team = (id: string, name: string, at: number) => ({
        id,
        workspace_id: ws,
        name,
        description: `${name} desk`,
        helpdesk_connection_id: null,
        created_at: at,
        updated_at: at,
      });
      await server.db.insertInto('teams').values([team(`team_sup_${engine}`, 'Support', now), team(`team_bil_${engine}`, 'Billing', now + 1)]).execute();
      const member = (id: string, teamId: string, kind: string, name: string, at: number) => ({
        id,
        workspace_id: ws,
        team_id: teamId,
        kind,
        name,
        email: `${name.toLowerCase()}@example.com`,
        role: kind === 'member' ? 'agent' : null,
        created_at: at,
      });
      await server.db
        .insertInto('team_members')
        .values([
          member(`tm_ana_${engine}`, `team_sup_${engine}`, 'member', 'Ana', now),
          member(`tm_bo_${engine}`, `team_sup_${engine}`, 'observer', 'Bo', now + 1),
          member(`tm_cy_${engine}`, `team_bil_${engine}`, 'member', 'Cy', now + 2),
        ])
        .execute();

      const all = await teamsApi('GET', '/channel-service/v1/assign/teams/all');
      expect(all.status).toBe(200);
      expect(all.body).toEqual([
        {
          _id: `team_sup_${engine}`,
          name: 'Support',
          description: 'Support desk',
          members: [{ _id: `tm_ana_${engine}`, name: 'Ana', email: 'ana@example.com', role: 'agent' }],
          created_at: new Date(now).toISOString(),
          updated_at: new Date(now).toISOString(),
        },
        {
          _id: `team_bil_${engine}`,
          name: 'Billing',
          description: 'Billing desk',
          members: [{ _id: `tm_cy_${engine}`, name: 'Cy', email: 'cy@example.com', role: 'agent' }],
          created_at: new Date(now + 1).toISOString(),
          updated_at: new Date(now + 1).toISOString(),
        },
      ]);

      const channel = (await teamsApi('POST', '/channel-service/v1/channels/_web', { name: 'Teams chat' })).body;
      expect((await teamsApi('GET', `/channel-service/v1/assign/teams/all?channel_id=${channel.id}`)).body).toHaveLength(2);
      await server.db.insertInto('channel_teams').values({ channel_id: channel.id, team_id: `team_bil_${engine}` }).execute();
      const assigned = await teamsApi('GET', `/channel-service/v1/assign/teams/all?channel_id=${channel.id}`);
      expect(assigned.body.map((t: { _id: string }) => t._id)).toEqual([`team_bil_${engine}`]);
      expect((await teamsApi('GET', '/channel-service/v1/assign/teams/all?channel_id=chan_nope')).status).toBe(404);

      const observers = await teamsApi('GET', `/channel-service/v1/assign/team/team_sup_${engine}/observers`);
      expect(observers.status).toBe(200);
      expect(observers.body).toEqual([
        { _id: `tm_bo_${engine}`, team_id: `team_sup_${engine}`, name: 'Bo', email: 'bo@example.com', created_at: new Date(now + 1).toISOString() },
      ]);
      expect((await teamsApi('GET', `/channel-service/v1/assign/team/team_bil_${engine}/observers`)).body).toEqual([]);
      // Another workspace's team does not resolve.
      expect((await api('GET', `/channel-service/v1/assign/team/team_sup_${engine}/observers`)).status).toBe(404);
      expect((await api('GET', '/channel-service/v1/assign/teams/all')).body).toEqual([]);

      // Deleting the channel forgets its assignments (as the /v1 delete does).
      expect((await teamsApi('DELETE', `/channel-service/v3/channels/${channel.id}`)).body).toEqual({ success: true });
      expect(await server.db.selectFrom('channel_teams').selectAll().where('channel_id', '=', channel.id).execute()).toEqual([]);
    });
  });
});

/**
 * `client.channel`: every method of the spec's method tables against a live server, the paths
 * and headers it sends (x-api-key, server root rather than /v1), and how failures surface
 * (NotFoundError, ConflictError, APIError with details, ValidationError before sending).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APIError, ConflictError, NotFoundError, SwitchboardClient, ValidationError, type Channel } from '@switchboard/sdk';
import { ENGINES } from '../helpers/engines.js';
import { activate, seedMetaCredential, startWithMetaAndLine, type ChannelServiceServer } from './harness.js';

const TOKEN = 'EAAGsdkSystemUserToken';
const USER_TOKEN = 'EAAGsdkUserToken';
const PHONE = '106540352242922';
const PAGE_A = '104745862412345';
const PAGE_B = '104745862499999';
const IG = '17841400000000001';
const BOT = `U${'c'.repeat(32)}`;

describe.each(ENGINES)('client.channel on %s', (engine) => {
  let fakes: Awaited<ReturnType<typeof startWithMetaAndLine>>;
  let server: ChannelServiceServer;

  beforeAll(async () => {
    fakes = await startWithMetaAndLine(engine, {
      accessToken: TOKEN,
      additionalAccessTokens: [USER_TOKEN],
      phoneNumberId: PHONE,
      displayPhoneNumber: '+1 202-555-0147',
      pages: [
        { id: PAGE_A, name: 'Acme', category: 'Software', instagramBusinessAccount: { id: IG, username: 'acme' } },
        { id: PAGE_B, name: 'Acme Careers' },
      ],
      lineToken: 'sdk-line-token',
      bot: { userId: BOT, displayName: 'SDK Bot' },
    });
    server = fakes.server;
  });
  afterAll(() => fakes?.close());

  async function setup(options: { headers?: Record<string, string>; baseSuffix?: string } = {}) {
    const ws = await server.newWorkspace();
    const requests: { url: string; headers: Record<string, string> }[] = [];
    const client = new SwitchboardClient({
      apiKey: ws.apiKey,
      baseUrl: server.baseUrl + (options.baseSuffix ?? ''),
      ...(options.headers && { headers: options.headers }),
      fetch: async (input, init) => {
        requests.push({ url: String(input), headers: { ...(init?.headers as Record<string, string>) } });
        return fetch(input, init);
      },
    });
    return { ...ws, client, requests };
  }

  it('calls the /channel-service paths at the server root with x-api-key', async () => {
    const { client, requests, apiKey, workspaceId } = await setup({ baseSuffix: '/v1' });
    const channel = await client.channel.createWeb({ name: 'Website Chat' });
    await client.channel.list({ type: 'web' });
    await client.channel.getCount();
    expect(requests.map((r) => r.url.replace(server.baseUrl, ''))).toEqual([
      '/channel-service/v1/channels/_web',
      '/channel-service/v1/channels?type=web',
      '/channel-service/v1/channels/_count',
    ]);
    expect(requests[0]!.headers['x-api-key']).toBe(apiKey);
    expect(requests[0]!.headers.authorization).toBeUndefined();
    expect(channel.organization_id).toBe(workspaceId);

    const scoped = new SwitchboardClient({ apiKey, baseUrl: server.baseUrl, headers: { 'x-organization-id': workspaceId } });
    expect(await scoped.channel.getCount()).toEqual({ count: 1 });
    const wrong = new SwitchboardClient({ apiKey, baseUrl: server.baseUrl, headers: { 'x-organization-id': 'ws_someone_else' } });
    const refused = await wrong.channel.list().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(APIError);
    expect(refused).toMatchObject({ statusCode: 403, code: 'FORBIDDEN' });
  });

  it('core CRUD: list, get, create, update, delete, deleteV3, getCount', async () => {
    const { client, workspaceId } = await setup();
    const web = await client.channel.create({ type: 'web', name: 'Generic web' });
    const email = await client.channel.create({ type: 'email', name: 'Support', email: 'support@example.com' });
    expect(await client.channel.getCount()).toEqual({ count: 2 });
    expect(await client.channel.getCount({ type: 'email' })).toEqual({ count: 1 });
    expect((await client.channel.list()).map((c: Channel) => c.id)).toEqual([web.id, email.id]);
    expect(await client.channel.get(email.id)).toEqual(email);

    const updated = await client.channel.update(web.id, { name: 'Renamed', config: { widgetConfiguration: { position: 'left' } } });
    expect(updated).toMatchObject({ name: 'Renamed', config: { widgetConfiguration: { position: 'left' } } });
    await activate(server, workspaceId, web.id, 'active');
    expect((await client.channel.get(web.id)).is_active).toBe(true);
    expect((await client.channel.update(web.id, { active: false })).is_active).toBe(false);
    expect((await client.channel.update(web.id, { active: true })).is_active).toBe(true);

    await expect(client.channel.delete(web.id)).rejects.toBeInstanceOf(ConflictError);
    await client.channel.update(web.id, { active: false });
    expect(await client.channel.deleteV3(web.id)).toEqual({ success: true });
    expect(await client.channel.delete(email.id)).toEqual({ success: true });
    await expect(client.channel.get(email.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(await client.channel.getCount()).toEqual({ count: 0 });
  });

  it('per-type creation and updates', async () => {
    const { client, workspaceId } = await setup();
    await seedMetaCredential(server, workspaceId, { id: `sdk_cred_${engine}`, accessToken: USER_TOKEN });
    const credentialId = `sdk_cred_${engine}`;

    const whatsapp = await client.channel.createWhatsApp({ phone_number_id: PHONE, access_token: TOKEN });
    expect(whatsapp).toMatchObject({ type: 'whatsapp', identifier: '+12025550147' });
    expect((await client.channel.updateWhatsApp({ id: whatsapp.id, name: 'WA one' })).name).toBe('WA one');
    expect((await client.channel.updateWhatsApp(whatsapp.id, { name: 'WA two', app_secret: 'app-secret-value' })).name).toBe('WA two');

    const pages = await client.channel.getFacebookPages(credentialId);
    expect(pages.map((p) => p._id)).toEqual([PAGE_A, PAGE_B]);
    const facebook = await client.channel.createFacebook({ page_id: pages[1]!._id, credential_id: credentialId });
    expect(facebook).toMatchObject({ type: 'facebook', identifier: PAGE_B, name: 'Acme Careers' });
    expect((await client.channel.updateFacebook({ id: facebook.id, name: 'Careers' })).name).toBe('Careers');
    expect((await client.channel.updateFacebook(facebook.id, { page_id: PAGE_A })).identifier).toBe(PAGE_A);

    const instagram = await client.channel.createInstagram({ page_id: PAGE_A, credential_id: credentialId });
    expect(instagram).toMatchObject({ type: 'instagram', identifier: IG });

    const email = await client.channel.createEmail({ name: 'Support Inbox', email: 'support@example.com' });
    expect(email).toMatchObject({ type: 'email', identifier: 'support@example.com' });

    const wechat = await client.channel.createWechat({ original_id: 'gh_sdk_account', app_id: 'wx1234567890abcdef', app_secret: 'wechat-secret' });
    expect(wechat).toMatchObject({ type: 'wechat', identifier: 'gh_sdk_account' });

    const lineChannel = await client.channel.createLine({ channel_secret: 'line-secret', channel_access_token: 'sdk-line-token' });
    expect(lineChannel).toMatchObject({ type: 'line', identifier: BOT, name: 'SDK Bot' });

    const web = await client.channel.createWeb({ name: 'Site', url: 'https://www.example.com' });
    expect(web.identifier).toBe('https://www.example.com');

    expect((await client.channel.list()).map((c) => c.type)).toEqual(['whatsapp', 'facebook', 'instagram', 'email', 'wechat', 'line', 'web']);
  });

  it('credentials: getCredential, updateCredential, deleteCredential', async () => {
    const { client } = await setup();
    const channel = await client.channel.createWhatsApp({ phone_number_id: PHONE, access_token: TOKEN });
    const id = channel.credential_id!;
    const credential = await client.channel.getCredential(id);
    expect(credential).toMatchObject({ _id: id, type: 'whatsapp', name: 'WhatsApp +12025550147' });
    expect(await client.channel.updateCredential(id, { name: 'Acme WhatsApp', app_secret: 'new-app-secret' })).toMatchObject({ name: 'Acme WhatsApp' });
    const unknown = await client.channel.updateCredential(id, { password: 'x' }).catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(APIError);
    expect((unknown as APIError).details).toEqual([{ field: 'password', message: expect.stringContaining('Unknown credential for meta') }]);
    await expect(client.channel.deleteCredential(id)).rejects.toBeInstanceOf(ConflictError);
    await client.channel.delete(channel.id);
    expect(await client.channel.deleteCredential(id)).toEqual({ success: true });
    await expect(client.channel.getCredential(id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('workflows and teams', async () => {
    const { client, workspaceId } = await setup();
    const channel = await client.channel.createWeb({ name: 'Routed' });
    const now = Date.now();
    await server.db.insertInto('workflows').values({ id: `wf_sdk_${engine}`, workspace_id: workspaceId, name: 'Routing', definition: '{}', created_at: now, updated_at: now }).execute();
    expect((await client.channel.updateChannelWorkflow(channel.id, `wf_sdk_${engine}`)).workflow_id).toBe(`wf_sdk_${engine}`);
    expect(await client.channel.deleteChannelWorkflow(channel.id)).toEqual({ success: true });
    expect((await client.channel.get(channel.id)).workflow_id).toBeNull();
    await expect(client.channel.updateChannelWorkflow(channel.id, 'wf_nope')).rejects.toBeInstanceOf(NotFoundError);

    await server.db
      .insertInto('teams')
      .values({ id: `team_sdk_${engine}`, workspace_id: workspaceId, name: 'Support', description: null, helpdesk_connection_id: null, created_at: now, updated_at: now })
      .execute();
    await server.db
      .insertInto('team_members')
      .values([
        { id: `tm_sdk_m_${engine}`, workspace_id: workspaceId, team_id: `team_sdk_${engine}`, kind: 'member', name: 'Ana', email: 'ana@example.com', role: 'agent', created_at: now },
        { id: `tm_sdk_o_${engine}`, workspace_id: workspaceId, team_id: `team_sdk_${engine}`, kind: 'observer', name: 'Bo', email: 'bo@example.com', role: null, created_at: now },
      ])
      .execute();
    const teams = await client.channel.listAssignableTeams();
    expect(teams).toEqual([expect.objectContaining({ _id: `team_sdk_${engine}`, name: 'Support', members: [expect.objectContaining({ name: 'Ana' })] })]);
    expect(await client.channel.listAssignableTeams(channel.id)).toEqual(teams);
    expect((await client.channel.listTeamObservers(`team_sdk_${engine}`)).map((o) => o.name)).toEqual(['Bo']);
    await expect(client.channel.listTeamObservers('team_missing')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('validates before sending and surfaces server errors with their details', async () => {
    const { client, requests } = await setup();
    await expect(client.channel.createWeb({ name: '' })).rejects.toBeInstanceOf(ValidationError);
    await expect(client.channel.createWhatsApp({ phone_number_id: PHONE } as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(client.channel.update('', { active: true })).rejects.toBeInstanceOf(ValidationError);
    await expect(client.channel.list({ type: 'sms' as never })).rejects.toBeInstanceOf(ValidationError);
    await expect(client.channel.updateWhatsApp('chan_a', { id: 'chan_b' } as never)).rejects.toBeInstanceOf(ValidationError);
    expect(requests).toEqual([]);

    const refused = await client.channel.createWhatsApp({ phone_number_id: '123456789', access_token: TOKEN }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(APIError);
    expect(refused).toMatchObject({ statusCode: 400, code: 'VALIDATION_ERROR', details: [expect.objectContaining({ field: 'phone_number_id' })] });
    const first = await client.channel.createWeb({ name: 'Dup', url: 'https://dup.example.com' });
    const conflict = await client.channel.createWeb({ name: 'Dup', url: 'https://dup.example.com' }).catch((error: unknown) => error);
    expect(conflict).toBeInstanceOf(ConflictError);
    expect((conflict as ConflictError).meta).toEqual({ existingChannelId: first.id });
  });
});

/**
 * Per-type creation over raw HTTP against fake providers: WhatsApp (number looked up through
 * Graph, token into an encrypted secret behind a Meta connection), Facebook (pages from
 * `me/accounts`), Instagram, email, WeChat, LINE (bot id from `/v2/bot/info`), WeCom through the
 * generic path, the WhatsApp/Facebook updates, and the credential paths.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { startFakeGraph, type FakeGraph } from '../fakes/graph.js';
import { startFakeLine, type FakeLine } from '../fakes/line.js';
import { channelApi, seedMetaCredential, startChannelServiceServer, type ChannelServiceServer } from './harness.js';

const WHATSAPP_TOKEN = 'EAAGwhatsappSystemUserToken01';
const ROTATED_TOKEN = 'EAAGwhatsappRotatedToken02';
const USER_TOKEN = 'EAAGfacebookUserToken03';
const APP_SECRET = 'a3f0c9d1e2b4567890abcdef12345678';
const PHONE_A = '106540352242922';
const PHONE_B = '106540352243333';
const PAGE_A = '104745862412345';
const PAGE_B = '104745862499999';
const IG_ACCOUNT = '17841400000000001';
const BOT_USER_ID = `U${'4af4980629'.padEnd(32, '0')}`;
const LINE_TOKEN = 'line-channel-access-token-1';

describe.each(ENGINES)('channel service providers on %s', (engine) => {
  let graph: FakeGraph;
  let line: FakeLine;
  let server: ChannelServiceServer;

  beforeAll(async () => {
    graph = await startFakeGraph({
      accessToken: WHATSAPP_TOKEN,
      additionalAccessTokens: [ROTATED_TOKEN, USER_TOKEN],
      phoneNumbers: {
        [PHONE_A]: { displayPhoneNumber: '+1 202-555-0147', verifiedName: 'Acme Support' },
        [PHONE_B]: { displayPhoneNumber: '+1 415-555-0123' },
      },
      pages: [
        { id: PAGE_A, name: 'Acme', category: 'Software', instagramBusinessAccount: { id: IG_ACCOUNT, username: 'acme' } },
        { id: PAGE_B, name: 'Acme Careers', category: 'Company' },
      ],
    });
    line = await startFakeLine({ accessToken: LINE_TOKEN, botInfo: { userId: BOT_USER_ID, displayName: 'Acme Bot' } });
    server = await startChannelServiceServer(engine, { fakeBaseUrls: { meta: graph.url, line: line.url } });
  });
  afterAll(async () => {
    await server?.close();
    await graph?.close();
    await line?.close();
  });

  async function workspace() {
    const ws = await server.newWorkspace();
    return { ...ws, api: channelApi(server.baseUrl, ws.apiKey) };
  }

  async function rows(workspaceId: string) {
    const connections = await server.db.selectFrom('connections').selectAll().where('workspace_id', '=', workspaceId).execute();
    const secrets = await server.db.selectFrom('secrets').selectAll().where('workspace_id', '=', workspaceId).execute();
    const channels = await server.db.selectFrom('deployment_channels').selectAll().where('workspace_id', '=', workspaceId).execute();
    return { connections, secrets, channels };
  }

  describe('WhatsApp', () => {
    it('looks the number up with the token and stores the token only as a secret behind a Meta connection', async () => {
      const { workspaceId, api } = await workspace();
      graph.reset();
      const created = await api('POST', '/channel-service/v1/channels/_whatsapp', { phone_number_id: PHONE_A, access_token: WHATSAPP_TOKEN });
      expect(created.status, created.text).toBe(201);
      expect(created.body).toMatchObject({
        type: 'whatsapp',
        identifier: '+12025550147',
        name: 'Acme Support',
        is_active: false,
        config: { phoneNumberId: PHONE_A },
      });
      expect(created.text).not.toContain(WHATSAPP_TOKEN);
      expect(graph.requests).toHaveLength(1);
      expect(graph.requests[0]).toMatchObject({ method: 'GET', path: `/v21.0/${PHONE_A}`, auth: 'bearer' });
      expect(graph.requests[0]!.query.fields).toBe('display_phone_number,verified_name');

      const stored = await rows(workspaceId);
      expect(stored.connections).toHaveLength(1);
      const connection = stored.connections[0]!;
      expect(connection.id).toBe(created.body.credential_id);
      expect(created.body.config.connectionId).toBe(connection.id);
      expect(connection.provider).toBe('meta');
      expect(JSON.parse(connection.settings)).toEqual({ graphVersion: 'v21.0', phoneNumberId: PHONE_A });
      expect(Object.keys(JSON.parse(connection.credentials))).toEqual(['accessToken']);
      expect(stored.secrets).toHaveLength(1);
      expect(stored.secrets[0]!.sealed).not.toContain(WHATSAPP_TOKEN);
      expect(server.app.secretBox.decrypt(stored.secrets[0]!.sealed, `secret:${stored.secrets[0]!.id}`)).toBe(WHATSAPP_TOKEN);
    });

    it('sends appsecret_proof when an app_secret is given, and keeps it as a second secret', async () => {
      const { workspaceId, api } = await workspace();
      graph.reset();
      const created = await api('POST', '/channel-service/v1/channels/_whatsapp', {
        phone_number_id: PHONE_A,
        access_token: WHATSAPP_TOKEN,
        app_secret: APP_SECRET,
        name: 'Support WhatsApp',
      });
      expect(created.status, created.text).toBe(201);
      expect(created.body.name).toBe('Support WhatsApp');
      expect(graph.requests[0]!.query.appsecret_proof).toBe(createHmac('sha256', APP_SECRET).update(WHATSAPP_TOKEN).digest('hex'));
      const { connections, secrets } = await rows(workspaceId);
      expect(Object.keys(JSON.parse(connections[0]!.credentials)).sort()).toEqual(['accessToken', 'appSecret']);
      expect(secrets).toHaveLength(2);
      expect(JSON.stringify(secrets)).not.toContain(APP_SECRET);
    });

    it('answers 4xx naming the field when Graph refuses, 502 when Graph fails, and stores nothing', async () => {
      const { workspaceId, api } = await workspace();
      const unknown = await api('POST', '/channel-service/v1/channels/_whatsapp', { phone_number_id: '999999999', access_token: WHATSAPP_TOKEN });
      expect(unknown.status).toBe(400);
      expect(unknown.body.error.code).toBe('VALIDATION_ERROR');
      expect(unknown.body.error.details[0].field).toBe('phone_number_id');
      expect(unknown.body.error.message).toMatch(/does not exist/);

      const badToken = await api('POST', '/channel-service/v1/channels/_whatsapp', { phone_number_id: PHONE_A, access_token: 'EAAGwrong' });
      expect(badToken.status).toBe(400);
      expect(badToken.body.error.details[0].field).toBe('access_token');
      expect(badToken.text).not.toContain('EAAGwrong');

      const noToken = await api('POST', '/channel-service/v1/channels/_whatsapp', { phone_number_id: PHONE_A });
      expect(noToken.status).toBe(400);
      expect(noToken.body.error.details[0].field).toBe('access_token');

      const badId = await api('POST', '/channel-service/v1/channels/_whatsapp', { phone_number_id: '+15550100', access_token: WHATSAPP_TOKEN });
      expect(badId.status).toBe(400);
      expect(badId.body.error.details[0].field).toBe('phone_number_id');

      graph.failNext(503);
      const down = await api('POST', '/channel-service/v1/channels/_whatsapp', { phone_number_id: PHONE_A, access_token: WHATSAPP_TOKEN });
      expect(down.status).toBe(502);
      expect(down.body.error.code).toBe('UPSTREAM_UNAVAILABLE');

      graph.failNext(429);
      expect((await api('POST', '/channel-service/v1/channels/_whatsapp', { phone_number_id: PHONE_A, access_token: WHATSAPP_TOKEN })).status).toBe(429);

      expect(await rows(workspaceId)).toEqual({ connections: [], secrets: [], channels: [] });
    });

    it('refuses a second channel for the same number with 409, and reuses the connection after the channel is gone', async () => {
      const { workspaceId, api } = await workspace();
      const first = await api('POST', '/channel-service/v1/channels/_whatsapp', { phone_number_id: PHONE_A, access_token: WHATSAPP_TOKEN });
      expect(first.status).toBe(201);
      const second = await api('POST', '/channel-service/v1/channels/_whatsapp', { phone_number_id: PHONE_A, access_token: ROTATED_TOKEN });
      expect(second.status).toBe(409);
      expect(second.body.error.meta).toEqual({ existingChannelId: first.body.id });
      expect((await rows(workspaceId)).secrets).toHaveLength(1);

      expect((await api('DELETE', `/channel-service/v1/channels/${first.body.id}`)).body).toEqual({ success: true });
      const again = await api('POST', '/channel-service/v1/channels/_whatsapp', { phone_number_id: PHONE_A, access_token: ROTATED_TOKEN });
      expect(again.status, again.text).toBe(201);
      expect(again.body.credential_id).toBe(first.body.credential_id);
      const stored = await rows(workspaceId);
      expect(stored.connections).toHaveLength(1);
      expect(stored.secrets).toHaveLength(1);
      expect(server.app.secretBox.decrypt(stored.secrets[0]!.sealed, `secret:${stored.secrets[0]!.id}`)).toBe(ROTATED_TOKEN);
    });

    it('updateWhatsApp sets the app secret, rotates the token in place and moves to another number', async () => {
      const { workspaceId, api } = await workspace();
      const channel = (await api('POST', '/channel-service/v1/channels/_whatsapp', { phone_number_id: PHONE_A, access_token: WHATSAPP_TOKEN })).body;

      const withSecret = await api('PUT', '/channel-service/v2/channels/_whatsapp', { id: channel.id, app_secret: APP_SECRET });
      expect(withSecret.status, withSecret.text).toBe(200);
      let connection = (await rows(workspaceId)).connections[0]!;
      const credentials = JSON.parse(connection.credentials) as Record<string, string>;
      expect(Object.keys(credentials).sort()).toEqual(['accessToken', 'appSecret']);

      graph.reset();
      const rotated = await api('PUT', '/channel-service/v2/channels/_whatsapp', { id: channel.id, access_token: ROTATED_TOKEN });
      expect(rotated.status, rotated.text).toBe(200);
      expect(graph.requests[0]!.headers.authorization).toBe(`Bearer ${ROTATED_TOKEN}`);
      const secret = await server.db.selectFrom('secrets').selectAll().where('id', '=', credentials.accessToken!).executeTakeFirstOrThrow();
      expect(server.app.secretBox.decrypt(secret.sealed, `secret:${secret.id}`)).toBe(ROTATED_TOKEN);
      expect((await rows(workspaceId)).secrets).toHaveLength(2);

      const moved = await api('PUT', '/channel-service/v2/channels/_whatsapp', { id: channel.id, phone_number_id: PHONE_B, name: 'West coast' });
      expect(moved.status, moved.text).toBe(200);
      expect(moved.body).toMatchObject({ id: channel.id, identifier: '+14155550123', name: 'West coast', config: { phoneNumberId: PHONE_B } });
      connection = (await rows(workspaceId)).connections[0]!;
      expect(JSON.parse(connection.settings).phoneNumberId).toBe(PHONE_B);

      const notWhatsApp = (await api('POST', '/channel-service/v1/channels/_web', { name: 'Web' })).body;
      const wrongType = await api('PUT', '/channel-service/v2/channels/_whatsapp', { id: notWhatsApp.id, app_secret: APP_SECRET });
      expect(wrongType.status).toBe(400);
      expect(wrongType.body.error.details[0]).toEqual({ field: 'id', message: `${notWhatsApp.id} is a web channel, not whatsapp` });
      expect((await api('PUT', '/channel-service/v2/channels/_whatsapp', { app_secret: APP_SECRET })).status).toBe(400);
    });
  });

  describe('Facebook and Instagram', () => {
    it('lists the credential\'s pages and creates a channel for one of them', async () => {
      const { workspaceId, api } = await workspace();
      await seedMetaCredential(server, workspaceId, { id: `cred_fb_${engine}`, accessToken: USER_TOKEN, name: 'Acme Meta app' });

      const pages = await api('GET', `/channel-service/v1/channels/credentials/cred_fb_${engine}/pages`);
      expect(pages.status).toBe(200);
      expect(pages.body).toEqual([
        { _id: PAGE_A, name: 'Acme', category: 'Software' },
        { _id: PAGE_B, name: 'Acme Careers', category: 'Company' },
      ]);

      const created = await api('POST', '/channel-service/v3/channels/_facebook', { page_id: PAGE_A, credential_id: `cred_fb_${engine}` });
      expect(created.status, created.text).toBe(201);
      expect(created.body).toMatchObject({ type: 'facebook', identifier: PAGE_A, name: 'Acme', credential_id: `cred_fb_${engine}` });

      const notManaged = await api('POST', '/channel-service/v3/channels/_facebook', { page_id: '100000000000001', credential_id: `cred_fb_${engine}` });
      expect(notManaged.status).toBe(400);
      expect(notManaged.body.error.details[0].field).toBe('page_id');
      expect(notManaged.body.error.details[0].message).toContain(PAGE_B);

      const duplicate = await api('POST', '/channel-service/v3/channels/_facebook', { page_id: PAGE_A, credential_id: `cred_fb_${engine}` });
      expect(duplicate.status).toBe(409);

      const noCredential = await api('POST', '/channel-service/v3/channels/_facebook', { page_id: PAGE_B, credential_id: 'cred_missing' });
      expect(noCredential.status).toBe(404);
      expect(noCredential.body.error.message).toBe('Credential not found');

      const moved = await api('PUT', '/channel-service/v2/channels/_facebook', { id: created.body.id, page_id: PAGE_B, name: 'Careers' });
      expect(moved.status, moved.text).toBe(200);
      expect(moved.body).toMatchObject({ identifier: PAGE_B, name: 'Careers' });
      const renamed = await api('PUT', '/channel-service/v2/channels/_facebook', { id: created.body.id, name: 'Careers page' });
      expect(renamed.body).toMatchObject({ identifier: PAGE_B, name: 'Careers page' });
      const badPage = await api('PUT', '/channel-service/v2/channels/_facebook', { id: created.body.id, page_id: '100000000000001' });
      expect(badPage.status).toBe(400);

      const email = (await api('POST', '/channel-service/v1/channels/_email', { name: 'Mail', email: 'mail@example.com' })).body;
      const wrongProvider = await api('POST', '/channel-service/v3/channels/_facebook', { page_id: PAGE_B, credential_id: email.credential_id });
      expect(wrongProvider.status).toBe(400);
      expect(wrongProvider.body.error.details[0]).toMatchObject({ field: 'credential_id', message: expect.stringContaining('email credential') });
      expect((await api('GET', `/channel-service/v1/channels/credentials/${email.credential_id}/pages`)).status).toBe(400);
    });

    it('answers 404 when the credential manages no page, and 400 when Graph refuses its token', async () => {
      const { workspaceId, api } = await workspace();
      await seedMetaCredential(server, workspaceId, { id: `cred_nopages_${engine}`, accessToken: USER_TOKEN });
      const saved = graph.pages.splice(0, graph.pages.length);
      try {
        const none = await api('GET', `/channel-service/v1/channels/credentials/cred_nopages_${engine}/pages`);
        expect(none.status).toBe(404);
        expect(none.body.error.message).toMatch(/manages no Facebook pages/);
      } finally {
        graph.pages.push(...saved);
      }
      await seedMetaCredential(server, workspaceId, { id: `cred_badtoken_${engine}`, accessToken: 'EAAGexpired' });
      const refused = await api('GET', `/channel-service/v1/channels/credentials/cred_badtoken_${engine}/pages`);
      expect(refused.status).toBe(400);
      expect(refused.body.error.details[0].field).toBe('credential_id');
    });

    it('creates Instagram channels from a page\'s linked account or an account id', async () => {
      const { workspaceId, api } = await workspace();
      await seedMetaCredential(server, workspaceId, { id: `cred_ig_${engine}`, accessToken: USER_TOKEN });
      const viaPage = await api('POST', '/channel-service/v1/channels/_instagram', { page_id: PAGE_A, credential_id: `cred_ig_${engine}` });
      expect(viaPage.status, viaPage.text).toBe(201);
      expect(viaPage.body).toMatchObject({ type: 'instagram', identifier: IG_ACCOUNT, name: 'Instagram @acme', credential_id: `cred_ig_${engine}` });
      expect((await api('DELETE', `/channel-service/v1/channels/${viaPage.body.id}`)).body).toEqual({ success: true });

      const direct = await api('POST', '/channel-service/v1/channels/_instagram', { instagram_account_id: IG_ACCOUNT, credential_id: `cred_ig_${engine}`, name: 'IG' });
      expect(direct.status, direct.text).toBe(201);
      expect(direct.body).toMatchObject({ identifier: IG_ACCOUNT, name: 'IG' });

      const unlinked = await api('POST', '/channel-service/v1/channels/_instagram', { page_id: PAGE_B, credential_id: `cred_ig_${engine}` });
      expect(unlinked.status).toBe(400);
      expect(unlinked.body.error.details[0].field).toBe('page_id');
      const neither = await api('POST', '/channel-service/v1/channels/_instagram', { credential_id: `cred_ig_${engine}` });
      expect(neither.status).toBe(400);
      expect(neither.body.error.details[0].field).toBe('instagram_account_id');
    });
  });

  describe('email, WeChat, LINE and WeCom', () => {
    it('creates email channels through the workspace\'s email connection, or one built from smtp_ fields', async () => {
      const { workspaceId, api } = await workspace();
      const first = await api('POST', '/channel-service/v1/channels/_email', { name: 'Support Inbox', email: 'Support@Example.com' });
      expect(first.status, first.text).toBe(201);
      expect(first.body).toMatchObject({ type: 'email', identifier: 'support@example.com', config: { fromName: 'Support Inbox' } });
      const second = await api('POST', '/channel-service/v1/channels/_email', { name: 'Sales', email: 'sales@example.com', from_name: 'Acme Sales' });
      expect(second.body.credential_id).toBe(first.body.credential_id);
      expect(second.body.config.fromName).toBe('Acme Sales');

      const duplicate = await api('POST', '/channel-service/v1/channels/_email', { name: 'Again', email: 'SUPPORT@example.com' });
      expect(duplicate.status).toBe(409);

      const own = await api('POST', '/channel-service/v1/channels/_email', {
        name: 'Billing',
        email: 'billing@example.com',
        smtp_host: 'smtp.example.com',
        smtp_port: 465,
        smtp_secure: true,
        smtp_user: 'billing@example.com',
        smtp_password: 'smtp-pass-123',
      });
      expect(own.status, own.text).toBe(201);
      expect(own.body.credential_id).not.toBe(first.body.credential_id);
      const connection = await server.app.connections.get(workspaceId, own.body.credential_id);
      expect(connection.settings).toEqual({ smtpHost: 'smtp.example.com', smtpPort: 465, smtpSecure: true, smtpUser: 'billing@example.com' });
      expect(Object.keys(connection.credentials)).toEqual(['smtpPassword']);
      expect(JSON.stringify((await rows(workspaceId)).secrets)).not.toContain('smtp-pass-123');

      const halfSmtp = await api('POST', '/channel-service/v1/channels/_email', { name: 'Half', email: 'half@example.com', smtp_port: 25 });
      expect(halfSmtp.status).toBe(400);
      expect(halfSmtp.body.error.details[0].field).toBe('smtp_host');
      const badAddress = await api('POST', '/channel-service/v1/channels/_email', { name: 'Bad', email: 'not-an-address' });
      expect(badAddress.status).toBe(400);
      expect(badAddress.body.error.details[0].field).toBe('email');
    });

    it('creates WeChat channels with their own connection or an existing credential', async () => {
      const { workspaceId, api } = await workspace();
      const created = await api('POST', '/channel-service/v1/channels/_wechat', {
        original_id: 'gh_0123456789ab',
        app_id: 'wx1234567890abcdef',
        app_secret: 'wechat-app-secret',
        encoding_aes_key: 'a'.repeat(43),
      });
      expect(created.status, created.text).toBe(201);
      expect(created.body).toMatchObject({ type: 'wechat', identifier: 'gh_0123456789ab', name: 'WeChat gh_0123456789ab' });
      const connection = await server.app.connections.get(workspaceId, created.body.credential_id);
      expect(connection).toMatchObject({ provider: 'wechat', settings: { appId: 'wx1234567890abcdef', mode: 'safe' } });
      expect(Object.keys(connection.credentials).sort()).toEqual(['appSecret', 'encodingAESKey']);

      const reused = await api('POST', '/channel-service/v1/channels/_wechat', { original_id: 'gh_second_account', credential_id: created.body.credential_id, name: 'Second' });
      expect(reused.status, reused.text).toBe(201);
      expect(reused.body.credential_id).toBe(created.body.credential_id);

      const before = await rows(workspaceId);
      const badAppId = await api('POST', '/channel-service/v1/channels/_wechat', { original_id: 'gh_third', app_id: 'nope', app_secret: 'x' });
      expect(badAppId.status).toBe(400);
      expect(badAppId.body.error.details[0].field).toBe('app_id');
      expect((await rows(workspaceId)).secrets).toHaveLength(before.secrets.length);
      const missing = await api('POST', '/channel-service/v1/channels/_wechat', { original_id: 'gh_third' });
      expect(missing.status).toBe(400);
      expect(missing.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['app_id', 'app_secret']);
    });

    it('creates LINE channels, reading the bot id from LINE unless given', async () => {
      const { workspaceId, api } = await workspace();
      const created = await api('POST', '/channel-service/v1/channels/_line', { channel_secret: 'line-secret', channel_access_token: LINE_TOKEN });
      expect(created.status, created.text).toBe(201);
      expect(created.body).toMatchObject({ type: 'line', identifier: BOT_USER_ID, name: 'Acme Bot' });
      expect(line.requests.some((r) => r.method === 'GET' && r.path === '/v2/bot/info' && r.headers.authorization === `Bearer ${LINE_TOKEN}`)).toBe(true);
      const connection = await server.app.connections.get(workspaceId, created.body.credential_id);
      expect(connection).toMatchObject({ provider: 'line', settings: { botUserId: BOT_USER_ID } });

      const badToken = await api('POST', '/channel-service/v1/channels/_line', { channel_secret: 'line-secret', channel_access_token: 'wrong' });
      expect(badToken.status).toBe(400);
      expect(badToken.body.error.details[0].field).toBe('channel_access_token');

      const given = `U${'b'.repeat(32)}`;
      const direct = await api('POST', '/channel-service/v1/channels/_line', { channel_secret: 's', channel_access_token: 'not-checked', bot_user_id: given, name: 'Other bot' });
      expect(direct.status, direct.text).toBe(201);
      expect(direct.body).toMatchObject({ identifier: given, name: 'Other bot' });
    });

    it('creates a WeCom channel through the generic path', async () => {
      const { workspaceId, api } = await workspace();
      const created = await api('POST', '/channel-service/v1/channels', {
        type: 'wecom',
        corp_id: 'ww1234567890abcdef',
        agent_id: 1000002,
        corp_secret: 'corp-secret',
        encoding_aes_key: 'b'.repeat(43),
      });
      expect(created.status, created.text).toBe(201);
      expect(created.body).toMatchObject({ type: 'wecom', identifier: 'ww1234567890abcdef', config: { agentId: '1000002' } });
      const connection = await server.app.connections.get(workspaceId, created.body.credential_id);
      expect(connection.settings).toEqual({ corpId: 'ww1234567890abcdef', agentId: '1000002' });
    });
  });

  describe('credentials', () => {
    it('reads a credential as { _id, type, name } without secrets, updates it and deletes it with its secrets', async () => {
      const { workspaceId, api } = await workspace();
      const channel = (await api('POST', '/channel-service/v1/channels/_whatsapp', { phone_number_id: PHONE_A, access_token: WHATSAPP_TOKEN })).body;
      const id = channel.credential_id as string;

      const read = await api('GET', `/channel-service/v1/channels/credentials/${id}`);
      expect(read.status).toBe(200);
      expect(read.body).toEqual({
        _id: id,
        type: 'whatsapp',
        name: 'WhatsApp +12025550147',
        provider: 'meta',
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
      expect(read.text).not.toContain(WHATSAPP_TOKEN);

      const updated = await api('PUT', `/channel-service/v1/channels/credentials/${id}`, { name: 'Acme WhatsApp', app_secret: APP_SECRET, accessToken: ROTATED_TOKEN });
      expect(updated.status, updated.text).toBe(200);
      expect(updated.body).toMatchObject({ _id: id, name: 'Acme WhatsApp', type: 'whatsapp' });
      expect(updated.text).not.toContain(APP_SECRET);
      const context = await server.app.connections.context((await server.app.connections.requireRecord(workspaceId, id)));
      expect(context.secrets).toEqual({ accessToken: ROTATED_TOKEN, appSecret: APP_SECRET });

      const unknownField = await api('PUT', `/channel-service/v1/channels/credentials/${id}`, { password: 'x' });
      expect(unknownField.status).toBe(400);
      expect(unknownField.body.error.details[0]).toMatchObject({ field: 'password', message: expect.stringContaining('app_secret, access_token') });
      const badSettings = await api('PUT', `/channel-service/v1/channels/credentials/${id}`, { settings: { graphVersion: 'latest' } });
      expect(badSettings.status).toBe(400);

      const used = await api('DELETE', `/channel-service/v1/channels/credentials/${id}`);
      expect(used.status).toBe(409);
      expect(used.body.error.message).toContain(channel.id);

      expect((await api('DELETE', `/channel-service/v1/channels/${channel.id}`)).body).toEqual({ success: true });
      const deleted = await api('DELETE', `/channel-service/v1/channels/credentials/${id}`);
      expect(deleted.status).toBe(200);
      expect(deleted.text).toBe('{"success":true}');
      expect(await rows(workspaceId)).toEqual({ connections: [], secrets: [], channels: [] });
      expect((await api('GET', `/channel-service/v1/channels/credentials/${id}`)).status).toBe(404);
      expect((await api('DELETE', `/channel-service/v1/channels/credentials/${id}`)).status).toBe(404);
    });
  });
});

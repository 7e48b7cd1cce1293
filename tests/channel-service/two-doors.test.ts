/**
 * One model, two doors: channels made through `client.channel` are deployment channels of
 * `/v1/deployment-channels` and the other way round; the access token given to `createWhatsApp`
 * exists only as an encrypted secret behind a connection; and a channel created this way carries
 * a real conversation once an agent is bound and the app secret is set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SwitchboardClient } from '@switchboard/sdk';
import { ENGINES } from '../helpers/engines.js';
import { controlApi } from '../helpers/control.js';
import { waitUntil } from '../helpers/wait.js';
import { signedMetaWebhook, startFakeGraph, type FakeGraph } from '../fakes/graph.js';
import { whatsappWebhook } from '../fakes/whatsapp-payloads.js';
import { startChannelServiceServer, type ChannelServiceServer } from './harness.js';

const ACCESS_TOKEN = 'EAAGtwoDoorsAccessTokenValue9';
const APP_SECRET = 'f1e2d3c4b5a697887766554433221100';
const PHONE_NUMBER_ID = '106540352242922';
const WA_USER = '16505551234';

const whatsappText = (wamid: string, body: string) =>
  whatsappWebhook({ id: wamid, type: 'text', text: { body } }, { phoneNumberId: PHONE_NUMBER_ID, displayPhoneNumber: '12025550147', waId: WA_USER });

describe.each(ENGINES)('one model, two doors on %s', (engine) => {
  let graph: FakeGraph;
  let server: ChannelServiceServer;

  beforeAll(async () => {
    graph = await startFakeGraph({
      accessToken: ACCESS_TOKEN,
      appSecret: APP_SECRET,
      phoneNumbers: { [PHONE_NUMBER_ID]: { displayPhoneNumber: '+1 202-555-0147', verifiedName: 'Acme Support' } },
    });
    server = await startChannelServiceServer(engine, {
      fakeBaseUrls: { meta: graph.url },
      publicUrl: 'https://switchboard.example.com',
      delivery: { baseDelayMs: 20, maxDelayMs: 200, pollMs: 50, maxAttempts: 3 },
      inbox: { pollMs: 100 },
    });
  });
  afterAll(async () => {
    await server?.close();
    await graph?.close();
  });

  async function workspace() {
    const ws = await server.newWorkspace();
    return {
      ...ws,
      client: new SwitchboardClient({ apiKey: ws.apiKey, baseUrl: server.baseUrl }),
      v1: controlApi(server.baseUrl, ws.apiKey),
    };
  }

  it('a WhatsApp channel created through client.channel is a /v1 deployment channel', async () => {
    const { client, v1 } = await workspace();
    const channel = await client.channel.createWhatsApp({ phone_number_id: PHONE_NUMBER_ID, access_token: ACCESS_TOKEN });

    const read = await v1('GET', `/v1/deployment-channels/${channel.id}`);
    expect(read.status).toBe(200);
    expect(read.body.data).toMatchObject({
      id: channel.id,
      deploymentType: 'whatsapp',
      channelIdentifier: channel.identifier,
      channelName: channel.name,
      configuration: { connectionId: channel.credential_id, phoneNumberId: PHONE_NUMBER_ID },
    });
    expect(new Date(read.body.data.createdAt).toISOString()).toBe(channel.created_at);
    const byIdentifier = await v1('GET', `/v1/deployment-channels/by-identifier/${encodeURIComponent('+12025550147')}?type=whatsapp`);
    expect(byIdentifier.body.data.id).toBe(channel.id);
    const byType = await v1('GET', '/v1/deployment-channels/by-type/whatsapp');
    expect(byType.body.data.data.map((c: { id: string }) => c.id)).toEqual([channel.id]);
    const connection = await v1('GET', `/v1/connections/${channel.credential_id}`);
    expect(connection.body.data).toMatchObject({ provider: 'meta', settings: { phoneNumberId: PHONE_NUMBER_ID } });
    expect(Object.keys(connection.body.data.credentials)).toEqual(['accessToken']);

    // Changes through either door show through the other.
    await v1('PATCH', '/v1/deployment-channels', { id: channel.id, channelName: 'Renamed in v1' });
    expect((await client.channel.get(channel.id)).name).toBe('Renamed in v1');
    await client.channel.update(channel.id, { name: 'Renamed here' });
    expect((await v1('GET', `/v1/deployment-channels/${channel.id}`)).body.data.channelName).toBe('Renamed here');
    await client.channel.delete(channel.id);
    expect((await v1('GET', `/v1/deployment-channels/${channel.id}`)).status).toBe(404);
  });

  it('a channel created through /v1 is found, changed and deleted through client.channel', async () => {
    const { client, v1 } = await workspace();
    const secret = await v1('POST', '/v1/secrets', { name: 'meta-token', value: ACCESS_TOKEN });
    const appSecret = await v1('POST', '/v1/secrets', { name: 'meta-app-secret', value: APP_SECRET });
    const connection = await v1('POST', '/v1/connections', {
      provider: 'meta',
      name: 'Meta',
      credentials: { accessToken: secret.body.data.id, appSecret: appSecret.body.data.id },
    });
    expect(connection.status, JSON.stringify(connection.body)).toBe(201);
    const created = await v1('POST', '/v1/deployment-channels', {
      deploymentType: 'whatsapp',
      channelIdentifier: '+12025550147',
      channelName: 'Made in v1',
      configuration: { connectionId: connection.body.data.id, phoneNumberId: PHONE_NUMBER_ID },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.data.id as string;

    const listed = await client.channel.list({ type: 'whatsapp' });
    expect(listed.map((c) => c.id)).toEqual([id]);
    expect(listed[0]).toMatchObject({ name: 'Made in v1', identifier: '+12025550147', credential_id: connection.body.data.id, is_active: false });
    expect(await client.channel.getCount({ type: 'whatsapp' })).toEqual({ count: 1 });
    expect(await client.channel.getCredential(connection.body.data.id)).toMatchObject({ _id: connection.body.data.id, type: 'whatsapp', name: 'Meta' });

    // The same number cannot get a second channel through the other door.
    await expect(client.channel.createWhatsApp({ phone_number_id: PHONE_NUMBER_ID, access_token: ACCESS_TOKEN })).rejects.toMatchObject({
      statusCode: 409,
      code: 'CONFLICT',
    });

    await client.channel.update(id, { config: { phoneNumberId: '106540352249999' } });
    expect((await v1('GET', `/v1/deployment-channels/${id}`)).body.data.configuration.phoneNumberId).toBe('106540352249999');
    expect(await client.channel.deleteV3(id)).toEqual({ success: true });
    expect((await v1('GET', `/v1/deployment-channels/${id}`)).status).toBe(404);
  });

  it('stores the access token only as an encrypted secret and never returns it', async () => {
    const { workspaceId, client, v1 } = await workspace();
    const channel = await client.channel.createWhatsApp({ phone_number_id: PHONE_NUMBER_ID, access_token: ACCESS_TOKEN, app_secret: APP_SECRET });

    const secrets = await server.db.selectFrom('secrets').selectAll().where('workspace_id', '=', workspaceId).execute();
    expect(secrets).toHaveLength(2);
    for (const row of secrets) {
      expect(row.sealed).not.toContain(ACCESS_TOKEN);
      expect(row.sealed).not.toContain(Buffer.from(ACCESS_TOKEN).toString('base64'));
      expect(row.mask).not.toBe(ACCESS_TOKEN);
      expect(row.name).not.toContain(ACCESS_TOKEN);
    }
    const opened = secrets.map((row) => server.app.secretBox.decrypt(row.sealed, `secret:${row.id}`)).sort();
    expect(opened).toEqual([ACCESS_TOKEN, APP_SECRET].sort());

    // Not in plaintext anywhere in the database.
    for (const table of ['secrets', 'connections', 'deployment_channels', 'api_keys', 'workspaces'] as const) {
      const dump = JSON.stringify(await server.db.selectFrom(table).selectAll().execute());
      expect(dump, table).not.toContain(ACCESS_TOKEN);
      expect(dump, table).not.toContain(APP_SECRET);
    }

    // Not in any answer.
    const answers = [
      channel,
      await client.channel.get(channel.id),
      await client.channel.list(),
      await client.channel.getCredential(channel.credential_id!),
      (await v1('GET', `/v1/connections/${channel.credential_id}`)).body,
      (await v1('GET', '/v1/secrets')).body,
      (await v1('GET', `/v1/deployment-channels/${channel.id}`)).body,
    ];
    for (const answer of answers) {
      expect(JSON.stringify(answer)).not.toContain(ACCESS_TOKEN);
      expect(JSON.stringify(answer)).not.toContain(APP_SECRET);
    }
    expect(Object.keys(await client.channel.getCredential(channel.credential_id!)).sort()).toEqual(
      ['_id', 'created_at', 'name', 'provider', 'type', 'updated_at'],
    );
  });

  it('carries a conversation once an agent is bound and the app secret is set; inactive channels go unanswered', async () => {
    const { workspaceId, client, v1 } = await workspace();
    const channel = await client.channel.createWhatsApp({ phone_number_id: PHONE_NUMBER_ID, access_token: ACCESS_TOKEN });
    const agent = await v1('POST', '/v1/agents', { name: 'Echo' });
    const deployment = await v1('POST', '/v1/deployment-configurations', { deploymentChannelId: channel.id, agentId: agent.body.data.id, status: 'active' });
    expect(deployment.status, JSON.stringify(deployment.body)).toBe(201);
    expect((await client.channel.get(channel.id)).is_active).toBe(true);

    const inbound = `${server.baseUrl}/v1/public/channels/meta/${channel.credential_id}`;
    const post = (payload: unknown) => {
      const { body, headers } = signedMetaWebhook(APP_SECRET, payload);
      return fetch(inbound, { method: 'POST', headers, body });
    };

    // Without the app secret, inbound webhooks are refused and nothing is recorded.
    const refused = await post(whatsappText('wamid.TWODOORS000000000000000001', 'Hello?'));
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toMatch(/no appSecret/);
    const recorded = () => server.db.selectFrom('inbound_events').select(['id', 'status']).where('workspace_id', '=', workspaceId).execute();
    expect(await recorded()).toEqual([]);

    await client.channel.updateWhatsApp({ id: channel.id, app_secret: APP_SECRET });
    graph.reset();
    const accepted = await post(whatsappText('wamid.TWODOORS000000000000000002', 'Does it come in blue?'));
    expect(accepted.status).toBe(200);
    const sent = await waitUntil(() => graph.messages.find((m) => m.text === 'Does it come in blue?'), 5000, 'the echo reply at the fake Graph API');
    expect(sent).toMatchObject({ channel: 'whatsapp', from: PHONE_NUMBER_ID, to: WA_USER });
    const request = graph.requests.find((r) => r.method === 'POST' && r.path === `/v21.0/${PHONE_NUMBER_ID}/messages`)!;
    expect(request.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);

    // Switched off: the deployment is paused and the next message is not answered.
    expect((await client.channel.update(channel.id, { active: false })).is_active).toBe(false);
    expect((await v1('GET', `/v1/deployment-configurations/${deployment.body.data.id}`)).body.data.status).toBe('paused');
    const ignored = await post(whatsappText('wamid.TWODOORS000000000000000003', 'Anyone there?'));
    expect(ignored.status).toBe(200);
    await waitUntil(
      async () => (await recorded()).filter((e) => e.status !== 'pending' && e.status !== 'processing').length === 2,
      5000,
      'the third event to be processed',
    );
    expect(graph.messages.find((m) => m.text === 'Anyone there?')).toBeUndefined();
    expect((await client.channel.update(channel.id, { active: true })).is_active).toBe(true);
  });
});

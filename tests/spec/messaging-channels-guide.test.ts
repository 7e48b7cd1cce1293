/**
 * Every TypeScript example of the messaging channels document (spec/002), run against a live
 * server on both engines. Each example body is the document's text; only the import line
 * (above) and the construction of `client` differ. What the examples assume exists is seeded
 * first: the credential `credential_id` (a Meta connection with a fixed id, its token an
 * encrypted secret), the channel `channel_id` (with an agent and an active deployment, so it
 * can be switched off), and a fake Graph API that knows the phone number id `phone_number_id`,
 * accepts the token `whatsapp_access_token` and lists pages for the credential's token.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SwitchboardClient } from '@switchboard/sdk';
import { DeploymentType } from '@switchboard/core';
import { workspaceRepositories } from '@switchboard/server';
import { ENGINES } from '../helpers/engines.js';
import { startFakeGraph, type FakeGraph } from '../fakes/graph.js';
import { activate, removeFixtures, seedMetaCredential, startChannelServiceServer, type ChannelServiceServer } from '../channel-service/harness.js';

const CREDENTIAL_TOKEN = 'EAAGuserTokenForCredentialFixture';
const PAGE_ID = '104745862412345';

describe.each(ENGINES)('messaging channels guide examples on %s', (engine) => {
  let graph: FakeGraph;
  let server: ChannelServiceServer;
  let logs: string[];

  beforeAll(async () => {
    graph = await startFakeGraph({
      accessToken: 'whatsapp_access_token',
      additionalAccessTokens: [CREDENTIAL_TOKEN],
      phoneNumbers: { phone_number_id: { displayPhoneNumber: '+1 202-555-0147', verifiedName: 'Acme Support' } },
      pages: [
        { id: PAGE_ID, name: 'Acme Support', category: 'Software' },
        { id: '104745862499999', name: 'Acme Careers', category: 'Company' },
      ],
    });
    server = await startChannelServiceServer(engine, { fakeBaseUrls: { meta: graph.url } });
  });
  afterAll(async () => {
    await server?.close();
    await graph?.close();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** A fresh workspace for one example, and the fixtures the example names. */
  async function workspace(fixtures: { credential?: boolean; channel?: boolean; whatsappChannel?: boolean } = {}) {
    await removeFixtures(server, { channels: ['channel_id'], connections: ['credential_id'] });
    const ws = await server.newWorkspace();
    const repos = workspaceRepositories(server.db, ws.workspaceId);
    if (fixtures.credential || fixtures.whatsappChannel) {
      await seedMetaCredential(server, ws.workspaceId, { id: 'credential_id', name: 'Acme Meta app', accessToken: CREDENTIAL_TOKEN });
    }
    if (fixtures.whatsappChannel) {
      const channel = await repos.channels.insert({
        deploymentType: DeploymentType.WHATSAPP,
        channelIdentifier: '+12025550100',
        channelName: 'WhatsApp Support',
        recordingEnabled: true,
        configuration: { connectionId: 'credential_id', phoneNumberId: '106540352242922' },
        phoneConfigurationId: null,
      });
      await activate(server, ws.workspaceId, channel.id);
    }
    if (fixtures.channel) {
      await repos.channels.insert({
        id: 'channel_id',
        deploymentType: DeploymentType.WEB,
        channelIdentifier: 'https://example.com',
        channelName: 'Website Chat',
        recordingEnabled: true,
        configuration: { communicationType: 'unified', widgetConfiguration: { position: 'right' } } as never,
        phoneConfigurationId: null,
      });
      await activate(server, ws.workspaceId, 'channel_id');
    }
    logs = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      logs.push(args.map(String).join(' '));
    });
    return { apiKey: ws.apiKey, baseUrl: server.baseUrl, workspaceId: ws.workspaceId, repos };
  }

  it('list / list', async () => {
    const ws = await workspace({ whatsappChannel: true });
    await ws.repos.channels.insert({
      deploymentType: DeploymentType.WEB,
      channelIdentifier: 'https://shop.example.com',
      channelName: 'Shop chat',
      recordingEnabled: true,
      configuration: { communicationType: 'unified', widgetConfiguration: { position: 'right' } } as never,
      phoneConfigurationId: null,
    });
    const client = new SwitchboardClient({ apiKey: ws.apiKey, baseUrl: ws.baseUrl });
    const channels = await client.channel.list({ type: "whatsapp" });
    for (const ch of channels) {
    console.log(ch.id, ch.name, ch.is_active);
    }

    expect(channels).toHaveLength(1);
    expect(logs).toEqual([`${channels[0]!.id} WhatsApp Support true`]);
    expect(channels[0]).toMatchObject({
      object_name: 'channel',
      type: 'whatsapp',
      organization_id: ws.workspaceId,
      business_unit_id: null,
      is_active: true,
      config: { connectionId: 'credential_id', phoneNumberId: '106540352242922' },
    });
    expect(new Date(channels[0]!.created_at).toISOString()).toBe(channels[0]!.created_at);
  });

  it('createWeb / create_web', async () => {
    const ws = await workspace();
    const client = new SwitchboardClient({ apiKey: ws.apiKey, baseUrl: ws.baseUrl });
    const channel = await client.channel.createWeb({ name: "Website Chat" });
    console.log(channel.id);

    expect(logs).toEqual([channel.id]);
    expect(channel).toMatchObject({ object_name: 'channel', name: 'Website Chat', type: 'web', is_active: false, organization_id: ws.workspaceId });
    expect(channel.identifier).toMatch(/^https:\/\/web\.switchboard\.invalid\/website-chat-[0-9a-f]{10}$/);
    // The same record behind the other door.
    const stored = await ws.repos.channels.get(channel.id);
    expect(stored).toMatchObject({ deploymentType: 'web', channelName: 'Website Chat', channelIdentifier: channel.identifier });
  });

  it('createWhatsApp / create_whatsapp', async () => {
    const ws = await workspace();
    const client = new SwitchboardClient({ apiKey: ws.apiKey, baseUrl: ws.baseUrl });
    graph.reset();
    const channel = await client.channel.createWhatsApp({
    phone_number_id: "phone_number_id",
    access_token: "whatsapp_access_token",
    });

    expect(channel).toMatchObject({
      type: 'whatsapp',
      identifier: '+12025550147',
      name: 'Acme Support',
      config: { phoneNumberId: 'phone_number_id' },
    });
    // The number was looked up with the given token.
    const lookup = graph.requests.find((r) => r.path === '/v21.0/phone_number_id');
    expect(lookup?.query.fields).toBe('display_phone_number,verified_name');
    expect(lookup?.headers.authorization).toBe('Bearer whatsapp_access_token');
    // The token is an encrypted secret behind a connection; nothing returns it.
    expect(JSON.stringify(channel)).not.toContain('whatsapp_access_token');
    const credential = await client.channel.getCredential(channel.credential_id!);
    expect(credential).toMatchObject({ _id: channel.credential_id, type: 'whatsapp', provider: 'meta' });
    expect(JSON.stringify(credential)).not.toContain('whatsapp_access_token');
    const secrets = await server.db.selectFrom('secrets').selectAll().where('workspace_id', '=', ws.workspaceId).execute();
    expect(secrets).toHaveLength(1);
    expect(JSON.stringify(secrets)).not.toContain('whatsapp_access_token');
  });

  it('createFacebook / create_facebook', async () => {
    const ws = await workspace({ credential: true });
    const client = new SwitchboardClient({ apiKey: ws.apiKey, baseUrl: ws.baseUrl });
    // 首先获取凭证的可用主页
    const pages = await client.channel.getFacebookPages("credential_id");
    // 然后使用主页创建渠道
    const channel = await client.channel.createFacebook({
    page_id: pages[0]._id,
    credential_id: "credential_id",
    });

    expect(pages.map((p) => p._id)).toEqual([PAGE_ID, '104745862499999']);
    expect(channel).toMatchObject({
      type: 'facebook',
      identifier: PAGE_ID,
      name: 'Acme Support',
      credential_id: 'credential_id',
      config: { connectionId: 'credential_id' },
    });
  });

  it('createEmail / create_email', async () => {
    const ws = await workspace();
    const client = new SwitchboardClient({ apiKey: ws.apiKey, baseUrl: ws.baseUrl });
    const channel = await client.channel.createEmail({
    name: "Support Inbox",
    email: "support@example.com",
    });

    expect(channel).toMatchObject({ type: 'email', name: 'Support Inbox', identifier: 'support@example.com' });
    const connection = await server.app.connections.get(ws.workspaceId, channel.credential_id!);
    expect(connection).toMatchObject({ provider: 'email', settings: { smtpHost: 'smtp.switchboard.invalid', smtpPort: 587 } });
  });

  it('update / update', async () => {
    const ws = await workspace({ channel: true });
    const client = new SwitchboardClient({ apiKey: ws.apiKey, baseUrl: ws.baseUrl });
    expect((await client.channel.get('channel_id')).is_active).toBe(true);
    await client.channel.update("channel_id", { active: false });

    expect((await client.channel.get('channel_id')).is_active).toBe(false);
    expect((await ws.repos.deployments.findByChannel('channel_id'))?.status).toBe('paused');
  });
});

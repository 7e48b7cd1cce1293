/**
 * Every TypeScript example of the deployment channels guide (spec/000), run against a
 * live server. Each example body is the guide's text; only the import line (above) and
 * the construction of `client` differ. Fixtures the guide assumes (`channel_123`,
 * `phone_config_123`) are seeded into the example's own workspace first.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SwitchboardClient, DeploymentType, APIError, ValidationError } from '@switchboard/sdk';
import { DeploymentType as CoreDeploymentType, PhoneProvider } from '@switchboard/core';
import { workspaceRepositories } from '@switchboard/server';
import { ENGINES } from '../helpers/engines.js';
import { startLiveServer, type LiveServer } from '../helpers/live-server.js';

describe.each(ENGINES)('deployment channels guide examples on %s', (engine) => {
  let server: LiveServer;
  let logs: string[];

  beforeAll(async () => {
    server = await startLiveServer(engine);
  });
  afterAll(async () => {
    await server.close();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** A fresh workspace for one example, its key, and the guide's fixtures when asked for. */
  async function workspace(fixtures: { webChannel?: boolean; phoneConfig?: boolean; callsChannel?: boolean } = {}) {
    // The fixture ids are fixed, so the previous example's copies go first.
    await server.db.deleteFrom('deployment_channels').where('id', '=', 'channel_123').execute();
    await server.db.deleteFrom('deployment_channels').where('phone_configuration_id', '=', 'phone_config_123').execute();
    await server.db.deleteFrom('phone_configurations').where('id', '=', 'phone_config_123').execute();
    const ws = await server.newWorkspace();
    const repos = workspaceRepositories(server.db, ws.workspaceId);
    if (fixtures.phoneConfig || fixtures.callsChannel) {
      await repos.phones.insert({ id: 'phone_config_123', phoneNumber: '+12025551234', provider: PhoneProvider.TWILIO, friendlyName: 'Main line' });
    }
    if (fixtures.webChannel) {
      await repos.channels.insert({
        id: 'channel_123',
        deploymentType: CoreDeploymentType.WEB,
        channelIdentifier: 'https://example.com',
        channelName: 'Website Chat',
        recordingEnabled: true,
        configuration: { communicationType: 'unified', widgetConfiguration: { position: 'right' } } as never,
        phoneConfigurationId: null,
      });
    }
    if (fixtures.callsChannel) {
      await repos.channels.insert({
        id: 'channel_123',
        deploymentType: CoreDeploymentType.CALLS,
        channelIdentifier: '+12025551234',
        channelName: 'Support line',
        recordingEnabled: true,
        configuration: { phoneConfigurationId: 'phone_config_123' },
        phoneConfigurationId: 'phone_config_123',
      });
      await repos.phones.track('phone_config_123', 'voice_channel_id', 'channel_123');
    }
    logs = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      logs.push(args.map(String).join(' '));
    });
    return { apiKey: ws.apiKey, baseUrl: server.baseUrl, repos };
  }

  it('Quick Start', async () => {
    const ws = await workspace();
    const client = new SwitchboardClient({ apiKey: ws.apiKey, baseUrl: ws.baseUrl });
    // Create a web deployment channel
    const channel = await client.deploymentChannels.create({
      channelIdentifier: 'https://example.com',
      deploymentType: DeploymentType.WEB,
      channelName: 'Main Website Chat',
      recordingEnabled: true,
      configuration: {
        communicationType: 'unified',
        widgetConfiguration: {
          position: 'right',
          customTheme: {
            primaryColor: '#007bff',
          },
        },
      },
    });
    console.log('Channel created:', channel.id);

    expect(logs).toEqual([`Channel created: ${channel.id}`]);
    const stored = await ws.repos.channels.get(channel.id);
    expect(stored?.configuration).toEqual({
      communicationType: 'unified',
      widgetConfiguration: { position: 'right', customTheme: { primaryColor: '#007bff' } },
    });
  });

  it('Create Deployment Channel (web)', async () => {
    const ws = await workspace();
    const client = new SwitchboardClient({ apiKey: ws.apiKey, baseUrl: ws.baseUrl });
    // Web Channel
    const webChannel = await client.deploymentChannels.create({
      channelIdentifier: 'https://example.com',
      deploymentType: DeploymentType.WEB,
      channelName: 'Website Chat Widget',
      recordingEnabled: true,
      configuration: {
        communicationType: 'unified',
        widgetConfiguration: {
          position: 'right',
          customTheme: { primaryColor: '#0066cc' },
        },
      },
    });
    console.log('Web channel created:', webChannel.id);

    expect(logs).toEqual([`Web channel created: ${webChannel.id}`]);
    expect(webChannel.channelName).toBe('Website Chat Widget');
    expect(webChannel.deploymentType).toBe('web');
  });

  it('Get Deployment Channel', async () => {
    const ws = await workspace({ webChannel: true });
    const client = new SwitchboardClient({ apiKey: ws.apiKey, baseUrl: ws.baseUrl });
    // Get by ID
    const channel = await client.deploymentChannels.get('channel_123');
    console.log('Channel name:', channel.channelName);
    console.log('Channel type:', channel.deploymentType);
    // Get by identifier and type
    const webChannel = await client.deploymentChannels.getByIdentifier(
      'https://example.com',
      DeploymentType.WEB
    );
    console.log('Found channel:', webChannel.id);

    expect(logs).toEqual(['Channel name: Website Chat', 'Channel type: web', 'Found channel: channel_123']);
  });

  it('List Deployment Channels', async () => {
    const ws = await workspace({ webChannel: true, phoneConfig: true });
    const client = new SwitchboardClient({ apiKey: ws.apiKey, baseUrl: ws.baseUrl });
    await client.deploymentChannels.create({
      channelIdentifier: '+12025551234',
      deploymentType: DeploymentType.SMS,
      channelName: 'SMS Support',
      configuration: { phoneConfigurationId: 'phone_config_123' },
    });
    logs.length = 0;
    // List all channels
    const result = await client.deploymentChannels.list({
      page: 1,
      pageSize: 20,
    });
    console.log('Total channels:', result.meta.totalCount);
    result.data.forEach(channel => {
      console.log(`- ${channel.channelName} (${channel.deploymentType})`);
    });
    // List by type
    const webChannels = await client.deploymentChannels.listByType(
      DeploymentType.WEB,
      { page: 1, pageSize: 20 }
    );
    console.log('Web channels:', webChannels.data.length);

    expect(logs).toEqual(['Total channels: 2', '- Website Chat (web)', '- SMS Support (sms)', 'Web channels: 1']);
  });

  it('Update Deployment Channel', async () => {
    const ws = await workspace({ webChannel: true });
    const client = new SwitchboardClient({ apiKey: ws.apiKey, baseUrl: ws.baseUrl });
    const updated = await client.deploymentChannels.update({
      id: 'channel_123',
      channelName: 'Updated Channel Name',
      recordingEnabled: false,
    });
    console.log('Updated channel:', updated.channelName);

    expect(logs).toEqual(['Updated channel: Updated Channel Name']);
    expect((await ws.repos.channels.get('channel_123'))?.recordingEnabled).toBe(false);
  });

  it('Delete Deployment Channel, as written: the second call finds the channel already gone', async () => {
    const ws = await workspace({ webChannel: true });
    const client = new SwitchboardClient({ apiKey: ws.apiKey, baseUrl: ws.baseUrl });
    const run = async () => {
      // Delete channel only
      const deleted = await client.deploymentChannels.delete('channel_123');
      // Delete channel and associated phone configuration
      const deletedWithPhone = await client.deploymentChannels.delete('channel_123', {
        deletePhoneConfig: true,
      });
      if (deleted) {
        console.log('Channel deleted successfully');
      }
      return deletedWithPhone;
    };
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).statusCode).toBe(404);
    expect((error as APIError).message).toBe('Deployment channel not found');
    expect(await ws.repos.channels.get('channel_123')).toBeUndefined();
  });

  it('Delete Deployment Channel: each documented call on its own channel', async () => {
    const web = await workspace({ webChannel: true });
    let client = new SwitchboardClient({ apiKey: web.apiKey, baseUrl: web.baseUrl });
    // Delete channel only
    const deleted = await client.deploymentChannels.delete('channel_123');
    if (deleted) {
      console.log('Channel deleted successfully');
    }
    expect(deleted).toBe(true);
    expect(logs).toEqual(['Channel deleted successfully']);

    const phone = await workspace({ callsChannel: true });
    client = new SwitchboardClient({ apiKey: phone.apiKey, baseUrl: phone.baseUrl });
    // Delete channel and associated phone configuration
    const deletedWithPhone = await client.deploymentChannels.delete('channel_123', {
      deletePhoneConfig: true,
    });
    expect(deletedWithPhone).toBe(true);
    expect(await phone.repos.channels.get('channel_123')).toBeUndefined();
    expect(await phone.repos.phones.get('phone_config_123')).toBeUndefined();
  });

  it('Channel Type Examples: Web Chat Widget', async () => {
    const ws = await workspace();
    const client = new SwitchboardClient({ apiKey: ws.apiKey, baseUrl: ws.baseUrl });
    const webChannel = await client.deploymentChannels.create({
      channelIdentifier: 'https://support.example.com',
      deploymentType: DeploymentType.WEB,
      channelName: 'Support Portal Chat',
      recordingEnabled: true,
      configuration: {
        communicationType: 'unified',
        widgetConfiguration: {
          position: 'right',
          customTheme: {
            primaryColor: '#4CAF50',
            fontFamily: 'Arial, sans-serif',
          },
        },
      },
    });

    expect(webChannel.configuration).toEqual({
      communicationType: 'unified',
      widgetConfiguration: { position: 'right', customTheme: { primaryColor: '#4CAF50', fontFamily: 'Arial, sans-serif' } },
    });
  });

  it('Channel Type Examples: Phone Call Channel', async () => {
    const ws = await workspace({ phoneConfig: true });
    const client = new SwitchboardClient({ apiKey: ws.apiKey, baseUrl: ws.baseUrl });
    // First, ensure you have a phone configuration
    const phoneChannel = await client.deploymentChannels.create({
      channelIdentifier: '+12025551234',
      deploymentType: DeploymentType.CALLS,
      channelName: 'Customer Support Line',
      recordingEnabled: true,
      configuration: {
        phoneConfigurationId: 'phone_config_123',
      },
    });

    expect(phoneChannel.deploymentType).toBe('calls');
    expect((await ws.repos.phones.get('phone_config_123'))?.voiceChannelId).toBe(phoneChannel.id);
  });

  it('Channel Type Examples: SMS Channel', async () => {
    const ws = await workspace({ phoneConfig: true });
    const client = new SwitchboardClient({ apiKey: ws.apiKey, baseUrl: ws.baseUrl });
    const smsChannel = await client.deploymentChannels.create({
      channelIdentifier: '+12025551234',
      deploymentType: DeploymentType.SMS,
      channelName: 'SMS Support',
      recordingEnabled: true,
      configuration: {
        phoneConfigurationId: 'phone_config_123',
      },
    });

    expect(smsChannel.deploymentType).toBe('sms');
    expect((await ws.repos.phones.get('phone_config_123'))?.smsChannelId).toBe(smsChannel.id);
  });

  it('Complete Example', async () => {
    const ws = await workspace();
    const client = new SwitchboardClient({ apiKey: ws.apiKey, baseUrl: ws.baseUrl });

    async function manageDeploymentChannels() {
      // 1. Create a web deployment channel
      const webChannel = await client.deploymentChannels.create({
        channelIdentifier: `https://test-${Date.now()}.example.com`,
        deploymentType: DeploymentType.WEB,
        channelName: 'Test Web Channel',
        recordingEnabled: true,
        configuration: {
          communicationType: 'unified',
          widgetConfiguration: {
            position: 'right',
            customTheme: { primaryColor: '#007bff' },
          },
        },
      });
      console.log('Channel created:', webChannel.id);
      // 2. Retrieve channel by ID
      const retrieved = await client.deploymentChannels.get(webChannel.id);
      console.log('Retrieved channel:', retrieved.channelName);
      // 3. List all web channels
      const webChannels = await client.deploymentChannels.listByType(DeploymentType.WEB);
      console.log('Total web channels:', webChannels.meta.totalCount);
      // 4. Update channel configuration
      const updated = await client.deploymentChannels.update({
        id: webChannel.id,
        channelName: 'Updated Test Channel',
        recordingEnabled: false,
      });
      console.log('Updated channel name:', updated.channelName);
      console.log('Recording enabled:', updated.recordingEnabled);
      // 5. Find channel by identifier
      const found = await client.deploymentChannels.getByIdentifier(
        webChannel.channelIdentifier,
        DeploymentType.WEB
      );
      console.log('Found by identifier:', found.id);
      // 6. Clean up
      await client.deploymentChannels.delete(webChannel.id);
      console.log('Channel deleted');
    }
    const failures: unknown[] = [];
    await manageDeploymentChannels().catch((e) => failures.push(e));

    expect(failures).toEqual([]);
    const id = logs[0]!.replace('Channel created: ', '');
    expect(id).toMatch(/^chan_/);
    expect(logs).toEqual([
      `Channel created: ${id}`,
      'Retrieved channel: Test Web Channel',
      'Total web channels: 1',
      'Updated channel name: Updated Test Channel',
      'Recording enabled: false',
      `Found by identifier: ${id}`,
      'Channel deleted',
    ]);
    expect(await ws.repos.channels.get(id)).toBeUndefined();
  });

  it('Troubleshooting: Invalid Channel Identifier', async () => {
    const ws = await workspace();
    const client = new SwitchboardClient({ apiKey: ws.apiKey, baseUrl: ws.baseUrl });
    const create = (channelIdentifier: string, deploymentType: DeploymentType) =>
      client.deploymentChannels.create({
        channelIdentifier,
        deploymentType,
        configuration: deploymentType === DeploymentType.WEB ? { communicationType: 'unified' } : { phoneConfigurationId: 'phone_config_123' },
      } as Parameters<typeof client.deploymentChannels.create>[0]);
    // Web channels: valid URL
    await expect(create('https://example.com', DeploymentType.WEB)).resolves.toMatchObject({ channelIdentifier: 'https://example.com' }); // Correct
    const web = await create('example.com', DeploymentType.WEB).catch((e: unknown) => e); // May fail validation
    expect(web).toBeInstanceOf(ValidationError);
    expect((web as ValidationError).message).toBe('Invalid website URL format');
    // Phone channels: E.164 format
    const phone = await create('202-555-1234', DeploymentType.CALLS).catch((e: unknown) => e); // May fail validation
    expect(phone).toBeInstanceOf(ValidationError);
    expect((phone as ValidationError).message).toMatch(/E\.164/);
    expect((await ws.repos.channels.list(1, 10)).meta.totalCount).toBe(1);
  });

  it('Troubleshooting: Missing Phone Configuration', async () => {
    const bare = await workspace();
    let client = new SwitchboardClient({ apiKey: bare.apiKey, baseUrl: bare.baseUrl });
    const missing = await client.deploymentChannels
      .create({ channelIdentifier: '+12025551234', deploymentType: DeploymentType.CALLS, configuration: { phoneConfigurationId: 'phone_config_123' } })
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(APIError);
    expect((missing as APIError).message).toBe('Phone configuration not found');

    const solution = async () => {
      // Ensure phone config exists
      const phoneConfigs = await client.phoneConfigurations.list();
      const phoneConfigId = phoneConfigs.data[0]?.id;
      if (!phoneConfigId) {
        throw new Error('No phone configuration available');
      }
      const channel = await client.deploymentChannels.create({
        channelIdentifier: '+12025551234',
        deploymentType: DeploymentType.CALLS,
        configuration: {
          phoneConfigurationId: phoneConfigId, // Must be valid
        },
      });
      return channel;
    };
    await expect(solution()).rejects.toThrow('No phone configuration available');

    const ready = await workspace({ phoneConfig: true });
    client = new SwitchboardClient({ apiKey: ready.apiKey, baseUrl: ready.baseUrl });
    const channel = await solution();
    expect(channel.configuration).toEqual({ phoneConfigurationId: 'phone_config_123' });
  });

  it('Troubleshooting: Channel Already Exists', async () => {
    const ws = await workspace({ webChannel: true });
    const client = new SwitchboardClient({ apiKey: ws.apiKey, baseUrl: ws.baseUrl });
    const duplicate = await client.deploymentChannels
      .create({ channelIdentifier: 'https://example.com', deploymentType: DeploymentType.WEB, configuration: { communicationType: 'unified' } })
      .catch((e: unknown) => e);
    expect(duplicate).toBeInstanceOf(APIError);
    expect((duplicate as APIError).message).toBe('Channel identifier already in use');
    expect((duplicate as APIError).statusCode).toBe(409);

    // The guide elides the create body as `{...}`; a web channel body stands in for it.
    const solution = async (identifier: string) => {
      try {
        const existing = await client.deploymentChannels.getByIdentifier(
          identifier,
          DeploymentType.WEB
        );
        console.log('Channel already exists:', existing.id);
      } catch (error) {
        // Channel doesn't exist, safe to create
        const newChannel = await client.deploymentChannels.create({ channelIdentifier: identifier, deploymentType: DeploymentType.WEB, configuration: { communicationType: 'unified' } });
        console.log('Created:', newChannel.id);
      }
    };
    await solution('https://example.com');
    await solution('https://new.example.com');
    expect(logs[0]).toBe('Channel already exists: channel_123');
    expect(logs[1]).toMatch(/^Created: chan_/);
  });
});

import type { Command } from 'commander';
import type { DeploymentChannel, DeploymentChannelRequest } from '@switchboard/sdk';
import { action, commandGroup, parseJsonObject, resolveContext } from './context.js';
import { cell, iso, print, printJson } from './output.js';
import { JSON_HELP, getCommand, listCommand, type Table } from './resource.js';

const TABLE: Table<DeploymentChannel> = {
  header: ['ID', 'TYPE', 'IDENTIFIER', 'NAME', 'RECORDING', 'CREATED'],
  row: (c) => [c.id, c.deploymentType, c.channelIdentifier, cell(c.channelName), c.recordingEnabled ? 'on' : 'off', iso(c.createdAt)],
};

export function registerChannelCommands(program: Command): void {
  const channels = commandGroup(program, 'channels', 'Deployment channels: the phone numbers, websites, apps and accounts agents are reached through');

  listCommand<DeploymentChannel, { type?: string; search?: string }>(channels, {
    description: 'List channels',
    options: (command) =>
      command
        .option('--type <type>', 'only channels of this type (calls, sms, web, mobile, whatsapp, …)')
        .option('--search <text>', 'only channels whose name or identifier contains this text'),
    table: TABLE,
    empty: () => 'No channels yet. Create one with "switchboard channels create --type web --identifier https://example.com".',
    fetch: ({ client }, page, options) => {
      const params = { ...page, ...(options.search !== undefined && { search: options.search }) };
      return options.type ? client.deploymentChannels.listByType(options.type as never, params) : client.deploymentChannels.list(params);
    },
  });

  getCommand(channels, {
    description: 'Show one channel',
    argument: 'the channel id',
    table: TABLE,
    fetch: ({ client }, id) => client.deploymentChannels.get(id),
    details: (channel) => [`Configuration: ${JSON.stringify(channel.configuration)}`],
  });

  channels
    .command('create')
    .description('Create a channel')
    .requiredOption('--type <type>', 'calls, sms, web, mobile, whatsapp, facebook, instagram, line, wechat, wecom, telegram, email, webhook, voice_gateway')
    .requiredOption('--identifier <identifier>', 'E.164 number for calls/sms, http(s) URL for web, package name for mobile, account id for providers')
    .option('--name <name>', 'a display name')
    .option('--configuration <json>', 'the type\'s configuration as a JSON object, e.g. \'{"connectionId":"conn_…"}\'')
    .option('--json', JSON_HELP)
    .action(
      action(async (options: { type: string; identifier: string; name?: string; configuration?: string; json?: boolean }) => {
        const { client } = resolveContext();
        const request = {
          deploymentType: options.type,
          channelIdentifier: options.identifier,
          ...(options.name !== undefined && { channelName: options.name }),
          ...(options.configuration !== undefined && {
            configuration: parseJsonObject(options.configuration, '--configuration', '{"connectionId":"conn_…"}'),
          }),
        } as unknown as DeploymentChannelRequest;
        const channel = await client.deploymentChannels.create(request);
        if (options.json) return printJson(channel);
        print(`Created ${channel.deploymentType} channel ${channel.id} for ${channel.channelIdentifier}`);
      }),
    );

  channels
    .command('delete')
    .description('Delete a channel')
    .argument('<id>', 'the channel id')
    .option('--delete-phone-config', 'also delete the phone configuration it uses (calls and sms)')
    .action(
      action(async (id: string, options: { deletePhoneConfig?: boolean }) => {
        await resolveContext().client.deploymentChannels.delete(id, { deletePhoneConfig: options.deletePhoneConfig === true });
        print(`Deleted channel ${id}${options.deletePhoneConfig ? ' and its phone configuration' : ''}`);
      }),
    );
}

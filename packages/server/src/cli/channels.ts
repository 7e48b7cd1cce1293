import type { Command } from 'commander';
import type { DeploymentChannel, DeploymentChannelRequest } from '@switchboard/sdk';
import { UsageError, action, commandGroup, paging, resolveContext, withPaging, type PagingOptions } from './context.js';
import { cell, iso, print, printJson, printPage, printTable } from './output.js';

const HEADER = ['ID', 'TYPE', 'IDENTIFIER', 'NAME', 'RECORDING', 'CREATED'];
const row = (c: DeploymentChannel) => [c.id, c.deploymentType, c.channelIdentifier, cell(c.channelName), c.recordingEnabled ? 'on' : 'off', iso(c.createdAt)];

function parseJsonObject(value: string, flag: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(value) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new UsageError(`${flag} must be a JSON object, e.g. '{"connectionId":"conn_…"}'`);
}

export function registerChannelCommands(program: Command): void {
  const channels = commandGroup(program, 'channels', 'Deployment channels: the phone numbers, websites, apps and accounts agents are reached through');

  withPaging(channels.command('list').description('List channels'))
    .option('--type <type>', 'only channels of this type (calls, sms, web, mobile, whatsapp, …)')
    .option('--search <text>', 'only channels whose name or identifier contains this text')
    .option('--json', "print the API's data as JSON")
    .action(
      action(async (options: PagingOptions & { type?: string; search?: string; json?: boolean }) => {
        const { client } = resolveContext();
        const params = { ...paging(options), ...(options.search !== undefined && { search: options.search }) };
        const page = options.type ? await client.deploymentChannels.listByType(options.type as never, params) : await client.deploymentChannels.list(params);
        if (options.json) return printJson(page);
        printPage(page, HEADER, row, 'No channels yet. Create one with "switchboard channels create --type web --identifier https://example.com".');
      }),
    );

  channels
    .command('get')
    .description('Show one channel')
    .argument('<id>', 'the channel id')
    .option('--json', "print the API's data as JSON")
    .action(
      action(async (id: string, options: { json?: boolean }) => {
        const channel = await resolveContext().client.deploymentChannels.get(id);
        if (options.json) return printJson(channel);
        printTable(HEADER, [row(channel)]);
        print(`\nConfiguration: ${JSON.stringify(channel.configuration)}`);
      }),
    );

  channels
    .command('create')
    .description('Create a channel')
    .requiredOption('--type <type>', 'calls, sms, web, mobile, whatsapp, facebook, instagram, line, wechat, wecom, telegram, email, webhook, voice_gateway')
    .requiredOption('--identifier <identifier>', 'E.164 number for calls/sms, http(s) URL for web, package name for mobile, account id for providers')
    .option('--name <name>', 'a display name')
    .option('--configuration <json>', 'the type\'s configuration as a JSON object, e.g. \'{"connectionId":"conn_…"}\'')
    .option('--json', "print the API's data as JSON")
    .action(
      action(async (options: { type: string; identifier: string; name?: string; configuration?: string; json?: boolean }) => {
        const { client } = resolveContext();
        const request = {
          deploymentType: options.type,
          channelIdentifier: options.identifier,
          ...(options.name !== undefined && { channelName: options.name }),
          ...(options.configuration !== undefined && { configuration: parseJsonObject(options.configuration, '--configuration') }),
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

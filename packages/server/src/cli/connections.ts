import type { Command } from 'commander';
import type { Connection, ConnectionRequest, ConnectionUpdateRequest } from '@switchboard/sdk';
import { UsageError, action, commandGroup, parseJsonObject, resolveContext } from './context.js';
import { iso } from './output.js';
import { JSON_HELP, deleteCommand, getCommand, listCommand, printItem, type Table } from './resource.js';

const TABLE: Table<Connection> = {
  header: ['ID', 'PROVIDER', 'NAME', 'CREDENTIALS', 'CREATED'],
  row: (c) => [c.id, c.provider, c.name, Object.keys(c.credentials).join(',') || '-', iso(c.createdAt)],
};

/** What to paste where: the inbound URL and the provider's setup steps, as the API gives them. */
const setupOf = (c: Connection) => [
  `Settings: ${JSON.stringify(c.settings)}`,
  `Credentials: ${Object.entries(c.credentials).map(([name, secret]) => `${name}=${secret.secretId} (${secret.mask})`).join(', ') || '-'}`,
  `API base URL: ${c.apiBaseUrl || '-'}`,
  `Inbound URL: ${c.inboundUrl}`,
  '',
  `Setup: ${c.setup}`,
];

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `name=value` pairs over a JSON object: the pairs win. */
function mergePairs(json: string | undefined, pairs: string[], flag: string, example: string): Record<string, unknown> {
  const merged = json === undefined ? {} : parseJsonObject(json, `--${flag}s`, example);
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals < 1) throw new UsageError(`--${flag} must be name=value, got '${pair}'`);
    merged[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return merged;
}

export function registerConnectionCommands(program: Command): void {
  const connections = commandGroup(program, 'connections', "Connections: the workspace's accounts with providers (Twilio, Meta, LINE, SMTP, a helpdesk…)");

  listCommand(connections, {
    description: 'List connections (credentials show only which secret holds them)',
    table: TABLE,
    empty: () => 'No connections yet. Create one with "switchboard connections create --provider twilio --name <name> --setting accountSid=AC… --credential authToken=sec_…".',
    fetch: ({ client }, page) => client.connections.list(page),
  });

  getCommand(connections, {
    description: 'Show one connection with its inbound URL and setup steps',
    argument: 'the connection id',
    table: TABLE,
    fetch: ({ client }, id) => client.connections.get(id),
    details: setupOf,
  });

  connections
    .command('create')
    .description('Connect a provider; prints the inbound URL and the setup steps to follow in its console')
    .requiredOption('--provider <provider>', 'twilio, meta, line, wechat, wecom, telegram, email, webhook, voice-gateway, zendesk, servicenow or genesys')
    .requiredOption('--name <name>', 'a name for the connection')
    .option('--setting <name=value>', "one of the provider's settings, e.g. accountSid=AC… (repeatable)", collect, [])
    .option('--settings <json>', 'the settings as a JSON object (a --setting wins over the same name here)')
    .option('--credential <name=secretId>', 'a credential and the id of the secret holding it, e.g. authToken=sec_… (repeatable)', collect, [])
    .option('--credentials <json>', 'the credentials as a JSON object of secret ids')
    .option('--api-base-url <url>', "overrides the provider's API endpoint")
    .option('--json', `${JSON_HELP} (it holds the inbound secret)`)
    .action(
      action(
        async (options: { provider: string; name: string; setting: string[]; settings?: string; credential: string[]; credentials?: string; apiBaseUrl?: string; json?: boolean }) => {
          const request = {
            provider: options.provider,
            name: options.name,
            settings: mergePairs(options.settings, options.setting, 'setting', '{"accountSid":"AC…"}'),
            credentials: mergePairs(options.credentials, options.credential, 'credential', '{"authToken":"sec_…"}'),
            ...(options.apiBaseUrl !== undefined && { apiBaseUrl: options.apiBaseUrl }),
          } as ConnectionRequest;
          const connection = await resolveContext().client.connections.create(request);
          printItem(connection, options, (c) => [`Created ${c.provider} connection ${c.id} "${c.name}"`, ...setupOf(c)]);
        },
      ),
    );

  connections
    .command('update')
    .description('Change a connection: only the fields given change; --settings or --setting (and the credentials) replace the whole object')
    .argument('<id>', 'the connection id')
    .option('--name <name>', 'a new name')
    .option('--setting <name=value>', "one of the provider's settings (repeatable; the settings given replace all of them)", collect, [])
    .option('--settings <json>', 'the settings as a JSON object (a --setting wins over the same name here)')
    .option('--credential <name=secretId>', 'a credential and the id of the secret holding it (repeatable; replaces all of them)', collect, [])
    .option('--credentials <json>', 'the credentials as a JSON object of secret ids')
    .option('--api-base-url <url>', "overrides the provider's API endpoint")
    .option('--default-api-base-url', "goes back to the provider's own API endpoint")
    .option('--json', JSON_HELP)
    .action(
      action(
        async (
          id: string,
          options: { name?: string; setting: string[]; settings?: string; credential: string[]; credentials?: string; apiBaseUrl?: string; defaultApiBaseUrl?: boolean; json?: boolean },
        ) => {
          if (options.apiBaseUrl !== undefined && options.defaultApiBaseUrl) throw new UsageError('--api-base-url and --default-api-base-url cannot be used together');
          const request = {
            ...(options.name !== undefined && { name: options.name }),
            ...((options.settings !== undefined || options.setting.length > 0) && { settings: mergePairs(options.settings, options.setting, 'setting', '{"accountSid":"AC…"}') }),
            ...((options.credentials !== undefined || options.credential.length > 0) && {
              credentials: mergePairs(options.credentials, options.credential, 'credential', '{"authToken":"sec_…"}'),
            }),
            ...(options.apiBaseUrl !== undefined && { apiBaseUrl: options.apiBaseUrl }),
            ...(options.defaultApiBaseUrl && { apiBaseUrl: null }),
          } as ConnectionUpdateRequest;
          if (Object.keys(request).length === 0) throw new UsageError('nothing to change: give --name, --setting(s), --credential(s) or an API base URL option');
          const connection = await resolveContext().client.connections.update(id, request);
          printItem(connection, options, (c) => [`Updated ${c.provider} connection ${c.id} "${c.name}"`, ...setupOf(c)]);
        },
      ),
    );

  connections
    .command('rotate-inbound-secret')
    .description("Issue a new inbound secret; the old one stops verifying at once, so paste the new one into the provider's console right after")
    .argument('<id>', 'the connection id')
    .option('--json', `${JSON_HELP} (it holds the new inbound secret)`)
    .action(
      action(async (id: string, options: { json?: boolean }) => {
        const connection = await resolveContext().client.connections.rotateInboundSecret(id);
        printItem(connection, options, (c) => [`Rotated the inbound secret of connection ${c.id}; the old one no longer verifies`, `Inbound secret: ${c.inboundSecret}`, ...setupOf(c)]);
      }),
    );

  deleteCommand(connections, { noun: 'connection', argument: 'the connection id', remove: ({ client }, id) => client.connections.delete(id) });
}

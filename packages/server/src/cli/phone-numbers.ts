import type { Command } from 'commander';
import type { PhoneConfiguration, PhoneConfigurationRequest } from '@switchboard/sdk';
import { UsageError, action, commandGroup, resolveContext } from './context.js';
import { cell, iso } from './output.js';
import { JSON_HELP, deleteCommand, getCommand, listCommand, printItem, type Table } from './resource.js';

const TABLE: Table<PhoneConfiguration> = {
  header: ['ID', 'NUMBER', 'PROVIDER', 'NAME', 'STATUS', 'CONNECTION', 'CREATED'],
  row: (p) => [p.id, p.phoneNumber, p.provider, cell(p.friendlyName), p.status, cell(p.connectionId), iso(p.createdAt)],
};

const channelsOf = (p: PhoneConfiguration) => [`Calls channel: ${cell(p.voiceChannelId)}`, `SMS channel: ${cell(p.smsChannelId)}`];

export function registerPhoneNumberCommands(program: Command): void {
  const phones = commandGroup(program, 'phone-numbers', 'Phone numbers (phone configurations) that calls and SMS channels use');

  listCommand(phones, {
    description: 'List phone numbers',
    table: TABLE,
    empty: () => 'No phone numbers yet. Add one with "switchboard phone-numbers create --number +12025550123 --provider twilio".',
    fetch: ({ client }, page) => client.phoneConfigurations.list(page),
  });

  getCommand(phones, {
    description: 'Show one phone number: by id, or by the number itself (E.164, e.g. +12025550123)',
    argument: 'the phone configuration id, or the E.164 number',
    table: TABLE,
    fetch: ({ client }, id) => (id.startsWith('+') ? client.phoneConfigurations.getByPhoneNumber(id) : client.phoneConfigurations.get(id)),
    details: channelsOf,
  });

  phones
    .command('create')
    .description('Register a phone number bought from a telephony provider')
    .requiredOption('--number <e164>', 'the number in E.164 form, e.g. +12025550123')
    .requiredOption('--provider <provider>', 'twilio, signal-wire, telnyx, vonage or plivo')
    .option('--name <name>', 'a friendly name')
    .option('--connection <id>', 'the Twilio connection (conn_…) that carries its calls and messages')
    .option('--json', JSON_HELP)
    .action(
      action(async (options: { number: string; provider: string; name?: string; connection?: string; json?: boolean }) => {
        const request = {
          phoneNumber: options.number,
          provider: options.provider,
          ...(options.name !== undefined && { friendlyName: options.name }),
          ...(options.connection !== undefined && { connectionId: options.connection }),
        } as PhoneConfigurationRequest;
        const phone = await resolveContext().client.phoneConfigurations.create(request);
        printItem(phone, options, (p) => [`Created phone number ${p.id} for ${p.phoneNumber} (${p.provider})`]);
      }),
    );

  phones
    .command('update')
    .description('Rename a phone number (its number and provider cannot change)')
    .argument('<id>', 'the phone configuration id')
    .option('--name <name>', 'the new friendly name')
    .option('--clear-name', 'remove the friendly name')
    .option('--json', JSON_HELP)
    .action(
      action(async (id: string, options: { name?: string; clearName?: boolean; json?: boolean }) => {
        if ((options.name === undefined) === (options.clearName !== true)) throw new UsageError('give either --name <name> or --clear-name');
        const phone = await resolveContext().client.phoneConfigurations.update({ id, friendlyName: options.clearName ? null : options.name! });
        printItem(phone, options, (p) => [`Updated phone number ${p.id}: name ${p.friendlyName === null ? 'removed' : `"${p.friendlyName}"`}`]);
      }),
    );

  deleteCommand(phones, { noun: 'phone number', argument: 'the phone configuration id', remove: ({ client }, id) => client.phoneConfigurations.delete(id) });
}

import type { Command } from 'commander';
import type { Secret } from '@switchboard/sdk';
import { UsageError, action, commandGroup, resolveContext } from './context.js';
import { iso } from './output.js';
import { JSON_HELP, deleteCommand, getCommand, listCommand, printItem, type Table } from './resource.js';
import { readSecretInput } from './input.js';

const TABLE: Table<Secret> = {
  header: ['ID', 'NAME', 'MASK', 'FINGERPRINT', 'UPDATED'],
  row: (s) => [s.id, s.name, s.mask, s.fingerprint, iso(s.updatedAt)],
};

const STDIN_HELP = 'read the value from standard input (one trailing newline is dropped) instead of asking for it';

/** The value, from standard input or a hidden prompt; a single trailing line break (as `echo` adds) is not part of it. */
async function readValue(fromStdin: boolean): Promise<string> {
  const value = (await readSecretInput({ fromStdin, flag: '--value-stdin', prompt: 'Secret value: ' })).replace(/\r?\n$/, '');
  if (value === '') throw new UsageError('no value given');
  return value;
}

const shown = (s: Secret) => `${s.id} "${s.name}" (${s.mask}, fingerprint ${s.fingerprint})`;

export function registerSecretCommands(program: Command): void {
  const secrets = commandGroup(program, 'secrets', 'Secrets: credentials stored encrypted, that connections name by id; values are never shown');

  listCommand(secrets, {
    description: 'List secrets (masks and fingerprints only)',
    table: TABLE,
    empty: () => 'No secrets yet. Store one with "switchboard secrets create --name <name>" (it asks for the value).',
    fetch: ({ client }, page) => client.secrets.list(page),
  });

  getCommand(secrets, {
    description: 'Show one secret (its mask and fingerprint, never the value)',
    argument: 'the secret id',
    table: TABLE,
    fetch: ({ client }, id) => client.secrets.get(id),
  });

  secrets
    .command('create')
    .description('Store a secret; the value is asked for without echo, or read from standard input, never taken from the command line')
    .requiredOption('--name <name>', "1-100 letters, digits, '_', '.' or '-', unique in the workspace")
    .option('--value-stdin', STDIN_HELP)
    .option('--json', JSON_HELP)
    .action(
      action(async (options: { name: string; valueStdin?: boolean; json?: boolean }) => {
        const value = await readValue(options.valueStdin === true);
        const secret = await resolveContext().client.secrets.create({ name: options.name, value });
        printItem(secret, options, (s) => [`Created secret ${shown(s)}`]);
      }),
    );

  secrets
    .command('set')
    .description("Replace a secret's value (connections using it pick it up on their next request)")
    .argument('<id>', 'the secret id')
    .option('--value-stdin', STDIN_HELP)
    .option('--json', JSON_HELP)
    .action(
      action(async (id: string, options: { valueStdin?: boolean; json?: boolean }) => {
        const value = await readValue(options.valueStdin === true);
        const secret = await resolveContext().client.secrets.update(id, { value });
        printItem(secret, options, (s) => [`Replaced the value of secret ${shown(s)}`]);
      }),
    );

  deleteCommand(secrets, { noun: 'secret', argument: 'the secret id', remove: ({ client }, id) => client.secrets.delete(id) });
}

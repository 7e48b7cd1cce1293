import type { Command } from 'commander';
import type { Delivery, DeliveryStatus } from '@switchboard/sdk';
import { action, commandGroup, resolveContext } from './context.js';
import { iso, oneLine, print, printJson } from './output.js';
import { JSON_HELP, listCommand, type Table } from './resource.js';

const TABLE: Table<Delivery> = {
  header: ['ID', 'KIND', 'STATUS', 'ATTEMPTS', 'CONVERSATION', 'CONNECTION', 'CREATED', 'LAST ERROR'],
  row: (d) => [d.id, d.kind, d.status, `${d.attempts}/${d.maxAttempts}`, d.conversationId, d.connectionId, iso(d.createdAt), oneLine(d.lastError, 50)],
};

export function registerDeliveryCommands(program: Command): void {
  const deliveries = commandGroup(program, 'deliveries', 'Outbound messages sent through connections, with their retries');

  listCommand<Delivery, { status?: string }>(deliveries, {
    description: 'List deliveries; --status dead is the dead-letter list',
    options: (command) => command.option('--status <status>', 'only pending, sending, sent or dead deliveries'),
    table: TABLE,
    empty: (options) => (options.status ? `No ${options.status} deliveries.` : 'No deliveries yet.'),
    fetch: ({ client }, page, options) =>
      client.deliveries.list({ ...page, ...(options.status !== undefined && { status: options.status as DeliveryStatus }) }),
  });

  deliveries
    .command('retry')
    .description('Send a dead delivery again with a fresh set of attempts')
    .argument('<id>', 'the delivery id')
    .option('--json', JSON_HELP)
    .action(
      action(async (id: string, options: { json?: boolean }) => {
        const delivery = await resolveContext().client.deliveries.retry(id);
        if (options.json) return printJson(delivery);
        print(`Retrying delivery ${delivery.id}: now ${delivery.status}`);
      }),
    );
}

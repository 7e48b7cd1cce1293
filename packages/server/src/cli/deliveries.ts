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

  listCommand<Delivery, { status?: string; subscription?: string; connection?: string }>(deliveries, {
    description: "List deliveries; --status dead is the dead-letter list, --subscription or --connection one target's deliveries",
    options: (command) =>
      command
        .option('--status <status>', 'only pending, sending, sent or dead deliveries')
        .option('--subscription <id>', "only this webhook subscription's event deliveries (not with --connection)")
        .option('--connection <id>', 'only the replies sent through this provider connection (not with --subscription)'),
    table: TABLE,
    empty: (options) => (options.status ? `No ${options.status} deliveries.` : 'No deliveries yet.'),
    fetch: ({ client }, page, options) =>
      client.deliveries.list({
        ...page,
        ...(options.status !== undefined && { status: options.status as DeliveryStatus }),
        ...(options.subscription !== undefined && { subscriptionId: options.subscription }),
        ...(options.connection !== undefined && { connectionId: options.connection }),
      }),
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

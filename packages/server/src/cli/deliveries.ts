import type { Command } from 'commander';
import type { Delivery, DeliveryStatus } from '@switchboard/sdk';
import { action, commandGroup, paging, resolveContext, withPaging, type PagingOptions } from './context.js';
import { iso, oneLine, print, printJson, printPage } from './output.js';

const HEADER = ['ID', 'KIND', 'STATUS', 'ATTEMPTS', 'CONVERSATION', 'CONNECTION', 'CREATED', 'LAST ERROR'];
const row = (d: Delivery) => [d.id, d.kind, d.status, `${d.attempts}/${d.maxAttempts}`, d.conversationId, d.connectionId, iso(d.createdAt), oneLine(d.lastError, 50)];

export function registerDeliveryCommands(program: Command): void {
  const deliveries = commandGroup(program, 'deliveries', 'Outbound messages sent through connections, with their retries');

  withPaging(deliveries.command('list').description('List deliveries; --status dead is the dead-letter list'))
    .option('--status <status>', 'only pending, sending, sent or dead deliveries')
    .option('--json', "print the API's data as JSON")
    .action(
      action(async (options: PagingOptions & { status?: string; json?: boolean }) => {
        const page = await resolveContext().client.deliveries.list({
          ...paging(options),
          ...(options.status !== undefined && { status: options.status as DeliveryStatus }),
        });
        if (options.json) return printJson(page);
        printPage(page, HEADER, row, options.status ? `No ${options.status} deliveries.` : 'No deliveries yet.');
      }),
    );

  deliveries
    .command('retry')
    .description('Send a dead delivery again with a fresh set of attempts')
    .argument('<id>', 'the delivery id')
    .option('--json', "print the API's data as JSON")
    .action(
      action(async (id: string, options: { json?: boolean }) => {
        const delivery = await resolveContext().client.deliveries.retry(id);
        if (options.json) return printJson(delivery);
        print(`Retrying delivery ${delivery.id}: now ${delivery.status}`);
      }),
    );
}

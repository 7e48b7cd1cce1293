import type { Command } from 'commander';
import type { WebhookSubscription, WebhookSubscriptionRequest } from '@switchboard/sdk';
import { action, commandGroup, positiveInt, resolveContext } from './context.js';
import { cell, iso, print, printJson } from './output.js';
import { JSON_HELP, deleteCommand, getCommand, listCommand, printItem, type Table } from './resource.js';
import { readStdin } from './input.js';

const TABLE: Table<WebhookSubscription> = {
  header: ['ID', 'URL', 'EVENTS', 'STATUS', 'SECRET', 'CREATED'],
  row: (w) => [w.id, w.url, w.events.join(','), w.active ? 'active' : 'inactive', w.secretMask, iso(w.createdAt)],
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function registerWebhookCommands(program: Command): void {
  const webhooks = commandGroup(program, 'webhooks', "Webhook subscriptions: your URLs that receive the workspace's events, signed with Standard Webhooks");

  listCommand(webhooks, {
    description: 'List webhook subscriptions (secrets masked)',
    table: TABLE,
    empty: () => 'No webhook subscriptions yet. Create one with "switchboard webhooks create --url https://example.com/hooks --events \'*\'".',
    fetch: ({ client }, page) => client.webhooks.list(page),
  });

  getCommand(webhooks, {
    description: 'Show one webhook subscription (secret masked)',
    argument: 'the subscription id',
    table: TABLE,
    fetch: ({ client }, id) => client.webhooks.get(id),
    details: (w) => [`Description: ${cell(w.description)}`, `Secret fingerprint: ${w.secretFingerprint}`],
  });

  webhooks
    .command('create')
    .description('Subscribe a URL to events; its signing secret is printed once')
    .requiredOption('--url <url>', 'where to POST the events')
    .requiredOption('--events <types>', "conversation.created, message.created, handoff.requested, handoff.accepted, delivery.failed separated by commas, or '*' for all")
    .option('--description <text>', 'what the subscription is for')
    .option('--json', `${JSON_HELP} (it holds the signing secret)`)
    .action(
      action(async (options: { url: string; events: string; description?: string; json?: boolean }) => {
        const request = {
          url: options.url,
          events: options.events.split(',').map((t) => t.trim()).filter(Boolean),
          ...(options.description !== undefined && { description: options.description }),
        } as WebhookSubscriptionRequest;
        const created = await resolveContext().client.webhooks.create(request);
        printItem(created, options, (w) => [
          `Created webhook subscription ${w.id} for ${w.url} (${w.events.join(', ')}).`,
          '',
          'Its signing secret, shown only this once (later reads show only its mask):',
          '',
          `    ${w.secret}`,
          '',
          'Verify deliveries with any Standard Webhooks library and this secret.',
        ]);
      }),
    );

  deleteCommand(webhooks, { noun: 'webhook subscription', argument: 'the subscription id', remove: ({ client }, id) => client.webhooks.delete(id) });

  webhooks
    .command('test')
    .description('Send a webhook.test event to one subscription, delivered like any other event')
    .argument('<id>', 'the subscription id')
    .option('--wait <seconds>', 'wait up to this long for the delivery to be sent or to fail, and say which', positiveInt)
    .option('--json', JSON_HELP)
    .action(
      action(async (id: string, options: { wait?: number; json?: boolean }) => {
        const { client } = resolveContext();
        const result = await client.webhooks.test(id);
        if (options.wait === undefined) {
          if (options.json) return printJson(result);
          print(`Queued webhook.test event ${result.eventId} as delivery ${result.deliveryId}; follow it with "switchboard deliveries list".`);
          return;
        }
        const deadline = Date.now() + options.wait * 1000;
        let delivery = await client.deliveries.get(result.deliveryId);
        while (delivery.status !== 'sent' && delivery.status !== 'dead' && delivery.lastError === null && Date.now() < deadline) {
          await sleep(250);
          delivery = await client.deliveries.get(result.deliveryId);
        }
        if (options.json) return printJson({ ...result, delivery });
        const outcome = delivery.status === 'sent' ? 'delivered' : delivery.lastError ? `${delivery.status}: ${delivery.lastError}` : `still ${delivery.status}`;
        print(`Webhook.test event ${result.eventId}, delivery ${delivery.id}: ${outcome}`);
        if (delivery.status !== 'sent') process.exitCode = 1;
      }),
    );

  webhooks
    .command('listen')
    .description("Forward the workspace's live events to a local URL, signed like webhook deliveries, until Ctrl-C")
    .requiredOption('--forward-to <url>', 'the URL to POST each event to, e.g. http://localhost:3000/webhooks')
    .option('--events <types>', "the event types to forward, separated by commas, or '*' for all", '*')
    .option('--secret-stdin', 'sign with a whsec_… secret read from standard input instead of a new one')
    .action(
      action(async (options: { forwardTo: string; events: string; secretStdin?: boolean }) => {
        const secret = options.secretStdin ? await readStdin() : undefined;
        // The signing code (shared with the server's webhook sender) is loaded by this command only.
        const { listenAndForward } = await import('./webhook-listen.js');
        await listenAndForward(resolveContext(), { forwardTo: options.forwardTo, events: options.events, ...(secret !== undefined && { secret }) });
      }),
    );
}

import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.js';
import { inboundEventsRepository } from '../store/repositories/inbound-events.js';
import { InboundFormatError } from './adapter.js';
import { smtpInboundEvents, startSmtpListener, type SmtpListener } from './email/index.js';
import { withoutNul } from '../http/nul-characters.js';

/**
 * Mail for email channels over SMTP. Recipients are accepted only when some email
 * channel has that address; each message is recorded for the channel's connection
 * (deduplicated on its Message-Id) before the SMTP transaction is acknowledged, then
 * processed like any webhook event.
 */
export async function startEmailIntake(options: {
  db: Kysely<DB>;
  port: number;
  host?: string;
  onRecorded: () => void;
  logger: { warn(obj: Record<string, unknown>, msg: string): void; error(obj: Record<string, unknown>, msg: string): void };
}): Promise<SmtpListener> {
  const { db } = options;
  const events = inboundEventsRepository(db);
  const channelsFor = (address: string) =>
    db
      .selectFrom('deployment_channels')
      .select(['workspace_id', 'connection_id'])
      .where('deployment_type', '=', 'email')
      .where('channel_identifier', '=', address.toLowerCase())
      .where('connection_id', 'is not', null)
      .execute();

  return startSmtpListener({
    port: options.port,
    ...(options.host && { host: options.host }),
    logger: options.logger,
    isKnownRecipient: async (address) => (await channelsFor(address)).length > 0,
    async onMessage(raw, envelope) {
      let parsed;
      try {
        parsed = (await smtpInboundEvents(raw, envelope)).map(withoutNul);
      } catch (error) {
        // Unusable mail is dropped (accepted), so the sending server does not retry it for days.
        if (error instanceof InboundFormatError) return options.logger.warn({ err: error.message }, 'email dropped');
        throw error;
      }
      const receivedAt = Date.now();
      for (const event of parsed) {
        for (const channel of await channelsFor(event.channelIdentifier)) {
          await events.record({ workspaceId: channel.workspace_id, connectionId: channel.connection_id!, providerEventId: event.providerEventId, event, receivedAt });
        }
      }
      if (parsed.length > 0) setImmediate(options.onRecorded);
    },
  });
}

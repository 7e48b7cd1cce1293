import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.js';
import { inboundEventsRepository, type NewInboundEvent } from '../store/repositories/inbound-events.js';
import { isDatabaseFault } from '../store/faults.js';
import { groupCommit } from '../store/group-commit.js';

export interface InboundRecorder {
  /** Resolves once every event is durably stored (redeliveries dropped); only then may the webhook be acknowledged. */
  record(events: readonly NewInboundEvent[]): Promise<void>;
}

/**
 * Group commit for webhook events (store/group-commit.ts): webhooks that arrive while a write is
 * under way, or in the same turn of the event loop, are stored together by one INSERT of at most
 * 100 rows, so many acknowledgements share one commit. A batch that fails for a reason other than
 * the database itself (one malformed row, say) is written again one webhook at a time, so only
 * the webhook at fault is refused.
 */
export function createInboundRecorder(db: Kysely<DB>): InboundRecorder {
  const events = inboundEventsRepository(db);
  const record = groupCommit<readonly NewInboundEvent[], void>({
    maxRows: 100,
    rowsOf: (webhook) => webhook.length,
    retryOneByOne: (error) => !isDatabaseFault(error),
    async write(webhooks) {
      await events.recordAll(webhooks.flat());
      return webhooks.map(() => undefined);
    },
  });
  return {
    record: (list) => (list.length === 0 ? Promise.resolve() : record(list)),
  };
}

import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.js';
import { inboundEventsRepository, type NewInboundEvent } from '../store/repositories/inbound-events.js';
import { isDatabaseFault } from '../store/faults.js';

/** Rows in one INSERT: ten parameters each, far below SQLite's and PostgreSQL's limits. */
const MAX_ROWS_PER_STATEMENT = 100;

interface Submission {
  events: readonly NewInboundEvent[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface InboundRecorder {
  /** Resolves once every event is durably stored (redeliveries dropped); only then may the webhook be acknowledged. */
  record(events: readonly NewInboundEvent[]): Promise<void>;
}

/**
 * Group commit for webhook events. Webhooks that arrive while a write is under way (or in the
 * same turn of the event loop) are stored together by the next write: one INSERT of all their
 * rows, so one commit (one WAL append, or one round trip and one fsync on PostgreSQL) is shared
 * by many acknowledgements instead of each paying its own. Every caller still waits for the
 * commit that holds its events.
 *
 * A batch that fails for a reason other than the database itself (one malformed row, say) is
 * written again one webhook at a time, so only the webhook at fault is refused.
 */
export function createInboundRecorder(db: Kysely<DB>): InboundRecorder {
  const events = inboundEventsRepository(db);
  let queue: Submission[] = [];
  let writing = false;

  function takeBatch(): Submission[] {
    let rows = 0;
    let count = 0;
    while (count < queue.length && (count === 0 || rows + queue[count]!.events.length <= MAX_ROWS_PER_STATEMENT)) {
      rows += queue[count]!.events.length;
      count++;
    }
    const batch = queue.slice(0, count);
    queue = queue.slice(count);
    return batch;
  }

  async function writeBatch(batch: Submission[]): Promise<void> {
    try {
      await events.recordAll(batch.flatMap((submission) => submission.events));
      for (const submission of batch) submission.resolve();
    } catch (error) {
      if (batch.length === 1 || isDatabaseFault(error)) {
        for (const submission of batch) submission.reject(error);
        return;
      }
      for (const submission of batch) {
        try {
          await events.recordAll(submission.events);
          submission.resolve();
        } catch (own) {
          submission.reject(own);
        }
      }
    }
  }

  async function drain(): Promise<void> {
    writing = true;
    try {
      while (queue.length > 0) await writeBatch(takeBatch());
    } finally {
      writing = false;
    }
  }

  return {
    record(list) {
      if (list.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        queue.push({ events: list, resolve, reject });
        // The first webhook of a quiet spell waits one turn of the event loop, so that webhooks
        // read in the same turn share its write; later ones join whatever write comes next.
        if (!writing && queue.length === 1) setImmediate(() => void (writing || drain()));
      });
    },
  };
}

import type { SentDelivery } from '../store/repositories/deliveries.js';

/** Rows in one UPDATE: three parameters each, far below SQLite's and PostgreSQL's limits. */
const MAX_ROWS_PER_STATEMENT = 100;

interface Waiting {
  sent: SentDelivery;
  resolve: (held: boolean) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for sends that succeeded. Sends whose provider answered in the same turn of the
 * event loop, or while the previous write was under way, are recorded by one statement, so one
 * commit (one WAL append, or one round trip and one fsync on PostgreSQL) is shared by several
 * deliveries. Each caller still waits for the commit that holds its row, and learns whether its
 * node still held the row. A write that fails fails every send it held; they stay claimed and are
 * sent again under the same idempotency key once their lease runs out, as a single one would.
 */
export function createSentRecorder(write: (sent: SentDelivery[]) => Promise<ReadonlySet<string>>) {
  let queue: Waiting[] = [];
  let writing = false;

  async function drain(): Promise<void> {
    writing = true;
    try {
      while (queue.length > 0) {
        const batch = queue.slice(0, MAX_ROWS_PER_STATEMENT);
        queue = queue.slice(batch.length);
        try {
          const held = await write(batch.map((waiting) => waiting.sent));
          for (const waiting of batch) waiting.resolve(held.has(waiting.sent.id));
        } catch (error) {
          for (const waiting of batch) waiting.reject(error);
        }
      }
    } finally {
      writing = false;
    }
  }

  /** Resolves once the send is recorded: true, or false when this node no longer held the row. */
  return function record(sent: SentDelivery): Promise<boolean> {
    return new Promise((resolve, reject) => {
      queue.push({ sent, resolve, reject });
      if (!writing && queue.length === 1) setImmediate(() => void (writing || drain()));
    });
  };
}

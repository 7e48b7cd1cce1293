import type { Kysely } from 'kysely';
import type { DB } from './schema.js';
import { isPostgres } from './fixed-sql.js';
import { isDatabaseFault } from './faults.js';

/** Runs `work` in a write transaction and resolves once that transaction has committed. */
export type Transact = <T>(work: (trx: Kysely<DB>) => Promise<T>) => Promise<T>;

/** Works one shared transaction may hold: it keeps the connection from reads meanwhile, so not too long. */
const MAX_WORKS_PER_TRANSACTION = 32;

interface Waiting {
  work: (trx: Kysely<DB>) => Promise<unknown>;
  resolve: (result: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for transactions on embedded SQLite. Its one connection runs one transaction at a
 * time, and a `COMMIT` (the WAL append of every page the transaction dirtied) costs as much as
 * the writes of a widget message: works submitted while a transaction is under way, or in the
 * same turn of the event loop, run one after another in the next transaction and share its
 * commit. Each caller still resolves only once its writes are committed.
 *
 * A work may run more than once: when one work of a shared transaction fails, the transaction
 * rolls back and each of its works runs again in a transaction of its own, so only the work at
 * fault fails. A work must therefore keep its effects to the transaction and what it answers
 * (an attempt that was rolled back leaves nothing behind). A database fault (the disk, a lock)
 * fails every work of the transaction, as it would have failed each of them alone.
 *
 * On PostgreSQL every work gets its own transaction: its connections commit concurrently.
 */
export function sharedTransactions(db: Kysely<DB>): Transact {
  if (isPostgres(db)) return (work) => db.transaction().execute(work);
  let queue: Waiting[] = [];
  let running = false;

  async function runAlone(waiting: Waiting): Promise<void> {
    try {
      waiting.resolve(await db.transaction().execute(waiting.work));
    } catch (error) {
      waiting.reject(error);
    }
  }

  async function runShared(batch: Waiting[]): Promise<void> {
    if (batch.length === 1) return runAlone(batch[0]!);
    let results: unknown[];
    try {
      results = await db.transaction().execute(async (trx) => {
        const answers: unknown[] = [];
        for (const { work } of batch) answers.push(await work(trx));
        return answers;
      });
    } catch (error) {
      if (isDatabaseFault(error)) {
        for (const waiting of batch) waiting.reject(error);
        return;
      }
      for (const waiting of batch) await runAlone(waiting);
      return;
    }
    batch.forEach((waiting, index) => waiting.resolve(results[index]));
  }

  async function drain(): Promise<void> {
    running = true;
    try {
      while (queue.length > 0) {
        const batch = queue.slice(0, MAX_WORKS_PER_TRANSACTION);
        queue = queue.slice(batch.length);
        await runShared(batch);
      }
    } finally {
      running = false;
    }
  }

  return <T>(work: (trx: Kysely<DB>) => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      queue.push({ work, resolve: resolve as (result: unknown) => void, reject });
      // The first work of a quiet spell waits one turn of the event loop, so that works submitted in
      // the same turn share its transaction; later ones join whatever transaction comes next.
      if (!running && queue.length === 1) setImmediate(() => void (running || drain()));
    });
}

import type { Kysely } from 'kysely';
import type { DB } from './schema.js';
import { isPostgres } from './fixed-sql.js';
import { isDatabaseFault } from './faults.js';
import { groupCommit } from './group-commit.js';

/** Runs `work` in a write transaction and resolves once that transaction has committed. */
export type Transact = <T>(work: (trx: Kysely<DB>) => Promise<T>) => Promise<T>;

type Work = (trx: Kysely<DB>) => Promise<unknown>;

/** Works one shared transaction may hold: it keeps the connection from reads meanwhile, so not too long. */
const MAX_WORKS_PER_TRANSACTION = 32;

/**
 * Group commit (store/group-commit.ts) of whole transactions on embedded SQLite. Its one
 * connection runs one transaction at a time, and a `COMMIT` (the WAL append of every page the
 * transaction dirtied) costs as much as the writes of a widget message: works submitted while a
 * transaction is under way, or in the same turn of the event loop, run one after another in the
 * next transaction and share its commit. Each caller still resolves only once its writes are
 * committed.
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
  const submit = groupCommit<Work, unknown>({
    maxRows: MAX_WORKS_PER_TRANSACTION,
    retryOneByOne: (error) => !isDatabaseFault(error),
    write: (works) =>
      db.transaction().execute(async (trx) => {
        const answers: unknown[] = [];
        for (const work of works) answers.push(await work(trx));
        return answers;
      }),
  });
  return <T>(work: (trx: Kysely<DB>) => Promise<T>) => submit(work) as Promise<T>;
}

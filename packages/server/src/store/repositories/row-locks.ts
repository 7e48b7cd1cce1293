import { PostgresAdapter, type Kysely, type SelectQueryBuilder } from 'kysely';

/**
 * How a read inside a transaction locks the rows it finds, so a check ("nothing uses this
 * team") and the write that relies on it cannot interleave with a concurrent writer:
 * `update` for the row about to be changed or deleted, `share` for a row merely referenced.
 * PostgreSQL only: SQLite runs one write transaction at a time anyway.
 */
export type RowLock = 'update' | 'share';

export function withRowLock<DB, TB extends keyof DB, O>(
  db: Kysely<DB>,
  query: SelectQueryBuilder<DB, TB, O>,
  lock: RowLock | undefined,
): SelectQueryBuilder<DB, TB, O> {
  if (!lock || !(db.getExecutor().adapter instanceof PostgresAdapter)) return query;
  return lock === 'update' ? query.forUpdate() : query.forShare();
}

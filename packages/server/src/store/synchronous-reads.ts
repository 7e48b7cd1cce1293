/**
 * A way around Kysely for the few hottest reads on embedded SQLite. better-sqlite3 answers a
 * SELECT synchronously; going through Kysely adds the query's building, its compilation and an
 * asynchronous connection hand-off, which cost as much as the read itself on a primary-key
 * lookup (see docs/performance.md, "Where hot paths bypass Kysely").
 *
 * A read runs at once only when the database's one connection is outside a transaction; while a
 * transaction is open on it, `selectIfIdle` answers undefined and the caller queries through
 * Kysely, which waits its turn. So a read never sees another request's uncommitted writes, exactly
 * as through Kysely. Queries merely waiting for the connection do not stop these reads: under a
 * backlog the reads stay on the fast path instead of joining the queue and lengthening it. On
 * PostgreSQL there is no such reader: the caller always uses Kysely.
 */
import type { Kysely } from 'kysely';
import type { DB } from './schema.js';

export interface SynchronousReader {
  /** The rows of a SELECT, run now with cached prepared statements, or undefined while a transaction is open on the connection. */
  selectIfIdle<Row>(sql: string, parameters: readonly unknown[]): Row[] | undefined;
  /**
   * The same, each row an array of its values in the order the SELECT names them: better-sqlite3
   * builds an array of values much faster than an object with a property per column, which counts
   * on a page of rows.
   */
  selectValuesIfIdle(sql: string, parameters: readonly unknown[]): unknown[][] | undefined;
  /**
   * SQLite's `data_version`, which changes when another connection (another process: the CLI
   * revoking a key) commits; undefined while a transaction is open on the connection.
   */
  dataVersionIfIdle(): number | undefined;
}

/** By the database's adapter, which its transactions share. */
const readers = new WeakMap<object, SynchronousReader>();

export function registerSynchronousReader(adapter: object, reader: SynchronousReader): void {
  readers.set(adapter, reader);
}

export function synchronousReader(db: Kysely<DB>): SynchronousReader | undefined {
  return readers.get(db.getExecutor().adapter);
}

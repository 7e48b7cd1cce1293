/**
 * Hot statements as fixed SQL texts, run through Kysely's executor (the connection or transaction
 * it holds, its statement count) without building, freezing and compiling a query on every call.
 * Each text is the one Kysely compiles for the same query, written with `?` placeholders;
 * PostgreSQL gets them numbered. Where and why: docs/performance.md, "Where hot paths bypass Kysely".
 */
import { CompiledQuery, PostgresAdapter, type Kysely, type QueryResult } from 'kysely';
import { synchronousReader } from './synchronous-reads.js';

export interface FixedSql {
  readonly sqlite: string;
  readonly postgres: string;
}

/** `?` placeholders numbered `$1`, `$2`… in order, as PostgreSQL wants them. */
export function numberedPlaceholders(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}

export function fixedSql(text: string): FixedSql {
  return { sqlite: text, postgres: numberedPlaceholders(text) };
}

export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** Runs a fixed text on the engine `db` is on. */
export function runFixed<Row>(db: Kysely<any>, statement: FixedSql, parameters: readonly unknown[]): Promise<QueryResult<Row>> {
  return db.executeQuery<Row>(CompiledQuery.raw(isPostgres(db) ? statement.postgres : statement.sqlite, parameters as unknown[]));
}

/**
 * The rows of a fixed SELECT: read at once on SQLite when no transaction holds the connection
 * (store/synchronous-reads.ts; no promise then), through the executor otherwise and on PostgreSQL.
 */
export function selectFixed<Row>(db: Kysely<any>, statement: FixedSql, parameters: readonly unknown[]): Row[] | Promise<Row[]> {
  return synchronousReader(db)?.selectIfIdle<Row>(statement.sqlite, parameters) ?? runFixed<Row>(db, statement, parameters).then(({ rows }) => rows);
}

/**
 * An INSERT of any number of rows: `insert into "t" ("a", "b") values (?, ?), (?, ?)` and what
 * follows (`returning …`), its text made once per row count.
 */
export function multiRowInsert(table: string, columns: readonly string[], tail = ''): (rows: number) => FixedSql {
  const byRows = new Map<number, FixedSql>();
  const row = `(${columns.map(() => '?').join(', ')})`;
  const head = `insert into "${table}" (${columns.map((column) => `"${column}"`).join(', ')}) values `;
  return (rows) => {
    let statement = byRows.get(rows);
    if (!statement) {
      statement = fixedSql(`${head}${Array.from({ length: rows }, () => row).join(', ')}${tail}`);
      byRows.set(rows, statement);
    }
    return statement;
  };
}

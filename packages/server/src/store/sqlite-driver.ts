import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import {
  CompiledQuery,
  SelectQueryNode,
  SqliteDialect,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
} from 'kysely';

const STATEMENT_CACHE_SIZE = 256;

/**
 * The one connection of an embedded SQLite database. Prepared statements are cached by
 * their SQL (Kysely compiles the same text for the same query shape), which saves the
 * parse on every request.
 */
class CachedStatementConnection implements DatabaseConnection {
  readonly #db: SqliteDatabase;
  readonly #statements = new Map<string, Statement>();

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  #prepare(sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (statement) {
      // Map order is insertion order: re-inserting marks it most recently used.
      this.#statements.delete(sql);
    } else {
      statement = this.#db.prepare(sql);
      if (this.#statements.size >= STATEMENT_CACHE_SIZE) {
        this.#statements.delete(this.#statements.keys().next().value!);
      }
    }
    this.#statements.set(sql, statement);
    return statement;
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const statement = this.#prepare(compiled.sql);
    const parameters = compiled.parameters as unknown[];
    if (statement.reader) return { rows: statement.all(...parameters) as R[] };
    const { changes, lastInsertRowid } = statement.run(...parameters);
    return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
  }

  async *streamQuery<R>(compiled: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(compiled.query)) throw new Error('SQLite streams only SELECT queries');
    for (const row of this.#prepare(compiled.sql).iterate(...(compiled.parameters as unknown[]))) {
      yield { rows: [row as R] };
    }
  }
}

/**
 * Hands out the single connection strictly first come, first served. (A mutex that wakes
 * every waiter at once lets a request lose the race again and again under load.)
 */
class FifoSqliteDriver implements Driver {
  readonly #db: SqliteDatabase;
  readonly #connection: CachedStatementConnection;
  readonly #waiting: (() => void)[] = [];
  #busy = false;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#connection = new CachedStatementConnection(db);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.#busy) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#busy = true;
    return this.#connection;
  }

  async releaseConnection(): Promise<void> {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#busy = false;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async destroy(): Promise<void> {
    this.#db.close();
  }
}

export class FifoSqliteDialect extends SqliteDialect {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    super({ database: db });
    this.#db = db;
  }

  override createDriver(): Driver {
    return new FifoSqliteDriver(this.#db);
  }
}

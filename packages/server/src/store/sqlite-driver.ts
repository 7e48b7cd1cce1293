import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import {
  CompiledQuery,
  SelectQueryNode,
  SqliteAdapter,
  SqliteDialect,
  type DialectAdapter,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
} from 'kysely';
import { registerSynchronousReader } from './synchronous-reads.js';
import { transactionBegan, transactionEnded } from './credential-changes.js';

const STATEMENT_CACHE_SIZE = 256;

interface CachedStatement {
  readonly statement: Statement;
  lastUse: number;
}

/**
 * The one connection of an embedded SQLite database. Prepared statements are cached by
 * their SQL (Kysely compiles the same text for the same query shape), which saves the
 * parse on every request.
 */
class CachedStatementConnection implements DatabaseConnection {
  readonly #db: SqliteDatabase;
  readonly #statements = new Map<string, CachedStatement>();
  /** Statements run on this connection (transaction control included), for /metrics. */
  executed = 0;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  #prepare(sql: string): Statement {
    return this.#cached(this.#statements, sql, (statement) => statement);
  }

  /** Statements in raw mode (rows as arrays of values), cached apart: the mode is the statement's own. */
  readonly #rawStatements = new Map<string, CachedStatement>();
  /** Counts uses, so that a full cache evicts its least recently used statement. */
  #uses = 0;

  #cached(cache: Map<string, CachedStatement>, sql: string, configure: (statement: Statement) => Statement): Statement {
    this.executed++;
    const cached = cache.get(sql);
    if (cached) {
      // Stamping the use is all a hit costs; the rare eviction below looks for the oldest stamp.
      cached.lastUse = ++this.#uses;
      return cached.statement;
    }
    if (cache.size >= STATEMENT_CACHE_SIZE) {
      let oldest: string | undefined;
      let oldestUse = Number.POSITIVE_INFINITY;
      for (const [text, { lastUse }] of cache) {
        if (lastUse < oldestUse) [oldest, oldestUse] = [text, lastUse];
      }
      cache.delete(oldest!);
    }
    const statement = configure(this.#db.prepare(sql));
    cache.set(sql, { statement, lastUse: ++this.#uses });
    return statement;
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const statement = this.#prepare(compiled.sql);
    const parameters = compiled.parameters as unknown[];
    if (statement.reader) return { rows: statement.all(...parameters) as R[] };
    const { changes, lastInsertRowid } = statement.run(...parameters);
    return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
  }

  selectNow<R>(sql: string, parameters: readonly unknown[]): R[] {
    return this.#prepare(sql).all(...parameters) as R[];
  }

  selectValuesNow(sql: string, parameters: readonly unknown[]): unknown[][] {
    return this.#cached(this.#rawStatements, sql, (statement) => statement.raw(true)).all(...parameters) as unknown[][];
  }

  #dataVersion: Statement | undefined;

  /** SQLite's count of commits made by other connections (another process, such as the CLI). Not counted as a statement. */
  dataVersion(): number {
    this.#dataVersion ??= this.#db.prepare('PRAGMA data_version').pluck();
    return this.#dataVersion.get() as number;
  }

  /** Streams in progress: their statement stays busy between rows, so no other statement may run meanwhile. */
  openStreams = 0;

  async *streamQuery<R>(compiled: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(compiled.query)) throw new Error('SQLite streams only SELECT queries');
    this.openStreams++;
    try {
      for (const row of this.#prepare(compiled.sql).iterate(...(compiled.parameters as unknown[]))) {
        yield { rows: [row as R] };
      }
    } finally {
      this.openStreams--;
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

  get statementsExecuted(): number {
    return this.#connection.executed;
  }

  async init(): Promise<void> {}

  /**
   * Runs a SELECT at once when the connection is outside a transaction (store/synchronous-reads.ts):
   * whatever waits in the queue, it then holds no uncommitted write. Queries waiting their turn do
   * not turn these reads away, so a backlog does not make every request take the slower path.
   */
  selectIfIdle<R>(sql: string, parameters: readonly unknown[]): R[] | undefined {
    return this.#readable() ? this.#connection.selectNow<R>(sql, parameters) : undefined;
  }

  selectValuesIfIdle(sql: string, parameters: readonly unknown[]): unknown[][] | undefined {
    return this.#readable() ? this.#connection.selectValuesNow(sql, parameters) : undefined;
  }

  dataVersionIfIdle(): number | undefined {
    return this.#readable() ? this.#connection.dataVersion() : undefined;
  }

  #readable(): boolean {
    return !this.#db.inTransaction && this.#connection.openStreams === 0;
  }

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

  /** Holds the connection, in its turn, while `work` runs: no statement of this connection runs meanwhile. */
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    await this.acquireConnection();
    try {
      return await work();
    } finally {
      await this.releaseConnection();
    }
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin'));
    transactionBegan(connection);
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
    transactionEnded(connection, true);
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    transactionEnded(connection, false);
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async destroy(): Promise<void> {
    this.#db.close();
  }
}

export class FifoSqliteDialect extends SqliteDialect {
  readonly #db: SqliteDatabase;
  #driver: FifoSqliteDriver | undefined;

  constructor(db: SqliteDatabase) {
    super({ database: db });
    this.#db = db;
  }

  override createAdapter(): DialectAdapter {
    const adapter = new SqliteAdapter();
    registerSynchronousReader(adapter, {
      selectIfIdle: (sql, parameters) => this.#driver?.selectIfIdle(sql, parameters),
      selectValuesIfIdle: (sql, parameters) => this.#driver?.selectValuesIfIdle(sql, parameters),
      dataVersionIfIdle: () => this.#driver?.dataVersionIfIdle(),
    });
    return adapter;
  }

  override createDriver(): Driver {
    this.#driver = new FifoSqliteDriver(this.#db);
    return this.#driver;
  }

  /** How many statements the database has run (every SELECT, write, BEGIN and COMMIT). */
  statementsExecuted(): number {
    return this.#driver?.statementsExecuted ?? 0;
  }

  /**
   * Runs `work` while no query or transaction of the database's connection runs: it waits its
   * turn behind what holds the connection, and what comes after waits for it.
   */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.#driver ? this.#driver.exclusive(work) : work();
  }
}

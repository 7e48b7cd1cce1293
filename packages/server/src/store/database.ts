import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, PostgresDriver, type DatabaseConnection, type Driver, type PostgresDialectConfig, type TransactionSettings } from 'kysely';
import { transactionBegan, transactionEnded } from './credential-changes.js';
import { migrateToLatest } from './migrations.js';
import { FifoSqliteDialect } from './sqlite-driver.js';
import { startCheckpointer } from './checkpointer.js';
import { withNamedStatements } from './pg-named-statements.js';
import { createRequire } from 'node:module';
import type { DB } from './schema.js';
import { createPrivateFile, ensurePrivateDir, restrictFile } from '../secrets/private-files.js';

export type Engine = 'sqlite' | 'postgres';

export interface Database {
  db: Kysely<DB>;
  engine: Engine;
  /** Where the data lives, without credentials: a file path or host/database. */
  location: string;
  close(): Promise<void>;
  /** PostgreSQL pool usage (connections in use, idle, requests waiting); absent on SQLite. */
  poolStats?: () => { total: number; idle: number; waiting: number };
  /** How many SQL statements this process has run on the database (BEGIN and COMMIT included). */
  statementsExecuted: () => number;
}

export interface DatabaseOptions {
  /** `postgres://…` selects PostgreSQL; `sqlite:<path>` or nothing selects SQLite. */
  databaseUrl?: string | undefined;
  /** Directory of the embedded SQLite file when no URL is given. */
  dataDir: string;
  /** Pool size for PostgreSQL. */
  poolSize?: number;
  /** Apply the migrations this build has (default); `switchboard doctor` only looks. */
  migrate?: boolean;
}

export function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(ql)?:\/\//i.test(url);
}

/** Past this size the SQLite WAL file is emptied once writes pause. */
const WAL_TRIM_BYTES = 64 * 1024 * 1024;
/**
 * The size past which writes that never pause are held while a checkpoint completes. Each hold
 * costs a checkpoint pass and a pause of tens of milliseconds, so it is high enough to be rare
 * (every few seconds under a saturating load) and low enough to keep the disk from filling.
 */
const WAL_CAP_BYTES = 1024 * 1024 * 1024;

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const database = isPostgresUrl(options.databaseUrl) ? await openPostgres(options.databaseUrl, options.poolSize) : openSqlite(options);
  try {
    if (options.migrate !== false) await migrateToLatest(database.db);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

/** The SQLite file a database URL (or, without one, the data directory) names. */
export function sqliteFile(options: Pick<DatabaseOptions, 'databaseUrl' | 'dataDir'>): string {
  const fromUrl = options.databaseUrl?.replace(/^sqlite:(\/\/)?/, '');
  return fromUrl ? resolve(fromUrl) : resolve(options.dataDir, 'switchboard.db');
}

function openSqlite(options: DatabaseOptions): Database {
  const file = sqliteFile(options);
  if (file !== ':memory:') {
    ensurePrivateDir(dirname(file));
    createPrivateFile(file);
  }
  const sqlite = new BetterSqlite3(file);
  sqlite.pragma('journal_mode = WAL');
  if (file !== ':memory:') {
    // A read opens the -wal and -shm files (creating them with the database's mode); files left
    // by an earlier version, created under a umask of 022, are made private again on every start.
    sqlite.prepare('SELECT count(*) FROM sqlite_master').get();
    for (const suffix of ['', '-wal', '-shm']) restrictFile(file + suffix);
  }
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  const dialect = new FifoSqliteDialect(sqlite);
  const db = new Kysely<DB>({ dialect });
  const statementsExecuted = () => dialect.statementsExecuted();
  if (file === ':memory:') return { db, engine: 'sqlite', location: file, close: () => db.destroy(), statementsExecuted };
  // Checkpoints (and their fsync) run in a worker thread, not on the event loop that answers requests.
  sqlite.pragma('wal_autocheckpoint = 0');
  // Writes that never pause are held for a moment once the WAL passes WAL_CAP_BYTES, so that a
  // checkpoint can complete and the WAL start over; once writes pause, a WAL file past
  // WAL_TRIM_BYTES is emptied instead of keeping the size a burst grew it to (store/checkpointer.ts).
  const checkpointer = startCheckpointer(file, createRequire(import.meta.url).resolve('better-sqlite3'), {
    walLimitBytes: WAL_CAP_BYTES,
    trimBytes: WAL_TRIM_BYTES,
    holdWrites: (work) => dialect.exclusive(work),
  });
  return {
    db,
    engine: 'sqlite',
    location: file,
    statementsExecuted,
    async close() {
      await checkpointer.stop();
      await db.destroy();
    },
  };
}

/** How long a query waits for a pooled connection (or a new one to open) before it fails as a database fault. */
export const POOL_CONNECTION_TIMEOUT_MS = 5_000;

/** node-postgres, loaded only when DATABASE_URL names PostgreSQL. */
async function loadPg() {
  const { default: pg } = await import('pg');
  // PostgreSQL returns int8 (bigint, COUNT) as strings; every such value here is an epoch-ms or a count.
  pg.types.setTypeParser(20, (value) => Number(value));
  return pg;
}

async function openPostgres(url: string, poolSize = 10): Promise<Database> {
  const pg = await loadPg();
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // A database that does not answer fails the request (503) instead of holding it.
    connectionTimeoutMillis: POOL_CONNECTION_TIMEOUT_MS,
    // Finds connections to a server that vanished without closing them (a failover).
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  });
  // A connection dropped by the server (a restart, a failover, pg_terminate_backend) emits 'error':
  // on the pool while it is idle, and on the client itself while it is checked out (Kysely checks
  // one out per query and per transaction). Unhandled, either would end the process. The query in
  // flight fails with the error (a database fault, 503); the pool discards the broken client when
  // it is released, or at once when idle, and opens a new one on next use.
  let lastWarning = 0;
  const lost = (error: Error) => {
    const now = Date.now();
    if (now - lastWarning < 1_000) return;
    lastWarning = now;
    process.emitWarning(`PostgreSQL connection lost: ${error.message}`);
  };
  pool.on('error', lost);
  pool.on('connect', (client) => client.on('error', lost));
  // Kysely's log hook sees every statement a connection runs, BEGIN and COMMIT included.
  let executed = 0;
  // Each connection prepares a repeated statement once instead of parsing it on every query.
  const db = new Kysely<DB>({ dialect: new ReportingPostgresDialect({ pool: withNamedStatements(pool) }), log: () => void executed++ });
  const parsed = new URL(url);
  return {
    db,
    engine: 'postgres',
    location: `${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`,
    close: () => db.destroy(),
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    statementsExecuted: () => executed,
  };
}

/** True for a unique-constraint violation on either engine. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

/** Kysely's PostgreSQL driver, reporting each transaction's end to store/credential-changes.ts. */
class ReportingPostgresDriver extends PostgresDriver {
  override async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await super.beginTransaction(connection, settings);
    transactionBegan(connection);
  }

  override async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await super.commitTransaction(connection);
    transactionEnded(connection, true);
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    transactionEnded(connection, false);
    await super.rollbackTransaction(connection);
  }
}

class ReportingPostgresDialect extends PostgresDialect {
  readonly #config: PostgresDialectConfig;

  constructor(config: PostgresDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ReportingPostgresDriver(this.#config);
  }
}

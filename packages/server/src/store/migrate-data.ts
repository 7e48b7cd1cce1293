/**
 * Copies an embedded SQLite installation into an empty PostgreSQL database (`switchboard
 * migrate-data`). The tables are read from the SQLite file itself (every table but SQLite's own
 * and Kysely's migration bookkeeping), so a table added by a later migration is copied without
 * being named here. Rows are copied as they are stored: ids, timestamps and sealed secrets
 * (ciphertext under the same master key) unchanged.
 *
 * The SQLite side is read inside one read transaction, a consistent snapshot even while a server
 * still writes to the file. The PostgreSQL side is written inside one transaction: a failure
 * leaves the target with the migrated, empty schema and nothing else.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import pg from 'pg';
import { openDatabase } from './database.js';
import { pendingMigrations } from './migrations.js';
import { DEFAULT_BATCH_SIZE } from './migrate-data-defaults.js';

/** Kysely's bookkeeping of applied migrations: each database keeps its own. */
const MIGRATION_TABLES = ['kysely_migration', 'kysely_migration_lock'];

/**
 * Tables that triggers maintain from another table (migration 0002): copied as they are with the
 * triggers off, then checked (and corrected if the source had drifted) against a recount on the target.
 */
export interface CounterTable {
  table: string;
  /** The table whose rows are counted. */
  of: string;
  /** The columns rows are grouped by, the same in both tables. */
  keys: string[];
  /** The column holding the count. */
  count: string;
  /** The column that spreads a group over several rows (migration 0017), summed to get its count. */
  slot?: string;
}

export const COUNTER_TABLES: CounterTable[] = [
  { table: 'channel_counts', of: 'deployment_channels', keys: ['workspace_id', 'deployment_type'], count: 'count', slot: 'slot' },
];

export { DEFAULT_BATCH_SIZE };
/** PostgreSQL's limit on parameters in one statement is 65,535. */
const MAX_PARAMETERS = 60_000;

/** A refusal that changes nothing: a non-empty target, a source that is not ready, a mismatch of schemas. */
export class MigrateDataRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrateDataRefused';
  }
}

export interface CopyProgress {
  table: string;
  copied: number;
  total: number;
  done: boolean;
}

export interface MigrateDataOptions {
  /** The SQLite file to copy from; it must exist. */
  sqliteFile: string;
  /** `postgres://…` of an empty database. */
  targetUrl: string;
  /** Rows per INSERT (fewer for very wide tables). */
  batchSize?: number;
  onProgress?: (progress: CopyProgress) => void;
  /** One-line notes on what is being done (checking, migrating, copying…). */
  onStep?: (message: string) => void;
}

export interface TableCount {
  table: string;
  source: number;
  target: number;
  /** Rows the counter check added on the target (a group the source's counters lacked). */
  added?: number;
}

export interface CounterCheck {
  table: string;
  of: string;
  /** Counters that did not match a recount and were set to it on the target. */
  corrected: number;
  /** Counters that still differ from a recount after the copy was committed (0 when all is well). */
  wrong: number;
}

export interface SequenceCheck {
  table: string;
  column: string;
  /** The value the next row will get. */
  next: number;
}

export interface MigrateDataResult {
  source: string;
  target: string;
  tables: TableCount[];
  counters: CounterCheck[];
  sequences: SequenceCheck[];
  /** Tables whose row counts differ between source and target. */
  mismatched: string[];
  /** Per table, text values holding the NUL character (U+0000), which PostgreSQL cannot store: copied with U+FFFD in its place. */
  replacedNul: { table: string; values: number }[];
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** host:port/database of a PostgreSQL URL: never its user or password. */
export function postgresLocation(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
}

/** Opens an existing SQLite file without creating it and with writes refused. */
export function openSqliteForReading(file: string): BetterSqlite3.Database {
  if (!existsSync(file)) throw new MigrateDataRefused(`There is no SQLite database at ${file}`);
  // Read-write (a read-only connection would leave its -wal and -shm files behind), but query_only:
  // nothing this connection runs can change the file.
  const sqlite = new BetterSqlite3(file, { fileMustExist: true });
  try {
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('query_only = ON');
    sqlite.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (error) {
    sqlite.close();
    throw new MigrateDataRefused(`${file} is not a readable SQLite database: ${(error as Error).message}`);
  }
  return sqlite;
}

/** The tables of a SQLite database that hold Switchboard's data, in creation order. */
function sqliteTables(sqlite: BetterSqlite3.Database): string[] {
  const rows = sqlite
    .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid`)
    .all() as { name: string }[];
  return rows.map((row) => row.name).filter((name) => !MIGRATION_TABLES.includes(name));
}

async function checkSourceMigrations(sqlite: BetterSqlite3.Database, file: string): Promise<string[]> {
  if (sqliteTables(sqlite).length === 0) throw new MigrateDataRefused(`${file} holds no Switchboard tables: is it the right file?`);
  // Not destroyed afterwards: that would close the connection, which the caller still uses.
  const pending = await pendingMigrations(new Kysely<any>({ dialect: new SqliteDialect({ database: sqlite }) }));
  if (pending.length > 0) {
    throw new MigrateDataRefused(
      `${file} was last used by an earlier version: it lacks the migrations ${pending.join(', ')}. ` +
        'Start the server on it once with this version (switchboard start), stop it, then run migrate-data again',
    );
  }
  const hasMigrationTable = sqlite.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'kysely_migration'`).get();
  return hasMigrationTable ? (sqlite.prepare('SELECT name FROM kysely_migration ORDER BY name').all() as { name: string }[]).map((r) => r.name) : [];
}

interface TargetState {
  /** Switchboard tables that hold rows. */
  withRows: string[];
  /** Tables, views and the like that are not Switchboard's. */
  foreign: string[];
}

async function inspectTarget(client: pg.ClientBase, switchboardTables: string[]): Promise<TargetState> {
  const { rows } = await client.query<{ schema: string; name: string; current: boolean }>(
    `SELECT n.nspname AS schema, c.relname AS name, n.nspname = current_schema() AS current
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
        AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
      ORDER BY 1, 2`,
  );
  const ours = new Set([...switchboardTables, ...MIGRATION_TABLES]);
  const foreign = rows.filter((row) => !(row.current && ours.has(row.name))).map((row) => `${row.schema}.${row.name}`);
  const withRows: string[] = [];
  for (const row of rows) {
    if (!row.current || !switchboardTables.includes(row.name)) continue;
    const { rows: found } = await client.query(`SELECT 1 FROM ${quote(row.name)} LIMIT 1`);
    if (found.length > 0) withRows.push(row.name);
  }
  return { withRows, foreign };
}

function refusalFor(state: TargetState, location: string): MigrateDataRefused | undefined {
  if (state.withRows.length > 0) {
    return new MigrateDataRefused(
      `The target database ${location} is not empty: ${state.withRows.join(', ')} already hold rows. ` +
        'migrate-data copies into an empty database only; create a new one (createdb) and run it again',
    );
  }
  if (state.foreign.length > 0) {
    const shown = state.foreign.slice(0, 5).join(', ') + (state.foreign.length > 5 ? `, and ${state.foreign.length - 5} more` : '');
    return new MigrateDataRefused(
      `The target database ${location} is not empty: it holds tables that are not Switchboard's (${shown}). ` +
        'migrate-data copies into an empty database only; create a new one (createdb) and run it again',
    );
  }
  return undefined;
}

async function columnsOf(client: pg.ClientBase): Promise<Map<string, Set<string>>> {
  const { rows } = await client.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()`,
  );
  const columns = new Map<string, Set<string>>();
  for (const row of rows) {
    if (!columns.has(row.table_name)) columns.set(row.table_name, new Set());
    columns.get(row.table_name)!.add(row.column_name);
  }
  return columns;
}

/** Orders tables so that every table comes after the tables its foreign keys reference. */
async function dependencyOrder(client: pg.ClientBase, tables: string[]): Promise<string[]> {
  const { rows } = await client.query<{ child: string; parent: string }>(
    `SELECT c.relname AS child, p.relname AS parent
       FROM pg_constraint k
       JOIN pg_class c ON c.oid = k.conrelid
       JOIN pg_class p ON p.oid = k.confrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE k.contype = 'f' AND n.nspname = current_schema()`,
  );
  const parents = new Map<string, Set<string>>(tables.map((t) => [t, new Set<string>()]));
  for (const { child, parent } of rows) {
    if (child !== parent && parents.has(child) && parents.has(parent)) parents.get(child)!.add(parent);
  }
  const ordered: string[] = [];
  const placed = new Set<string>();
  while (ordered.length < tables.length) {
    const next = tables.find((t) => !placed.has(t) && [...parents.get(t)!].every((p) => placed.has(p)));
    if (next === undefined) {
      const left = tables.filter((t) => !placed.has(t));
      throw new Error(`The foreign keys between ${left.join(', ')} form a cycle: no order copies them`);
    }
    ordered.push(next);
    placed.add(next);
  }
  return ordered;
}

async function countRows(client: pg.ClientBase, table: string): Promise<number> {
  const { rows } = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${quote(table)}`);
  return Number(rows[0]!.n);
}

/** Counters that differ from a recount of their table: a full join, so a missing group counts too. */
function wrongCountersSql(counter: CounterTable): string {
  const keys = counter.keys.map(quote).join(', ');
  const counted = counter.slot
    ? `(SELECT ${keys}, sum(${quote(counter.count)}) AS ${quote(counter.count)} FROM ${quote(counter.table)} GROUP BY ${keys})`
    : quote(counter.table);
  return `SELECT count(*)::text AS n
            FROM ${counted} c
            FULL JOIN (SELECT ${keys}, count(*) AS actual FROM ${quote(counter.of)} GROUP BY ${keys}) r USING (${keys})
           WHERE COALESCE(c.${quote(counter.count)}, 0) <> COALESCE(r.actual, 0)`;
}

async function wrongCounters(client: pg.ClientBase, counter: CounterTable): Promise<number> {
  const { rows } = await client.query<{ n: string }>(wrongCountersSql(counter));
  return Number(rows[0]!.n);
}

/** Sets every counter to a recount; returns how many were changed and how many rows were added. */
async function correctCounters(client: pg.ClientBase, counter: CounterTable): Promise<{ corrected: number; added: number }> {
  const wrong = await wrongCounters(client, counter);
  if (wrong === 0) return { corrected: 0, added: 0 };
  const keys = counter.keys.map(quote).join(', ');
  const before = await countRows(client, counter.table);
  // With slots, the recount goes into slot 0 and the other slots of every group are emptied.
  if (counter.slot) {
    await client.query(`UPDATE ${quote(counter.table)} SET ${quote(counter.count)} = 0 WHERE ${quote(counter.slot)} <> 0 AND ${quote(counter.count)} <> 0`);
  }
  const slotColumn = counter.slot ? `, ${quote(counter.slot)}` : '';
  await client.query(
    `INSERT INTO ${quote(counter.table)} (${keys}${slotColumn}, ${quote(counter.count)})
     SELECT ${keys}${counter.slot ? ', 0' : ''}, count(*) FROM ${quote(counter.of)} GROUP BY ${keys}
     ON CONFLICT (${keys}${slotColumn}) DO UPDATE SET ${quote(counter.count)} = EXCLUDED.${quote(counter.count)}`,
  );
  const matches = counter.keys.map((k) => `r.${quote(k)} = c.${quote(k)}`).join(' AND ');
  await client.query(
    `UPDATE ${quote(counter.table)} c SET ${quote(counter.count)} = 0
      WHERE c.${quote(counter.count)} <> 0 AND NOT EXISTS (SELECT 1 FROM ${quote(counter.of)} r WHERE ${matches})`,
  );
  return { corrected: wrong, added: (await countRows(client, counter.table)) - before };
}

/** Moves each sequence behind a serial or identity column past the copied values (and past SQLite's own counter). */
async function advanceSequences(client: pg.ClientBase, sqlite: BetterSqlite3.Database, tables: string[]): Promise<SequenceCheck[]> {
  const { rows } = await client.query<{ table_name: string; column_name: string; sequence: string | null }>(
    `SELECT table_name, column_name, pg_get_serial_sequence(quote_ident(table_name), column_name) AS sequence
       FROM information_schema.columns
      WHERE table_schema = current_schema() AND (column_default LIKE 'nextval(%' OR is_identity = 'YES')
      ORDER BY table_name, column_name`,
  );
  const hasSqliteSequence = sqlite.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'`).get() !== undefined;
  const checks: SequenceCheck[] = [];
  for (const row of rows) {
    if (!row.sequence || !tables.includes(row.table_name)) continue;
    const { rows: max } = await client.query<{ n: string | null }>(`SELECT max(${quote(row.column_name)})::text AS n FROM ${quote(row.table_name)}`);
    let last = max[0]!.n === null ? 0 : Number(max[0]!.n);
    // AUTOINCREMENT never reuses a value, even of a deleted row: neither may the sequence.
    if (hasSqliteSequence) {
      const used = sqlite.prepare('SELECT seq FROM sqlite_sequence WHERE name = ?').get(row.table_name) as { seq: number } | undefined;
      if (used) last = Math.max(last, Number(used.seq));
    }
    if (last > 0) await client.query('SELECT setval($1, $2, true)', [row.sequence, last]);
    else await client.query('SELECT setval($1, 1, false)', [row.sequence]);
    checks.push({ table: row.table_name, column: row.column_name, next: last + 1 });
  }
  return checks;
}

async function copyTable(
  client: pg.ClientBase,
  sqlite: BetterSqlite3.Database,
  table: string,
  columns: string[],
  total: number,
  batchSize: number,
  onProgress: (progress: CopyProgress) => void,
): Promise<{ copied: number; replacedNul: number }> {
  const perInsert = Math.max(1, Math.min(batchSize, Math.floor(MAX_PARAMETERS / columns.length)));
  const columnList = columns.map(quote).join(', ');
  // In the order the rows were written, where the table has a rowid (a WITHOUT ROWID table has none).
  const withoutRowid = (sqlite.prepare('SELECT wr FROM pragma_table_list WHERE schema = ? AND name = ?').get('main', table) as { wr: number } | undefined)?.wr === 1;
  const read = sqlite.prepare(`SELECT ${columnList} FROM ${quote(table)}${withoutRowid ? '' : ' ORDER BY rowid'}`).raw(true).safeIntegers(true);
  let copied = 0;
  let replacedNul = 0;
  let batch: unknown[][] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const values: unknown[] = [];
    const tuples = batch.map((row) => {
      const placeholders = row.map((value) => {
        const nul = typeof value === 'string' && value.includes('\u0000');
        if (nul) replacedNul += 1;
        values.push(nul ? value.replaceAll('\u0000', '\ufffd') : value);
        return `$${values.length}`;
      });
      return `(${placeholders.join(', ')})`;
    });
    try {
      await client.query(`INSERT INTO ${quote(table)} (${columnList}) VALUES ${tuples.join(', ')}`, values);
    } catch (error) {
      throw new Error(`Copying ${table} failed at rows ${copied + 1}–${copied + batch.length}: ${(error as Error).message}`, { cause: error });
    }
    copied += batch.length;
    batch = [];
    onProgress({ table, copied, total, done: false });
  };
  for (const row of read.iterate() as Iterable<unknown[]>) {
    batch.push(row);
    if (batch.length >= perInsert) await flush();
  }
  await flush();
  onProgress({ table, copied, total, done: true });
  return { copied, replacedNul };
}

/** A client whose lost connection fails the query in flight instead of ending the process with an unhandled 'error'. */
function connectClient(url: string): pg.Client {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  return client;
}

export async function migrateSqliteToPostgres(options: MigrateDataOptions): Promise<MigrateDataResult> {
  const step = options.onStep ?? (() => undefined);
  const onProgress = options.onProgress ?? (() => undefined);
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const file = resolve(options.sqliteFile);
  const target = postgresLocation(options.targetUrl);

  const sqlite = openSqliteForReading(file);
  try {
    const sourceMigrations = await checkSourceMigrations(sqlite, file);
    const tables = sqliteTables(sqlite);

    // 1. The target must be empty. Checked before anything is written, so a refusal changes nothing.
    step(`Checking that ${target} is empty`);
    const probe = connectClient(options.targetUrl);
    await probe.connect();
    try {
      const refusal = refusalFor(await inspectTarget(probe, tables), target);
      if (refusal) throw refusal;
    } finally {
      await probe.end();
    }

    // 2. The schema, by the same migrations the server runs.
    step(`Creating the schema on ${target}`);
    const migrated = await openDatabase({ databaseUrl: options.targetUrl, dataDir: '.', poolSize: 1 });
    await migrated.close();

    const client = connectClient(options.targetUrl);
    await client.connect();
    try {
      const { rows: applied } = await client.query<{ name: string }>('SELECT name FROM kysely_migration');
      const unknown = sourceMigrations.filter((name) => !applied.some((row) => row.name === name));
      if (unknown.length > 0) {
        throw new MigrateDataRefused(`${file} was written by a newer version (migrations ${unknown.join(', ')}): run migrate-data with that version`);
      }
      const targetColumns = await columnsOf(client);
      const sourceColumns = new Map<string, string[]>();
      for (const table of tables) {
        const columns = (sqlite.prepare(`SELECT name FROM pragma_table_info(?) ORDER BY cid`).all(table) as { name: string }[]).map((c) => c.name);
        const there = targetColumns.get(table);
        if (!there) throw new MigrateDataRefused(`The SQLite table ${table} has no counterpart on ${target}: the two schemas differ`);
        const missing = columns.filter((c) => !there.has(c));
        if (missing.length > 0) throw new MigrateDataRefused(`${table} has columns ${missing.join(', ')} that ${target} lacks: the two schemas differ`);
        sourceColumns.set(table, columns);
      }
      const order = await dependencyOrder(client, tables);

      // 3. One snapshot of the source, one transaction on the target.
      sqlite.exec('BEGIN');
      const counts = new Map<string, number>();
      for (const table of tables) counts.set(table, Number((sqlite.prepare(`SELECT count(*) AS n FROM ${quote(table)}`).get() as { n: number }).n));
      const totalRows = [...counts.values()].reduce((a, b) => a + b, 0);
      step(`Copying ${tables.length} tables (${totalRows} rows) from ${file} to ${target}`);

      const counters: CounterCheck[] = [];
      const added = new Map<string, number>();
      const replacedNul: MigrateDataResult['replacedNul'] = [];
      let sequences: SequenceCheck[] = [];
      await client.query('BEGIN');
      try {
        // Nobody may write while the copy runs; and someone may have started a server on it since the check.
        await client.query(`LOCK TABLE ${order.map(quote).join(', ')} IN EXCLUSIVE MODE`);
        const refusal = refusalFor(await inspectTarget(client, tables), target);
        if (refusal) throw refusal;
        // Triggers (the channel counters) would count the copied rows a second time.
        const { rows: triggered } = await client.query<{ name: string }>(
          `SELECT DISTINCT c.relname AS name FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE NOT t.tgisinternal AND n.nspname = current_schema()`,
        );
        const withTriggers = triggered.map((row) => row.name).filter((name) => tables.includes(name));
        for (const table of withTriggers) await client.query(`ALTER TABLE ${quote(table)} DISABLE TRIGGER USER`);
        for (const table of order) {
          const copy = await copyTable(client, sqlite, table, sourceColumns.get(table)!, counts.get(table)!, batchSize, onProgress);
          if (copy.replacedNul > 0) replacedNul.push({ table, values: copy.replacedNul });
        }
        for (const table of withTriggers) await client.query(`ALTER TABLE ${quote(table)} ENABLE TRIGGER USER`);

        for (const counter of COUNTER_TABLES) {
          if (!tables.includes(counter.table) || !tables.includes(counter.of)) continue;
          const fixed = await correctCounters(client, counter);
          if (fixed.added > 0) added.set(counter.table, fixed.added);
          counters.push({ table: counter.table, of: counter.of, corrected: fixed.corrected, wrong: 0 });
        }
        sequences = await advanceSequences(client, sqlite, tables);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        sqlite.exec('COMMIT');
      }

      // 4. Check what was committed, table by table.
      step('Checking row counts');
      const results: TableCount[] = [];
      for (const table of tables) {
        const extra = added.get(table);
        results.push({ table, source: counts.get(table)!, target: await countRows(client, table), ...(extra !== undefined && { added: extra }) });
      }
      for (const check of counters) check.wrong = await wrongCounters(client, COUNTER_TABLES.find((c) => c.table === check.table)!);
      const mismatched = results.filter((r) => r.target !== r.source + (r.added ?? 0)).map((r) => r.table);
      return { source: file, target, tables: results, counters, sequences, mismatched, replacedNul };
    } finally {
      await client.end();
    }
  } finally {
    sqlite.close();
  }
}

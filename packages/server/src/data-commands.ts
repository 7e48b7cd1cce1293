/** The work of the CLI's data commands (registered in cli/data.ts): `switchboard migrate-data` (SQLite → PostgreSQL) and `switchboard backup` (SQLite). */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { loadConfig, type Config } from './config.js';
import { isPostgresUrl } from './store/database.js';
import { migrateSqliteToPostgres, openSqliteForReading, type CopyProgress, type MigrateDataResult } from './store/migrate-data.js';
import { backupSqlite } from './store/backup.js';
import { MASTER_KEY_ENV, MASTER_KEY_FILE, SecretBox, parseMasterKey } from './secrets/secret-box.js';

/** The SQLite file the server opens for this configuration (DATABASE_URL=sqlite:<path>, else <data dir>/switchboard.db). */
export function sqliteFileOf(config: Pick<Config, 'databaseUrl' | 'dataDir'>): string {
  const fromUrl = config.databaseUrl?.replace(/^sqlite:(\/\/)?/, '');
  return fromUrl ? resolve(fromUrl) : resolve(config.dataDir, 'switchboard.db');
}

type KeyLocation = { source: 'env'; key: Buffer } | { source: 'file'; path: string; key: Buffer | undefined } | { source: 'missing'; path: string };

/** Where the master key is, as the server would find it, without ever generating one. */
function locateMasterKey(config: Config): KeyLocation {
  if (config.secretKey !== undefined) {
    const key = parseMasterKey(config.secretKey);
    if (!key) throw new Error(`${MASTER_KEY_ENV} is set but is not a 32-byte key written as base64 or hex`);
    return { source: 'env', key };
  }
  const path = join(config.dataDir, MASTER_KEY_FILE);
  if (!existsSync(path)) return { source: 'missing', path };
  return { source: 'file', path, key: parseMasterKey(readFileSync(path, 'utf8')) };
}

/** Whether the key opens one of the secrets stored in the file (undefined when there is none to try). */
function keyOpensSecrets(file: string, key: Buffer | undefined): boolean | undefined {
  const sqlite = openSqliteForReading(file);
  try {
    const hasSecrets = sqlite.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'secrets'`).get() !== undefined;
    const row = hasSecrets ? (sqlite.prepare('SELECT id, sealed FROM secrets LIMIT 1').get() as { id: string; sealed: string } | undefined) : undefined;
    if (!row) return undefined;
    if (!key) return false;
    try {
      // The sealing context of connections/secrets-service.ts.
      new SecretBox(key).decrypt(row.sealed, `secret:${row.id}`);
      return true;
    } catch {
      return false;
    }
  } finally {
    sqlite.close();
  }
}

/** What the nodes need to open the sealed secrets: where the key is, never the key. */
function masterKeyReminder(config: Config, file: string, purpose: 'migrate' | 'backup'): string[] {
  const location = locateMasterKey(config);
  const opens = keyOpensSecrets(file, location.source === 'missing' ? undefined : location.key);
  const lines: string[] = [];
  if (purpose === 'migrate') {
    lines.push('Secrets were copied sealed, as stored: the PostgreSQL nodes need the same master key to open them.');
    if (location.source === 'env') lines.push(`It is the ${MASTER_KEY_ENV} this command ran with: set that same value on every node.`);
    else if (location.source === 'file') {
      lines.push(`It is in ${location.path}: set ${MASTER_KEY_ENV} on every node to that file's contents,`);
      lines.push(`or give each node that file as $SWITCHBOARD_DATA_DIR/${MASTER_KEY_FILE}.`);
    }
  } else {
    lines.push('The backup holds secrets sealed under the master key, which it does not contain.');
    if (location.source === 'env') lines.push(`The key is the ${MASTER_KEY_ENV} this command ran with: keep a copy of it apart from the backup.`);
    else if (location.source === 'file') lines.push(`The key is in ${location.path}: keep a copy of that file apart from the backup.`);
  }
  if (location.source === 'missing') {
    lines.push(`No master key was found: ${MASTER_KEY_ENV} is unset and ${location.path} does not exist.`);
    lines.push('The secrets open only under the key they were sealed with: find it before starting a server on this data.');
  } else if (opens === false) {
    lines.push(`Warning: this master key does not open the stored secrets: they were sealed under another key.`);
  } else if (opens === true) {
    lines.push('This master key opens the stored secrets.');
  }
  return lines;
}

function progressPrinter(): (progress: CopyProgress) => void {
  const interactive = process.stderr.isTTY === true;
  let lastPrinted = Date.now();
  return ({ table, copied, total, done }) => {
    const line = `${table}: ${copied} / ${total} rows`;
    if (interactive) {
      process.stderr.write(`\r\x1b[K${line}${done ? '\n' : ''}`);
      return;
    }
    // Without a terminal: each table once done, and a line a second on the way for long ones.
    const now = Date.now();
    if (done || now - lastPrinted >= 1000) {
      process.stderr.write(`${line}\n`);
      lastPrinted = now;
    }
  };
}

function printSummary(result: MigrateDataResult): void {
  const header = ['TABLE', 'SQLITE', 'POSTGRES', ''];
  const rows = result.tables.map((t) => {
    const expected = t.source + (t.added ?? 0);
    const note = t.target !== expected ? 'DIFFERS' : t.added ? `ok (${t.added} ${t.added === 1 ? 'counter' : 'counters'} added by the recount)` : 'ok';
    return [t.table, String(t.source), String(t.target), note];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const format = (row: string[]) =>
    row
      .map((cell, i) => (i === 1 || i === 2 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out: string[] = [format(header), ...rows.map(format), ''];
  const total = result.tables.reduce((sum, t) => sum + t.target, 0);
  if (result.mismatched.length === 0) out.push(`Row counts match in all ${result.tables.length} tables (${total} rows on ${result.target}).`);
  else out.push(`Row counts differ in ${result.mismatched.length} of ${result.tables.length} tables: ${result.mismatched.join(', ')}.`);
  for (const counter of result.counters) {
    const corrected = counter.corrected > 0 ? ` (${counter.corrected} corrected: the SQLite counts had drifted)` : '';
    out.push(
      counter.wrong === 0
        ? `${counter.table}: every count matches a recount of ${counter.of}${corrected}.`
        : `${counter.table}: ${counter.wrong} counts differ from a recount of ${counter.of}.`,
    );
  }
  for (const sequence of result.sequences) out.push(`${sequence.table}.${sequence.column}: the next value is ${sequence.next}.`);
  for (const { table, values } of result.replacedNul) {
    out.push(`${table}: ${values} ${values === 1 ? 'value held' : 'values held'} the NUL character (U+0000), which PostgreSQL cannot store: copied with U+FFFD in its place.`);
  }
  process.stdout.write(out.join('\n') + '\n');
}

function sourceFile(config: Config, from: string | undefined): string {
  if (from !== undefined) {
    // (Not narrowed by the guard: `from` stays a string below.)
    if (isPostgresUrl(from as string | undefined)) throw new InvalidArgumentError('--from names PostgreSQL: migrate-data copies from SQLite (--from sqlite:/path/switchboard.db)');
    return sqliteFileOf({ databaseUrl: from.startsWith('sqlite:') ? from : `sqlite:${from}`, dataDir: config.dataDir });
  }
  if (isPostgresUrl(config.databaseUrl)) {
    throw new InvalidArgumentError('DATABASE_URL names PostgreSQL: say which SQLite file to copy with --from sqlite:/path/switchboard.db');
  }
  return sqliteFileOf(config);
}

export interface MigrateDataOptions {
  to: string;
  from?: string;
  batchSize: number;
}

/** `switchboard migrate-data`: copies, prints the table-by-table check, and throws when the copy does not match. */
export async function runMigrateData(options: MigrateDataOptions): Promise<void> {
  const config = loadConfig();
  if (!isPostgresUrl(options.to)) throw new InvalidArgumentError('--to must be a PostgreSQL URL (postgres://user:pass@host:5432/db)');
  const file = sourceFile(config, options.from);
  const result = await migrateSqliteToPostgres({
    sqliteFile: file,
    targetUrl: options.to,
    batchSize: options.batchSize,
    onProgress: progressPrinter(),
    onStep: (message) => process.stderr.write(`${message}\n`),
  });
  printSummary(result);
  process.stdout.write('\n' + masterKeyReminder(config, file, 'migrate').join('\n') + '\n');
  const wrongCounters = result.counters.filter((c) => c.wrong > 0).map((c) => c.table);
  if (result.mismatched.length > 0 || wrongCounters.length > 0) {
    throw new Error(
      `The copy does not match the source (${[...result.mismatched, ...wrongCounters].join(', ')}): drop ${result.target}, create it empty and run migrate-data again`,
    );
  }
  process.stdout.write(
    `\nDone. Point every node's DATABASE_URL at that database (${result.target}), give it the master key above, and stop using ${file}.\n`,
  );
}

/** `switchboard backup <file>`: an online copy of the embedded SQLite database. */
export async function runBackup(destination: string, options: { force?: boolean }): Promise<void> {
  const config = loadConfig();
  if (isPostgresUrl(config.databaseUrl)) {
    throw new InvalidArgumentError(
      'The configured database is PostgreSQL (DATABASE_URL): back it up with pg_dump, e.g. pg_dump --format=custom --file=switchboard.dump "$DATABASE_URL"',
    );
  }
  const file = sqliteFileOf(config);
  const result = await backupSqlite({ sqliteFile: file, destination, force: options.force === true });
  const rows = result.tables.reduce((sum, t) => sum + t.rows, 0);
  process.stdout.write(
    [
      `Backed up ${file} to ${result.file} (${result.bytes} bytes, ${result.tables.length} tables, ${rows} rows; integrity check ok).`,
      `A server starts from it with DATABASE_URL=sqlite:${result.file}`,
      '',
      ...masterKeyReminder(config, result.file, 'backup'),
    ].join('\n') + '\n',
  );
}

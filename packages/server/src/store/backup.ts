/**
 * `switchboard backup <file>`: an online copy of the embedded SQLite database through SQLite's
 * backup API (better-sqlite3's `db.backup`). It is taken in one step, a single read transaction:
 * a consistent snapshot that a server writing meanwhile neither blocks nor restarts (in WAL mode
 * readers and the writer do not wait for each other). The copy is written beside its destination
 * with mode 0600, checked, then moved into place, so a failed backup leaves no partial file.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, linkSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { PRIVATE_FILE_MODE, restrictFile } from '../secrets/private-files.js';
import { openSqliteForReading } from './migrate-data.js';

export class BackupRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupRefused';
  }
}

export interface BackupOptions {
  /** The database file to copy. */
  sqliteFile: string;
  /** Where the copy goes. */
  destination: string;
  /** Replace an existing file at the destination. */
  force?: boolean;
}

export interface BackupResult {
  file: string;
  bytes: number;
  tables: { table: string; rows: number }[];
}

/** Pages copied per step of the backup API: all of them, so the copy is one snapshot and never restarts. */
const ALL_PAGES = 0x7fffffff;

export async function backupSqlite(options: BackupOptions): Promise<BackupResult> {
  const source = resolve(options.sqliteFile);
  const destination = resolve(options.destination);
  if (destination === source) throw new BackupRefused(`The backup must go to another file than the database itself (${source})`);
  if (existsSync(destination) && !options.force) throw new BackupRefused(`${destination} already exists: choose another file, or add --force to replace it`);
  if (!existsSync(dirname(destination))) throw new BackupRefused(`The directory ${dirname(destination)} does not exist`);

  // Created here, empty and private, so the copy is never readable by others, even briefly.
  const partial = join(dirname(destination), `.${basename(destination)}.${randomBytes(4).toString('hex')}.partial`);
  closeSync(openSync(partial, 'wx', PRIVATE_FILE_MODE));
  const removePartial = () => {
    for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(partial + suffix, { force: true });
  };
  try {
    const sqlite = openSqliteForReading(source);
    try {
      await sqlite.backup(partial, { progress: () => ALL_PAGES });
    } finally {
      sqlite.close();
    }
    restrictFile(partial);

    const copy = new BetterSqlite3(partial, { fileMustExist: true });
    let tables: BackupResult['tables'];
    try {
      const check = copy.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new Error(`The backup failed its integrity check: ${String(check)}`);
      const names = (copy.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid`).all() as { name: string }[]).map(
        (row) => row.name,
      );
      tables = names.map((table) => ({ table, rows: Number((copy.prepare(`SELECT count(*) AS n FROM "${table.replace(/"/g, '""')}"`).get() as { n: number }).n) }));
    } finally {
      copy.close();
    }

    if (options.force) {
      renameSync(partial, destination);
    } else {
      // A link fails if the destination appeared meanwhile: never replace a file without --force.
      try {
        linkSync(partial, destination);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new BackupRefused(`${destination} already exists: choose another file, or add --force to replace it`);
        throw error;
      }
    }
    return { file: destination, bytes: statSync(destination).size, tables };
  } finally {
    removePartial();
  }
}

/**
 * The SQLite checkpointer's worker thread exists only while the database is written: none for a
 * database that is only read, one within an interval of a write (which checkpoints the WAL into
 * the database file), none again once the WAL has stayed unchanged for idleStopMs, and stop()
 * ends with a last checkpoint; a WAL a burst grew is trimmed once writes pause. (SQLite only:
 * PostgreSQL has no WAL file of ours to checkpoint.)
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCheckpointer, type Checkpointer } from '../../packages/server/src/store/checkpointer.js';
import { waitUntil } from '../helpers/wait.js';
import { sql } from 'kysely';
import { openDatabase } from '../../packages/server/src/store/database.js';

const driver = createRequire(import.meta.url).resolve('better-sqlite3');
const BLOB_BYTES = 256 * 1024;

describe('SQLite checkpointer', () => {
  let dir: string;
  let file: string;
  let sqlite: BetterSqlite3.Database;
  let checkpointer: Checkpointer | undefined;

  const fileBytes = () => statSync(file).size;
  const writeBlob = () => sqlite.prepare('INSERT INTO blobs (data) VALUES (?)').run(Buffer.alloc(BLOB_BYTES, 7));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-checkpointer-'));
    file = join(dir, 'test.db');
    sqlite = new BetterSqlite3(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('wal_autocheckpoint = 0');
    sqlite.exec('CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB NOT NULL)');
  });

  afterEach(async () => {
    await checkpointer?.stop();
    checkpointer = undefined;
    sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs no worker while the database is only read', async () => {
    checkpointer = startCheckpointer(file, driver, { intervalMs: 40, idleStopMs: 400 });
    for (let i = 0; i < 8; i++) {
      sqlite.prepare('SELECT count(*) FROM blobs').get();
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    expect(checkpointer.running).toBe(false);
  });

  it('starts a worker on a write, which copies the WAL into the database file, and ends it once writes stop', async () => {
    checkpointer = startCheckpointer(file, driver, { intervalMs: 40, idleStopMs: 400 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const before = fileBytes();
    writeBlob();
    // Written to the WAL only: the automatic checkpoint is off.
    expect(fileBytes()).toBe(before);
    await waitUntil(() => checkpointer!.running, 5_000, 'the worker to start');
    await waitUntil(() => fileBytes() >= before + BLOB_BYTES, 5_000, 'the checkpoint to reach the database file');
    await waitUntil(() => !checkpointer!.running, 5_000, 'the worker to end after idleStopMs without writes');

    // Another write starts another worker.
    const again = fileBytes();
    writeBlob();
    await waitUntil(() => checkpointer!.running, 5_000, 'a worker to start again');
    await waitUntil(() => fileBytes() >= again + BLOB_BYTES, 5_000, 'the second checkpoint');
  });

  it('checkpoints a last time when stopped', async () => {
    checkpointer = startCheckpointer(file, driver, { intervalMs: 40, idleStopMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    writeBlob();
    await waitUntil(() => checkpointer!.running, 5_000, 'the worker to start');
    const before = fileBytes();
    // Several blobs in one transaction, written after the worker's first checkpoint.
    sqlite.transaction(() => {
      for (let i = 0; i < 4; i++) writeBlob();
    })();
    await checkpointer.stop();
    expect(checkpointer.running).toBe(false);
    expect(fileBytes()).toBeGreaterThanOrEqual(before + 4 * BLOB_BYTES);
  });
});

describe('the embedded database’s WAL', () => {
  it('is trimmed back to 64 MiB once writes pause, however large a burst grew it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-wal-'));
    const database = await openDatabase({ dataDir });
    try {
      const walBytes = () => statSync(join(dataDir, 'switchboard.db-wal')).size;
      await sql`create table scratch (id integer primary key, body text)`.execute(database.db);
      const body = 'x'.repeat(3000);
      for (let batch = 0; batch < 300; batch++) {
        await database.db.transaction().execute(async (trx) => {
          for (let row = 0; row < 100; row++) await sql`insert into scratch (body) values (${body})`.execute(trx);
        });
      }
      expect(walBytes()).toBeGreaterThan(100 * 1024 * 1024);
      // Once the checkpointer has caught up, the next write starts the WAL over and trims the file.
      await waitUntil(async () => {
        await sql`insert into scratch (body) values ('later')`.execute(database.db);
        return walBytes() <= 64 * 1024 * 1024;
      }, 10_000);
    } finally {
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

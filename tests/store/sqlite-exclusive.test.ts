/**
 * The embedded database's connection can be held for a moment (the checkpointer holds writes while
 * a checkpoint completes): the hold waits its turn behind a transaction in progress, and queries
 * that come after it wait until it ends. Synchronous reads run whenever no transaction is open:
 * during the hold, and while queries wait in the queue, but never inside a transaction. (SQLite
 * only: PostgreSQL has a pool, and no WAL file of ours.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FifoSqliteDialect } from '../../packages/server/src/store/sqlite-driver.js';
import { synchronousReader } from '../../packages/server/src/store/synchronous-reads.js';
import type { DB } from '../../packages/server/src/store/schema.js';

describe('holding the SQLite connection', () => {
  let dir: string;
  let dialect: FifoSqliteDialect;
  let db: Kysely<DB>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-exclusive-'));
    dialect = new FifoSqliteDialect(new BetterSqlite3(join(dir, 'test.db')));
    db = new Kysely<DB>({ dialect });
    await sql`create table log (id integer primary key, what text not null)`.execute(db);
  });

  afterEach(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('waits for the transaction in progress, and holds back what comes after until it ends', async () => {
    const order: string[] = [];
    let finishTransaction!: () => void;
    const transaction = db.transaction().execute(async (trx) => {
      await sql`insert into log (what) values ('in transaction')`.execute(trx);
      await new Promise<void>((resolve) => (finishTransaction = resolve));
      order.push('transaction committing');
    });
    await new Promise((resolve) => setImmediate(resolve));

    let finishHold!: () => void;
    const hold = dialect.exclusive(async () => {
      order.push('hold started');
      await new Promise<void>((resolve) => (finishHold = resolve));
      order.push('hold ending');
    });
    const later = sql`insert into log (what) values ('after the hold')`.execute(db).then(() => order.push('later write done'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([]);
    // Inside the open transaction a synchronous read would see its uncommitted row: it does not run.
    expect(synchronousReader(db)!.selectIfIdle('select count(*) as n from log', [])).toBeUndefined();

    finishTransaction();
    await transaction;
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['transaction committing', 'hold started']);
    // The connection is held but no transaction is open: a synchronous read runs, and sees what committed.
    expect(synchronousReader(db)!.selectIfIdle<{ n: number }>('select count(*) as n from log', [])).toEqual([{ n: 1 }]);

    finishHold();
    await Promise.all([hold, later]);
    expect(order).toEqual(['transaction committing', 'hold started', 'hold ending', 'later write done']);
    expect(synchronousReader(db)!.selectIfIdle<{ n: number }>('select count(*) as n from log', [])).toEqual([{ n: 2 }]);
  });

  it('lets the connection go when the held work fails', async () => {
    await expect(dialect.exclusive(async () => Promise.reject(new Error('checkpoint failed')))).rejects.toThrow('checkpoint failed');
    await sql`insert into log (what) values ('afterwards')`.execute(db);
    expect((await sql<{ n: number }>`select count(*) as n from log`.execute(db)).rows).toEqual([{ n: 1 }]);
  });
});

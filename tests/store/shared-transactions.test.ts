import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { sharedTransactions } from '../../packages/server/src/store/shared-transactions.js';
import { ENGINES, createTestDatabase, type TestDatabase } from '../helpers/engines.js';

describe.each(ENGINES)('shared transactions on %s', (engine) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
    await sql`create table scratch (id varchar(40) primary key)`.execute(database.db);
  });
  afterAll(async () => {
    await database.destroy();
  });

  const insert = (trx: Kysely<any>, id: string) => sql`insert into scratch (id) values (${id})`.execute(trx);
  const stored = async (prefix: string) =>
    (await sql<{ id: string }>`select id from scratch where id like ${`${prefix}%`} order by id`.execute(database.db)).rows.map((row) => row.id);

  it('commits every work and answers each its own result once its writes are stored', async () => {
    const transact = sharedTransactions(database.db);
    const before = database.statementsExecuted();
    const answers = await Promise.all(
      ['a', 'b', 'c', 'd'].map((name) =>
        transact(async (trx) => {
          await insert(trx, `ok-${name}`);
          return name.toUpperCase();
        }),
      ),
    );
    const statements = database.statementsExecuted() - before;
    expect(answers).toEqual(['A', 'B', 'C', 'D']);
    expect(await stored('ok-')).toEqual(['ok-a', 'ok-b', 'ok-c', 'ok-d']);
    // SQLite: the four works submitted together share one BEGIN and one COMMIT; PostgreSQL: one transaction each.
    expect(statements).toBe(engine === 'sqlite' ? 4 + 2 : 4 * 3);
  });

  it('fails only the work at fault, and runs the others again alone, leaving nothing of the rolled-back attempt', async () => {
    const transact = sharedTransactions(database.db);
    const attempts: Record<string, number> = {};
    const work = (name: string) =>
      transact(async (trx) => {
        attempts[name] = (attempts[name] ?? 0) + 1;
        await insert(trx, `iso-${name}`);
        // The same key twice: the unique key refuses the second insert.
        if (name === 'bad') await insert(trx, 'iso-bad');
        return name;
      });
    const outcomes = await Promise.allSettled(['first', 'bad', 'last'].map(work));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await stored('iso-')).toEqual(['iso-first', 'iso-last']);
    // On SQLite the three shared a transaction that rolled back at the bad one, so each ran again alone.
    expect(attempts).toEqual(engine === 'sqlite' ? { first: 2, bad: 2, last: 1 } : { first: 1, bad: 1, last: 1 });
  });

  it('fails every work of the transaction on a database fault, without running them again', async () => {
    const transact = sharedTransactions(database.db);
    const attempts: Record<string, number> = {};
    const fault = Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
    const work = (name: string) =>
      transact(async (trx) => {
        attempts[name] = (attempts[name] ?? 0) + 1;
        await insert(trx, `fault-${name}`);
        if (name === 'disk') throw fault;
        return name;
      });
    const outcomes = await Promise.allSettled(['before', 'disk', 'after'].map(work));
    if (engine === 'sqlite') {
      expect(outcomes.map((outcome) => (outcome.status === 'rejected' ? outcome.reason : outcome.value))).toEqual([fault, fault, fault]);
      expect(await stored('fault-')).toEqual([]);
      expect(attempts).toEqual({ before: 1, disk: 1 });
    } else {
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(await stored('fault-')).toEqual(['fault-after', 'fault-before']);
    }
  });

  it('runs a work submitted while a transaction is under way in the next one (PostgreSQL: at once, in its own)', async () => {
    const transact = sharedTransactions(database.db);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const first = transact(async (trx) => {
      await insert(trx, 'next-1');
      await held;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = transact(async (trx) => {
      const seen = (await sql<{ id: string }>`select id from scratch where id = 'next-1'`.execute(trx)).rows;
      await insert(trx, 'next-2');
      return seen.length;
    });
    // SQLite: the second waits for the first's commit and then sees its row; PostgreSQL: it does not wait.
    const waited = engine === 'sqlite' ? 100 : 5_000;
    const outcome = await Promise.race([second.then((seen) => `second saw ${seen}`), new Promise((resolve) => setTimeout(resolve, waited, 'still waiting'))]);
    expect(outcome).toBe(engine === 'sqlite' ? 'still waiting' : 'second saw 0');
    release();
    await first;
    expect(await second).toBe(engine === 'sqlite' ? 1 : 0);
    expect(await stored('next-')).toEqual(['next-1', 'next-2']);
  });
});

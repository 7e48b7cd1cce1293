import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { DeploymentType } from '@switchboard/core';
import { openDatabase, workspaceRepositories, workspacesRepository, type Database } from '@switchboard/server';
import { withNamedStatements } from '../../packages/server/src/store/pg-named-statements.js';
import { ENGINES, POSTGRES_ADMIN_URL, adminQuery } from '../helpers/engines.js';
import { newChannel } from '../helpers/channels.js';

const onPostgres = ENGINES.includes('postgres');

/** What the one connection of a single-connection database has prepared. */
async function preparedOn(db: Kysely<any>): Promise<string[]> {
  const { rows } = await sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements ORDER BY prepare_time`.execute(db);
  return rows.map((r) => r.statement);
}

describe.skipIf(!onPostgres)('named statements on PostgreSQL', () => {
  const name = `switchboard_prepared_${process.pid}_${randomBytes(4).toString('hex')}`;
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;

  beforeAll(async () => {
    await adminQuery(`CREATE DATABASE ${name}`);
  });
  afterAll(async () => {
    // A pool's end() resolves before its sessions have left: wait for them, so the drop kills none.
    const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await client.connect();
    for (let i = 0; i < 40; i++) {
      const { rows } = await client.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
      if (rows[0].n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await client.end();
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  it('migrates with named statements on, prepares no DDL, and prepares a repeated repository query once per connection', async () => {
    let database: Database | undefined;
    try {
      database = await openDatabase({ databaseUrl: url.toString(), dataDir: tmpdir(), poolSize: 1 });
      expect((await preparedOn(database.db)).filter((s) => /\b(create|alter|drop)\b/i.test(s))).toEqual([]);

      const ws = await workspacesRepository(database.db).create('Prepared');
      const channels = workspaceRepositories(database.db, ws.id).channels;
      const made = [];
      for (let i = 0; i < 3; i++) {
        made.push(
          await channels.insert(newChannel(`https://prepared-${i}.example.com`, DeploymentType.WEB, `Site ${i}`)),
        );
      }
      // Each read binds its own id to the prepared text: the answers stay per-row.
      for (const channel of made) expect((await channels.get(channel.id))?.channelIdentifier).toBe(channel.channelIdentifier);
      for (const channel of made) expect((await channels.get(channel.id))?.id).toBe(channel.id);

      const prepared = await preparedOn(database.db);
      const gets = prepared.filter((s) => /^select "id", .* from "deployment_channels" where "workspace_id" = \$1 and "id" = \$2$/.test(s));
      expect(gets).toHaveLength(1);
      expect(prepared.some((s) => /^insert into "deployment_channels"/.test(s))).toBe(true);
    } finally {
      await database?.close();
    }
  });

  it('keeps at most the configured number per connection, deallocating the least recently used, and re-prepares it when it returns', async () => {
    const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
    const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: withNamedStatements(pool, { maxPerConnection: 2 }) }) });
    try {
      const shape = (n: number) => (value: number) => sql<{ v: number }>`SELECT ${value}::int + ${sql.raw(String(n))} AS v`.execute(db);
      const [a, b, c] = [shape(1), shape(2), shape(3)];
      for (const run of [a, a, b, b]) await run(10);
      expect(await preparedOn(db)).toHaveLength(2);

      // A text is named from its second run on.
      for (const run of [c, c]) expect((await run(10)).rows).toEqual([{ v: 13 }]);
      const afterC = await preparedOn(db);
      expect(afterC).toHaveLength(2);
      expect(afterC.some((s) => s.includes('+ 1 AS v'))).toBe(false);

      // `a` was deallocated on the server: it must be prepared again, not executed by a stale name.
      expect((await a(20)).rows).toEqual([{ v: 21 }]);
      const afterA = await preparedOn(db);
      expect(afterA).toHaveLength(2);
      expect(afterA.some((s) => s.includes('+ 1 AS v'))).toBe(true);
    } finally {
      await db.destroy();
    }
  });

  /** A one-connection database with named statements, a table `name` holding the row id 1, and another client to change its schema. */
  async function withSchemaChanger(name: string, run: (db: Kysely<any>, alter: (sql: string) => Promise<unknown>) => Promise<void>) {
    const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
    const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: withNamedStatements(pool) }) });
    const other = new pg.Client({ connectionString: url.toString() });
    await other.connect();
    try {
      await other.query(`CREATE TABLE ${name} (id int PRIMARY KEY)`);
      await other.query(`INSERT INTO ${name} VALUES (1)`);
      await run(db, (text) => other.query(text));
    } finally {
      await other.end();
      await db.destroy();
    }
  }

  it('prepares a statement afresh when a schema change (another node migrating) changed its result columns', async () => {
    await withSchemaChanger('evolving', async (db, alter) => {
      const read = () => db.selectFrom('evolving').selectAll().where('id', '=', 1).execute();
      for (let i = 0; i < 3; i++) expect(await read()).toEqual([{ id: 1 }]);
      expect(await preparedOn(db)).toHaveLength(1);
      await alter(`ALTER TABLE evolving ADD COLUMN label text NOT NULL DEFAULT 'new'`);
      expect(await read()).toEqual([{ id: 1, label: 'new' }]);
      expect(await read()).toEqual([{ id: 1, label: 'new' }]);
    });
  });

  it('after a schema change aborts a transaction, the next transaction runs the same query prepared afresh', async () => {
    await withSchemaChanger('evolving_in_transactions', async (db, alter) => {
      const read = (trx: Kysely<any>) => trx.selectFrom('evolving_in_transactions').selectAll().where('id', '=', 1).execute();
      for (let i = 0; i < 3; i++) expect(await db.transaction().execute(read)).toEqual([{ id: 1 }]);
      await alter(`ALTER TABLE evolving_in_transactions ADD COLUMN label text NOT NULL DEFAULT 'new'`);
      await expect(db.transaction().execute(read)).rejects.toMatchObject({ code: '0A000' });
      expect(await db.transaction().execute(read)).toEqual([{ id: 1, label: 'new' }]);
      expect(await db.transaction().execute(read)).toEqual([{ id: 1, label: 'new' }]);
    });
  });

  it('sends statements without parameters, and texts seen once, unnamed', async () => {
    const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
    const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: withNamedStatements(pool) }) });
    try {
      for (let i = 0; i < 3; i++) await sql`SELECT 1 AS one`.execute(db);
      await sql`SELECT ${'once'}::text AS once`.execute(db);
      await db.transaction().execute(async (trx) => sql`CREATE TEMP TABLE scratch (n int)`.execute(trx));
      expect(await preparedOn(db)).toEqual([]);
    } finally {
      await db.destroy();
    }
  });
});

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Engine } from '@switchboard/server';
import { POSTGRES_ADMIN_URL, adminQuery } from './engines.js';

/** An empty database of its own (a SQLite file or a PostgreSQL database): a test migrates it to an earlier version with `migrateTo`, then upgrades it with openDatabase. */
export async function earlierDatabase(engine: Engine): Promise<{ url: string; dataDir: string; db: Kysely<any>; drop(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-upgrade-'));
  if (engine === 'sqlite') {
    const url = `sqlite:${join(dataDir, 'old.db')}`;
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new BetterSqlite3(join(dataDir, 'old.db')) }) });
    return { url, dataDir, db, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = `switchboard_upgrade_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url.toString(), max: 2 }) }) });
  return {
    url: url.toString(),
    dataDir,
    db,
    async drop() {
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

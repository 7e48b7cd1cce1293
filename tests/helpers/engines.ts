import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type Database, type Engine } from '@switchboard/server';
import { POSTGRES_ADMIN_URL, availableServices } from './services.js';

/** Both engines, or SQLite alone on a machine without PostgreSQL (the global setup said so once). */
export const ENGINES: Engine[] = availableServices().postgres ? ['sqlite', 'postgres'] : ['sqlite'];

/** The server (and database) every PostgreSQL test database is created from. */
export { POSTGRES_ADMIN_URL };

export interface TestDatabase extends Database {
  /** The URL or file the database was opened from, for child processes. */
  url: string;
  /** Closes the connection and removes the database. */
  destroy(): Promise<void>;
}

/** Runs one statement on the PostgreSQL server's admin database (CREATE / DROP DATABASE). */
export async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A brand-new, migrated database on the given engine: a temp SQLite file or a fresh PostgreSQL database. */
export async function createTestDatabase(engine: Engine): Promise<TestDatabase> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-test-'));
    const url = `sqlite:${join(dir, 'test.db')}`;
    const database = await openDatabase({ databaseUrl: url, dataDir: dir });
    return {
      ...database,
      url,
      async destroy() {
        await database.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `switchboard_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), dataDir: tmpdir(), poolSize: 5 });
  return {
    ...database,
    url: url.toString(),
    async destroy() {
      await database.close();
      // pg's pool resolves end() before its sockets are gone: wait for the sessions to leave, so
      // the forced drop does not kill connections that are still closing.
      for (let i = 0; i < 40; i++) {
        const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
        await client.connect();
        const { rows } = await client.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
        await client.end();
        if (rows[0].n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

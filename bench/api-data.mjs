// The data bench:api runs on: a scratch database per engine, seeded with web channels, and the
// query plans of what the scenarios read.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { fmt, ms, onCleanup } from './lib.mjs';

export const BATCH_ROWS = 500; // 500 rows x 10 columns = 5,000 bound parameters (SQLite allows 32,766)
const CONFIGURATION = JSON.stringify({ communicationType: 'unified', widgetConfiguration: { position: 'right' } });

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
function base62(length) {
  const bytes = randomBytes(length * 2);
  let out = '';
  for (let i = 0; out.length < length && i < bytes.length; i++) if (bytes[i] < 248) out += BASE62[bytes[i] % 62];
  return out.length === length ? out : base62(length);
}

export function sample(array, n) {
  const copy = array.slice();
  for (let i = 0; i < Math.min(n, copy.length); i++) {
    const j = i + Math.floor(Math.random() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, n);
}

export const pick = (array) => array[Math.floor(Math.random() * array.length)];

/** Inserts `count` web channels with multi-row inserts; returns what the scenarios request. */
export async function seed(db, workspaceId, count) {
  const ids = new Array(count);
  const identifiers = new Array(count);
  const base = Date.now() - count;
  await db.transaction().execute(async (trx) => {
    for (let start = 0; start < count; start += BATCH_ROWS) {
      const rows = [];
      for (let n = start; n < Math.min(start + BATCH_ROWS, count); n++) {
        const id = `chan_${base62(16)}`;
        const identifier = `https://site-${n}.example.com`;
        ids[n] = id;
        identifiers[n] = identifier;
        rows.push({
          id,
          workspace_id: workspaceId,
          deployment_type: 'web',
          channel_identifier: identifier,
          channel_name: `Site ${n}`,
          recording_enabled: 1,
          configuration: CONFIGURATION,
          phone_configuration_id: null,
          created_at: base + n,
          updated_at: base + n,
        });
      }
      await trx.insertInto('deployment_channels').values(rows).execute();
    }
  });
  return { ids, identifiers };
}

/** Query plans of what the three scenarios run, so slow spots are visible in the output. */
export async function explain(db, engine, { workspaceId, id, identifier, positionId, listPages, pageSize }) {
  const { created_at: positionCreatedAt } = await db.selectFrom('deployment_channels').select('created_at').where('id', '=', positionId).executeTakeFirstOrThrow();
  const queries = {
    get: sql`select * from deployment_channels where workspace_id = ${workspaceId} and id = ${id}`,
    getByIdentifier: sql`select * from deployment_channels where workspace_id = ${workspaceId} and channel_identifier = ${identifier} and deployment_type = 'web'`,
    'getByIdentifier without ?type': sql`select * from deployment_channels where workspace_id = ${workspaceId} and channel_identifier = ${identifier}`,
    'list (total)': sql`select sum(count) as total from channel_counts where workspace_id = ${workspaceId}`,
    [`list (page ${listPages}, first read)`]: sql`select * from deployment_channels where workspace_id = ${workspaceId} order by created_at, id limit ${pageSize + 1} offset ${(listPages - 1) * pageSize - 1}`,
    [`list (page ${listPages}, from its position)`]: sql`select * from deployment_channels where workspace_id = ${workspaceId} and (created_at, id) > (${positionCreatedAt}, ${positionId}) order by created_at, id limit ${pageSize}`,
  };
  for (const [name, query] of Object.entries(queries)) {
    const prefix = engine === 'sqlite' ? sql`explain query plan ` : sql`explain (analyze, costs off, timing on, summary on) `;
    const { rows } = await sql`${prefix}${query}`.execute(db);
    const lines = rows.map((r) => (engine === 'sqlite' ? r.detail : r['QUERY PLAN']));
    let timing = '';
    if (engine === 'sqlite') {
      const t = process.hrtime.bigint();
      for (let i = 0; i < 20; i++) await query.execute(db);
      timing = ` (${fmt(ms(t) / 20, 2)} ms/query in-process)`;
    }
    console.log(`    ${name}${timing}: ${lines.filter((l) => !/^\s*(Planning Time|Buffers)/.test(l)).map((l) => l.trim()).join(' | ')}`);
  }
}

export async function prepareSqlite() {
  const dir = mkdtempSync(join(os.tmpdir(), 'switchboard-bench-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'switchboard.db');
  return { databaseUrl: `sqlite:${file}`, dataDir: dir, location: file, serverEnv: { REDIS_URL: '' } };
}

/** A fresh database on the server at `postgresUrl`; the server it is for runs with Redis at `redisUrl` (empty: none). */
export async function preparePostgres(postgresUrl, redisUrl) {
  const dir = mkdtempSync(join(os.tmpdir(), 'switchboard-bench-'));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const name = `switchboard_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  onCleanup(async () => {
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    try {
      await client.query(`drop database if exists ${name} with (force)`);
    } finally {
      await client.end();
    }
  });
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  const redis = redisUrl ? { REDIS_URL: redisUrl, REDIS_PREFIX: `${name}:` } : { REDIS_URL: '' };
  return { databaseUrl: url.toString(), dataDir: dir, location: `${url.host}/${name}`, serverEnv: redis };
}

export async function engineVersion(db, engine) {
  const query = engine === 'sqlite' ? sql`select sqlite_version() as v` : sql`show server_version`;
  const { rows } = await query.execute(db);
  return engine === 'sqlite' ? `SQLite ${rows[0].v}` : `PostgreSQL ${rows[0].server_version}`;
}

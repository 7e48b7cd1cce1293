/**
 * Readiness: whether this node can serve right now. A database round trip, the migrations this
 * build expects, and a Redis ping when Redis is configured; each check bounded so a hung
 * dependency answers 503 instead of hanging the probe.
 */
import { sql, type Kysely } from 'kysely';
import type { Redis } from 'ioredis';
import type { DB } from '../store/schema.js';
import { pendingMigrations } from '../store/migrations.js';

const CHECK_TIMEOUT_MS = 2_000;

export interface ReadinessCheck {
  status: 'ok' | 'failed';
  error?: string;
}

export interface Readiness {
  ready: boolean;
  checks: Record<string, ReadinessCheck>;
}

function bounded<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function check(what: string, run: () => Promise<void>): Promise<ReadinessCheck> {
  try {
    await bounded(run(), what);
    return { status: 'ok' };
  } catch (error) {
    return { status: 'failed', error: error instanceof Error ? error.message : String(error) };
  }
}

export async function readiness(db: Kysely<DB>, redis: Redis | undefined): Promise<Readiness> {
  const checks: Record<string, ReadinessCheck> = {};
  checks.database = await check('the database', async () => {
    await sql`select 1`.execute(db);
  });
  checks.migrations =
    checks.database.status === 'ok'
      ? await check('the migration table', async () => {
          const pending = await pendingMigrations(db);
          if (pending.length > 0) throw new Error(`not applied yet: ${pending.join(', ')}`);
        })
      : { status: 'failed', error: 'the database did not answer' };
  if (redis) {
    checks.redis = await check('Redis', async () => {
      await redis.ping();
    });
  }
  return { ready: Object.values(checks).every((c) => c.status === 'ok'), checks };
}

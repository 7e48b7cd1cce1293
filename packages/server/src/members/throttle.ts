import type { Redis } from 'ioredis';

/**
 * Counts failed sign-ins per key in a window that starts at the first failure. The request rate
 * limiter (runtime/rate-limit.ts) counts every request; here only failures count, and a key that
 * is over the limit is refused before its password is checked.
 */
export interface FailureCounter {
  /** Seconds until the key may try again, or 0 when it may try now. */
  blockedFor(key: string): Promise<number>;
  fail(key: string): Promise<void>;
  clear(key: string): Promise<void>;
}

export function memoryFailureCounter(limit: number, windowMs: number): FailureCounter {
  const entries = new Map<string, { count: number; resetAt: number }>();
  const live = (key: string) => {
    const entry = entries.get(key);
    if (entry && entry.resetAt <= Date.now()) entries.delete(key);
    return entries.get(key);
  };
  return {
    async blockedFor(key) {
      const entry = live(key);
      return entry && entry.count >= limit ? Math.max(1, Math.ceil((entry.resetAt - Date.now()) / 1000)) : 0;
    },
    async fail(key) {
      const entry = live(key);
      if (entry) entry.count += 1;
      else entries.set(key, { count: 1, resetAt: Date.now() + windowMs });
      if (entries.size > 100_000) for (const [k, e] of entries) if (e.resetAt <= Date.now()) entries.delete(k);
    },
    async clear(key) {
      entries.delete(key);
    },
  };
}

/** Shared by every node through Redis; falls back to this process's memory when Redis fails. */
export function redisFailureCounter(redis: Redis, prefix: string, limit: number, windowMs: number): FailureCounter {
  const local = memoryFailureCounter(limit, windowMs);
  const name = (key: string) => `${prefix}signin-failures:${key}`;
  return {
    async blockedFor(key) {
      try {
        const [[, count], [, ttl]] = (await redis.multi().get(name(key)).pttl(name(key)).exec()) as [[unknown, string | null], [unknown, number]];
        return Number(count ?? 0) >= limit ? Math.max(1, Math.ceil(Number(ttl) / 1000)) : 0;
      } catch {
        return local.blockedFor(key);
      }
    },
    async fail(key) {
      try {
        await redis.multi().set(name(key), 0, 'PX', windowMs, 'NX').incr(name(key)).exec();
      } catch {
        await local.fail(key);
      }
    },
    async clear(key) {
      try {
        await redis.del(name(key));
      } catch {
        await local.clear(key);
      }
    },
  };
}

import type { Redis } from 'ioredis';

export interface RateLimitDecision {
  allowed: boolean;
  /** Seconds until the window resets (for Retry-After). */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  readonly limit: number;
  hit(key: string, now?: number): Promise<RateLimitDecision>;
}

/** Fixed windows aligned to the clock, so every key's window ends at the same instant. */
function windowOf(now: number, windowMs: number) {
  const start = now - (now % windowMs);
  return { start, retryAfterSeconds: Math.max(1, Math.ceil((start + windowMs - now) / 1000)) };
}

/** Counters in this process's memory: the embedded default. */
export function createRateLimiter(limit: number, windowMs = 60_000): RateLimiter {
  let windowStart = 0;
  let counts = new Map<string, number>();
  return {
    limit,
    async hit(key, now = Date.now()) {
      const { start, retryAfterSeconds } = windowOf(now, windowMs);
      if (start !== windowStart) {
        windowStart = start;
        counts = new Map();
      }
      const count = (counts.get(key) ?? 0) + 1;
      counts.set(key, count);
      return { allowed: count <= limit, retryAfterSeconds };
    },
  };
}

/** Counters in Redis, shared by every server process: one INCR per request. */
export function createRedisRateLimiter(redis: Redis, name: string, limit: number, windowMs = 60_000): RateLimiter {
  return {
    limit,
    async hit(key, now = Date.now()) {
      const { start, retryAfterSeconds } = windowOf(now, windowMs);
      const counter = `switchboard:ratelimit:${name}:${start}:${key}`;
      const [[, count] = [null, 0]] = (await redis.multi().incr(counter).pexpire(counter, windowMs * 2).exec()) ?? [];
      return { allowed: Number(count) <= limit, retryAfterSeconds };
    },
  };
}

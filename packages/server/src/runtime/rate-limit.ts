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

export interface RedisRateLimiterOptions {
  /** Namespaces the counters (REDIS_PREFIX). */
  prefix?: string;
  windowMs?: number;
  /** How long a Redis answer may take before this process counts on its own. */
  timeoutMs?: number;
  /** Told each time the limiter falls back to local counters because Redis failed. */
  onFallback?: (error: Error) => void;
}

/**
 * Counters in Redis, shared by every server process: one INCR per request. When Redis fails
 * or is slow, the request is counted in this process's memory instead (the limit then holds
 * per process) rather than refused or delayed.
 */
export function createRedisRateLimiter(redis: Redis, name: string, limit: number, options: RedisRateLimiterOptions = {}): RateLimiter {
  const windowMs = options.windowMs ?? 60_000;
  const timeoutMs = options.timeoutMs ?? 250;
  const prefix = options.prefix ?? 'switchboard:';
  const local = createRateLimiter(limit, windowMs);
  return {
    limit,
    async hit(key, now = Date.now()) {
      const { start, retryAfterSeconds } = windowOf(now, windowMs);
      const counter = `${prefix}ratelimit:${name}:${start}:${key}`;
      let timer: NodeJS.Timeout | undefined;
      try {
        const answer = await Promise.race([
          redis.multi().incr(counter).pexpire(counter, windowMs * 2).exec(),
          new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs))),
        ]);
        const [[error, count] = [null, 0]] = answer ?? [];
        if (error) throw error;
        return { allowed: Number(count) <= limit, retryAfterSeconds };
      } catch (error) {
        options.onFallback?.(error instanceof Error ? error : new Error(String(error)));
        return local.hit(key, now);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

export interface RateLimitDecision {
  allowed: boolean;
  /** Seconds until the window resets (for Retry-After). */
  retryAfterSeconds: number;
}

/**
 * Fixed-window counters in memory. Windows are aligned to the clock, so every key's
 * window ends at the same instant and stale counters can be dropped in one sweep.
 */
export function createRateLimiter(limit: number, windowMs = 60_000) {
  let windowStart = 0;
  let counts = new Map<string, number>();
  return {
    limit,
    hit(key: string, now = Date.now()): RateLimitDecision {
      const start = now - (now % windowMs);
      if (start !== windowStart) {
        windowStart = start;
        counts = new Map();
      }
      const count = (counts.get(key) ?? 0) + 1;
      counts.set(key, count);
      return { allowed: count <= limit, retryAfterSeconds: Math.max(1, Math.ceil((start + windowMs - now) / 1000)) };
    },
  };
}
export type RateLimiter = ReturnType<typeof createRateLimiter>;

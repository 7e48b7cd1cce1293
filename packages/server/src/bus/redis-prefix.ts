/** Namespaces every Redis key and channel of an installation (REDIS_PREFIX). Kept apart from redis-bus.ts so that using it does not load ioredis. */
export const DEFAULT_REDIS_PREFIX = 'switchboard:';

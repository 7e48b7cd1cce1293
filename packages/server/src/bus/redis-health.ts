/**
 * Says when this process loses Redis and when it has it back: a warning once per outage, the
 * `switchboard_redis_degraded` gauge, and a note when shared mode resumes. Rate limits and live
 * events fall back to this process on their own; this only makes the fallback visible.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { EventBus } from './event-bus.js';
import type { RedisBus } from './redis-bus.js';
import type { Metrics } from '../metrics/metrics.js';

function isRedisBus(bus: EventBus): bus is RedisBus {
  return typeof (bus as Partial<RedisBus>).onDegradedChange === 'function';
}

export function watchRedisHealth(bus: EventBus, metrics: Metrics, logger: FastifyBaseLogger) {
  let warned = false;
  const degrade = (reason: string) => {
    if (warned) return;
    warned = true;
    logger.warn({ reason }, 'Redis is unreachable: rate limits and live events work per process until it is back');
  };
  if (isRedisBus(bus)) {
    bus.onDegradedChange((degraded) => {
      metrics.setRedisDegraded(degraded);
      if (degraded) degrade('connection lost');
      else if (warned) {
        warned = false;
        logger.info('Redis is reachable again: rate limits and live events are shared across nodes again');
      }
    });
    metrics.setRedisDegraded(bus.degraded);
    if (bus.degraded) degrade('not connected at start');
  }
  return {
    /** A Redis command failed and the caller fell back to local state. */
    fellBack: (error: Error) => degrade(error.message),
  };
}

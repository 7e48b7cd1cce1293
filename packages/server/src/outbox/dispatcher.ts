import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.js';
import { deliveriesRepository, type DeliveryRecord } from '../store/repositories/deliveries.js';
import { findConnection } from '../store/repositories/connections.js';
import { DeliveryError, type OutboundMessage } from '../channels/adapter.js';
import type { ProviderRegistry } from '../channels/registry.js';
import type { ConnectionsService } from '../connections/connections-service.js';
import { createWorkLoop } from './work-loop.js';

export interface DispatcherOptions {
  db: Kysely<DB>;
  registry: ProviderRegistry;
  connections: ConnectionsService;
  logger: { error(obj: unknown, msg?: string): void; warn(obj: unknown, msg?: string): void };
  fetch?: typeof fetch;
  /** Attempts before a delivery goes to the dead-letter list. */
  maxAttempts: number;
  /** First retry delay; each later one doubles, capped at `maxDelayMs`, with jitter. */
  baseDelayMs: number;
  maxDelayMs?: number;
  /** How long a claim holds before another node may take the row over (the holder died). */
  leaseMs?: number;
  /** How often to look for due work even when nothing was kicked (retries, other nodes' rows). */
  pollMs?: number;
  batchSize?: number;
  /** Called after each outcome (tests, events). */
  onOutcome?: (delivery: DeliveryRecord, outcome: 'sent' | 'retry' | 'dead', error?: string) => void;
}

/** Exponential backoff with full jitter in [delay/2, delay], never sooner than the provider's Retry-After. */
export function nextDelay(attempt: number, base: number, cap: number, retryAfterMs?: number, random = Math.random): number {
  const exponential = Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
  const jittered = exponential / 2 + random() * (exponential / 2);
  return Math.max(jittered, retryAfterMs ?? 0);
}

/**
 * Sends outbox rows through their provider adapters. Rows are claimed in batches under a
 * lease (FOR UPDATE SKIP LOCKED on PostgreSQL), so any number of nodes can dispatch at
 * once without sending a row twice; a row whose node died is taken over when its lease
 * runs out, and the provider's idempotency key (the reply's message id) makes that resend
 * harmless where the provider supports one.
 */
export function createDispatcher(options: DispatcherOptions) {
  const { db, registry, connections, logger } = options;
  const node = `node_${randomBytes(6).toString('hex')}`;
  const repo = deliveriesRepository(db);
  const leaseMs = options.leaseMs ?? 30_000;
  const batchSize = options.batchSize ?? 25;
  const maxDelayMs = options.maxDelayMs ?? 5 * 60_000;
  async function deliver(delivery: DeliveryRecord): Promise<void> {
    try {
      const record = await findConnection(db, delivery.connectionId);
      if (!record) throw new DeliveryError(`Connection ${delivery.connectionId} no longer exists`, { retryable: false });
      const definition = registry.get(record.provider);
      if (!definition) throw new DeliveryError(`Provider ${record.provider} cannot send messages`, { retryable: false });
      const context = await connections.context(record);
      const receipt = await definition.adapter.send(delivery.payload as OutboundMessage, context, options.fetch ?? fetch);
      if (await repo.markSent(delivery.id, node, receipt.providerMessageId ?? null)) options.onOutcome?.(delivery, 'sent');
    } catch (error) {
      const failure = error instanceof DeliveryError ? error : new DeliveryError(error instanceof Error ? error.message : String(error));
      const dead = !failure.options.retryable || delivery.attempts >= delivery.maxAttempts;
      const at = Date.now() + nextDelay(delivery.attempts, options.baseDelayMs, maxDelayMs, failure.options.retryAfterMs);
      await repo.markFailed(delivery.id, node, failure.message, dead ? { dead: true } : { dead: false, at });
      if (dead) logger.error({ deliveryId: delivery.id, attempts: delivery.attempts, err: failure.message }, 'delivery dead-lettered');
      else logger.warn({ deliveryId: delivery.id, attempts: delivery.attempts, err: failure.message }, 'delivery failed; will retry');
      options.onOutcome?.(delivery, dead ? 'dead' : 'retry', failure.message);
    }
  }

  async function drainDue(): Promise<void> {
    for (;;) {
      const batch = await repo.claim(node, batchSize, leaseMs);
      if (batch.length === 0) return;
      await Promise.all(batch.map(deliver));
    }
  }

  const loop = createWorkLoop({ drain: drainDue, pollMs: options.pollMs ?? 1000, onError: (error) => logger.error({ err: error }, 'dispatcher pass failed') });

  return {
    node,
    kick: loop.kick,
    start: loop.kick,
    idle: loop.idle,
    stop: loop.stop,
  };
}
export type Dispatcher = ReturnType<typeof createDispatcher>;

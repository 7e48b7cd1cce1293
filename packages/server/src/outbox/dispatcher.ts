import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.js';
import { deliveriesRepository, publicDelivery, type DeliveryClaim, type DeliveryRecord } from '../store/repositories/deliveries.js';
import { findConnection } from '../store/repositories/connections.js';
import { DeliveryError, type OutboundMessage } from '../channels/adapter.js';
import type { ProviderRegistry } from '../channels/registry.js';
import type { ConnectionsService } from '../connections/connections-service.js';
import { emitEvent } from '../webhooks/events.js';
import { sendWebhookEvent } from '../webhooks/sender.js';
import { isDatabaseFault } from '../store/faults.js';
import { DEFAULT_LEASE_MS, createClaimLoop, errorText, persist } from './claim-loop.js';
import { createSentRecorder } from './sent-recorder.js';

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
  /**
   * How long a claim holds before another node may take the row over (the holder died). The holder
   * renews it while the send runs, every `renewMs` (a third of the lease unless given).
   */
  leaseMs?: number;
  renewMs?: number;
  /** How often to look for due work even when nothing was kicked (retries, other nodes' rows). */
  pollMs?: number;
  /** Rows claimed per query, and sent at once at most. */
  batchSize?: number;
  /** Called after each outcome (tests, events). */
  onOutcome?: (delivery: DeliveryRecord, outcome: 'sent' | 'retry' | 'dead', error?: string) => void;
  /** After a transaction that emitted an operator event (delivery.failed) commits. */
  onEvent?: (workspaceId: string) => void;
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
 * once without sending a row twice. The lease is renewed while the send runs; a row whose
 * node died is taken over when its lease runs out, and the provider's idempotency key (the
 * reply's message id) makes that resend harmless where the provider supports one.
 */
export function createDispatcher(options: DispatcherOptions) {
  const { db, registry, connections, logger } = options;
  const node = `node_${randomBytes(6).toString('hex')}`;
  const repo = deliveriesRepository(db);
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const batchSize = options.batchSize ?? 25;
  const maxDelayMs = options.maxDelayMs ?? 5 * 60_000;
  // Waits out a short database fault rather than sending the batch again later.
  const recordSent = createSentRecorder((sent) => persist(() => repo.markSent(node, sent)));
  /** A reply goes through its connection's adapter; an event to its webhook subscription. */
  async function send(delivery: DeliveryRecord) {
    if (delivery.kind === 'event') return sendWebhookEvent(db, connections.secretBox, delivery, options.fetch ?? fetch);
    const record = await findConnection(db, delivery.connectionId);
    if (!record) throw new DeliveryError(`Connection ${delivery.connectionId} no longer exists`, { retryable: false });
    const definition = registry.get(record.provider);
    if (!definition) throw new DeliveryError(`Provider ${record.provider} cannot send messages`, { retryable: false });
    const context = await connections.context(record);
    return definition.adapter.send(delivery.payload as OutboundMessage, context, options.fetch ?? fetch);
  }

  /**
   * Dead-letters a reply and, in the same transaction, emits `delivery.failed` to the workspace's
   * webhook subscriptions. Never for an event delivery: an event about an event could loop.
   */
  async function markReplyDead(delivery: DeliveryRecord, error: string): Promise<void> {
    try {
      const emitted = await db.transaction().execute(async (trx) => {
        if (!(await deliveriesRepository(trx).markFailed(delivery.id, node, error, { dead: true }))) return false;
        const now = Date.now();
        const dead = { ...publicDelivery(delivery), status: 'dead' as const, lastError: error.slice(0, 2000), updatedAt: now };
        await emitEvent(trx, delivery.workspaceId, 'delivery.failed', { delivery: dead }, { occurredAt: now, maxAttempts: options.maxAttempts });
        return true;
      });
      if (emitted) options.onEvent?.(delivery.workspaceId);
    } catch (emitError) {
      // The dead letter matters more than the event about it.
      logger.error({ deliveryId: delivery.id, err: emitError }, 'delivery.failed could not be emitted');
      await repo.markFailed(delivery.id, node, error, { dead: true });
    }
  }

  async function deliver(delivery: DeliveryRecord): Promise<void> {
    let receipt: Awaited<ReturnType<typeof send>>;
    try {
      receipt = await send(delivery);
    } catch (error) {
      // A database fault here is not the provider's: it is rethrown, and the row is given back without spending the attempt.
      if (isDatabaseFault(error)) throw error;
      return failed(delivery, error);
    }
    try {
      if (await recordSent({ id: delivery.id, providerMessageId: receipt.providerMessageId ?? null })) options.onOutcome?.(delivery, 'sent');
    } catch (error) {
      // Still claimed by this node: once the lease runs out, the row is sent again, under the same idempotency key.
      logger.error({ deliveryId: delivery.id, err: errorText(error) }, 'delivery sent, but the database did not record it');
    }
  }

  /** A refused or failed send: retried later, or dead-lettered. */
  async function failed(delivery: DeliveryRecord, error: unknown): Promise<void> {
    const failure = error instanceof DeliveryError ? error : new DeliveryError(error instanceof Error ? error.message : String(error));
    const dead = !failure.options.retryable || delivery.attempts >= delivery.maxAttempts;
    // Whole milliseconds: the column is a bigint, and PostgreSQL refuses a fractional value (the jitter makes one).
    const at = Date.now() + Math.ceil(nextDelay(delivery.attempts, options.baseDelayMs, maxDelayMs, failure.options.retryAfterMs));
    if (dead && delivery.kind !== 'event') await persist(() => markReplyDead(delivery, failure.message));
    else await persist(() => repo.markFailed(delivery.id, node, failure.message, dead ? { dead: true } : { dead: false, at }));
    if (dead) logger.error({ deliveryId: delivery.id, attempts: delivery.attempts, err: failure.message }, 'delivery dead-lettered');
    else logger.warn({ deliveryId: delivery.id, attempts: delivery.attempts, err: failure.message }, 'delivery failed; will retry');
    options.onOutcome?.(delivery, dead ? 'dead' : 'retry', failure.message);
  }

  const loop = createClaimLoop<DeliveryRecord>({
    name: 'delivery',
    claim: (limit) => repo.claim(node, limit, leaseMs),
    run: deliver,
    renew: async (rows) => {
      const held = new Set(await repo.renew(node, rows.map((row) => row.id), leaseMs));
      return rows.filter((row) => held.has(row.id));
    },
    release: (rows) => repo.release(node, rows.map((row) => row.id)),
    concurrency: batchSize,
    batchSize,
    leaseMs,
    ...(options.renewMs !== undefined && { renewMs: options.renewMs }),
    pollMs: options.pollMs ?? 1000,
    logger,
  });

  return {
    node,
    kick: loop.kick,
    start: loop.start,
    /**
     * A claim to write a reply's row with, when this node has a free slot: the row is then sent at
     * once (`adopt`, after its transaction commits) without a claim statement. `cancel` frees the
     * slot if the transaction did not commit. Undefined when every slot is busy.
     */
    reserve: (): DeliveryClaim | undefined => (loop.reserve() ? { node, lockedUntil: Date.now() + leaseMs } : undefined),
    adopt: loop.adopt,
    cancel: loop.cancel,
    idle: loop.idle,
    /** Rows claimed by this node and not finished yet. */
    inFlight: loop.inFlight,
    /**
     * Stops claiming, waits for the sends in progress until `deadline` (epoch ms; without one, until
     * they end), then gives back what is still unfinished so another node takes it at once.
     */
    stop: loop.stop,
  };
}
export type Dispatcher = ReturnType<typeof createDispatcher>;

/**
 * Claimed work under leases (outbox rows, inbound events). A lease is short, so the work of a node
 * that died is taken over soon; the node holding it renews it (a heartbeat) while the work runs, so
 * live work is never taken over; and a node shutting down gives back what it will not finish.
 */
import { isDatabaseFault } from '../store/faults.js';
import { createWorkLoop } from './work-loop.js';

/** A claim's lease unless configured (DELIVERY_LEASE_MS): a dead node's work is taken over this soon. */
export const DEFAULT_LEASE_MS = 4_000;

/** How often a lease is renewed while its work runs: three times per lease, so two renewals in a row may fail. */
export const renewInterval = (leaseMs: number) => Math.max(50, Math.floor(leaseMs / 3));

export const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Runs a write that records an outcome, trying again through a database fault for about 8 s in
 * all, so an outcome already reached (a message sent) is not lost to a short outage.
 */
export async function persist<T>(write: () => Promise<T>, attempts = 10): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (!isDatabaseFault(error) || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 100 * 2 ** (attempt - 1))));
    }
  }
}

interface Logger {
  error(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
}

export interface ClaimLoopOptions<T extends { id: string }> {
  /** What the work is, for the log ("delivery", "inbound event"). */
  name: string;
  /** Claims up to `limit` items due now for this node, under a lease of `leaseMs`. */
  claim(limit: number): Promise<T[]>;
  /** Does one item's work and records its outcome. A database fault thrown here gives the item back. */
  run(item: T): Promise<void>;
  /** Extends the leases of `items`; answers those still held by this claim (updated, if the claim records its deadline). */
  renew(items: T[]): Promise<T[]>;
  /** Gives items back at once, without counting the attempt; answers how many were still held. */
  release(items: T[]): Promise<number>;
  /** Items in progress at once on this node. */
  concurrency: number;
  /** Items claimed per query. */
  batchSize: number;
  leaseMs: number;
  renewMs?: number;
  /** How often to look for due work when nothing kicked (retries, other nodes' expired leases). */
  pollMs: number;
  logger: Logger;
  /** Between claims, let other callbacks (webhooks being acknowledged) run first. */
  yieldBetweenClaims?: boolean;
}

/**
 * Claims and runs items, at most `concurrency` at a time, without waiting for the ones running
 * before claiming more: a node busy with slow work still takes over a dead node's work on time.
 */
export function createClaimLoop<T extends { id: string }>(options: ClaimLoopOptions<T>) {
  const { logger, name } = options;
  /** Items claimed by this node and not finished, as last claimed or renewed. */
  const inFlight = new Map<string, T>();
  const running = new Set<Promise<void>>();
  /** A pass stopped at the concurrency limit: a finishing item starts the next. */
  let saturated = false;
  let heartbeat: NodeJS.Timeout | undefined;
  let renewing = false;
  /** Items this node is writing already claimed (`reserve`), not handed over yet: they count against the concurrency. */
  let reserved = 0;
  const room = () => options.concurrency - inFlight.size - reserved;

  async function renew(): Promise<void> {
    if (inFlight.size === 0) {
      clearInterval(heartbeat);
      heartbeat = undefined;
      return;
    }
    if (renewing) return;
    renewing = true;
    const asked = [...inFlight.values()];
    try {
      const held = new Map((await options.renew(asked)).map((item) => [item.id, item]));
      for (const item of asked) {
        if (inFlight.get(item.id) !== item) continue; // finished meanwhile
        const renewed = held.get(item.id);
        // Not held any more: taken over after a lapse (the database was away past the lease); stop renewing it.
        if (renewed) inFlight.set(item.id, renewed);
        else inFlight.delete(item.id);
      }
    } catch (error) {
      logger.warn({ err: errorText(error) }, `${name} lease renewal failed`);
    } finally {
      renewing = false;
    }
  }

  /** A slot freed without a pass having stopped for it is not waited on; one that was starts the next pass. */
  function slotFreed(): void {
    if (!saturated) return;
    saturated = false;
    loop.kick();
  }

  function launch(item: T): void {
    inFlight.set(item.id, item);
    if (!heartbeat) {
      heartbeat = setInterval(() => void renew(), options.renewMs ?? renewInterval(options.leaseMs));
      heartbeat.unref();
    }
    const work: Promise<void> = options
      .run(item)
      .catch(async (error: unknown) => {
        if (!isDatabaseFault(error)) return logger.error({ id: item.id, err: error }, `${name} failed`);
        // The database, not the work: no attempt is spent. Given back now if the database answers
        // again, else taken over when the lease runs out.
        const held = inFlight.get(item.id);
        inFlight.delete(item.id);
        if (held) await options.release([held]).catch(() => undefined);
        logger.warn({ id: item.id, err: errorText(error) }, `${name} interrupted: the database is not available`);
      })
      .finally(() => {
        inFlight.delete(item.id);
        running.delete(work);
        slotFreed();
      });
    running.add(work);
  }

  async function pass(): Promise<void> {
    while (!loop.stopping()) {
      const free = room();
      if (free <= 0) {
        saturated = true;
        return;
      }
      const limit = Math.min(options.batchSize, free);
      const batch = await options.claim(limit);
      for (const item of batch) launch(item);
      if (batch.length < limit) return;
      if (options.yieldBetweenClaims) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  const loop = createWorkLoop({
    drain: pass,
    pollMs: options.pollMs,
    onError: (error, inARow) => {
      if (!isDatabaseFault(error)) logger.error({ err: error }, `${name} pass failed`);
      else if (inARow === 1) logger.warn({ err: errorText(error) }, `${name}s paused: the database is not available; retrying`);
    },
  });

  return {
    kick: loop.kick,
    start: loop.kick,
    /**
     * Takes a slot for an item about to be written already claimed by this node, so that it is run
     * at once without a claim; false when every slot is taken (write it unclaimed, for a pass).
     * The slot ends with `adopt` once the write committed, or `cancel` if it did not.
     */
    reserve(): boolean {
      if (loop.stopping() || room() <= 0) return false;
      reserved++;
      return true;
    },
    /** Runs a reserved item whose claimed row committed (or, shutting down, gives it back). */
    adopt(item: T): void {
      reserved--;
      if (!loop.stopping()) return launch(item);
      options.release([item]).catch((error: unknown) => logger.warn({ id: item.id, err: errorText(error) }, `shutting down: ${name} could not be given back`));
    },
    /** Frees a reserved slot whose row was not written. */
    cancel(): void {
      reserved--;
      slotFreed();
    },
    /** Items claimed by this node and not finished yet. */
    inFlight: () => inFlight.size,
    /** Resolves once no pass and no item is running. */
    async idle(): Promise<void> {
      await loop.idle();
      while (running.size > 0) {
        await Promise.allSettled([...running]);
        await loop.idle();
      }
    },
    /**
     * Stops claiming, waits for the items in progress until `deadline` (epoch ms; without one, until
     * they end), then gives back what is still unfinished so another node takes it at once.
     */
    async stop(deadline?: number): Promise<void> {
      await loop.stop(deadline);
      const finished = Promise.allSettled([...running]);
      if (deadline === undefined) await finished;
      else {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([finished, new Promise((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now()))))]);
        clearTimeout(timer);
      }
      clearInterval(heartbeat);
      heartbeat = undefined;
      const unfinished = [...inFlight.values()];
      inFlight.clear();
      if (unfinished.length === 0) return;
      try {
        const released = await options.release(unfinished);
        logger.warn({ released, unfinished: unfinished.length }, `shutting down: unfinished ${name}s given back to other nodes`);
      } catch (error) {
        logger.warn({ err: errorText(error) }, `shutting down: unfinished ${name}s could not be given back; they are taken over when their lease runs out`);
      }
    },
  };
}

/**
 * Tells every node that a credential changed, so each drops what it cached of it. Changes
 * announced on this node's database (store/credential-changes.ts) are handed to this node's
 * listeners at once and published on a reserved channel of the event bus for the others.
 *
 * `reliable` says whether what another node publishes reaches this one: with Redis, while it is
 * connected; with the in-process bus, only on embedded SQLite, where there is no other node
 * (PostgreSQL without Redis may be shared by nodes that cannot hear each other). A cache must
 * not keep anything while it is false, and forgets everything on a reset (Redis lost or back),
 * since changes published in between were missed.
 *
 * On embedded SQLite another process can write the same file (`switchboard keys revoke`,
 * `workspaces suspend`) without announcing anything here. SQLite counts such commits in
 * `data_version`; `reliable` reads it and resets the caches when it moved, so every request that
 * starts a millisecond or more after the other process's commit reads the database again. Read on
 * every request, `data_version` took 6 % of a cached `get`'s CPU; one reading per millisecond
 * stands for the requests of that millisecond, far less than a process needs to exit and another
 * request to arrive.
 */
import { SqliteAdapter, type Kysely } from 'kysely';
import type { DB } from '../store/schema.js';
import { isCredentialChange, onCredentialChange, type CredentialChange } from '../store/credential-changes.js';
import { synchronousReader } from '../store/synchronous-reads.js';
import type { ConversationEvent, EventBus } from './event-bus.js';
import type { RedisBus } from './redis-bus.js';

/** Not a conversation id (those are `conv_…`), so no conversation stream ever hears it. */
export const INVALIDATIONS_CHANNEL = '~invalidations';

export interface Invalidations {
  readonly reliable: boolean;
  /** Calls `listener` for every change, from this node or another; returns the way to stop. */
  onChange(listener: (change: CredentialChange) => void): () => void;
  /** Calls `listener` when reliability changes either way. */
  onReset(listener: () => void): () => void;
  close(): void;
}

/** Tells the other nodes (through Redis) that `change` happened; also how the CLI tells the servers. */
export function publishCredentialChange(bus: RedisBus, change: CredentialChange): void {
  bus.publish(INVALIDATIONS_CHANNEL, { type: 'invalidate', data: change });
}

function isDegradable(bus: EventBus): bus is RedisBus {
  return typeof (bus as Partial<RedisBus>).onDegradedChange === 'function';
}

/** How long one reading of `data_version` stands for. */
export const DATA_VERSION_READ_EVERY_MS = 1;

export function createInvalidations(db: Kysely<DB>, bus: EventBus): Invalidations {
  const changeListeners = new Set<(change: CredentialChange) => void>();
  const resetListeners = new Set<() => void>();
  const embedded = db.getExecutor().adapter instanceof SqliteAdapter;
  let subscribed = false;
  let closed = false;
  let unsubscribe: (() => void) | undefined;
  let seenDataVersion: number | undefined;
  let dataVersionReadAt = -Infinity;

  const deliver = (change: CredentialChange) => {
    for (const listener of changeListeners) listener(change);
  };
  const reset = () => {
    for (const listener of resetListeners) listener();
  };

  // The in-process bus reaches only this node, which hears its own changes directly.
  const stopLocal = onCredentialChange(db, (change) => {
    deliver(change);
    if (isDegradable(bus)) publishCredentialChange(bus, change);
  });
  bus
    .subscribe(INVALIDATIONS_CHANNEL, (event: ConversationEvent) => {
      if (event.type === 'invalidate' && isCredentialChange(event.data)) deliver(event.data);
    })
    .then((stop) => {
      if (closed) return stop();
      unsubscribe = stop;
      subscribed = true;
      reset();
    })
    .catch(() => undefined);
  if (isDegradable(bus)) {
    bus.onDegradedChange(() => {
      if (!closed) reset();
    });
  }

  /** False while the connection is in use (the version cannot be read then); resets the caches when another process committed. */
  const noWriteFromElsewhere = (): boolean => {
    const now = performance.now();
    if (now - dataVersionReadAt < DATA_VERSION_READ_EVERY_MS) return true;
    const version = synchronousReader(db)?.dataVersionIfIdle();
    if (version === undefined) return false;
    if (seenDataVersion !== undefined && version !== seenDataVersion) reset();
    seenDataVersion = version;
    dataVersionReadAt = now;
    return true;
  };

  return {
    get reliable() {
      if (!subscribed || closed) return false;
      // A CLI run without REDIS_URL still writes the embedded file: data_version catches it either way.
      if (isDegradable(bus)) return !bus.degraded && (!embedded || noWriteFromElsewhere());
      return embedded && noWriteFromElsewhere();
    },
    onChange(listener) {
      changeListeners.add(listener);
      return () => void changeListeners.delete(listener);
    },
    onReset(listener) {
      resetListeners.add(listener);
      return () => void resetListeners.delete(listener);
    },
    close() {
      closed = true;
      stopLocal();
      unsubscribe?.();
      changeListeners.clear();
      resetListeners.clear();
    },
  };
}

/**
 * Keeps what a credential resolved to (an API key's record, a widget token's deployment) for a
 * moment, so a burst of requests with the same credential reads the database once.
 *
 * Exactness comes from invalidation, not from the TTL: every writer of what is cached announces
 * its change (store/credential-changes.ts), which drops the entries it concerns on this node at
 * once and on the others through the bus (bus/invalidations.ts), and again once the change's
 * transaction has committed. Nothing is kept while the bus
 * cannot promise that (Redis lost, or PostgreSQL without Redis), everything is forgotten when
 * that changes either way, and a lookup that overlapped a change is not kept.
 *
 * The CLI writes the database from another process: on embedded SQLite the invalidations
 * notice its commits through `data_version`; with Redis the CLI publishes its changes like a
 * node. The TTL only bounds what neither covers, so that a key in steady use is still read
 * from the database twice a second.
 *
 * Only usable results are kept: a refusal (revoked, suspended, paused, unknown) is looked up
 * again on every request, so it can never outlive its cause.
 */
import type { Invalidations } from '../bus/invalidations.js';
import type { CredentialChange } from '../store/credential-changes.js';

export const CREDENTIAL_CACHE_TTL_MS = 500;
const CREDENTIAL_CACHE_MAX_ENTRIES = 10_000;

/** What a cache of credentials is built on: the node's invalidations, and its TTL when not the default. */
export interface CredentialCaching {
  invalidations: Invalidations;
  ttlMs?: number;
}

export interface CredentialCacheOptions<V> extends CredentialCaching {
  /** Whether a change touches this cached value (its key, workspace, deployment…). */
  concerns(value: V, change: CredentialChange): boolean;
  /** Whether a looked-up value may be kept (it grants access). */
  keepable(value: V): boolean;
  maxEntries?: number;
  now?: () => number;
}

export interface CredentialCache<V> {
  /** The value for `key`: kept if fresh, else loaded (and kept when allowed). */
  get(key: string, load: () => Promise<V | undefined>): Promise<V | undefined>;
  readonly size: number;
  close(): void;
}

export function createCredentialCache<V>(options: CredentialCacheOptions<V>): CredentialCache<V> {
  const { invalidations, concerns, keepable } = options;
  const ttlMs = options.ttlMs ?? CREDENTIAL_CACHE_TTL_MS;
  const maxEntries = options.maxEntries ?? CREDENTIAL_CACHE_MAX_ENTRIES;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { value: V; expiresAt: number }>();
  /** Bumped on every change or reset: a lookup that started before one is not kept. */
  let generation = 0;

  const stopChanges = invalidations.onChange((change) => {
    generation++;
    for (const [key, entry] of entries) if (concerns(entry.value, change)) entries.delete(key);
  });
  const stopResets = invalidations.onReset(() => {
    generation++;
    entries.clear();
  });

  return {
    async get(key, load) {
      // Asked first: finding the cache unreliable may forget every entry (a reset).
      const reliable = invalidations.reliable;
      const entry = entries.get(key);
      if (entry) {
        if (entry.expiresAt <= now()) entries.delete(key);
        else if (reliable) return entry.value;
      }
      const startedAt = generation;
      const value = await load();
      if (value !== undefined && keepable(value) && invalidations.reliable && generation === startedAt) {
        if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
        entries.set(key, { value, expiresAt: now() + ttlMs });
      }
      return value;
    },
    get size() {
      return entries.size;
    },
    close() {
      stopChanges();
      stopResets();
      entries.clear();
    },
  };
}

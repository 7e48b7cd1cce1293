/**
 * The credential cache and the invalidation channel it listens to, on their own: what is kept,
 * what drops it, and that nothing is kept while invalidations may be missed.
 */
import { describe, expect, it } from 'vitest';
import BetterSqlite3 from 'better-sqlite3';
import { setTimeout as sleep } from 'node:timers/promises';
import { createInProcessBus, type ConversationEvent, type EventBus } from '../../packages/server/src/bus/event-bus.js';
import { createInvalidations, DATA_VERSION_READ_EVERY_MS, INVALIDATIONS_CHANNEL, type Invalidations } from '../../packages/server/src/bus/invalidations.js';
import { createCredentialCache } from '../../packages/server/src/http/credential-cache.js';
import { announceCredentialChange, type CredentialChange } from '../../packages/server/src/store/credential-changes.js';
import { createTestDatabase, type TestDatabase } from '../helpers/engines.js';

/** Invalidations the test drives by hand. */
function manualInvalidations() {
  const changes = new Set<(change: CredentialChange) => void>();
  const resets = new Set<() => void>();
  const channel = {
    reliable: true,
    onChange: (listener: (change: CredentialChange) => void) => (changes.add(listener), () => void changes.delete(listener)),
    onReset: (listener: () => void) => (resets.add(listener), () => void resets.delete(listener)),
    close() {},
    change(change: CredentialChange) {
      for (const listener of changes) listener(change);
    },
    reset(reliable: boolean) {
      channel.reliable = reliable;
      for (const listener of resets) listener();
    },
  };
  return channel satisfies Invalidations;
}

interface Value {
  id: string;
  workspaceId: string;
  usable: boolean;
}

function countingCache(invalidations: Invalidations, ttlMs = 60_000) {
  let loads = 0;
  let stored: Value | undefined = { id: 'key_1', workspaceId: 'ws_1', usable: true };
  const cache = createCredentialCache<Value>({
    invalidations,
    ttlMs,
    concerns: (value, change) => (change.kind === 'apiKey' && change.id === value.id) || (change.kind === 'workspace' && change.id === value.workspaceId),
    keepable: (value) => value.usable,
  });
  return {
    cache,
    get: () =>
      cache.get('hash', async () => {
        loads++;
        return stored;
      }),
    set(value: Value | undefined) {
      stored = value;
    },
    get loads() {
      return loads;
    },
  };
}

describe('credential cache', () => {
  it('looks a credential up once while nothing changes, and again after a change that concerns it', async () => {
    const invalidations = manualInvalidations();
    const c = countingCache(invalidations);
    await c.get();
    await c.get();
    expect(c.loads).toBe(1);
    invalidations.change({ kind: 'apiKey', id: 'key_other' });
    invalidations.change({ kind: 'webDeployment', id: 'key_1' });
    await c.get();
    expect(c.loads).toBe(1);
    c.set({ id: 'key_1', workspaceId: 'ws_1', usable: false });
    invalidations.change({ kind: 'workspace', id: 'ws_1' });
    expect((await c.get())!.usable).toBe(false);
    expect(c.loads).toBe(2);
  });

  it('keeps no refusal and nothing unknown: each is looked up again', async () => {
    const invalidations = manualInvalidations();
    const c = countingCache(invalidations);
    c.set({ id: 'key_1', workspaceId: 'ws_1', usable: false });
    await c.get();
    await c.get();
    c.set(undefined);
    await c.get();
    await c.get();
    expect(c.loads).toBe(4);
    expect(c.cache.size).toBe(0);
  });

  it('keeps nothing while invalidations are unreliable, and forgets everything when reliability changes', async () => {
    const invalidations = manualInvalidations();
    const c = countingCache(invalidations);
    await c.get();
    invalidations.reset(false);
    expect(c.cache.size).toBe(0);
    await c.get();
    await c.get();
    expect(c.loads).toBe(3);
    invalidations.reset(true);
    await c.get();
    expect(c.cache.size).toBe(1);
    // Back: what was kept before may have been revoked meanwhile, so it is gone.
    invalidations.reset(true);
    expect(c.cache.size).toBe(0);
  });

  it('does not keep a lookup that a change overtook', async () => {
    const invalidations = manualInvalidations();
    const cache = createCredentialCache<Value>({ invalidations, concerns: () => true, keepable: () => true });
    const value = await cache.get('hash', async () => {
      invalidations.change({ kind: 'apiKey', id: 'key_1' });
      return { id: 'key_1', workspaceId: 'ws_1', usable: true };
    });
    expect(value?.id).toBe('key_1');
    expect(cache.size).toBe(0);
  });

  it('expires entries after the TTL and keeps at most maxEntries', async () => {
    let now = 1_000;
    const invalidations = manualInvalidations();
    let loads = 0;
    const cache = createCredentialCache<string>({ invalidations, concerns: () => false, keepable: () => true, ttlMs: 500, maxEntries: 2, now: () => now });
    const load = async () => String(++loads);
    await cache.get('a', load);
    now += 499;
    expect(await cache.get('a', load)).toBe('1');
    now += 1;
    expect(await cache.get('a', load)).toBe('2');
    await cache.get('b', load);
    await cache.get('c', load);
    expect(cache.size).toBe(2);
  });
});

/** A bus shaped like the Redis one (it can degrade) over the in-process bus; records what is published on the invalidation channel. */
function degradableBus() {
  const local = createInProcessBus();
  const published: ConversationEvent[] = [];
  let degraded = false;
  const degradedListeners: ((value: boolean) => void)[] = [];
  const bus: EventBus & { degraded: boolean; onDegradedChange(listener: (value: boolean) => void): void } = {
    publish: (id, event) => {
      if (id === INVALIDATIONS_CHANNEL) published.push(event);
    },
    subscribe: (id, listener) => local.subscribe(id, listener),
    close: () => local.close(),
    get degraded() {
      return degraded;
    },
    onDegradedChange: (listener) => void degradedListeners.push(listener),
  };
  return { bus, local, published, degradedListeners, setDegraded: (value: boolean) => (degraded = value) };
}

describe('invalidations', () => {
  it('on embedded SQLite with the in-process bus: reliable, and hears changes announced on its database only', async () => {
    const database = await createTestDatabase('sqlite');
    const other = await createTestDatabase('sqlite');
    const invalidations = createInvalidations(database.db, createInProcessBus());
    try {
      await expect.poll(() => invalidations.reliable).toBe(true);
      const heard: CredentialChange[] = [];
      invalidations.onChange((change) => heard.push(change));
      announceCredentialChange(other.db, { kind: 'apiKey', id: 'key_elsewhere' });
      await database.db.transaction().execute(async (trx) => announceCredentialChange(trx, { kind: 'workspace', id: 'ws_1' }));
      // Announced in a transaction: heard at once, and again once it committed.
      expect(heard).toEqual([
        { kind: 'workspace', id: 'ws_1' },
        { kind: 'workspace', id: 'ws_1' },
      ]);
    } finally {
      invalidations.close();
      await database.destroy();
      await other.destroy();
    }
  });

  /** Invalidations on a fresh embedded database over `bus`, beside a second connection to its file (as the CLI opens). */
  async function besideAnotherConnection(bus: Parameters<typeof createInvalidations>[1], run: (fixture: { database: TestDatabase; invalidations: ReturnType<typeof createInvalidations>; elsewhere: BetterSqlite3.Database; resets: () => number }) => Promise<void>) {
    const database = await createTestDatabase('sqlite');
    const invalidations = createInvalidations(database.db, bus);
    const elsewhere = new BetterSqlite3(database.url.replace(/^sqlite:/, ''));
    try {
      await expect.poll(() => invalidations.reliable).toBe(true);
      let resets = 0;
      invalidations.onReset(() => resets++);
      await sleep(DATA_VERSION_READ_EVERY_MS + 1);
      expect(invalidations.reliable).toBe(true);
      await run({ database, invalidations, elsewhere, resets: () => resets });
    } finally {
      elsewhere.close();
      invalidations.close();
      await database.destroy();
    }
  }

  it('on embedded SQLite: forgets everything once another connection (the CLI) has committed, within a millisecond', async () => {
    await besideAnotherConnection(createInProcessBus(), async ({ database, invalidations, elsewhere, resets }) => {
      expect(resets()).toBe(0);
      elsewhere.exec('CREATE TABLE written_elsewhere (id integer)');
      await sleep(DATA_VERSION_READ_EVERY_MS + 1);
      expect(invalidations.reliable).toBe(true);
      expect(resets()).toBe(1);
      await sleep(DATA_VERSION_READ_EVERY_MS + 1);
      expect(invalidations.reliable).toBe(true);
      expect(resets()).toBe(1);

      // This node's own commits are announced, not noticed: they reset nothing.
      await database.db.schema.createTable('written_here').addColumn('id', 'integer').execute();
      await sleep(DATA_VERSION_READ_EVERY_MS + 1);
      expect(invalidations.reliable).toBe(true);
      expect(resets()).toBe(1);
    });
  });

  it('on embedded SQLite with Redis: still forgets everything once another connection has committed (a CLI run without REDIS_URL)', async () => {
    await besideAnotherConnection(degradableBus().bus, async ({ invalidations, elsewhere, resets }) => {
      elsewhere.exec('CREATE TABLE written_elsewhere (id integer)');
      await sleep(DATA_VERSION_READ_EVERY_MS + 1);
      expect(invalidations.reliable).toBe(true);
      expect(resets()).toBe(1);
    });
  });

  it('publishes announced changes on the bus, delivers what other nodes publish, and says when the bus degrades', async () => {
    const database = await createTestDatabase('sqlite');
    const { bus, local, published, degradedListeners, setDegraded } = degradableBus();
    const invalidations = createInvalidations(database.db, bus);
    try {
      await expect.poll(() => invalidations.reliable).toBe(true);
      const heard: CredentialChange[] = [];
      let resets = 0;
      invalidations.onChange((change) => heard.push(change));
      invalidations.onReset(() => resets++);
      announceCredentialChange(database.db, { kind: 'apiKey', id: 'key_here' });
      expect(published).toEqual([{ type: 'invalidate', data: { kind: 'apiKey', id: 'key_here' } }]);
      local.publish(INVALIDATIONS_CHANNEL, { type: 'invalidate', data: { kind: 'webDeployment', id: 'wdep_there' } });
      local.publish(INVALIDATIONS_CHANNEL, { type: 'invalidate', data: { kind: 'nonsense', id: 1 } });
      expect(heard).toEqual([
        { kind: 'apiKey', id: 'key_here' },
        { kind: 'webDeployment', id: 'wdep_there' },
      ]);
      setDegraded(true);
      degradedListeners.forEach((listener) => listener(true));
      expect(invalidations.reliable).toBe(false);
      setDegraded(false);
      degradedListeners.forEach((listener) => listener(false));
      expect(invalidations.reliable).toBe(true);
      expect(resets).toBe(2);
    } finally {
      invalidations.close();
      await database.destroy();
    }
  });
});

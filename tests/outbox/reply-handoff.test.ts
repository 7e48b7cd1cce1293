/**
 * A reply's outbox row is written already claimed by the node that wrote it when its dispatcher has
 * a free slot, and handed to the dispatcher once the transaction commits: no claim statement and no
 * wait for a pass. The slot counts against the dispatcher's concurrency from the moment it is
 * reserved; a transaction that does not commit frees it; a row whose node died before sending it is
 * taken over when its lease runs out, like any claimed row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '@switchboard/core';
import { createClaimLoop } from '../../packages/server/src/outbox/claim-loop.js';
import { replyOutbox, type QueuedReply } from '../../packages/server/src/outbox/enqueue-reply.js';
import { deliveriesRepository, type DeliveryRecord } from '../../packages/server/src/store/repositories/deliveries.js';
import type { ConversationRecord } from '../../packages/server/src/store/repositories/conversations.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/engines.js';
import { waitUntil } from '../helpers/wait.js';

const quiet = { error: () => undefined, warn: () => undefined };

function loopWithSlots(concurrency: number) {
  const claims: number[] = [];
  const ran: string[] = [];
  const released: string[] = [];
  const finish = new Map<string, () => void>();
  const loop = createClaimLoop<{ id: string }>({
    name: 'item',
    claim: async (limit) => {
      claims.push(limit);
      return [];
    },
    run: (item) =>
      new Promise<void>((resolve) => {
        ran.push(item.id);
        finish.set(item.id, resolve);
      }),
    renew: async (items) => items,
    release: async (items) => {
      released.push(...items.map((item) => item.id));
      return items.length;
    },
    concurrency,
    batchSize: concurrency,
    leaseMs: 60_000,
    pollMs: 60_000,
    logger: quiet,
  });
  return { loop, claims, ran, released, finish };
}

describe('reserved slots of the claim loop', () => {
  it('counts reserved slots against the concurrency, runs an adopted item at once and frees a cancelled slot', async () => {
    const { loop, claims, ran, finish } = loopWithSlots(2);
    expect(loop.reserve()).toBe(true);
    expect(loop.reserve()).toBe(true);
    expect(loop.reserve()).toBe(false);

    // A pass finds no room while both slots are reserved: it claims nothing.
    loop.kick();
    await loop.idle();
    expect(claims).toEqual([]);

    loop.adopt({ id: 'a' });
    expect(ran).toEqual(['a']);
    expect(loop.inFlight()).toBe(1);
    expect(loop.reserve()).toBe(false);

    // The cancelled slot wakes the pass that stopped at the limit: it claims for one.
    loop.cancel();
    await waitUntil(() => claims.length === 1);
    expect(claims).toEqual([1]);

    finish.get('a')!();
    await loop.idle();
    expect(loop.inFlight()).toBe(0);
    expect(loop.reserve()).toBe(true);
    await loop.stop();
  });

  it('gives back an item adopted while shutting down instead of running it, and reserves nothing more', async () => {
    const { loop, ran, released } = loopWithSlots(2);
    expect(loop.reserve()).toBe(true);
    await loop.stop();
    expect(loop.reserve()).toBe(false);
    loop.adopt({ id: 'late' });
    await waitUntil(() => released.length === 1);
    expect(released).toEqual(['late']);
    expect(ran).toEqual([]);
  });
});

describe('the reply outbox', () => {
  function fakeDispatcher(free: boolean) {
    const calls: string[] = [];
    return {
      calls,
      reserve: () => {
        calls.push('reserve');
        return free ? { node: 'node_test', lockedUntil: Date.now() + 4_000 } : undefined;
      },
      adopt: (delivery: DeliveryRecord) => void calls.push(`adopt ${delivery.id}`),
      cancel: () => void calls.push('cancel'),
      kick: () => void calls.push('kick'),
    };
  }
  const delivery = (id: string) => ({ id }) as DeliveryRecord;
  const limits = { maxAttempts: 3, maxReplySegments: 5 };

  it('hands committed claimed rows to the dispatcher, wakes it for pending ones, and frees the slots of a rollback', () => {
    const dispatcher = fakeDispatcher(true);
    const outbox = replyOutbox(dispatcher, limits);
    const queued: QueuedReply[] = [
      { delivery: delivery('d1'), claimed: true },
      { delivery: delivery('d2'), claimed: false },
    ];
    outbox.settle(queued, true);
    expect(dispatcher.calls).toEqual(['adopt d1', 'kick']);

    dispatcher.calls.length = 0;
    outbox.settle(queued, false);
    expect(dispatcher.calls).toEqual(['cancel']);
  });

  describe.each(ENGINES)('on %s', (engine) => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await createTestDatabase(engine);
    });
    afterAll(() => database.destroy());

    const conversation = { id: 'conv_handoffTest00001', workspaceId: 'ws_handoffTest0001', channelId: 'chan_doesNotExist001', contactId: 'ct_handoffTest00001' } as ConversationRecord;
    const reply = { id: 'msg_handoffTest00001', text: 'hello', role: 'agent' } as Message;

    it('frees the reserved slot when no row is written (the channel delivers by other means) or the write fails', async () => {
      const dispatcher = fakeDispatcher(true);
      const outbox = replyOutbox(dispatcher, limits);
      expect(await outbox.enqueue(database.db, conversation, reply)).toBeUndefined();
      expect(dispatcher.calls).toEqual(['reserve', 'cancel']);

      const broken = await createTestDatabase(engine);
      await broken.destroy();
      dispatcher.calls.length = 0;
      await expect(outbox.enqueue(broken.db, conversation, reply)).rejects.toThrow();
      expect(dispatcher.calls).toEqual(['reserve', 'cancel']);
    });

    it('writes a claimed row as sending under the lease, which only an expired-lease claim takes over', async () => {
      const outbox = deliveriesRepository(database.db);
      const lockedUntil = Date.now() + 4_000;
      const record = await outbox.insertRecord(
        { workspaceId: 'ws_handoffTest0001', connectionId: 'conn_handoffTest001', channelId: 'chan_handoffTest001', conversationId: conversation.id, messageId: reply.id, payload: { text: 'hello' }, maxAttempts: 3 },
        { node: 'node_died', lockedUntil },
      );
      expect(record).toMatchObject({ status: 'sending', attempts: 1, lockedBy: 'node_died', payload: { text: 'hello' } });
      const row = await database.db.selectFrom('deliveries').select(['status', 'attempts', 'locked_by', 'locked_until']).where('id', '=', record.id).executeTakeFirstOrThrow();
      expect(row).toEqual({ status: 'sending', attempts: 1, locked_by: 'node_died', locked_until: lockedUntil });

      // Another node finds nothing while the lease holds, and takes it over once it has run out.
      expect(await outbox.claim('node_other', 10, 4_000, lockedUntil - 1)).toEqual([]);
      const taken = await outbox.claim('node_other', 10, 4_000, lockedUntil + 1);
      expect(taken.map((row) => [row.id, row.lockedBy, row.attempts])).toEqual([[record.id, 'node_other', 2]]);
    });
  });
});

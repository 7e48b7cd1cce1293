import { afterEach, describe, expect, it } from 'vitest';
import { createRedisBus } from '../../packages/server/src/bus/redis-bus.js';
import { createInProcessBus, type ConversationEvent, type EventBus } from '../../packages/server/src/bus/event-bus.js';
import { REDIS_URL, availableServices } from '../helpers/services.js';


function collector() {
  const seen: ConversationEvent[] = [];
  const waiters: (() => void)[] = [];
  return {
    seen,
    listener: (event: ConversationEvent) => {
      seen.push(event);
      waiters.splice(0).forEach((wake) => wake());
    },
    async until(count: number, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      while (seen.length < count) {
        if (Date.now() > deadline) throw new Error(`saw ${seen.length} of ${count} events`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
    },
  };
}

describe('event buses', () => {
  const open: EventBus[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((bus) => bus.close()));
  });

  it('in process: delivers to the conversation listeners only, until they unsubscribe', async () => {
    const bus = createInProcessBus();
    const a = collector();
    const b = collector();
    const stopA = await bus.subscribe('conv_a', a.listener);
    await bus.subscribe('conv_b', b.listener);
    bus.publish('conv_a', { type: 'typing', data: { active: true } });
    stopA();
    bus.publish('conv_a', { type: 'typing', data: { active: false } });
    expect(a.seen).toEqual([{ type: 'typing', data: { active: true } }]);
    expect(b.seen).toEqual([]);
  });

  it.runIf(availableServices().redis)('over Redis: an event published on one node reaches the streams of another, in order', async () => {
    const conversation = `conv_${Date.now()}`;
    const nodeA = await createRedisBus(REDIS_URL, { onError: (e) => { throw e; } });
    const nodeB = await createRedisBus(REDIS_URL, { onError: (e) => { throw e; } });
    open.push(nodeA, nodeB);
    const onB = collector();
    const onA = collector();
    await nodeB.subscribe(conversation, onB.listener);
    await nodeA.subscribe(conversation, onA.listener);
    for (let i = 1; i <= 20; i++) nodeA.publish(conversation, { id: i, type: 'message', data: { n: i } });
    await onB.until(20);
    await onA.until(20);
    expect(onB.seen.map((e) => e.id)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(onA.seen).toEqual(onB.seen);
  });

  it.runIf(availableServices().redis)('over Redis: a node stops receiving once its last listener leaves', async () => {
    const conversation = `conv_leave_${Date.now()}`;
    const nodeA = await createRedisBus(REDIS_URL, { onError: (e) => { throw e; } });
    const nodeB = await createRedisBus(REDIS_URL, { onError: (e) => { throw e; } });
    open.push(nodeA, nodeB);
    const onB = collector();
    const stop = await nodeB.subscribe(conversation, onB.listener);
    nodeA.publish(conversation, { type: 'delta', data: { text: 'one' } });
    await onB.until(1);
    stop();
    await new Promise((r) => setTimeout(r, 100));
    nodeA.publish(conversation, { type: 'delta', data: { text: 'two' } });
    await new Promise((r) => setTimeout(r, 200));
    expect(onB.seen.map((e) => (e.data as { text: string }).text)).toEqual(['one']);
  });
});

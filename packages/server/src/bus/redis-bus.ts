import { Redis } from 'ioredis';
import { LocalListeners, type ConversationEvent, type EventBus } from './event-bus.js';

const CHANNEL_PREFIX = 'switchboard:conversation:';

/**
 * Fan-out across server processes through Redis pub/sub. Every event goes through Redis,
 * even to listeners of the publishing process, so all nodes see one order per conversation.
 * A node subscribes to a conversation's channel only while one of its streams watches it.
 */
export async function createRedisBus(url: string, onError: (error: Error) => void): Promise<EventBus & { redis: Redis }> {
  const publisher = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  const subscriber = new Redis(url, { lazyConnect: true });
  publisher.on('error', onError);
  subscriber.on('error', onError);
  await Promise.all([publisher.connect(), subscriber.connect()]);

  const listeners = new LocalListeners();
  subscriber.on('message', (channel: string, payload: string) => {
    if (!channel.startsWith(CHANNEL_PREFIX)) return;
    listeners.deliver(channel.slice(CHANNEL_PREFIX.length), JSON.parse(payload) as ConversationEvent);
  });

  return {
    /** The publishing connection, free for ordinary commands (rate-limit counters). */
    redis: publisher,
    publish(conversationId, event) {
      publisher.publish(CHANNEL_PREFIX + conversationId, JSON.stringify(event)).catch(onError);
    },
    async subscribe(conversationId, listener) {
      if (listeners.add(conversationId, listener)) await subscriber.subscribe(CHANNEL_PREFIX + conversationId);
      return () => {
        if (listeners.remove(conversationId, listener)) subscriber.unsubscribe(CHANNEL_PREFIX + conversationId).catch(onError);
      };
    },
    async close() {
      listeners.clear();
      await Promise.allSettled([publisher.quit(), subscriber.quit()]);
    },
  };
}

import { Redis } from 'ioredis';
import { LocalListeners, type ConversationEvent, type EventBus } from './event-bus.js';
import { DEFAULT_REDIS_PREFIX } from './redis-prefix.js';

export { DEFAULT_REDIS_PREFIX };

export interface RedisBusOptions {
  /** Namespaces every key and channel, so installations can share one Redis. */
  prefix?: string;
  onError?: (error: Error) => void;
}

export interface RedisBus extends EventBus {
  /** The publishing connection, free for ordinary commands (rate-limit counters). */
  redis: Redis;
  prefix: string;
  /** True while Redis cannot be reached: events then go to this process's streams only. */
  readonly degraded: boolean;
  /** Called with true when Redis is lost and with false when it is back. */
  onDegradedChange(listener: (degraded: boolean) => void): void;
}

const CONNECT_WAIT_MS = 3_000;

/**
 * Fan-out across server processes through Redis pub/sub. Every event goes through Redis,
 * even to listeners of the publishing process, so all nodes see one order per conversation.
 * A node subscribes to a conversation's channel only while one of its streams watches it.
 *
 * While Redis is unreachable the bus degrades instead of failing: an event reaches the
 * streams of the process that produced it, and Redis is tried again in the background.
 * Subscriptions are renewed when it comes back (ioredis re-subscribes on reconnect).
 */
export async function createRedisBus(url: string, options: RedisBusOptions = {}): Promise<RedisBus> {
  const prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
  const channelPrefix = `${prefix}conversation:`;
  const onError = options.onError ?? (() => undefined);
  const retryStrategy = (attempt: number) => Math.min(200 * attempt, 2_000);
  // No offline queue on the publisher: while Redis is down a command fails at once and the
  // caller falls back, instead of waiting for a reconnect that may take minutes.
  const publisher = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy });
  const subscriber = new Redis(url, { lazyConnect: true, retryStrategy });
  const listeners = new LocalListeners();
  const degradedListeners: ((degraded: boolean) => void)[] = [];
  let degraded = true;
  let lastError = '';

  const setDegraded = (next: boolean) => {
    if (next === degraded) return;
    degraded = next;
    for (const listener of degradedListeners) listener(next);
  };
  const report = (error: Error) => {
    // One report per distinct failure, not one per reconnect attempt.
    if (error.message !== lastError) onError(error);
    lastError = error.message;
  };
  const updateState = () => setDegraded(!(publisher.status === 'ready' && subscriber.status === 'ready'));
  for (const connection of [publisher, subscriber]) {
    connection.on('error', report);
    connection.on('ready', () => {
      lastError = '';
      updateState();
    });
    connection.on('close', updateState);
    connection.on('end', updateState);
  }

  subscriber.on('message', (channel: string, payload: string) => {
    if (!channel.startsWith(channelPrefix)) return;
    listeners.deliver(channel.slice(channelPrefix.length), JSON.parse(payload) as ConversationEvent);
  });

  const connected = Promise.all([publisher.connect(), subscriber.connect()]).catch((error: Error) => report(error));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([connected, new Promise<void>((resolve) => (timer = setTimeout(resolve, CONNECT_WAIT_MS)))]);
  clearTimeout(timer);
  updateState();

  return {
    redis: publisher,
    prefix,
    get degraded() {
      return degraded;
    },
    onDegradedChange(listener) {
      degradedListeners.push(listener);
    },
    publish(conversationId, event) {
      if (degraded) {
        listeners.deliver(conversationId, event);
        return;
      }
      publisher.publish(channelPrefix + conversationId, JSON.stringify(event)).catch((error: Error) => {
        report(error);
        listeners.deliver(conversationId, event);
      });
    },
    async subscribe(conversationId, listener) {
      if (listeners.add(conversationId, listener)) {
        const subscribed = subscriber.subscribe(channelPrefix + conversationId);
        // Down: ioredis holds the subscription and sends it on reconnect; the stream need not wait.
        if (degraded) subscribed.catch(report);
        else await subscribed.catch(report);
      }
      return () => {
        if (listeners.remove(conversationId, listener)) subscriber.unsubscribe(channelPrefix + conversationId).catch(report);
      };
    },
    async close() {
      listeners.clear();
      // QUIT when connected; a connection that is down is just dropped (it would wait to reconnect).
      await Promise.allSettled([publisher, subscriber].map((c) => (c.status === 'ready' ? c.quit() : Promise.resolve(c.disconnect()))));
    },
  };
}

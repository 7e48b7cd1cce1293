/**
 * Delivers a workspace's operator events to the open GET /v1/events streams of this node.
 *
 * The database is the source: each stream has a cursor (the last seq it sent) and receives the
 * rows after it, in seq order, so live delivery and replay are the same read. A committed change
 * wakes the workspace's streams on every node through the bus (`workspace:<id>`); each node
 * coalesces wake-ups into one indexed read per workspace, whatever the number of streams, and
 * also reads every `pollMs` in case a wake-up was lost (Redis down, a node that crashed before
 * publishing).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.js';
import type { EventBus } from '../bus/event-bus.js';
import { WORKSPACE_EVENT_RETENTION_MS, workspaceEventsRepository, type WorkspaceEvent } from './workspace-events.js';

const READ_LIMIT = 500;
const PRUNE_EVERY_MS = 10 * 60_000;

export interface HubStream {
  /** The last seq this stream sent. */
  cursor: number;
  /** Receives events after `cursor`, in order; it must advance `cursor`. */
  deliver(events: WorkspaceEvent[]): void;
}

interface Group {
  streams: Set<HubStream>;
  unsubscribe?: () => void;
  timer: NodeJS.Timeout;
  reading: boolean;
  again: boolean;
}

export interface EventHubOptions {
  db: Kysely<DB>;
  bus: EventBus;
  pollMs?: number;
  onError?: (error: unknown) => void;
}

export const workspaceTopic = (workspaceId: string) => `workspace:${workspaceId}`;

export function createEventHub(options: EventHubOptions) {
  const { db, bus } = options;
  const events = workspaceEventsRepository(db);
  const pollMs = options.pollMs ?? 2_000;
  const groups = new Map<string, Group>();
  const toWake = new Set<string>();
  let pruneTimer: NodeJS.Timeout | undefined;
  /** Set while reads fail, so an outage is reported once. */
  let failing = false;

  async function read(workspaceId: string): Promise<void> {
    const group = groups.get(workspaceId);
    if (!group) return;
    if (group.reading) {
      group.again = true;
      return;
    }
    group.reading = true;
    try {
      do {
        group.again = false;
        if (group.streams.size === 0) break;
        const from = Math.min(...[...group.streams].map((s) => s.cursor));
        const rows = await events.after(workspaceId, from, READ_LIMIT);
        for (const stream of group.streams) {
          // A stream that joined during the read, further back, gets its own read next.
          if (stream.cursor < from) {
            group.again = true;
            continue;
          }
          const fresh = rows.filter((row) => row.id > stream.cursor);
          if (fresh.length > 0) stream.deliver(fresh);
        }
        if (rows.length === READ_LIMIT) group.again = true;
      } while (group.again);
      failing = false;
    } catch (error) {
      // A database fault: the next wake-up or poll reads again.
      if (!failing) options.onError?.(error);
      failing = true;
    } finally {
      group.reading = false;
    }
  }

  function flushWakes() {
    for (const workspaceId of toWake) bus.publish(workspaceTopic(workspaceId), { type: 'wake', data: null });
    toWake.clear();
  }

  return {
    /** After a transaction that emitted events commits: wakes the workspace's streams on every node (coalesced per tick). */
    notify(workspaceId: string): void {
      if (toWake.size === 0) setImmediate(flushWakes);
      toWake.add(workspaceId);
    },

    /** Starts delivering to a stream (from its cursor, at once); call the result to stop. */
    async attach(workspaceId: string, stream: HubStream): Promise<() => void> {
      let group = groups.get(workspaceId);
      if (!group) {
        const timer = setInterval(() => void read(workspaceId), pollMs);
        timer.unref();
        const created: Group = { streams: new Set(), timer, reading: false, again: false };
        groups.set(workspaceId, (group = created));
        const unsubscribe = await bus.subscribe(workspaceTopic(workspaceId), () => void read(workspaceId));
        if (groups.get(workspaceId) === created) created.unsubscribe = unsubscribe;
        else unsubscribe();
      }
      group.streams.add(stream);
      void read(workspaceId);
      const joined = group;
      return () => {
        joined.streams.delete(stream);
        if (joined.streams.size > 0 || groups.get(workspaceId) !== joined) return;
        groups.delete(workspaceId);
        clearInterval(joined.timer);
        joined.unsubscribe?.();
      };
    },

    /** Prunes events older than the retention now and every 10 minutes. */
    startPruning(): void {
      const prune = () =>
        void events.prune(Date.now() - WORKSPACE_EVENT_RETENTION_MS).catch((error: unknown) => options.onError?.(error));
      prune();
      pruneTimer = setInterval(prune, PRUNE_EVERY_MS);
      pruneTimer.unref();
    },

    stop(): void {
      if (pruneTimer) clearInterval(pruneTimer);
      for (const group of groups.values()) {
        clearInterval(group.timer);
        group.unsubscribe?.();
      }
      groups.clear();
    },
  };
}
export type EventHub = ReturnType<typeof createEventHub>;

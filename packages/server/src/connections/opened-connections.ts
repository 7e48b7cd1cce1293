import type { ConnectionContext } from '../channels/adapter.js';
import type { ConnectionRecord } from '../store/repositories/connections.js';

/**
 * How long a connection read for a webhook is reused. Changes made through this node drop it at
 * once; a change made through another node is seen within this time.
 */
export const OPENED_CONNECTION_TTL_MS = 1_000;

/** Beyond this many connections the cache starts over rather than growing. */
const MAX_ENTRIES = 1_000;

export interface OpenedConnection {
  record: ConnectionRecord;
  context: ConnectionContext;
}

export interface OpenedConnections {
  /** The connection with its secrets opened, or undefined when there is none with this id. */
  get(id: string): Promise<OpenedConnection | undefined>;
  /** The connection changed or is gone: the next webhook reads it again. */
  forget(id: string): void;
  /** Something several connections may share changed (a secret's value): read them all again. */
  clear(): void;
}

/**
 * Every webhook names its connection, whose row and opened secrets it needs before anything
 * else; a provider sends many a second to the same few. This keeps them briefly, one read
 * shared by the webhooks that arrive together. Missing connections are not kept, so one
 * created a moment ago is found at once.
 */
export function openedConnections(
  open: (id: string) => Promise<OpenedConnection | undefined>,
  options: { ttlMs?: number; now?: () => number } = {},
): OpenedConnections {
  const ttlMs = options.ttlMs ?? OPENED_CONNECTION_TTL_MS;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { opened: Promise<OpenedConnection | undefined>; until: number }>();

  return {
    get(id) {
      const cached = entries.get(id);
      if (cached && cached.until > now()) return cached.opened;
      if (entries.size >= MAX_ENTRIES) entries.clear();
      const opened = open(id);
      const entry = { opened, until: now() + ttlMs };
      entries.set(id, entry);
      // Only what was found is kept; and only if nothing dropped it meanwhile.
      const drop = () => {
        if (entries.get(id) === entry) entries.delete(id);
      };
      opened.then((found) => found ?? drop(), drop);
      return opened;
    },
    forget(id) {
      entries.delete(id);
    },
    clear() {
      entries.clear();
    },
  };
}

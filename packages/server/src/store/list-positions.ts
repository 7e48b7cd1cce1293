/**
 * Where the numbered pages of channel lists start, so that page N is read from its position — the
 * rows after the last one of page N−1, an index range — instead of by skipping (N−1)·size rows
 * with OFFSET, which costs in proportion to the page number (PostgreSQL fetches every skipped row).
 * A walk through every page (the SDKs' auto-pagination) then reads each row once.
 *
 * A position holds only for the rows it was read from. Each is stamped with the list's change
 * count (the sum of channel_counts.changes, which every insert and delete moves in its own
 * transaction) and used only when the count read together with the page is the same; any other
 * count, on any node, reads the page by OFFSET again. Positions are remembered only from reads of
 * committed rows (outside transactions), so a rolled-back change never leaves one behind.
 */
import type { Kysely } from 'kysely';

export interface ListPosition {
  /** The list's change count the position was read under. */
  readonly changes: string;
  /** The last row before the page, by the list's order (created_at, id). */
  readonly createdAt: number;
  readonly id: string;
}

/** Positions kept per database; the least recently remembered go first. */
const CAPACITY = 4096;

export class ListPositions {
  private readonly positions = new Map<string, ListPosition>();

  constructor(private readonly capacity = CAPACITY) {}

  /** The position of a page, if one was remembered under these changes. */
  find(key: string, changes: string): ListPosition | undefined {
    const position = this.positions.get(key);
    return position?.changes === changes ? position : undefined;
  }

  /** The last position remembered for a page, whatever the changes: PostgreSQL checks them in the page's own statement. */
  latest(key: string): ListPosition | undefined {
    return this.positions.get(key);
  }

  remember(key: string, position: ListPosition): void {
    this.positions.delete(key);
    if (this.positions.size >= this.capacity) this.positions.delete(this.positions.keys().next().value as string);
    this.positions.set(key, position);
  }

  get size(): number {
    return this.positions.size;
  }
}

/** A page of one list: the workspace, the type filter (none: every type), the page size and number. */
export function pageKey(workspaceId: string, type: string | undefined, pageSize: number, page: number): string {
  return `${workspaceId}\u0000${type ?? ''}\u0000${pageSize}\u0000${page}`;
}

const byDatabase = new WeakMap<object, ListPositions>();

/** The positions of one database (its adapter, which every Kysely on it shares). */
export function listPositions(db: Kysely<any>): ListPositions {
  const adapter = db.getExecutor().adapter;
  let positions = byDatabase.get(adapter);
  if (!positions) {
    positions = new ListPositions();
    byDatabase.set(adapter, positions);
  }
  return positions;
}

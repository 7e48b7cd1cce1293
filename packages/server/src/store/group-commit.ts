export interface GroupCommitOptions<Item, Result> {
  /** Writes several submissions in one statement; answers one result per item, in order. */
  write(items: readonly Item[]): Promise<readonly Result[]>;
  /** Rows one batch may hold: each statement's parameters stay far below SQLite's and PostgreSQL's limits. */
  maxRows: number;
  /** Rows one item writes (1 unless given). An item larger than `maxRows` is written alone. */
  rowsOf?: (item: Item) => number;
  /**
   * Whether a failed batch of several items is written again item by item, so that only the
   * item at fault fails (a malformed row), rather than every item it held (a database fault).
   */
  retryOneByOne?: (error: unknown) => boolean;
}

interface Waiting<Item, Result> {
  item: Item;
  resolve: (result: Result) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: items submitted while a write is under way, or in the same turn of the event loop,
 * are written together by the next write, so one commit (one WAL append, or one round trip and
 * one fsync on PostgreSQL) is shared by all of them instead of each paying its own. Every caller
 * still waits for the commit that holds its item, and a write that fails fails the items it held.
 */
export function groupCommit<Item, Result>(options: GroupCommitOptions<Item, Result>): (item: Item) => Promise<Result> {
  const rowsOf = options.rowsOf ?? (() => 1);
  let queue: Waiting<Item, Result>[] = [];
  let writing = false;

  function takeBatch(): Waiting<Item, Result>[] {
    let rows = 0;
    let count = 0;
    while (count < queue.length && (count === 0 || rows + rowsOf(queue[count]!.item) <= options.maxRows)) {
      rows += rowsOf(queue[count]!.item);
      count++;
    }
    const batch = queue.slice(0, count);
    queue = queue.slice(count);
    return batch;
  }

  async function writeBatch(batch: Waiting<Item, Result>[]): Promise<void> {
    try {
      const results = await options.write(batch.map((waiting) => waiting.item));
      batch.forEach((waiting, index) => waiting.resolve(results[index]!));
    } catch (error) {
      if (batch.length === 1 || !options.retryOneByOne?.(error)) {
        for (const waiting of batch) waiting.reject(error);
        return;
      }
      for (const waiting of batch) {
        try {
          waiting.resolve((await options.write([waiting.item]))[0]!);
        } catch (own) {
          waiting.reject(own);
        }
      }
    }
  }

  async function drain(): Promise<void> {
    writing = true;
    try {
      while (queue.length > 0) await writeBatch(takeBatch());
    } finally {
      writing = false;
    }
  }

  return (item) =>
    new Promise<Result>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      // The first item of a quiet spell waits one turn of the event loop, so that items submitted
      // in the same turn share its write; later ones join whatever write comes next.
      if (!writing && queue.length === 1) setImmediate(() => void (writing || drain()));
    });
}

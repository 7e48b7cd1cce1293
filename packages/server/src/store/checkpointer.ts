import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';

/**
 * Moves SQLite's WAL checkpoints off the event loop. A checkpoint copies the WAL into the
 * database file and fsyncs it; run by the main connection (SQLite's automatic checkpoint)
 * that fsync stalls every request in flight. Here the main connection's automatic
 * checkpoint is turned off and a worker thread with its own connection checkpoints
 * PASSIVE-ly (never waiting for readers or writers) on a timer.
 *
 * A worker thread costs about 15 MiB (its own V8 heap and Node environment), so it runs only
 * while the database is being written: the main thread looks at the WAL file's size and time
 * every interval (a stat on the thread pool), starts the worker when they change, and stops it
 * (after a last checkpoint) once they have not changed for `idleStopMs`. An idle server has no
 * worker; a written one has its WAL checkpointed within about one interval, as before.
 *
 * Writes that never pause would let the WAL grow without end (see `walLimitBytes`): past that size
 * they are held, in their queue, while the worker copies the little written since its last pass.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
/** True when every frame of the WAL is now in the database file (TRUNCATE: and the WAL file is emptied). */
const checkpoint = (mode = 'PASSIVE') => {
  const truncate = mode === 'TRUNCATE';
  try {
    // A TRUNCATE waits for readers; one in another process (a backup) makes it give up at once instead.
    if (truncate) db.pragma('busy_timeout = 0');
    const [result] = db.pragma(truncate ? 'wal_checkpoint(TRUNCATE)' : 'wal_checkpoint(PASSIVE)');
    return result.busy === 0 && result.log === result.checkpointed;
  } catch (error) {
    parentPort.postMessage({ type: 'error', message: String(error) });
    return false;
  } finally {
    if (truncate) db.pragma('busy_timeout = 1000');
  }
};
const pass = () => {
  checkpoint();
  parentPort.postMessage({ type: 'passed' });
};
pass();
const timer = setInterval(pass, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message.type === 'checkpoint') parentPort.postMessage({ type: 'checkpointed', id: message.id, complete: checkpoint(message.mode) });
  if (message.type === 'stop') {
    clearInterval(timer);
    checkpoint();
    db.close();
    parentPort.close();
  }
});
`;

export interface Checkpointer {
  /** True while the worker thread exists (the WAL changed within the last `idleStopMs`). */
  readonly running: boolean;
  stop(): Promise<void>;
}

export interface CheckpointerOptions {
  /** How often the worker checkpoints, and how often the WAL file is looked at. */
  intervalMs?: number;
  /** How long the WAL must stay unchanged before the worker is stopped. */
  idleStopMs?: number;
  /**
   * Under writes that never pause, a checkpoint never catches up with the WAL, so the WAL is never
   * started over and grows without end. Past `walLimitBytes`, right after the worker's next pass, it
   * checkpoints once more inside `holdWrites` (which keeps the database's connection from writing
   * while it runs): that pass finds only what was written during the one before, completes, and the
   * next write starts the WAL over, reusing the file. Without `holdWrites` the WAL is started over
   * only when writes pause.
   */
  walLimitBytes?: number;
  /**
   * Once writes have paused for an interval, a WAL file larger than this is emptied (a TRUNCATE
   * checkpoint, inside `holdWrites`). Truncating is left to the worker: a writer that truncated on
   * starting the WAL over would stall the event loop while the file system frees the blocks.
   */
  trimBytes?: number;
  holdWrites?: <T>(work: () => Promise<T>) => Promise<T>;
  onError?: (message: string) => void;
}

/** The longest writes are held for a checkpoint: a worker that does not answer by then is not waited for. */
const HOLD_LIMIT_MS = 2_000;

export function startCheckpointer(file: string, driverPath: string, options: CheckpointerOptions = {}): Checkpointer {
  const intervalMs = options.intervalMs ?? 1000;
  const idleStopMs = options.idleStopMs ?? 30_000;
  const walLimitBytes = options.walLimitBytes ?? Number.POSITIVE_INFINITY;
  const trimBytes = options.trimBytes ?? Number.POSITIVE_INFINITY;
  const onError = options.onError ?? (() => undefined);
  let worker: Worker | undefined;
  let exited: Promise<void> | undefined;
  let lastSeen = '';
  let lastChange = 0;
  let stopped = false;

  /** The WAL was last seen past `walLimitBytes`: writes are held after the worker's next pass. */
  let overCap = false;
  let holding = false;
  /**
   * Right after one of the worker's passes, only what was written during that pass is left to copy:
   * writes wait while a second pass copies it, and the next write starts the WAL over.
   */
  const holdForCheckpoint = () => {
    if (holding || !options.holdWrites) return;
    overCap = false;
    holding = true;
    void options
      .holdWrites(() => checkpointNow(HOLD_LIMIT_MS))
      .catch((error: unknown) => onError(String(error)))
      .finally(() => (holding = false));
  };

  let requests = 0;
  const answers = new Map<number, (complete: boolean) => void>();
  /** Asks the worker for a checkpoint now; resolves whether it left nothing of the WAL behind (false without an answer in time). */
  const checkpointNow = (timeoutMs: number, mode: 'PASSIVE' | 'TRUNCATE' = 'PASSIVE'): Promise<boolean> => {
    const thread = worker;
    if (!thread) return Promise.resolve(false);
    const id = ++requests;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => answered(false), timeoutMs).unref();
      const answered = (complete: boolean) => {
        clearTimeout(timer);
        answers.delete(id);
        // A worker being stopped stays referenced until it has closed its connection.
        if (answers.size === 0 && worker === thread) thread.unref();
        resolve(complete);
      };
      answers.set(id, answered);
      // Writes may be waiting on the answer: the process stays up for it.
      thread.ref();
      thread.postMessage({ type: 'checkpoint', id, mode });
    });
  };

  const startWorker = () => {
    const thread = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver: driverPath, intervalMs } });
    thread.on('message', (message: { type: 'error'; message: string } | { type: 'checkpointed'; id: number; complete: boolean } | { type: 'passed' }) => {
      if (message.type === 'error') onError(message.message);
      else if (message.type === 'checkpointed') answers.get(message.id)?.(message.complete);
      else if (overCap) holdForCheckpoint();
    });
    thread.unref();
    worker = thread;
    exited = new Promise<void>((resolve) =>
      thread.once('exit', () => {
        if (worker === thread) worker = undefined;
        for (const answer of [...answers.values()]) answer(false);
        resolve();
      }),
    );
  };

  /** Asks the worker for a last checkpoint and waits for it to close its connection and end. */
  const stopWorker = (): Promise<void> => {
    const thread = worker;
    if (!thread) return exited ?? Promise.resolve();
    worker = undefined;
    // Keep the process alive until the worker has checkpointed and closed its connection.
    thread.ref();
    thread.postMessage({ type: 'stop' });
    return exited!;
  };

  const walState = (wal: { size: number; mtimeMs: number } | undefined) => (wal ? `${wal.size}:${wal.mtimeMs}` : '');
  /**
   * The WAL as the database was opened is noted before anything can write to it (what is in it is
   * already safe there): a look on the thread pool could otherwise run after the first writes and
   * take them for the starting state, leaving them unchecked until the next write.
   */
  lastSeen = walState(statSync(`${file}-wal`, { throwIfNoEntry: false }));
  lastChange = Date.now();

  let looking = false;
  const look = async () => {
    if (looking || stopped) return;
    looking = true;
    try {
      const wal = await stat(`${file}-wal`).catch(() => undefined);
      const seen = walState(wal);
      const now = Date.now();
      if (seen !== lastSeen) {
        lastSeen = seen;
        lastChange = now;
        if (!worker && !stopped) {
          // A worker that is still ending is waited for: two would checkpoint at once.
          await exited;
          if (!stopped) startWorker();
        }
      } else if (worker && now - lastChange >= idleStopMs) {
        await stopWorker();
      } else if (wal && worker && options.holdWrites && wal.size > trimBytes) {
        await options.holdWrites(() => checkpointNow(HOLD_LIMIT_MS, 'TRUNCATE'));
      }
      overCap = wal !== undefined && wal.size > walLimitBytes;
    } finally {
      looking = false;
    }
  };
  const timer = setInterval(() => void look(), intervalMs);
  timer.unref();

  let stopping: Promise<void> | undefined;
  return {
    get running() {
      return worker !== undefined;
    },
    stop() {
      if (!stopping) {
        stopped = true;
        clearInterval(timer);
        stopping = stopWorker();
      }
      return stopping;
    },
  };
}

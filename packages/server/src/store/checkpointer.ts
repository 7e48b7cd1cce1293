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
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const checkpoint = () => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (error) { parentPort.postMessage(String(error)); }
};
checkpoint();
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message === 'stop') {
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
  onError?: (message: string) => void;
}

export function startCheckpointer(file: string, driverPath: string, options: CheckpointerOptions = {}): Checkpointer {
  const intervalMs = options.intervalMs ?? 1000;
  const idleStopMs = options.idleStopMs ?? 30_000;
  const onError = options.onError ?? (() => undefined);
  let worker: Worker | undefined;
  let exited: Promise<void> | undefined;
  let lastSeen = '';
  let lastChange = 0;
  let stopped = false;

  const startWorker = () => {
    const thread = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver: driverPath, intervalMs } });
    thread.on('message', (message: string) => onError(message));
    thread.unref();
    worker = thread;
    exited = new Promise<void>((resolve) =>
      thread.once('exit', () => {
        if (worker === thread) worker = undefined;
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
    thread.postMessage('stop');
    return exited!;
  };

  let looking = false;
  /** The first look only notes the WAL as the database was opened: what is in it is already safe there. */
  const look = async (first = false) => {
    if (looking || stopped) return;
    looking = true;
    try {
      const wal = await stat(`${file}-wal`).catch(() => undefined);
      const seen = wal ? `${wal.size}:${wal.mtimeMs}` : '';
      const now = Date.now();
      if (seen !== lastSeen) {
        lastSeen = seen;
        lastChange = now;
        if (!first && !worker && !stopped) {
          // A worker that is still ending is waited for: two would checkpoint at once.
          await exited;
          if (!stopped) startWorker();
        }
      } else if (worker && now - lastChange >= idleStopMs) {
        await stopWorker();
      }
    } finally {
      looking = false;
    }
  };
  const timer = setInterval(() => void look(), intervalMs);
  timer.unref();
  void look(true);

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

/** The longest a loop waits before trying again after failed passes. */
export const MAX_FAILURE_BACKOFF_MS = 5_000;

/**
 * Runs `drain` whenever kicked, never twice at once (a kick during a pass asks for one
 * more pass), and again every `pollMs` so work left by other nodes or by a crash is found.
 * A pass that fails (the database is down, say) is reported to `onError` and the next one
 * waits longer each time, doubling from `pollMs` up to MAX_FAILURE_BACKOFF_MS, until one succeeds.
 */
export function createWorkLoop(options: {
  drain: () => Promise<void>;
  pollMs: number;
  onError: (error: unknown, failuresInARow: number) => void;
}) {
  let running = false;
  let again = false;
  let stopped = false;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();

  function schedule(): void {
    if (stopped) return;
    clearTimeout(timer);
    const delay = failures === 0 ? options.pollMs : Math.min(MAX_FAILURE_BACKOFF_MS, Math.max(options.pollMs, options.pollMs * 2 ** (failures - 1)));
    timer = setTimeout(kick, delay);
    timer.unref();
  }

  function kick(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    // A kick comes after a write that worked (a webhook recorded, a reply queued): it runs a pass at
    // once even while backing off, since the database evidently answers again.
    running = true;
    current = (async () => {
      try {
        do {
          again = false;
          await options.drain();
        } while (again && !stopped);
        failures = 0;
      } catch (error) {
        failures++;
        try {
          options.onError(error, failures);
        } catch {
          // a failing logger must not stop the loop
        }
      } finally {
        running = false;
        schedule();
      }
    })();
  }

  return {
    kick,
    /** Resolves once no pass is running. */
    async idle(): Promise<void> {
      while (running) await current;
    },
    /** True once `stop` was called: a pass in progress should take no new work. */
    stopping: () => stopped,
    /** Stops polling and waits for the pass in progress, at most until `deadline` (epoch ms) when given. */
    async stop(deadline?: number): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      if (deadline === undefined) return current;
      let wait: NodeJS.Timeout | undefined;
      await Promise.race([current, new Promise<void>((resolve) => (wait = setTimeout(resolve, Math.max(0, deadline - Date.now()))))]);
      clearTimeout(wait);
    },
  };
}

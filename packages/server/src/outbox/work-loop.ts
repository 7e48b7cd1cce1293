/**
 * Runs `drain` whenever kicked, never twice at once (a kick during a pass asks for one
 * more pass), and again every `pollMs` so work left by other nodes or by a crash is found.
 */
export function createWorkLoop(options: {
  drain: () => Promise<void>;
  pollMs: number;
  onError: (error: unknown) => void;
}) {
  let running = false;
  let again = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();

  function schedule(): void {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(kick, options.pollMs);
    timer.unref();
  }

  function kick(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    current = (async () => {
      try {
        do {
          again = false;
          await options.drain();
        } while (again && !stopped);
      } catch (error) {
        options.onError(error);
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
    /** Stops polling and waits for the pass in progress. */
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}

/**
 * Ends open widget streams whose access was taken away: a revoked or rotated token, a removed
 * origin, a paused or deleted deployment, a suspended workspace. Every node checks its own
 * streams against the database every `intervalMs`, so a change made through any node reaches
 * every stream within about that time, with or without Redis. Streams sharing a token are
 * checked with one lookup.
 */
import type { ApiError } from '../http/errors.js';

export interface GuardedStream {
  tokenHash: string;
  origin: string | undefined;
  /** Ends the stream with a last chunk. */
  end(lastChunk: string): void;
}

export interface StreamGuardOptions {
  /** Looks the token up once and answers, per origin, why it may no longer be used from there (or undefined). */
  check(tokenHash: string): Promise<(origin: string | undefined) => ApiError | undefined>;
  intervalMs?: number;
  onError?: (error: unknown) => void;
}

/** The last event of a stream whose access ended; the widget shows `message` to the visitor. */
export function closedEvent(error: ApiError): string {
  const reason = (error.meta as { reason?: string }).reason ?? error.code;
  return `event: closed\ndata: ${JSON.stringify({ status: error.status, code: error.code, reason, message: error.message })}\n\n`;
}

export function createStreamGuard(options: StreamGuardOptions) {
  const intervalMs = options.intervalMs ?? 500;
  const streams = new Set<GuardedStream>();
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  /** Set while checks fail, so an outage is reported once, not every interval. */
  let failing = false;

  async function sweep(): Promise<void> {
    if (running) return;
    running = true;
    try {
      const byToken = new Map<string, GuardedStream[]>();
      for (const stream of streams) {
        const group = byToken.get(stream.tokenHash);
        if (group) group.push(stream);
        else byToken.set(stream.tokenHash, [stream]);
      }
      for (const [tokenHash, group] of byToken) {
        const refusalFor = await options.check(tokenHash);
        for (const stream of group) {
          const refusal = refusalFor(stream.origin);
          if (!refusal) continue;
          streams.delete(stream);
          stream.end(closedEvent(refusal));
        }
      }
      failing = false;
    } catch (error) {
      // A database fault: keep the streams and look again next time.
      if (!failing) options.onError?.(error);
      failing = true;
    } finally {
      running = false;
      if (streams.size === 0 && timer) {
        clearInterval(timer);
        timer = undefined;
      }
    }
  }

  return {
    /** Watches a stream until the returned function is called (when it closes for any other reason). */
    watch(stream: GuardedStream): () => void {
      streams.add(stream);
      if (!timer) {
        timer = setInterval(() => void sweep(), intervalMs);
        timer.unref();
      }
      return () => streams.delete(stream);
    },
    sweep,
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      streams.clear();
    },
  };
}

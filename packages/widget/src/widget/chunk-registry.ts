/**
 * The private global a lazily loaded chunk registers its API on (a chunk is a separate script, so it
 * shares nothing with widget.js but the page's window). Imported by chunks: keep it tiny.
 */
type Registry = Record<string, unknown>;

export function chunkRegistry(): Registry {
  const w = window as unknown as { __switchboardChunks?: Registry };
  return (w.__switchboardChunks = w.__switchboardChunks || {});
}

/** Called by a chunk's script when it runs: `loadChunk(name)` resolves with `api`. */
export function registerChunk(name: string, api: unknown): void {
  chunkRegistry()[name] = api;
}

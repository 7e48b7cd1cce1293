import type { AgentBackendType } from '@switchboard/core';
import type { AgentTurnInput } from './types.js';
import type { OpenedAgent, OpenedAgentBackend } from './backend-store.js';
import { shortReason } from '../egress/short-reason.js';

export type FetchFunction = typeof globalThis.fetch;

/** What one backend gets for one turn. */
export interface BackendContext<B extends OpenedAgentBackend = OpenedAgentBackend> {
  agent: OpenedAgent;
  /** The agent's backend, secrets opened. */
  backend: B;
  input: AgentTurnInput;
  /** Aborted when the runner gives up (timeout): pass it to every I/O call. */
  signal: AbortSignal;
  fetch: FetchFunction;
}

/** A whole reply, a stream of reply chunks, or "the reply will come later through the API". */
export type BackendAnswer =
  /**
   * `handoff`: the backend also asks for a person to take over, with its reason. `quickReplies`:
   * suggested replies as the backend sent them (untrusted: the runner keeps the valid ones).
   */
  | { kind: 'text'; text: string; handoff?: { reason: string }; quickReplies?: unknown }
  | { kind: 'stream'; chunks: AsyncIterable<string> }
  | { kind: 'deferred' };

/** One backend kind: `echo`, `scripted`, `webhook`, `openai-compatible`. */
export interface AgentBackendHandler<B extends OpenedAgentBackend = OpenedAgentBackend> {
  respond(context: BackendContext<B>): Promise<BackendAnswer>;
}

export type BackendFor<T extends AgentBackendType> = Extract<OpenedAgentBackend, { type: T }>;

/** A backend failure the runner turns into the fallback reply; `status` is the HTTP status when there was one. */
export class BackendError extends Error {
  readonly status: number | undefined;
  constructor(message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BackendError';
    this.status = options.status;
  }
}

/** Reads a response body as UTF-8, refusing more than `limit` bytes. */
export async function readBody(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) throw new BackendError(`response body exceeds ${limit} bytes`, { status: response.status });
      chunks.push(value);
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The start of an error response's body, for the log (never the request's secrets: only what the server said). */
export async function bodySnippet(response: Response): Promise<string> {
  try {
    return shortReason(await readBody(response, 64 * 1024));
  } catch {
    return '';
  }
}

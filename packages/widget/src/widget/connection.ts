/** Helpers of the widget's conversation with the runtime: retries, ids, refusals, the event stream. */
import { HttpError, sseParser } from './api.js';
import { TEXT } from './strings.js';

const STALL_MS = 45_000; // the server pings every 20 s: silence this long means a dead connection

export const backoff = (attempt: number, cap = 30_000) => Math.min(cap, 500 * 2 ** attempt) * (0.75 + Math.random() / 2);

export function newClientMessageId(): string {
  const c = typeof crypto !== 'undefined' ? crypto : undefined;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  const bytes = new Uint8Array(16);
  if (c) c.getRandomValues(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
  return `c${Array.from(bytes, (b) => (b + 256).toString(16).slice(1)).join('')}`;
}

export const sentence = (text: string) => text.trim().replace(/([^.!?…])$/, '$1.');

/** Why the page may not use the chat, from the server's reason (or, from an older server, its words). */
export function refusal(error: HttpError): { visitor: string; owner: string } {
  const reason = error.reason || (/revoked/i.test(error.message) ? 'TOKEN_REVOKED' : error.status === 403 ? 'ORIGIN_NOT_ALLOWED' : '');
  const origin = /^ORIGIN/.test(reason);
  const visitor =
    reason === 'TOKEN_REVOKED' ? TEXT.revoked : reason === 'DEPLOYMENT_PAUSED' ? TEXT.paused : origin ? TEXT.notHere : TEXT.unavailable;
  const hint = origin
    ? ` Add ${location.origin} to the deployment's allowed origins.`
    : /^TOKEN/.test(reason) || error.status === 401
      ? " Use the deployment's current token."
      : '';
  return { visitor, owner: `[switchboard] The chat is unavailable on ${location.origin}: ${sentence(error.message)}${hint}` };
}

/**
 * Reads a text/event-stream response until it ends, handing each event to `onEvent`. A stream
 * silent for STALL_MS is aborted (after calling `onStall`), so a dead connection is noticed.
 */
export async function readEvents(
  response: Response,
  abort: AbortController,
  onStall: () => void,
  onEvent: (type: string, data: string, id: string | undefined) => void,
): Promise<void> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const parse = sseParser(onEvent);
  let timer = 0;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      onStall();
      abort.abort();
    }, STALL_MS) as unknown as number;
  };
  arm();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      arm();
      parse(decoder.decode(value, { stream: true }));
    }
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Following GET /v1/events: connects, reads the Server-Sent Events, reconnects after drops with
 * the id of the last event seen (so nothing is missed), and stops on Ctrl-C.
 */
import { APIError, NetworkError } from '@switchboard/sdk';
import { apiRoot, envelopeData, type ApiContext } from './context.js';

interface Frame {
  id?: string;
  event: string;
  data: string;
  retry?: number;
}

/** One event as the stream sends it in a frame's data. */
export interface StreamEvent {
  id: number;
  type: string;
  createdAt: number;
  data: Record<string, unknown>;
}

export interface EventHandlers {
  /** Told on each connection: `again` is false the first time. */
  connected(url: string, again: boolean): void;
  /** Each event's data (its JSON text), in order; awaited before the next one is read. */
  event(data: string): Promise<void> | void;
}

/** Splits a text/event-stream body into frames. */
async function* frames(body: ReadableStream<Uint8Array>): AsyncGenerator<Frame> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const frame: Frame = { event: 'message', data: '' };
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'id') frame.id = value;
        else if (field === 'event') frame.event = value;
        else if (field === 'data') frame.data += frame.data ? `\n${value}` : value;
        else if (field === 'retry' && /^\d+$/.test(value)) frame.retry = Number(value);
      }
      yield frame;
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const causeOf = (error: unknown) =>
  error instanceof Error && error.cause instanceof Error ? error.cause.message : error instanceof Error ? error.message : String(error);

/**
 * Follows the workspace's events until a signal ends the process. Throws NetworkError when the
 * server cannot be reached at start, and APIError when it refuses the key (at start or later).
 */
export async function followEvents(context: ApiContext, handlers: EventHandlers): Promise<void> {
  const url = `${apiRoot(context.baseUrl)}/events`;
  const controller = new AbortController();
  const stop = () => {
    controller.abort();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  let lastEventId: string | undefined;
  let retryMs = 2000;
  let connected = false;
  let announcedDrop = false;
  for (;;) {
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { accept: 'text/event-stream', authorization: `Bearer ${context.apiKey}`, ...(lastEventId !== undefined && { 'last-event-id': lastEventId }) },
        signal: controller.signal,
      });
    } catch (error) {
      if (!connected) throw new NetworkError(`GET ${url} failed: ${causeOf(error)}`, { cause: error });
      await sleep(retryMs);
      continue;
    }
    if (!response.ok || !response.body) envelopeData(response, await response.text());
    handlers.connected(url, connected);
    connected = true;
    announcedDrop = false;
    try {
      for await (const frame of frames(response.body!)) {
        if (frame.retry !== undefined) retryMs = frame.retry;
        if (frame.event === 'closed') {
          throw new APIError({ statusCode: 401, code: 'UNAUTHORIZED', message: 'the server closed the event stream: the API key no longer works' });
        }
        if (frame.event === 'reset') {
          process.stderr.write('Some events were missed while disconnected (no longer kept by the server)\n');
          continue;
        }
        if (frame.event === 'shutdown') {
          process.stderr.write('The server is shutting down; reconnecting\n');
          announcedDrop = true;
          continue;
        }
        if (frame.data) await handlers.event(frame.data);
        // Only once handled: a drop during a slow handler replays that event.
        if (frame.id !== undefined) lastEventId = frame.id;
      }
    } catch (error) {
      if (error instanceof APIError) throw error;
    }
    if (!announcedDrop) process.stderr.write('Disconnected; reconnecting\n');
    announcedDrop = true;
    await sleep(retryMs);
  }
}

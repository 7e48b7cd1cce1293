import { APIError, NetworkError } from '@switchboard/sdk';
import { apiRoot, envelopeData, type ApiContext } from './context.js';
import { iso, oneLine, print } from './output.js';

interface Frame {
  id?: string;
  event: string;
  data: string;
  retry?: number;
}

interface StreamEvent {
  id: number;
  type: string;
  createdAt: number;
  data: Record<string, unknown>;
}

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
const text = (value: unknown): string => (typeof value === 'string' ? value : value === null || value === undefined ? '-' : String(value));

/** What an event is about, in a few words. */
export function summarize(data: Record<string, unknown>): string {
  const message = record(data.message);
  if (message) return `${text(message.conversationId)}  ${text(message.role)}: ${message.text === null ? '(not recorded)' : oneLine(text(message.text), 80)}`;
  const delivery = record(data.delivery);
  if (delivery) return `${text(delivery.id)}  ${text(delivery.status)}  conversation ${text(delivery.conversationId)}${delivery.lastError ? `  ${oneLine(text(delivery.lastError), 60)}` : ''}`;
  const conversation = record(data.conversation);
  if (conversation) return `${text(conversation.id)}  ${text(conversation.handoffState)}  agent ${text(conversation.agentId)}  channel ${text(conversation.channelId)}`;
  return oneLine(JSON.stringify(data), 100);
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

/** Follows GET /v1/events, printing one line per event and reconnecting after drops, until a signal ends the process. */
export async function tailEvents(context: ApiContext, options: { json: boolean }): Promise<void> {
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
      if (!connected) {
        const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : error instanceof Error ? error.message : String(error);
        throw new NetworkError(`GET ${url} failed: ${cause}`, { cause: error });
      }
      await sleep(retryMs);
      continue;
    }
    if (!response.ok || !response.body) envelopeData(response, await response.text());
    process.stderr.write(connected ? `Reconnected to ${url}\n` : `Following the events of ${context.baseUrl} (Ctrl-C to stop)\n`);
    connected = true;
    announcedDrop = false;
    try {
      for await (const frame of frames(response.body!)) {
        if (frame.retry !== undefined) retryMs = frame.retry;
        if (frame.id !== undefined) lastEventId = frame.id;
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
        if (!frame.data) continue;
        if (options.json) {
          print(frame.data);
          continue;
        }
        let event: StreamEvent;
        try {
          event = JSON.parse(frame.data) as StreamEvent;
        } catch {
          continue;
        }
        print(`${iso(event.createdAt)}  ${event.type}  ${summarize(record(event.data) ?? {})}`);
      }
    } catch (error) {
      if (error instanceof APIError) throw error;
    }
    if (!announcedDrop) process.stderr.write('Disconnected; reconnecting\n');
    announcedDrop = true;
    await sleep(retryMs);
  }
}

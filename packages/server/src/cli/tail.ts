import type { ApiContext } from './context.js';
import { iso, oneLine, print } from './output.js';
import { followEvents, type StreamEvent } from './event-stream.js';

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

/** Follows GET /v1/events, printing one line per event, until a signal ends the process. */
export async function tailEvents(context: ApiContext, options: { json: boolean }): Promise<void> {
  await followEvents(context, {
    connected: (url, again) => process.stderr.write(again ? `Reconnected to ${url}\n` : `Following the events of ${context.baseUrl} (Ctrl-C to stop)\n`),
    event: (data) => {
      if (options.json) return print(data);
      let event: StreamEvent;
      try {
        event = JSON.parse(data) as StreamEvent;
      } catch {
        return;
      }
      print(`${iso(event.createdAt)}  ${event.type}  ${summarize(record(event.data) ?? {})}`);
    },
  });
}

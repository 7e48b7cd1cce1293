/**
 * What the page can listen to: `['on', 'open' | 'close' | 'message' | 'unread', fn]` (and `off`).
 * Listeners outlive a widget (registered before `init`, kept across `destroy`); one that throws
 * is reported in the console and the others still run.
 */
type Listener = (data?: unknown) => void;

const listeners: Record<string, Listener[]> = {};
const NAMES = ['open', 'close', 'message', 'unread'];
let unread = 0;
const seen: Record<string, 1> = {};

export function subscribe(add: boolean, name: unknown, fn: unknown) {
  if (NAMES.indexOf(name as string) < 0 || typeof fn !== 'function') {
    return console.warn(`[switchboard] ${add ? 'on' : 'off'}: no event '${name}' (${NAMES}) or no function`);
  }
  const list = (listeners[name as string] || []).filter((f) => f !== fn);
  if (add) list.push(fn as Listener);
  listeners[name as string] = list;
}

export function emit(name: string, data?: unknown) {
  for (const fn of (listeners[name] || []).slice()) {
    try {
      fn(data);
    } catch (error) {
      console.error(`[switchboard] a '${name}' listener threw:`, error);
    }
  }
}

/** `unread` fires only when the count changes (a new widget starts from 0). */
export function emitUnread(count: number) {
  if (count !== unread) emit('unread', (unread = count));
}

/** `message` fires once per message (a reconnect may deliver one again). */
export function emitMessage(message: { id: string; role: string; text: string | null }) {
  if (seen[message.id]) return;
  seen[message.id] = 1;
  emit('message', { role: message.role, text: message.text, id: message.id });
}

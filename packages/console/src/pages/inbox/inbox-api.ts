import { api } from '../../api.js';
import { useEffect, useRef } from 'preact/hooks';

export type HandoffState = 'bot' | 'pending_human' | 'human' | 'resolved';

export interface InboxConversation {
  id: string;
  channelId: string;
  contactId: string;
  handoffState: HandoffState;
  status: 'open' | 'closed';
  assignedTeamId: string | null;
  assignedMemberId: string | null;
  lastMessageAt: number | null;
  lastMessagePreview?: string | null;
  unreadCount?: number;
}

export interface InboxMessage {
  id: string;
  conversationId: string;
  role: 'contact' | 'agent' | 'human';
  authorId?: string | null;
  text: string | null;
  /** Suggested replies offered with the message. */
  quickReplies?: string[];
  /** Files the message carries, each with a signed address valid for 15 minutes. */
  attachments?: { id: string; name: string; contentType: string; size: number; url?: string }[];
  createdAt: number;
}

export interface Contact {
  id: string;
  name?: string | null;
  externalId?: string | null;
  attributes?: Record<string, unknown>;
}

export const STATES: { value: HandoffState; label: string }[] = [
  { value: 'bot', label: 'With the agent' },
  { value: 'pending_human', label: 'Waiting for a person' },
  { value: 'human', label: 'With a person' },
  { value: 'resolved', label: 'Resolved' },
];

export function stateLabel(state: HandoffState): string {
  return STATES.find((entry) => entry.value === state)?.label ?? state;
}

export interface LiveEvent {
  type: string;
  data: { conversation?: InboxConversation; message?: InboxMessage; conversationId?: string };
}

const TYPES = ['conversation.created', 'conversation.updated', 'message.created', 'handoff.requested', 'handoff.accepted', 'reset'];

/** One EventSource on /v1/events for the page; it reconnects with Last-Event-ID by itself. */
export function useLiveEvents(onEvent: (event: LiveEvent) => void): void {
  const handler = useRef(onEvent);
  handler.current = onEvent;
  useEffect(() => {
    const source = new EventSource('/v1/events');
    const listener = (message: MessageEvent) => {
      let parsed: LiveEvent = { type: message.type, data: {} };
      try {
        const body = JSON.parse(String(message.data)) as { data?: LiveEvent['data'] };
        parsed = { type: message.type, data: body.data ?? {} };
      } catch {
        // reset carries a reason only
      }
      handler.current(parsed);
    };
    for (const type of TYPES) source.addEventListener(type, listener as EventListener);
    // The server ends the stream when the session ends (sign-out elsewhere, removal, expiry), and a
    // browser gives up on a refused reconnect: ask for the session, whose 401 leads to sign-in.
    const ended = () => {
      source.close();
      api.get('session').catch(() => undefined);
    };
    source.addEventListener('closed', ended);
    source.addEventListener('error', () => source.readyState === EventSource.CLOSED && ended());
    return () => source.close();
  }, []);
}

/** An event of one conversation. `id` is set for stored (replayable) events. */
export interface ConversationEvent {
  id?: number;
  /**
   * `wake`: a workspace's operator streams should read its event log (published on `workspace:<id>`).
   * `invalidate`: a credential changed (published on bus/invalidations.ts's reserved channel).
   */
  type: 'message' | 'typing' | 'delta' | 'error' | 'wake' | 'invalidate';
  data: unknown;
}

export type ConversationListener = (event: ConversationEvent) => void;

/** Live fan-out of conversation events to the streams that watch them, on this node or any other. */
export interface EventBus {
  publish(conversationId: string, event: ConversationEvent): void;
  /** Resolves once events published from now on will reach the listener; call the result to stop. */
  subscribe(conversationId: string, listener: ConversationListener): Promise<() => void>;
  close(): Promise<void>;
}

/** Listeners of this process, by conversation. */
export class LocalListeners {
  readonly #byConversation = new Map<string, Set<ConversationListener>>();

  /** Adds a listener; true when it is the conversation's first. */
  add(conversationId: string, listener: ConversationListener): boolean {
    let set = this.#byConversation.get(conversationId);
    const first = !set;
    if (!set) this.#byConversation.set(conversationId, (set = new Set()));
    set.add(listener);
    return first;
  }

  /** Removes a listener; true when the conversation has none left. */
  remove(conversationId: string, listener: ConversationListener): boolean {
    const set = this.#byConversation.get(conversationId);
    if (!set) return false;
    set.delete(listener);
    if (set.size > 0) return false;
    this.#byConversation.delete(conversationId);
    return true;
  }

  deliver(conversationId: string, event: ConversationEvent): void {
    for (const listener of this.#byConversation.get(conversationId) ?? []) listener(event);
  }

  clear(): void {
    this.#byConversation.clear();
  }
}

/** The embedded bus: one process, listeners in memory. */
export function createInProcessBus(): EventBus {
  const listeners = new LocalListeners();
  return {
    publish: (conversationId, event) => listeners.deliver(conversationId, event),
    async subscribe(conversationId, listener) {
      listeners.add(conversationId, listener);
      return () => void listeners.remove(conversationId, listener);
    },
    async close() {
      listeners.clear();
    },
  };
}

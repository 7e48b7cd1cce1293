/** The visitor's session, kept in localStorage so the next page view can listen to it and resume it. */
export interface StoredSession {
  visitorToken: string;
  sessionId?: string;
}

export function sessionStore(key: string) {
  let memory: StoredSession | null = null; // when storage is blocked (sandboxed frame, privacy mode): this page only
  return {
    read(): StoredSession | null {
      try {
        const raw = localStorage.getItem(key);
        if (!raw) return null;
        if (raw[0] !== '{') return { visitorToken: raw }; // stored by an earlier widget: the token alone
        const parsed = JSON.parse(raw) as StoredSession;
        return typeof parsed.visitorToken === 'string' ? parsed : null;
      } catch {
        return memory;
      }
    },
    write(value: StoredSession | null) {
      memory = value;
      try {
        if (value) localStorage.setItem(key, JSON.stringify(value));
        else localStorage.removeItem(key);
      } catch {
        // blocked: kept in memory
      }
    },
  };
}

import type { Message, Session, WidgetConfig } from './types.js';

/** The runtime answered with an error status; `message` is the server's own words. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Seconds from `Retry-After` (0 when absent). */
    readonly retryAfter: number,
    /** The server's `meta.reason` (`TOKEN_REVOKED`, `ORIGIN_NOT_ALLOWED`, …), when it gave one. */
    readonly reason = '',
  ) {
    super(message);
  }
}

/** No answer could be read: offline, server down, or the browser withheld it (CORS). */
export class NetworkError extends Error {}

interface Call {
  method?: 'GET' | 'POST';
  body?: unknown;
  visitorToken?: string;
  lastEventId?: string;
  signal?: AbortSignal;
}

/** The public runtime API of docs/runtime-api.md, under `{apiUrl}/v1/public/runtime`. */
export function createApi(apiUrl: string, token: string) {
  const runtime = `${apiUrl}/v1/public/runtime`;
  const base = `${runtime}/sessions`;
  const of = (session: Session) => `/sessions/${encodeURIComponent(session.sessionId)}`;

  async function call(path: string, { method = 'GET', body, visitorToken, lastEventId, signal }: Call): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (visitorToken) headers['x-visitor-token'] = visitorToken;
    if (lastEventId) headers['last-event-id'] = lastEventId;
    let response: Response;
    try {
      response = await fetch(runtime + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
        mode: 'cors',
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch (error) {
      if (signal && signal.aborted) throw error;
      throw new NetworkError(String(error));
    }
    if (!response.ok) {
      let payload: { message?: string; error?: { message?: string }; meta?: { reason?: string } } = {};
      try {
        payload = await response.json();
      } catch {
        // not JSON: keep the status line
      }
      const message = payload.message || (payload.error && payload.error.message) || `HTTP ${response.status} ${response.statusText}`.trim();
      throw new HttpError(response.status, message, Number(response.headers.get('retry-after')) || 0, (payload.meta && payload.meta.reason) || '');
    }
    return response;
  }

  async function data<T>(path: string, init: Call): Promise<T> {
    const response = await call(path, init);
    try {
      return (await response.json()).data as T;
    } catch {
      throw new NetworkError('the answer was cut off');
    }
  }

  return {
    /** The agent, greeting and theme; creates nothing on the server. */
    config: (locale: string) => data<WidgetConfig>(`/config?locale=${encodeURIComponent(locale)}`, {}),
    start: (body: { visitorToken?: string; pageUrl?: string; locale?: string }) => data<Session>('/sessions', { method: 'POST', body }),
    /** The pre-chat form's answers: starts (or resumes) the session and stores them on its contact. */
    prechat: (body: { values: Record<string, string>; visitorToken?: string; locale?: string }) => data<Session>('/prechat', { method: 'POST', body }),
    send: (session: Session, text: string, clientMessageId: string) =>
      data<{ message: Message; duplicate: boolean }>(`${of(session)}/messages`, {
        method: 'POST',
        body: { text, clientMessageId },
        visitorToken: session.visitorToken,
      }),
    history: (session: Session) =>
      data<Message[]>(`${of(session)}/messages`, { visitorToken: session.visitorToken }),
    /** identify or track: about the visitor's contact, not a conversation. */
    visitor: (path: 'identify' | 'track', body: object, visitorToken: string) =>
      data<{ visitorToken: string; verified?: boolean; sessionId?: string | null }>(`/${path}`, { method: 'POST', body, visitorToken }),
    events: (session: Session, lastEventId: string, signal: AbortSignal) =>
      call(`${of(session)}/events`, { visitorToken: session.visitorToken, lastEventId, signal }),
    /**
     * After a NetworkError: why was this page refused, if it was? A plain GET (no preflight),
     * readable from any origin. Null when it cannot be read (offline, or an older server).
     */
    async originCheck(): Promise<{ origin: string | null; allowed: boolean; reason?: string; message: string } | null> {
      try {
        const response = await fetch(`${runtime}/origin-check?tokenPrefix=${encodeURIComponent(token.slice(0, 10))}`, {
          credentials: 'omit',
          cache: 'no-store',
        });
        return response.ok ? (await response.json()).data : null;
      } catch {
        return null;
      }
    },
    /**
     * When even originCheck could not be read: is the server reachable at all? A `no-cors` request needs no CORS
     * permission, so when it gets through while the real call failed, the browser withheld the
     * answer, which for this API means the page's origin was refused (a preflight answered 403).
     */
    async reachable(): Promise<boolean> {
      try {
        await fetch(base, { mode: 'no-cors', credentials: 'omit', cache: 'no-store' });
        return true;
      } catch {
        return false;
      }
    },
  };
}

export type Api = ReturnType<typeof createApi>;

/**
 * An incremental text/event-stream parser (the WHATWG rules: `event:`, `data:` (joined by \n),
 * `id:`, comment lines starting with `:`, an event dispatched on a blank line).
 */
export function sseParser(dispatch: (type: string, data: string, id: string | undefined) => void) {
  let buffer = '';
  let type = '';
  let data: string[] = [];
  let id: string | undefined;
  return (chunk: string) => {
    buffer += chunk;
    // A trailing \r may be the first half of \r\n: wait for the next chunk.
    const end = buffer.endsWith('\r') ? buffer.length - 1 : buffer.length;
    const lines = buffer.slice(0, end).split(/\r\n|\r|\n/);
    buffer = lines.pop()! + buffer.slice(end);
    for (const line of lines) {
      if (line === '') {
        if (data.length > 0) dispatch(type || 'message', data.join('\n'), id);
        type = '';
        data = [];
        id = undefined;
        continue;
      }
      if (line[0] === ':') continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value[0] === ' ') value = value.slice(1);
      if (field === 'event') type = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id' && value.indexOf('\0') < 0) id = value;
    }
  };
}

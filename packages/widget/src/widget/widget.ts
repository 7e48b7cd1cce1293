import { createApi, HttpError } from './api.js';
import { backoff, newClientMessageId, readEvents, refusal, sentence } from './connection.js';
import { conversationLog, type Entry } from './log.js';
import { modalPanel } from './modal.js';
import { setChunkBase } from './chunks.js';
import { preChatGate, type PreChatForm } from './prechat.js';
import { sessionStore } from './storage.js';
import { chime } from './sound.js';
import { TEXT, fmt, pickLocale, setStrings } from './strings.js';
import { mergeTheme } from './theme.js';
import type { InitOptions, Message, Session, Theme, WidgetConfig } from './types.js';
import { createView } from './view.js';
import { emit, emitMessage, emitUnread } from './events.js';
import { visitorCalls, type Identified } from './visitor.js';
import { attachButton, type FileRules } from './attach.js';

export interface WidgetHandle {
  open(): void;
  close(): void;
  toggle(): void;
  destroy(): void;
  identify(details: unknown): void;
  logout(): void;
  track(event: unknown, data?: unknown): void;
}

interface Outgoing {
  clientMessageId: string;
  text: string;
  entry: Entry;
}

type AlertKind = 'fatal' | 'net' | 'agent';

export function mountWidget(options: InitOptions, scriptSrc: string, onDestroy: () => void): WidgetHandle {
  const apiUrl = String(options.apiUrl || new URL(scriptSrc || location.href).origin).replace(/\/+$/, '');
  const api = createApi(apiUrl, options.token);
  const store = sessionStore(`switchboard:visitor:${apiUrl}|${options.agentId || options.token.slice(0, 10)}`);
  const overrides = options.theme || {};
  const preChat = preChatGate(`switchboard:visitor:${apiUrl}|${options.agentId || options.token.slice(0, 10)}`);
  setChunkBase(apiUrl);
  const requestedLocale = pickLocale(options.locale);
  let language = { locale: 'en', dir: 'ltr' };
  const view = createView();
  const { root, panel, launcher, input, alert: alertBox } = view;

  // ---- state
  let theme: Theme = mergeTheme(overrides);
  let agentName = '';
  let configured = false;
  /** The conversation listened to: a stored one (not yet resumed), or one started on this page. */
  let session: Session | null = null;
  /** `session` was started or resumed by this page (POST …/sessions), so messages can be sent to it. */
  let confirmed = false;
  let alive = true;
  let fatal = false;
  let isOpen = false;
  /** The visitor has something on screen to be told about: the chat was opened, asked to open, or has unread messages. */
  let engaged = !!options.open;
  let unread = 0;
  let alertKind: AlertKind | null = null;
  let lastEventId = '';
  let streamAbort: AbortController | null = null;
  let sentAny = false;
  let starting = false;
  let flushing = false;
  const outbox: Outgoing[] = [];
  let wakers: Array<() => void> = [];
  /** The deployment's pre-chat form, and whether it is on screen (or loading). */
  let preChatForm: PreChatForm | null = null;
  let asking = false;

  const log = conversationLog(view.log, view.typing, () => {
    if (theme.sound && (!isOpen || document.hidden)) chime();
    if (!isOpen) {
      unread++;
      engaged = true;
      renderLauncher();
    }
    if (alertKind === 'agent') setAlert(null);
  }, choose);
  const modal = modalPanel(view.shadow, panel);

  /** A pause that `wake()` (the browser going online, a reconnect, destroy) cuts short. */
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wakers = wakers.filter((w) => w !== done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      wakers.push(done);
    });
  const wake = () => wakers.slice().forEach((w) => w());

  const applyTheme = () => {
    view.applyTheme(theme, agentName, log.greeting, language.locale, language.dir);
    renderLauncher();
  };
  const renderLauncher = () => (view.renderLauncher(isOpen, unread), emitUnread(unread));

  function applyConfig(config: WidgetConfig) {
    agentName = (config.agent && config.agent.name) || '';
    const widget: NonNullable<WidgetConfig['widget']> = config.widget || {};
    const locale = widget.locale || 'en';
    const own = overrides.strings || {};
    setStrings(locale, widget.strings, own[requestedLocale], own[locale]);
    language = { locale, dir: widget.dir || 'ltr' };
    theme = mergeTheme(
      agentName ? { headerTitle: agentName } : null,
      widget.theme,
      config.greeting ? { greeting: config.greeting } : null,
      overrides,
    );
    preChatForm = ((config.widget || {}) as { preChatForm?: PreChatForm | null }).preChatForm || null;
    showAttach((fileRules = (config as { attachments?: FileRules }).attachments));
    configured = true;
    applyTheme();
  }

  const readyTimer = setTimeout(() => ready(), 3000); // never keep the launcher hidden for long
  let openWhenReady = !!options.open;
  function ready() {
    clearTimeout(readyTimer);
    if (root.classList.contains('ready')) return;
    root.classList.add('ready');
    if (openWhenReady) open(false);
  }

  // ---- identify / track / logout (src/widget/visitor.ts)
  const visitor = visitorCalls(api, store, () => alive, (answer: Identified) => {
    const sessionId = answer.sessionId || undefined;
    store.write({ visitorToken: answer.visitorToken, sessionId });
    if (session && session.sessionId === sessionId) session.visitorToken = answer.visitorToken;
    else if (session || sessionId) switchTo(sessionId ? { sessionId, visitorToken: answer.visitorToken, resumed: true } : undefined);
  });
  /** Another conversation is the visitor's now (the signed-in user's), or none is. */
  function switchTo(next: Session | undefined) {
    if (streamAbort) streamAbort.abort();
    session = null;
    confirmed = false;
    log.clear();
    if (next) listen(next);
    if (isOpen) void start();
  }

  // ---- open / close
  function open(focus = true) {
    engaged = true;
    if (!root.classList.contains('ready')) {
      openWhenReady = true;
      return;
    }
    if (!isOpen) {
      isOpen = true;
      panel.hidden = false;
      root.classList.add('open');
      unread = 0;
      renderLauncher();
      modal.set(true);
      log.scrollDown();
      emit('open');
      if (!confirmed) void (preChat.needed(preChatForm) ? ask(preChatForm) : start());
    }
    // (While the pre-chat form hides the composer: the close button, until the form takes the focus.)
    if (focus) (input.disabled || view.form.hidden ? view.close : input).focus();
  }

  function close(returnFocus = true) {
    openWhenReady = false;
    if (!isOpen) return;
    isOpen = false;
    panel.hidden = true;
    root.classList.remove('open');
    modal.set(false);
    renderLauncher();
    emit('close');
    if (returnFocus) launcher.focus();
  }

  launcher.addEventListener('click', () => (isOpen ? close() : open()));
  view.close.addEventListener('click', () => close());
  root.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && isOpen) {
      event.stopPropagation();
      close();
    }
  });

  // ---- alerts
  function setAlert(kind: AlertKind | null, text = '') {
    if (alertKind === 'fatal') return;
    if (kind === null || text === '') {
      alertKind = null;
      alertBox.textContent = '';
      return;
    }
    alertKind = kind;
    alertBox.className = kind === 'fatal' ? 'alert fatal' : 'alert';
    if (alertBox.textContent !== text) alertBox.textContent = text;
  }
  /** A request got through: any connection problem is over. */
  const recovered = () => alertKind === 'net' && setAlert(null);

  function transient(error: HttpError) {
    setAlert('net', error.status === 429 ? (error.retryAfter ? fmt(TEXT.busy, { n: error.retryAfter }) : TEXT.busySoon) : TEXT.unreachable);
  }

  /**
   * After a network error: offline, the service out of reach, or refused without a readable
   * answer (a refused preflight)? Sets the alert; true when the page can never be served.
   */
  async function explain(): Promise<boolean> {
    if (navigator.onLine === false) {
      setAlert('net', TEXT.offline);
      return false;
    }
    const check = await api.originCheck();
    if (!alive) return true;
    if (check && !check.allowed) {
      fail(new HttpError(/token/i.test(check.message) ? 401 : 403, check.message, 0, check.reason));
      return true;
    }
    if (!check && (await api.reachable())) {
      // The server answers, yet the browser withheld its answer: the origin was refused.
      fail(new HttpError(403, `the chat service refused this page's origin (${location.origin})`, 0, 'ORIGIN_NOT_ALLOWED'));
      return true;
    }
    setAlert('net', TEXT.unreachable);
    return false;
  }

  /**
   * The page may not use the chat (refused origin, revoked token, paused deployment). The site
   * owner is told why in the console; a visitor who never opened the chat sees nothing at all,
   * one who did sees a final notice. Nothing is retried.
   */
  function fail(error: HttpError) {
    if (fatal) return;
    fatal = true;
    const { visitor, owner } = refusal(error);
    console.error(owner);
    if (streamAbort) streamAbort.abort();
    input.disabled = view.send.disabled = true;
    input.placeholder = TEXT.disabledPlaceholder;
    for (const item of outbox.splice(0)) log.failed(item.entry);
    log.stopTyping();
    if (!engaged) {
      root.hidden = true;
      return;
    }
    setAlert('fatal', visitor);
    alertKind = 'fatal';
    root.classList.add('error');
    ready();
  }

  // ---- configuration (every page view; creates nothing on the server)
  async function configure() {
    let attempt = 0;
    while (alive && !fatal && !configured) {
      try {
        const config = await api.config(requestedLocale);
        if (!alive || configured) return;
        applyConfig(config);
        recovered();
        ready();
        // A returning visitor: listen for what is said to them, without starting anything.
        const stored = store.read();
        if (stored && stored.sessionId && !session) listen({ sessionId: stored.sessionId, visitorToken: stored.visitorToken, resumed: true });
        return;
      } catch (error) {
        if (!alive) return;
        if (error instanceof HttpError) {
          if (error.status === 404 || (error.status < 500 && error.status !== 408 && error.status !== 429)) {
            if (error.status !== 404) return fail(error);
            return ready(); // a server without …/config: the session start themes the widget
          }
          transient(error);
        } else if (await explain()) {
          return;
        }
        ready();
        await sleep(error instanceof HttpError && error.retryAfter ? error.retryAfter * 1000 : backoff(attempt++));
      }
    }
  }

  // ---- session (when the visitor opens the chat)
  async function start() {
    if (starting || !alive || fatal) return;
    starting = true;
    await visitor.idle(); // an identify sent first decides whose conversation this is
    let attempt = 0;
    try {
      while (alive && !fatal) {
        const stored = store.read();
        try {
          const started = await api.start({
            ...(stored && { visitorToken: stored.visitorToken }),
            pageUrl: location.origin + location.pathname,
            locale: requestedLocale,
          });
          if (!alive) return;
          store.write({ visitorToken: started.visitorToken, sessionId: started.sessionId });
          applyConfig(started);
          recovered();
          ready();
          confirmed = true;
          if (session && session.sessionId === started.sessionId) {
            session.visitorToken = started.visitorToken;
          } else {
            if (session) log.clear(); // the stored conversation had ended: a new one replaces it
            listen(started);
          }
          void flush();
          return;
        } catch (error) {
          if (!alive) return;
          if (error instanceof HttpError) {
            if (error.status === 400 && stored) {
              store.write(null); // a visitor token the server no longer accepts: start afresh
              continue;
            }
            if (error.status < 500 && error.status !== 408 && error.status !== 429) return fail(error);
            transient(error);
          } else if (await explain()) {
            return;
          }
          await sleep(error instanceof HttpError && error.retryAfter ? error.retryAfter * 1000 : backoff(attempt++));
        }
      }
    } finally {
      starting = false;
    }
  }

  /** The deployment asks first: the pre-chat form (a chunk), then the session its answers start. */
  async function ask(form: PreChatForm) {
    if (asking || fatal) return;
    asking = true;
    view.form.hidden = true; // no message before the answers (the chunk's styles hide the conversation too)
    try {
      const chunk = await preChat.load();
      recovered();
      chunk.ask(panel, form, async (values) => {
        const stored = store.read();
        try {
          const started = await api.prechat({ values, ...(stored && { visitorToken: stored.visitorToken }), locale: options.locale || navigator.language || 'en' });
          store.write({ visitorToken: started.visitorToken, sessionId: started.sessionId });
          preChat.answered();
        } catch (error) {
          // 409: the deployment stopped asking since the page loaded, so the chat simply starts.
          if (!(error instanceof HttpError && error.status === 409)) return error instanceof HttpError && error.status < 500 ? sentence(error.message) : TEXT.unreachable;
        }
        asking = false;
        view.form.hidden = false;
        void start();
        return null;
      });
    } catch {
      asking = false; // opening the chat again retries
      setAlert('net', TEXT.unreachable);
    }
  }

  function listen(next: Session) {
    if (streamAbort) streamAbort.abort();
    session = next;
    lastEventId = '';
    void stream(next);
  }

  /** The conversation is gone (404): forget it, and start another only for a visitor who is chatting. */
  function lost(current: Session) {
    if (session !== current) return;
    session = null;
    confirmed = false;
    if (streamAbort) streamAbort.abort();
    const stored = store.read();
    if (stored) store.write({ visitorToken: stored.visitorToken });
    if (isOpen || outbox.length > 0) void start();
  }

  async function loadHistory(current: Session) {
    try {
      const messages = await api.history(current);
      if (session !== current || !alive) return;
      for (const message of messages) log.upsert(message, true);
    } catch {
      // best effort: the live stream still delivers everything new
    }
  }

  function onEvent(type: string, payload: Record<string, unknown>) {
    if (type === 'message') {
      log.upsert(payload as unknown as Message, false);
      emitMessage(payload as unknown as Message);
    }
    else if (type === 'delta') log.delta(payload as { messageId: string; text: string });
    else if (type === 'typing') log.setTyping(!!payload.active);
    else if (type === 'closed') fail(new HttpError(Number(payload.status), String(payload.message), 0, String(payload.reason || '')));
    else if (type === 'error') {
      log.stopTyping();
      setAlert('agent', payload.message ? sentence(String(payload.message)) : TEXT.agentFailed);
    }
  }

  async function stream(current: Session) {
    let attempt = 0;
    while (alive && !fatal && session === current) {
      const abort = new AbortController();
      streamAbort = abort;
      let stalled = false;
      let openedAt = 0;
      try {
        const response = await api.events(current, lastEventId, abort.signal);
        openedAt = Date.now();
        recovered();
        wake(); // retry pending sends right away
        // Without Last-Event-ID nothing is replayed: fetch what was said before this stream opened.
        if (!lastEventId && (current.resumed || sentAny)) void loadHistory(current);
        await readEvents(response, abort, () => (stalled = true), (type, data, id) => {
          if (session !== current) return;
          try {
            onEvent(type, JSON.parse(data));
          } catch {
            // one malformed event must not end the stream
          }
          if (id !== undefined) lastEventId = id;
        });
        // The server ended the stream: reconnect.
      } catch (error) {
        if (!alive || session !== current || (abort.signal.aborted && !stalled)) return;
        if (error instanceof HttpError) {
          if (error.status === 401 || error.status === 403) return fail(error);
          if (error.status === 404) return lost(current);
          transient(error);
          if (error.retryAfter) {
            await sleep(error.retryAfter * 1000);
            continue;
          }
        } else if (!openedAt && (await explain())) {
          return; // (a connection that just broke retries quietly once before saying anything)
        }
      }
      log.stopTyping();
      // Back off while attempts keep failing; a stream that had been up a while starts over.
      attempt = openedAt && Date.now() - openedAt > 10_000 ? 1 : attempt + 1;
      await sleep(backoff(attempt - 1));
    }
  }

  // ---- files (src/widget/attach.ts): the visitor's file goes as its own message
  let fileRules: FileRules | undefined;
  const showAttach = attachButton(input, () => ({
    rules: fileRules!,
    async target() {
      if (!confirmed) await start();
      return session && confirmed
        ? { url: `${apiUrl}/v1/public/runtime/sessions/${encodeURIComponent(session.sessionId)}/attachments`, headers: { authorization: `Bearer ${options.token}`, 'x-visitor-token': session.visitorToken } }
        : null;
    },
    pending(name, clientMessageId) {
      const entry = log.outgoing(name, clientMessageId);
      return (message, refused) => {
        if (message) return log.upsert(message as Message, false);
        log.failed(entry);
        setAlert('agent', refused);
      };
    },
  }));

  // ---- sending
  function submit() {
    const text = input.value.trim();
    if (!text || fatal) return;
    input.value = '';
    autosize();
    queue(text);
  }

  function queue(text: string) {
    const clientMessageId = newClientMessageId();
    outbox.push({ clientMessageId, text, entry: log.outgoing(text, clientMessageId) });
    void flush();
  }

  /** A quick reply chosen: its label goes as the visitor's message; its button is gone, so the focus moves to the composer. */
  function choose(label: string) {
    if (fatal) return;
    queue(label);
    input.focus();
  }

  /** Sends queued messages in order; retries reuse the clientMessageId, so nothing is stored twice. */
  async function flush() {
    if (flushing) return;
    flushing = true;
    let attempt = 0;
    try {
      while (alive && !fatal && session && confirmed && outbox.length > 0) {
        const current = session;
        const item = outbox[0]!;
        try {
          const { message } = await api.send(current, item.text, item.clientMessageId);
          sentAny = true;
          outbox.shift();
          attempt = 0;
          recovered();
          log.sent(item.entry, message);
        } catch (error) {
          if (!alive) return;
          if (error instanceof HttpError) {
            if (error.status === 401 || error.status === 403) return fail(error);
            if (error.status === 404) return lost(current); // start() flushes again once it has a session
            if (error.status < 500 && error.status !== 429 && error.status !== 408) {
              outbox.shift();
              log.failed(item.entry);
              setAlert('agent', fmt(TEXT.notSent, { reason: sentence(error.message) }));
              continue;
            }
            transient(error);
          } else if (await explain()) {
            return;
          }
          await sleep(error instanceof HttpError && error.retryAfter ? error.retryAfter * 1000 : backoff(attempt++));
        }
      }
    } finally {
      flushing = false;
    }
  }

  function autosize() {
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight + 2, 120)}px`;
  }

  view.form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });
  input.addEventListener('input', autosize);

  const onOnline = () => wake();
  addEventListener('online', onOnline);

  // ---- go
  applyTheme();
  const attach = () => {
    document.body.append(view.host);
    void configure();
  };
  if (document.body) attach();
  else document.addEventListener('DOMContentLoaded', attach, { once: true });

  return {
    open: () => open(true),
    close: () => close(false),
    toggle: () => (isOpen ? close(false) : open(true)),
    identify: visitor.identify,
    logout() {
      store.write(null);
      outbox.length = 0;
      switchTo(undefined);
    },
    track: visitor.track,
    destroy() {
      alive = false;
      if (streamAbort) streamAbort.abort();
      wake();
      clearTimeout(readyTimer);
      log.stopTyping();
      modal.destroy();
      removeEventListener('online', onOnline);
      view.host.remove();
      onDestroy();
    },
  };
}

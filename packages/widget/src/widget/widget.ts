import { createApi, HttpError, sseParser } from './api.js';
import { h, ICON_CHAT, ICON_CLOSE, ICON_SEND } from './dom.js';
import { CSS } from './styles.js';
import { DEFAULT_THEME, color, font, imageUrl, mergeTheme, textOn } from './theme.js';
import type { InitOptions, Message, Session, Theme } from './types.js';

export interface WidgetHandle {
  open(): void;
  close(): void;
  destroy(): void;
}

/** One bubble in the log. `t` orders history against live messages (createdAt, ms). */
interface Entry {
  el: HTMLElement;
  body: HTMLElement;
  t: number;
  /** The final text is in (a `message` event or history), so later deltas are stale. */
  final: boolean;
}

interface Outgoing {
  clientMessageId: string;
  text: string;
  entry: Entry;
}

type AlertKind = 'fatal' | 'net' | 'agent';

const OFFLINE = 'You appear to be offline. Retrying…';
const REVOKED = 'This chat is no longer available (the deployment token was revoked).';
const STALL_MS = 45_000; // the server pings every 20 s: silence this long means a dead connection
const TYPING_MS = 30_000;

const backoff = (attempt: number, cap = 30_000) => Math.min(cap, 500 * 2 ** attempt) * (0.75 + Math.random() / 2);

function newClientMessageId(): string {
  const c = typeof crypto !== 'undefined' ? crypto : undefined;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  const bytes = new Uint8Array(16);
  if (c) c.getRandomValues(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
  return `c${Array.from(bytes, (b) => (b + 256).toString(16).slice(1)).join('')}`;
}

const sentence = (text: string) => text.trim().replace(/([^.!?…])$/, '$1.');

export function mountWidget(options: InitOptions, scriptSrc: string, onDestroy: () => void): WidgetHandle {
  const apiUrl = String(options.apiUrl || new URL(scriptSrc || location.href).origin).replace(/\/+$/, '');
  const api = createApi(apiUrl, options.token);
  const storageKey = `switchboard:visitor:${apiUrl}|${options.agentId}`;
  const overrides = options.theme || {};
  let memoryToken: string | undefined;

  // ---- DOM (everything inside an open shadow root; page styles cannot reach it, ours cannot leave it)
  const host = document.createElement('switchboard-widget');
  host.style.setProperty('all', 'initial', 'important');
  const shadow = host.attachShadow({ mode: 'open' });
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    shadow.adoptedStyleSheets = [sheet]; // not subject to a page's CSP style-src
  } catch {
    shadow.append(h('style', {}, CSS));
  }

  const iconSlot = h('span', { 'aria-hidden': 'true' });
  const badge = h('span', { class: 'badge', 'aria-hidden': 'true', hidden: '' });
  const launcher = h(
    'button',
    { type: 'button', class: 'launcher', 'aria-expanded': 'false', 'aria-controls': 'sb-panel', 'aria-haspopup': 'dialog' },
    iconSlot,
    badge,
  );
  const avatar = h('img', { class: 'avatar', alt: '', hidden: '' });
  const title = h('h2', { class: 'title', id: 'sb-title' });
  const closeButton = h('button', { type: 'button', class: 'close', 'aria-label': 'Close chat' });
  closeButton.innerHTML = ICON_CLOSE;
  const alertBox = h('div', { class: 'alert', role: 'alert' });
  const log = h('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': 'Conversation', tabindex: '0' });
  const typingText = h('span', { class: 'sr' });
  const typing = h(
    'div',
    { class: 'typing', role: 'status', hidden: '' },
    h('span', { class: 'dot' }),
    h('span', { class: 'dot' }),
    h('span', { class: 'dot' }),
    typingText,
  );
  const input = h('textarea', { id: 'sb-input', rows: '1', maxlength: '4000', placeholder: 'Write a message…', autocomplete: 'off' });
  const sendButton = h('button', { type: 'submit', class: 'send', 'aria-label': 'Send message' });
  sendButton.innerHTML = ICON_SEND;
  const form = h('form', { class: 'composer' }, h('label', { for: 'sb-input', class: 'sr' }, 'Your message'), input, sendButton);
  const panel = h(
    'div',
    { class: 'panel', id: 'sb-panel', role: 'dialog', 'aria-modal': 'false', hidden: '' },
    h('div', { class: 'header' }, avatar, title, closeButton),
    alertBox,
    log,
    typing,
    form,
  );
  const root = h('div', { class: 'root' }, panel, launcher);
  shadow.append(root);

  // ---- state
  let theme: Theme = mergeTheme(overrides);
  let agentName = '';
  let launcherImage: string | null = null;
  let session: Session | null = null;
  let alive = true;
  let fatal = false;
  let isOpen = false;
  let unread = 0;
  let alertKind: AlertKind | null = null;
  let lastEventId = '';
  let streamAbort: AbortController | null = null;
  let sentAny = false;
  let typingFlag = false;
  let typingTimer = 0;
  let starting = false;
  let flushing = false;
  const streaming = new Set<string>();
  const entries = new Map<string, Entry>(); // 'm' + message id, 'c' + clientMessageId
  const byElement = new WeakMap<Element, Entry>();
  const outbox: Outgoing[] = [];
  let wakers: Array<() => void> = [];

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

  const readToken = () => {
    try {
      return localStorage.getItem(storageKey) || undefined;
    } catch {
      return memoryToken;
    }
  };
  const writeToken = (token: string | undefined) => {
    memoryToken = token;
    try {
      if (token) localStorage.setItem(storageKey, token);
      else localStorage.removeItem(storageKey);
    } catch {
      // storage blocked (sandboxed frame, privacy mode): the session lasts as long as the page
    }
  };

  // ---- theme
  const greeting = newEntry('agent', -Infinity);
  greeting.el.classList.add('greeting');
  greeting.final = true;

  function applyTheme() {
    const primary = color(theme.primaryColor, DEFAULT_THEME.primaryColor);
    const launcherColor = color(theme.launcherColor, primary);
    const vars: Record<string, string> = {
      '--sb-primary': primary,
      '--sb-on-primary': textOn(primary),
      '--sb-launcher': launcherColor,
      '--sb-on-launcher': textOn(launcherColor),
      '--sb-font': font(theme.fontFamily),
    };
    for (const name of Object.keys(vars)) root.style.setProperty(name, vars[name]!);
    root.setAttribute('data-position', theme.position);
    title.textContent = theme.headerTitle;
    panel.setAttribute('aria-label', theme.headerTitle);
    typingText.textContent = `${agentName || theme.headerTitle} is typing…`;
    const avatarSrc = imageUrl(theme.avatarUrl);
    avatar.hidden = !avatarSrc;
    if (avatarSrc) {
      avatar.src = avatarSrc;
      avatar.alt = `${agentName || theme.headerTitle} avatar`;
    }
    launcherImage = theme.launcherIcon === 'chat' ? null : imageUrl(theme.launcherIcon);
    greeting.body.textContent = theme.greeting || '';
    greeting.el.hidden = !theme.greeting;
    updateLauncher();
  }

  function updateLauncher() {
    launcher.setAttribute('aria-expanded', String(isOpen));
    launcher.setAttribute(
      'aria-label',
      isOpen ? 'Close chat' : `Open chat${unread ? ` (${unread} unread message${unread > 1 ? 's' : ''})` : ''}`,
    );
    badge.textContent = unread > 99 ? '99+' : String(unread);
    badge.hidden = isOpen || unread === 0;
    // The close icon while open; otherwise the theme's image, or the built-in chat icon.
    if (!isOpen && launcherImage) iconSlot.replaceChildren(h('img', { src: launcherImage, alt: '' }));
    else iconSlot.innerHTML = isOpen ? ICON_CLOSE : ICON_CHAT;
  }

  const readyTimer = setTimeout(() => ready(), 3000); // never keep the launcher hidden for long
  let openWhenReady = !!options.open;
  function ready() {
    clearTimeout(readyTimer);
    if (root.classList.contains('ready')) return;
    root.classList.add('ready');
    if (openWhenReady) open(false);
  }

  // ---- open / close
  function open(focus = true) {
    if (!root.classList.contains('ready')) {
      openWhenReady = true;
      return;
    }
    if (!isOpen) {
      isOpen = true;
      panel.hidden = false;
      root.classList.add('open');
      unread = 0;
      updateLauncher();
      scrollDown();
    }
    if (focus) (input.disabled ? closeButton : input).focus();
  }

  function close(returnFocus = true) {
    openWhenReady = false;
    if (!isOpen) return;
    isOpen = false;
    panel.hidden = true;
    root.classList.remove('open');
    updateLauncher();
    if (returnFocus) launcher.focus();
  }

  launcher.addEventListener('click', () => (isOpen ? close() : open()));
  closeButton.addEventListener('click', () => close());
  root.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && isOpen) {
      event.stopPropagation();
      close();
    }
  });

  // ---- messages
  function newEntry(role: 'agent' | 'contact', t: number): Entry {
    const body = h('span', { class: 'text' });
    const el = h('div', { class: `msg ${role}` }, h('span', { class: 'sr' }, role === 'agent' ? 'Agent: ' : 'You: '), body);
    const entry: Entry = { el, body, t, final: false };
    byElement.set(el, entry);
    log.append(el);
    return entry;
  }

  /** Places an entry among the others by time (history can arrive after live messages). */
  function place(entry: Entry) {
    for (const child of Array.from(log.children)) {
      const other = byElement.get(child);
      if (other && other !== entry && other.t > entry.t) {
        log.insertBefore(entry.el, child);
        return;
      }
    }
    log.append(entry.el);
  }

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  /** Shows a stored or live Message; the same message arriving again (replay, history) updates it in place. */
  function upsert(message: Message, fromHistory: boolean): Entry {
    let entry = entries.get(`m${message.id}`) || (message.clientMessageId ? entries.get(`c${message.clientMessageId}`) : undefined);
    const wasFinal = !!entry && entry.final;
    if (!entry) {
      entry = newEntry(message.role === 'contact' ? 'contact' : 'agent', message.createdAt);
      if (fromHistory) place(entry);
    }
    entries.set(`m${message.id}`, entry);
    if (message.clientMessageId) entries.set(`c${message.clientMessageId}`, entry);
    entry.t = message.createdAt;
    entry.el.classList.remove('pending', 'failed');
    if (message.text != null) {
      entry.el.classList.remove('unstored');
      entry.body.textContent = message.text;
    } else if (!wasFinal && !entry.body.textContent) {
      entry.el.classList.add('unstored');
      entry.body.textContent = 'This message was not stored.';
    }
    entry.final = true;
    if (message.role === 'agent') {
      streaming.delete(message.id);
      showTyping();
      if (!wasFinal && !fromHistory && !isOpen) {
        unread++;
        updateLauncher();
      }
      if (alertKind === 'agent') setAlert(null);
    }
    return entry;
  }

  function onDelta(delta: { messageId: string; text: string }) {
    const key = `m${delta.messageId}`;
    let entry = entries.get(key);
    if (!entry) {
      entry = newEntry('agent', Date.now());
      entries.set(key, entry);
    }
    if (entry.final) return; // a late chunk of a reply that is already complete
    entry.body.append(String(delta.text));
    streaming.add(delta.messageId);
    showTyping();
  }

  function setTyping(active: boolean) {
    typingFlag = active;
    showTyping();
  }

  function showTyping() {
    clearTimeout(typingTimer);
    const on = typingFlag || streaming.size > 0;
    typing.hidden = !on;
    if (on) {
      // A lost `typing: false` must not leave the dots forever.
      typingTimer = setTimeout(() => {
        typingFlag = false;
        streaming.clear();
        typing.hidden = true;
      }, TYPING_MS) as unknown as number;
    }
    if (isOpen) scrollDown();
  }

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
    if (error.status === 429) setAlert('net', `Too many messages right now. Retrying in ${error.retryAfter || 'a few'} seconds…`);
    else setAlert('net', `The chat service is having trouble: ${sentence(error.message)} Retrying…`);
  }

  /**
   * After a network error: offline, or refused without a readable answer (a refused preflight)?
   * Asks the runtime's origin-check; sets the alert. 'fatal' when the page can never be served.
   */
  async function explain(): Promise<'fatal' | 'blocked' | 'offline'> {
    if (navigator.onLine !== false) {
      const check = await api.originCheck();
      if (check && !check.allowed && alive) {
        fail(new HttpError(/token/i.test(check.message) ? 401 : 403, check.message, 0));
        return 'fatal';
      }
      if (!check && (await api.reachable())) {
        // The server answers, yet the browser withheld its answer: the origin was refused.
        setAlert(
          'net',
          `This site is not allowed to use this chat (origin ${location.origin}): the chat service refused this page's origin. Check the deployment's allowed origins.`,
        );
        return 'blocked';
      }
    }
    setAlert('net', OFFLINE);
    return 'offline';
  }

  function fail(error: HttpError) {
    let text: string;
    if (error.status === 403) text = `This site is not allowed to use this chat (origin ${location.origin}). ${sentence(error.message)}`;
    else if (error.status === 401 && /revoked/i.test(error.message)) text = REVOKED;
    else if (error.status === 404) text = `This chat is not available at ${apiUrl} (${sentence(error.message)})`;
    else text = `This chat is not set up correctly (${sentence(error.message)})`;
    setAlert('fatal', text);
    fatal = true;
    alertKind = 'fatal';
    if (streamAbort) streamAbort.abort();
    input.disabled = sendButton.disabled = true;
    input.placeholder = 'Chat unavailable';
    root.classList.add('error');
    for (const item of outbox.splice(0)) item.entry.el.classList.add('failed');
    streaming.clear();
    setTyping(false);
    ready();
  }

  // ---- session
  async function start() {
    if (starting || !alive) return;
    starting = true;
    session = null;
    if (streamAbort) streamAbort.abort();
    let attempt = 0;
    let cap = 30_000;
    try {
      while (alive && !fatal) {
        const visitorToken = readToken();
        try {
          const started = await api.start({
            ...(visitorToken && { visitorToken }),
            pageUrl: location.origin + location.pathname,
            locale: options.locale || navigator.language || 'en',
          });
          if (!alive) return;
          writeToken(started.visitorToken);
          agentName = (started.agent && started.agent.name) || '';
          const serverTheme = (started.widget && started.widget.theme) || {};
          theme = mergeTheme(
            agentName ? { headerTitle: agentName } : null,
            serverTheme,
            started.greeting ? { greeting: started.greeting } : null,
            overrides,
          );
          session = started;
          lastEventId = '';
          applyTheme();
          recovered();
          ready();
          void stream(started);
          void flush();
          return;
        } catch (error) {
          if (!alive) return;
          if (error instanceof HttpError) {
            if (error.status === 400 && visitorToken) {
              writeToken(undefined); // a visitor token the server no longer accepts: start afresh
              continue;
            }
            if (error.status < 500 && error.status !== 408 && error.status !== 429) return fail(error);
            transient(error);
          } else {
            const why = await explain();
            if (why === 'fatal' || !alive) return;
            if (why === 'blocked') {
              cap = 300_000; // retried slowly, in case it was a proxy's error page without CORS headers
              attempt = Math.max(attempt, 6);
            }
          }
          ready();
          await sleep(error instanceof HttpError && error.retryAfter ? error.retryAfter * 1000 : backoff(attempt++, cap));
        }
      }
    } finally {
      starting = false;
    }
  }

  async function loadHistory(current: Session) {
    try {
      const messages = await api.history(current);
      if (session !== current || !alive) return;
      for (const message of messages) upsert(message, true);
      scrollDown();
    } catch {
      // best effort: the live stream still delivers everything new
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
        const reader = response.body!.getReader();
        const decoder = new TextDecoder();
        const parse = sseParser((type, data, id) => {
          if (session !== current) return;
          try {
            const payload = JSON.parse(data);
            if (type === 'message') upsert(payload as Message, false);
            else if (type === 'delta') onDelta(payload);
            else if (type === 'typing') setTyping(!!payload.active);
            else if (type === 'closed') return fail(new HttpError(payload.status, String(payload.message), 0));
            else if (type === 'error') {
              streaming.clear();
              setTyping(false);
              setAlert('agent', payload.message ? sentence(String(payload.message)) : 'The assistant could not answer. Please try again.');
            }
          } catch {
            // one malformed event must not end the stream
          }
          if (id !== undefined) lastEventId = id;
          if (isOpen) scrollDown();
        });
        let timer = 0;
        const arm = () => {
          clearTimeout(timer);
          timer = setTimeout(() => {
            stalled = true;
            abort.abort();
          }, STALL_MS) as unknown as number;
        };
        arm();
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            arm();
            parse(decoder.decode(value, { stream: true }));
          }
        } finally {
          clearTimeout(timer);
        }
        // The server ended the stream: reconnect.
      } catch (error) {
        if (!alive || session !== current || (abort.signal.aborted && !stalled)) return;
        if (error instanceof HttpError) {
          if (error.status === 401 || error.status === 403) return fail(error);
          if (error.status === 404) return void start(); // the conversation is gone: start or resume again
          transient(error);
          if (error.retryAfter) {
            await sleep(error.retryAfter * 1000);
            continue;
          }
        } else if (!openedAt && (await explain()) === 'fatal') {
          return; // (a connection that just broke retries quietly once before saying anything)
        }
      }
      streaming.clear();
      showTyping();
      // Back off while attempts keep failing; a stream that had been up a while starts over.
      attempt = openedAt && Date.now() - openedAt > 10_000 ? 1 : attempt + 1;
      await sleep(backoff(attempt - 1));
    }
  }

  // ---- sending
  function submit() {
    const text = input.value.trim();
    if (!text || fatal) return;
    input.value = '';
    autosize();
    const item: Outgoing = { clientMessageId: newClientMessageId(), text, entry: newEntry('contact', Infinity) };
    item.entry.body.textContent = text;
    item.entry.el.classList.add('pending');
    entries.set(`c${item.clientMessageId}`, item.entry);
    outbox.push(item);
    scrollDown();
    void flush();
  }

  /** Sends queued messages in order; retries reuse the clientMessageId, so nothing is stored twice. */
  async function flush() {
    if (flushing) return;
    flushing = true;
    let attempt = 0;
    try {
      while (alive && !fatal && session && outbox.length > 0) {
        const current = session;
        const item = outbox[0]!;
        try {
          const { message } = await api.send(current, item.text, item.clientMessageId);
          sentAny = true;
          outbox.shift();
          attempt = 0;
          recovered();
          if (!item.entry.final) {
            item.entry.t = message.createdAt;
            entries.set(`m${message.id}`, item.entry);
            item.entry.el.classList.remove('pending');
          }
        } catch (error) {
          if (!alive) return;
          if (error instanceof HttpError) {
            if (error.status === 401 || error.status === 403) return fail(error);
            if (error.status === 404) return void start(); // start() flushes again once it has a session
            if (error.status < 500 && error.status !== 429 && error.status !== 408) {
              outbox.shift();
              item.entry.el.classList.remove('pending');
              item.entry.el.classList.add('failed');
              setAlert('agent', `Your message could not be sent (${sentence(error.message)})`);
              continue;
            }
          }
          if (error instanceof HttpError) transient(error);
          else if ((await explain()) === 'fatal') return;
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

  form.addEventListener('submit', (event) => {
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
    document.body.append(host);
    void start();
  };
  if (document.body) attach();
  else document.addEventListener('DOMContentLoaded', attach, { once: true });

  return {
    open: () => open(true),
    close: () => close(false),
    destroy() {
      alive = false;
      if (streamAbort) streamAbort.abort();
      wake();
      clearTimeout(readyTimer);
      clearTimeout(typingTimer);
      removeEventListener('online', onOnline);
      host.remove();
      onDestroy();
    },
  };
}

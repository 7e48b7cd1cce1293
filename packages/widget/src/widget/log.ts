import { h } from './dom.js';
import { renderMarkdown } from './markdown.js';
import { TEXT } from './strings.js';
import type { Message } from './types.js';
import { showFiles, type Attachment } from './attach.js';

/** One bubble in the log. `t` orders history against live messages (createdAt, ms). */
export interface Entry {
  el: HTMLElement;
  body: HTMLElement;
  t: number;
  /** The final text is in (a `message` event or history), so later deltas are stale. */
  final: boolean;
  agent: boolean;
  /** What has arrived so far, re-rendered as Markdown as deltas stream in. */
  raw: string;
  /** The quick replies the message offers. */
  qr?: string[] | undefined;
}

const TYPING_MS = 30_000;

/**
 * The conversation as the visitor sees it: messages in time order (the same message arriving
 * again updates its bubble), agent replies streamed in and rendered as Markdown, the visitor's
 * own messages as plain text, and the typing indicator. `onAgentMessage` hears of each new agent
 * message that arrived live.
 */
export function conversationLog(log: HTMLElement, typing: HTMLElement, onAgentMessage: () => void, onChoose: (label: string) => void) {
  const entries = new Map<string, Entry>(); // 'm' + message id, 'c' + clientMessageId
  const byElement = new WeakMap<Element, Entry>();
  const streaming = new Set<string>();
  let typingFlag = false;
  let typingTimer = 0;
  let chips: HTMLElement | undefined;
  let chipsFor: Entry | undefined;

  /** Quick replies show as buttons under the last message while it is a finished reply offering them. */
  function offer() {
    const kids = log.children;
    let last = kids[kids.length - 1];
    if (last && last === chips) last = kids[kids.length - 2];
    const entry = last && byElement.get(last);
    const labels = entry && entry.final && entry.qr;
    if (chips && chipsFor === entry && chips === log.lastElementChild && labels) return;
    if (chips) chips.remove();
    chips = chipsFor = undefined;
    if (!entry || !labels || !labels.length) return;
    chipsFor = entry;
    chips = h('div', { class: 'qr' });
    for (const label of labels) {
      const button = h('button', { type: 'button' }, label);
      button.onclick = () => {
        entry.qr = undefined;
        offer();
        onChoose(label);
      };
      chips.append(button);
    }
    log.append(chips);
  }

  function add(agent: boolean, t: number): Entry {
    const body = h('div', { class: 'text', dir: 'auto' }); // an English reply reads left to right in an Arabic widget
    const el = h('div', { class: `msg ${agent ? 'agent' : 'contact'}` }, h('span', { class: 'sr' }, agent ? TEXT.agent : TEXT.you), body);
    const entry: Entry = { el, body, t, final: false, agent, raw: '' };
    byElement.set(el, entry);
    log.append(el);
    offer();
    return entry;
  }

  function setText(entry: Entry, text: string) {
    entry.raw = text;
    if (entry.agent) entry.body.replaceChildren(renderMarkdown(text));
    else entry.body.textContent = text;
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

  const scrollDown = () => {
    log.scrollTop = log.scrollHeight;
  };

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
    scrollDown();
  }

  const greeting = add(true, -Infinity);
  greeting.el.classList.add('greeting');
  greeting.final = true;

  return {
    greeting: greeting.body,
    scrollDown,

    /** Shows a stored or live Message; the same message arriving again (replay, history) updates it in place. */
    upsert(message: Message, fromHistory: boolean) {
      let entry = entries.get(`m${message.id}`) || (message.clientMessageId ? entries.get(`c${message.clientMessageId}`) : undefined);
      const wasFinal = !!entry && entry.final;
      if (!entry) {
        entry = add(message.role !== 'contact', message.createdAt);
        if (fromHistory) place(entry);
      }
      entries.set(`m${message.id}`, entry);
      if (message.clientMessageId) entries.set(`c${message.clientMessageId}`, entry);
      entry.t = message.createdAt;
      entry.el.classList.remove('pending', 'failed');
      if (message.text != null) {
        entry.el.classList.remove('unstored');
        setText(entry, message.text);
      } else if (!wasFinal && !entry.raw) {
        entry.el.classList.add('unstored');
        entry.body.textContent = TEXT.notStored;
      }
      showFiles(entry.body, (message as { attachments?: Attachment[] }).attachments);
      entry.final = true;
      if (message.role !== 'contact') entry.qr = message.quickReplies;
      // An agent's reply or a person's (role `human` after a handoff): both are news for the visitor.
      if (message.role !== 'contact') {
        streaming.delete(message.id);
        showTyping();
        if (!wasFinal && !fromHistory) onAgentMessage();
      }
      offer();
      scrollDown();
    },

    delta(delta: { messageId: string; text: string }) {
      const key = `m${delta.messageId}`;
      let entry = entries.get(key);
      if (!entry) {
        entry = add(true, Date.now());
        entries.set(key, entry);
      }
      if (entry.final) return; // a late chunk of a reply that is already complete
      setText(entry, entry.raw + String(delta.text));
      streaming.add(delta.messageId);
      showTyping();
    },

    setTyping(active: boolean) {
      typingFlag = active;
      showTyping();
    },

    /** Ends any reply in progress (the stream dropped, or the agent failed). */
    stopTyping() {
      streaming.clear();
      typingFlag = false;
      showTyping();
    },

    /** The visitor's message, shown at once as pending. */
    outgoing(text: string, clientMessageId: string): Entry {
      const entry = add(false, Infinity);
      setText(entry, text);
      entry.el.classList.add('pending');
      entries.set(`c${clientMessageId}`, entry);
      scrollDown();
      return entry;
    },

    /** The server stored an outgoing message (its own `message` event may have come first). */
    sent(entry: Entry, message: Message) {
      if (entry.final) return;
      entry.t = message.createdAt;
      entries.set(`m${message.id}`, entry);
      entry.el.classList.remove('pending');
    },

    failed(entry: Entry) {
      entry.el.classList.remove('pending');
      entry.el.classList.add('failed');
    },

    /** Another conversation replaces the one shown: its messages go; the greeting and unsent messages stay. */
    clear() {
      for (const [key, entry] of Array.from(entries)) {
        if (!entry.final) continue;
        entry.el.remove();
        entries.delete(key);
      }
      streaming.clear();
      showTyping();
      offer();
    },
  };
}

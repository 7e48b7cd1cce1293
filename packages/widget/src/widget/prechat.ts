/**
 * The pre-chat form's part in widget.js: whether to ask, and asking through the lazily loaded
 * `prechat` chunk (src/chunks/prechat.ts), so a page whose visitor never opens the chat loads none of it.
 */
import { loadChunk } from './chunks.js';

export interface PreChatField {
  key: string;
  label: string;
  type: 'text' | 'email' | 'tel' | 'select';
  required: boolean;
  options?: string[];
}

/** `widget.preChatForm` in the config and session answers: present only when the widget should ask. */
export interface PreChatForm {
  title?: string;
  submitLabel?: string;
  fields: PreChatField[];
}

/** What the chunk registers: shows the form at the top of the panel until `submit` accepts the answers. */
export interface PreChatChunk {
  ask(
    panel: HTMLElement,
    form: PreChatForm,
    /** Sends the answers; resolves to an error message to show, or null once they are stored. */
    submit: (values: Record<string, string>) => Promise<string | null>,
  ): void;
}

/** Remembers (in localStorage, else for this page) that this visitor answered, so the form is asked once. */
export function preChatGate(key: string) {
  const flag = `${key}|prechat`;
  let answered = false;
  return {
    needed(form: PreChatForm | null | undefined): form is PreChatForm {
      if (!form || answered) return false;
      try {
        return !localStorage.getItem(flag);
      } catch {
        return true;
      }
    },
    answered() {
      answered = true;
      try {
        localStorage.setItem(flag, '1');
      } catch {
        // blocked: remembered for this page
      }
    },
    load: () => loadChunk<PreChatChunk>('prechat'),
  };
}

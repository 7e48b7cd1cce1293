/**
 * Attachments' part in widget.js: the attach button (shown when the deployment accepts files) and
 * the hand-off to the lazily loaded `attachments` chunk (src/chunks/attachments.ts), which picks,
 * checks, uploads and shows files. A visitor who never sends or receives a file loads none of it.
 */
import type { Attachment, AttachmentSettings } from '@switchboard/core';
import { loadChunk } from './chunks.js';
import { h, icon } from './dom.js';
import { TEXT } from './strings.js';

export type { Attachment };
/** `attachments` in the config and session answers. */
export type FileRules = AttachmentSettings;

export interface AttachContext {
  rules: FileRules;
  /** The session's upload address and headers (starting the session if need be); null when there is none. */
  target(): Promise<{ url: string; headers: Record<string, string> } | null>;
  /** Shows the file as the visitor's pending message; the returned function settles it with the stored message, or fails it with a refusal to tell the visitor. */
  pending(name: string, clientMessageId: string): (message: unknown, refusal?: string) => void;
}

export interface AttachmentsChunk {
  /** Opens the file picker (in `host`) and sends what the visitor chooses. */
  pick(context: AttachContext, host: HTMLElement): void;
  /** Shows a message's files in its bubble: images previewed, other files as links. */
  render(body: HTMLElement, files: Attachment[]): void;
}

const load = () => loadChunk<AttachmentsChunk>('attachments');

/** A message's files, rendered by the chunk; the file names stay as text if it cannot load. */
export function showFiles(body: HTMLElement, files: Attachment[] | undefined): void {
  if (files && files.length) load().then((chunk) => chunk.render(body, files), () => undefined);
}

/** The attach button before `before` in the composer; `rules` shows or hides it. */
export function attachButton(before: HTMLElement, context: () => AttachContext) {
  const button = h('button', { type: 'button', class: 'attach', hidden: '' }, icon({ fill: 'none', stroke: 'currentColor', 'stroke-width': '2', 'stroke-linecap': 'round', d: 'm21 11-8.5 8.5a5 5 0 0 1-7-7L14 4a3.3 3.3 0 0 1 4.7 4.7L10 17.4a1.7 1.7 0 0 1-2.4-2.4L15.5 7' }));
  before.before(button);
  button.onclick = () => {
    load().then((chunk) => chunk.pick(context(), button.parentElement!), () => undefined);
  };
  return (rules: FileRules | undefined) => {
    button.setAttribute('aria-label', TEXT.attach);
    button.hidden = !(rules && rules.enabled);
  };
}

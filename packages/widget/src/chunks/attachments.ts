/**
 * Attachments, loaded on first use (GET /embed/v1/chunks/attachments.js): the file picker, the
 * checks against the deployment's rules before anything is sent (so a 20 MB file is refused at
 * once, in words), the upload (the file as the request body), and files shown in the log: images
 * previewed inside a link that opens them, other files as links with their size. Built as DOM
 * nodes; only http(s) addresses become links or images.
 */
import { registerChunk } from '../widget/chunk-registry.js';
import { h } from '../widget/dom.js';
import { mediaTypeAllowed } from '@switchboard/core/media-types';
import type { AttachContext, Attachment, AttachmentsChunk } from '../widget/attach.js';
import { attachmentTexts, fill } from './attachments/texts.js';

const CSS = `
.files{display:flex;flex-direction:column;gap:6px}
.files img{display:block;max-width:100%;max-height:220px;border-radius:8px;background:var(--c)}
.files a{color:inherit;text-decoration:underline;overflow-wrap:anywhere}
.files a:focus-visible{outline:2px solid var(--sb-primary);outline-offset:2px;border-radius:8px}
`;

const PREVIEWED = /^image\/(png|jpeg|gif|webp)$/;
const WEB = /^https?:\/\//i;

/** 10485760 → "10 MB", 1536 → "1.5 KB". */
function size(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit ? Number(value.toFixed(1)) : value} ${units[unit]}`;
}

let styled: Node | null = null;
function style(node: Node) {
  const root = node.getRootNode() as ShadowRoot;
  if (styled === root) return;
  styled = root;
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  } catch {
    root.appendChild(h('style', {}, CSS));
  }
}

async function send(context: AttachContext, file: File, host: HTMLElement) {
  const { rules } = context;
  const clientMessageId = `f${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const settle = context.pending(file.name, clientMessageId);
  const texts = attachmentTexts((host.closest('[lang]') || document.documentElement).getAttribute('lang'));
  const refuse = (template: string, values: Record<string, string> = {}) => settle(null, fill(template, { name: file.name, ...values }));
  const type = (file.type || '').toLowerCase();
  if (!type || !mediaTypeAllowed(type, rules.allowedTypes)) {
    return refuse(texts.type, { types: rules.allowedTypes.join(', ') });
  }
  if (file.size > rules.maxBytes) {
    return refuse(texts.size, { size: size(file.size), max: size(rules.maxBytes) });
  }
  const target = await context.target();
  if (!target) return refuse(texts.offline);
  try {
    const response = await fetch(`${target.url}?name=${encodeURIComponent(file.name)}&clientMessageId=${clientMessageId}`, {
      method: 'POST',
      headers: { ...target.headers, 'content-type': type },
      body: file,
      mode: 'cors',
      credentials: 'omit',
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) return refuse(texts.refused, { reason: answer.message || `HTTP ${response.status}` });
    settle(answer.data.message);
  } catch {
    refuse(texts.network);
  }
}

const chunk: AttachmentsChunk = {
  pick(context, host) {
    style(host);
    const old = host.querySelector('input[type=file]');
    if (old) old.remove();
    const input = h('input', { type: 'file', hidden: '', accept: context.rules.allowedTypes.join(','), tabindex: '-1' });
    input.onchange = () => {
      const file = input.files && input.files[0];
      input.remove();
      if (file) void send(context, file, host);
    };
    host.append(input);
    input.click();
  },

  render(body, files: Attachment[]) {
    style(body);
    const list = h('div', { class: 'files' });
    for (const file of files) {
      const url = file.url && WEB.test(file.url) ? file.url : '';
      const label = `${file.name} (${size(file.size)})`;
      if (!url) {
        list.append(h('span', {}, label));
      } else if (PREVIEWED.test(file.contentType)) {
        // The image opens full size in a new tab; its name is its alternative text.
        list.append(h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, h('img', { src: url, alt: file.name, loading: 'lazy' })));
      } else {
        list.append(h('a', { href: url, target: '_blank', rel: 'noopener noreferrer', download: file.name }, label));
      }
    }
    body.replaceChildren(list);
  },
};

registerChunk('attachments', chunk);

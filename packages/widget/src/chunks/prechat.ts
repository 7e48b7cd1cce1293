/**
 * The pre-chat form, loaded on first use (GET /embed/v1/chunks/prechat.js): shown at the top of the
 * panel in place of the conversation until the visitor's answers are stored. Built as DOM nodes;
 * every field has a visible label, errors are tied to their field (aria-invalid, aria-describedby)
 * and announced by a summary with role="alert", and the focus goes to the first field in error.
 */
import { registerChunk } from '../widget/chunk-registry.js';
import { h } from '../widget/dom.js';
import type { PreChatChunk, PreChatField, PreChatForm } from '../widget/prechat.js';
import { preChatTexts, type PreChatTexts } from './prechat/texts.js';

const CSS = `
.asking .log,.asking .typing{display:none!important}
.pc{flex:1;overflow-y:auto;overscroll-behavior:contain;margin:0;padding:16px;display:flex;flex-direction:column;gap:14px;background:var(--b,#fff);color:var(--f,#1f2328)}
.pc h3{margin:0;font-size:17px;line-height:1.3}
.pc .req-note{margin:0;font-size:13px;color:var(--m,#656d76)}
.pc label{display:block;margin:0 0 4px;font-weight:600;font-size:14px}
.pc input,.pc select{display:block;width:100%;margin:0;padding:9px 10px;border:1px solid var(--m,#656d76);border-radius:8px;font:16px/1.3 var(--sb-font,inherit);color:inherit;background:var(--b,#fff)}
.pc [aria-invalid=true]{border:2px solid var(--x,#82071e)}
.pc .err{margin:4px 0 0;font-size:13px;color:var(--x,#82071e)}
.pc .err:empty{display:none}
.pc .summary{padding:8px 10px;border-radius:8px;border:1px solid var(--x,#82071e);background:var(--xb,#ffebe9);color:var(--x,#82071e);font-size:14px}
.pc .summary:empty{display:none}
.pc button{align-self:stretch;padding:11px 14px;border-radius:10px;background:var(--sb-primary);color:var(--sb-on-primary);font-weight:600;font-size:15px}
`;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const TEL = /^\+?[0-9][0-9 ().-]{2,29}$/;

/** The first problem with an answer, as a sentence naming the field (without its full stop), or ''. */
function problem(texts: PreChatTexts, field: PreChatField, value: string): string {
  const rule = !value ? (field.required ? texts.required : '') : field.type === 'email' && !EMAIL.test(value) ? texts.email : field.type === 'tel' && !TEL.test(value) ? texts.tel : '';
  return rule.replace('{label}', field.label);
}

function addStyles(root: Node) {
  const shadow = root as ShadowRoot;
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    shadow.adoptedStyleSheets = [...shadow.adoptedStyleSheets, sheet];
  } catch {
    shadow.appendChild(h('style', {}, CSS));
  }
}

let styled: Node | null = null;

const chunk: PreChatChunk = {
  ask(panel, form: PreChatForm, submit) {
    const root = panel.getRootNode();
    if (styled !== root) {
      addStyles(root);
      styled = root;
    }
    const texts = preChatTexts((panel.closest('[lang]') || document.documentElement).getAttribute('lang'));
    const summary = h('div', { class: 'summary', role: 'alert' });
    const titleId = 'sb-pc-title';
    const controls: Array<{ field: PreChatField; control: HTMLInputElement | HTMLSelectElement; error: HTMLElement }> = [];
    const rows = form.fields.map((field) => {
      const id = `sb-pc-${field.key}`;
      const error = h('p', { class: 'err', id: `${id}-err` });
      const attributes: Record<string, string> = { id, name: field.key, 'aria-describedby': error.id };
      if (field.required) attributes['aria-required'] = 'true';
      let control: HTMLInputElement | HTMLSelectElement;
      if (field.type === 'select') {
        control = h('select', attributes, h('option', { value: '' }, field.required ? texts.choose : '—'), ...(field.options || []).map((option) => h('option', { value: option }, option)));
      } else {
        const autocomplete = field.key === 'name' ? 'name' : field.type === 'email' ? 'email' : field.type === 'tel' ? 'tel' : 'off';
        control = h('input', { ...attributes, type: field.type, autocomplete, maxlength: field.type === 'email' ? '254' : '500' });
      }
      controls.push({ field, control, error });
      return h('div', {}, h('label', { for: id }, field.label, field.required ? ' *' : ''), control, error);
    });
    const button = h('button', { type: 'submit' }, form.submitLabel || texts.submit);
    const element = h(
      'form',
      { class: 'pc', 'aria-labelledby': titleId, novalidate: '' },
      h('h3', { id: titleId }, form.title || texts.title),
      ...(form.fields.some((field) => field.required) ? [h('p', { class: 'req-note' }, texts.note)] : []),
      summary,
      ...rows,
      button,
    );
    panel.classList.add('asking');
    const log = panel.querySelector('.log');
    panel.insertBefore(element, log);
    // Take the focus only from the widget itself (a chat opened by the page's script leaves it where it is).
    if ((root as ShadowRoot).activeElement) controls[0]!.control.focus();

    let busy = false;
    element.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (busy) return;
      const values: Record<string, string> = {};
      const wrong: string[] = [];
      let first: HTMLElement | null = null;
      for (const { field, control, error } of controls) {
        const value = control.value.trim();
        const why = problem(texts, field, value);
        error.textContent = why ? why + texts.stop : '';
        control.setAttribute('aria-invalid', String(!!why));
        if (why) {
          wrong.push(why + texts.stop);
          first = first || control;
        } else if (value) {
          values[field.key] = value;
        }
      }
      if (first) {
        summary.textContent = wrong.join(' ');
        first.focus();
        return;
      }
      busy = true;
      button.disabled = true;
      summary.textContent = '';
      const failure = await submit(values);
      busy = false;
      button.disabled = false;
      if (failure) {
        summary.textContent = failure;
        return;
      }
      element.remove();
      panel.classList.remove('asking');
      const input = panel.querySelector('textarea');
      if (input) input.focus();
    });
  },
};

registerChunk('prechat', chunk);

import { h, iconChat, iconClose, iconSend } from './dom.js';
import { renderMarkdown } from './markdown.js';
import { TEXT, fmt, plural } from './strings.js';
import { CSS } from './styles.js';
import { DEFAULT_THEME, color, font, imageUrl, textOn } from './theme.js';
import type { Theme } from './types.js';

/**
 * The widget's DOM, all inside an open shadow root on <switchboard-widget>: page styles cannot
 * reach it and its styles cannot leave. Its `dir` and `lang` are those of the visitor's language
 * (ltr English until the runtime answers), whatever the page's direction.
 */
export function createView() {
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
  // The launcher's name is its text: the visible label and badge count are part of it.
  const launcherLabel = h('span');
  const unreadBefore = h('span', { class: 'sr' });
  const badge = h('span', { class: 'badge', hidden: '' });
  const unreadLabel = h('span', { class: 'sr' });
  const launcher = h(
    'button',
    { type: 'button', class: 'launcher', 'aria-expanded': 'false', 'aria-controls': 'sb-panel', 'aria-haspopup': 'dialog' },
    iconSlot,
    launcherLabel,
    unreadBefore,
    badge,
    unreadLabel,
  );
  const avatar = h('img', { class: 'avatar', alt: '', hidden: '' });
  const title = h('h2', { class: 'title', id: 'sb-title' });
  const close = h('button', { type: 'button', class: 'close' }, iconClose());
  const alert = h('div', { class: 'alert', role: 'alert' });
  const log = h('div', { class: 'log', role: 'log', 'aria-live': 'polite', tabindex: '0' });
  const typingText = h('span', { class: 'sr' });
  const typing = h('div', { class: 'typing', role: 'status', hidden: '' }, h('span', { class: 'dot' }), h('span', { class: 'dot' }), h('span', { class: 'dot' }), typingText);
  const input = h('textarea', { id: 'sb-input', rows: '1', maxlength: '4000', autocomplete: 'off' });
  const send = h('button', { type: 'submit', class: 'send' }, iconSend());
  const inputLabel = h('label', { for: 'sb-input', class: 'sr' });
  const form = h('form', { class: 'composer' }, inputLabel, input, send);
  const panel = h(
    'div',
    { class: 'panel', id: 'sb-panel', role: 'dialog', 'aria-modal': 'false', hidden: '' },
    h('div', { class: 'header' }, avatar, title, close),
    alert,
    log,
    typing,
    form,
  );
  const root = h('div', { class: 'root' }, panel, launcher);
  shadow.append(root);

  let launcherImage: string | null = null;
  let launcherText: string | null = null;

  return {
    host,
    shadow,
    root,
    launcher,
    panel,
    close,
    alert,
    log,
    typing,
    input,
    send,
    form,

    /** The theme, and the texts and direction of `locale` (TEXT holds them already). */
    applyTheme(theme: Theme, agentName: string, greeting: HTMLElement, locale: string, dir: string) {
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
      const rtl = dir === 'rtl';
      // `all: initial` leaves `direction` alone, so the host carries it too (else an RTL page flips an English widget).
      for (const el of [host, root]) {
        el.setAttribute('dir', rtl ? 'rtl' : 'ltr');
        el.setAttribute('lang', locale);
      }
      // Right-to-left, the launcher's corner mirrors too: `position` names the side for left-to-right languages.
      root.setAttribute('data-position', (theme.position === 'left') !== rtl ? 'left' : 'right');
      root.setAttribute('data-scheme', theme.colorScheme);
      for (const [el, text] of [[close, TEXT.closeChat], [log, TEXT.log], [send, TEXT.send]] as const) el.setAttribute('aria-label', text);
      inputLabel.textContent = TEXT.inputLabel;
      input.placeholder = input.disabled ? TEXT.disabledPlaceholder : TEXT.placeholder;
      launcherText = theme.launcherText;
      title.textContent = theme.headerTitle;
      panel.setAttribute('aria-label', theme.headerTitle);
      typingText.textContent = fmt(TEXT.typing, { name: agentName || theme.headerTitle });
      const avatarSrc = imageUrl(theme.avatarUrl);
      avatar.hidden = !avatarSrc;
      if (avatarSrc) {
        avatar.src = avatarSrc;
        avatar.alt = fmt(TEXT.avatar, { name: agentName || theme.headerTitle });
      }
      launcherImage = theme.launcherIcon === 'chat' ? null : imageUrl(theme.launcherIcon);
      greeting.replaceChildren(renderMarkdown(theme.greeting || ''));
      greeting.parentElement!.hidden = !theme.greeting;
    },

    renderLauncher(isOpen: boolean, unread: number) {
      launcher.setAttribute('aria-expanded', String(isOpen));
      const showCount = !isOpen && unread > 0;
      const wide = !isOpen && !!launcherText;
      launcher.classList.toggle('wide', wide);
      launcherLabel.className = wide ? 'ltext' : 'sr';
      const label = isOpen ? TEXT.closeChat : launcherText || TEXT.openChat;
      // "Open chat, 3 unread messages": the visible count sits where the language's text puts {n}.
      // (Chromium puts a space between flex items in the name: the comma stays inside the label's.)
      const [before, after] = plural(TEXT.unread, unread).split('{n}');
      launcherLabel.textContent = showCount && !wide ? `${label}, ${before}` : label;
      unreadBefore.textContent = showCount && wide ? before! : '';
      badge.textContent = showCount ? (unread > 99 ? '99+' : String(unread)) : '';
      badge.hidden = !showCount;
      unreadLabel.textContent = showCount ? after || '' : '';
      // The close icon while open; otherwise the theme's image, or the built-in chat icon.
      iconSlot.replaceChildren(isOpen ? iconClose() : launcherImage ? h('img', { src: launcherImage, alt: '' }) : iconChat());
    },
  };
}

export type View = ReturnType<typeof createView>;

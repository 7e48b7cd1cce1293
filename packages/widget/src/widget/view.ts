import { h, iconChat, iconClose, iconSend } from './dom.js';
import { renderMarkdown } from './markdown.js';
import { TEXT } from './strings.js';
import { CSS } from './styles.js';
import { DEFAULT_THEME, color, font, imageUrl, textOn } from './theme.js';
import type { Theme } from './types.js';

/**
 * The widget's DOM, all inside an open shadow root on <switchboard-widget>: page styles cannot
 * reach it and its styles cannot leave. The root is `dir="ltr"` whatever the page's direction.
 */
export function createView() {
  const host = document.createElement('switchboard-widget');
  host.style.setProperty('all', 'initial', 'important');
  host.setAttribute('dir', 'ltr'); // `all` leaves `direction` alone: an RTL page would otherwise flip the widget
  const shadow = host.attachShadow({ mode: 'open' });
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    shadow.adoptedStyleSheets = [sheet]; // not subject to a page's CSP style-src
  } catch {
    shadow.append(h('style', {}, CSS));
  }

  const iconSlot = h('span', { 'aria-hidden': 'true' });
  // The launcher's name is its text: the visible badge count is part of it.
  const launcherLabel = h('span', { class: 'sr' });
  const badge = h('span', { class: 'badge', hidden: '' });
  const unreadLabel = h('span', { class: 'sr' });
  const launcher = h(
    'button',
    { type: 'button', class: 'launcher', 'aria-expanded': 'false', 'aria-controls': 'sb-panel', 'aria-haspopup': 'dialog' },
    iconSlot,
    launcherLabel,
    badge,
    unreadLabel,
  );
  const avatar = h('img', { class: 'avatar', alt: '', hidden: '' });
  const title = h('h2', { class: 'title', id: 'sb-title' });
  const close = h('button', { type: 'button', class: 'close', 'aria-label': TEXT.closeChat }, iconClose());
  const alert = h('div', { class: 'alert', role: 'alert' });
  const log = h('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': TEXT.log, tabindex: '0' });
  const typingText = h('span', { class: 'sr' });
  const typing = h('div', { class: 'typing', role: 'status', hidden: '' }, h('span', { class: 'dot' }), h('span', { class: 'dot' }), h('span', { class: 'dot' }), typingText);
  const input = h('textarea', { id: 'sb-input', rows: '1', maxlength: '4000', placeholder: TEXT.placeholder, autocomplete: 'off' });
  const send = h('button', { type: 'submit', class: 'send', 'aria-label': TEXT.send }, iconSend());
  const form = h('form', { class: 'composer' }, h('label', { for: 'sb-input', class: 'sr' }, TEXT.inputLabel), input, send);
  const panel = h(
    'div',
    { class: 'panel', id: 'sb-panel', role: 'dialog', 'aria-modal': 'false', hidden: '' },
    h('div', { class: 'header' }, avatar, title, close),
    alert,
    log,
    typing,
    form,
  );
  const root = h('div', { class: 'root', dir: 'ltr' }, panel, launcher);
  shadow.append(root);

  let launcherImage: string | null = null;

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

    applyTheme(theme: Theme, agentName: string, greeting: HTMLElement) {
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
      typingText.textContent = TEXT.typing(agentName || theme.headerTitle);
      const avatarSrc = imageUrl(theme.avatarUrl);
      avatar.hidden = !avatarSrc;
      if (avatarSrc) {
        avatar.src = avatarSrc;
        avatar.alt = TEXT.avatar(agentName || theme.headerTitle);
      }
      launcherImage = theme.launcherIcon === 'chat' ? null : imageUrl(theme.launcherIcon);
      greeting.replaceChildren(renderMarkdown(theme.greeting || ''));
      greeting.parentElement!.hidden = !theme.greeting;
    },

    renderLauncher(isOpen: boolean, unread: number) {
      launcher.setAttribute('aria-expanded', String(isOpen));
      const showCount = !isOpen && unread > 0;
      launcherLabel.textContent = isOpen ? TEXT.closeChat : showCount ? `${TEXT.openChat}, ` : TEXT.openChat;
      badge.textContent = showCount ? (unread > 99 ? '99+' : String(unread)) : '';
      badge.hidden = !showCount;
      unreadLabel.textContent = showCount ? TEXT.unread(unread) : '';
      // The close icon while open; otherwise the theme's image, or the built-in chat icon.
      iconSlot.replaceChildren(isOpen ? iconClose() : launcherImage ? h('img', { src: launcherImage, alt: '' }) : iconChat());
    },
  };
}

export type View = ReturnType<typeof createView>;

/**
 * On a phone-sized screen the open panel covers the whole page, so it behaves as a modal dialog:
 * Tab and Shift+Tab cycle inside it, and the page underneath does not scroll. Both end when the
 * panel closes (or the screen grows), and the page's own overflow styles come back as they were.
 */
const FOCUSABLE = 'a[href],button:not(:disabled),textarea:not(:disabled),[tabindex="0"]';

export function modalPanel(shadow: ShadowRoot, panel: HTMLElement) {
  const small = matchMedia('(max-width: 480px)');
  let open = false;
  let saved: string[] | null = null;

  function apply() {
    const modal = open && small.matches;
    panel.setAttribute('aria-modal', String(modal));
    const styles = [document.documentElement.style, document.body.style];
    if (modal && !saved) {
      saved = styles.map((style) => style.overflow);
      styles.forEach((style) => (style.overflow = 'hidden'));
    } else if (!modal && saved) {
      styles.forEach((style, i) => (style.overflow = saved![i]!));
      saved = null;
    }
  }

  panel.addEventListener('keydown', (event) => {
    if (event.key !== 'Tab' || panel.getAttribute('aria-modal') !== 'true') return;
    const items = Array.from(panel.querySelectorAll<HTMLElement>(FOCUSABLE)).filter((el) => el.getClientRects().length > 0);
    const first = items[0];
    const last = items[items.length - 1];
    if (!first || !last) return;
    const active = shadow.activeElement;
    if (event.shiftKey ? active === first || !panel.contains(active) : active === last) {
      event.preventDefault();
      (event.shiftKey ? last : first).focus();
    }
  });
  small.addEventListener('change', apply);

  return {
    set(isOpen: boolean) {
      open = isOpen;
      apply();
    },
    destroy() {
      open = false;
      apply();
      small.removeEventListener('change', apply);
    },
  };
}

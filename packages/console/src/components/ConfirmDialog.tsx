import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * A modal dialog: focus moves in and is trapped, Escape cancels, and focus returns to whatever
 * had it before on close.
 */
export function Dialog(props: { title: string; onClose: () => void; children: ComponentChildren; wide?: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  // A layout effect moves focus in as the dialog appears, before anyone can type into it; focus a
  // person already placed inside (a field clicked at once) stays where it is.
  useLayoutEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    if (!box.current?.contains(before)) {
      const first = box.current?.querySelector<HTMLElement>('[data-autofocus]') ?? box.current?.querySelector<HTMLElement>(FOCUSABLE);
      first?.focus();
    }
    return () => before?.focus?.();
  }, []);

  function onKeyDown(event: KeyboardEvent) {
    if (event.key === 'Escape') {
      event.stopPropagation();
      props.onClose();
      return;
    }
    if (event.key !== 'Tab' || !box.current) return;
    const focusable = [...box.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
    if (focusable.length === 0) return;
    const first = focusable[0]!;
    const last = focusable[focusable.length - 1]!;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }

  return (
    <div class="backdrop" onClick={(event) => event.target === event.currentTarget && props.onClose()}>
      <div ref={box} class={props.wide ? 'dialog wide' : 'dialog'} role="dialog" aria-modal="true" aria-labelledby="dialog-title" onKeyDown={onKeyDown}>
        <h2 id="dialog-title">{props.title}</h2>
        {props.children}
      </div>
    </div>
  );
}

export function ConfirmDialog(props: {
  title: string;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  error?: ComponentChildren;
  onConfirm: () => void;
  onCancel: () => void;
  children?: ComponentChildren;
}) {
  return (
    <Dialog title={props.title} onClose={props.onCancel}>
      {props.children}
      {props.error && (
        <div role="alert" class="notice error">
          {props.error}
        </div>
      )}
      <div class="actions">
        <button type="button" class="secondary" onClick={props.onCancel} data-autofocus>
          Cancel
        </button>
        <button type="button" class={props.danger ? 'danger' : ''} disabled={props.busy} onClick={props.onConfirm}>
          {props.busy ? 'Working…' : props.confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}

import { useRef, useState } from 'preact/hooks';

/** Copies text with navigator.clipboard, else by selecting a hidden field; says "Copied" in a live region. */
export function CopyButton(props: { text: string; label: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const fallback = useRef<HTMLTextAreaElement>(null);

  async function copy() {
    let done = false;
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(props.text);
        done = true;
      }
    } catch {
      done = false;
    }
    if (!done && fallback.current) {
      fallback.current.value = props.text;
      fallback.current.hidden = false;
      fallback.current.select();
      try {
        done = document.execCommand('copy');
      } catch {
        done = false;
      }
      fallback.current.hidden = true;
    }
    setState(done ? 'copied' : 'failed');
    setTimeout(() => setState('idle'), 2500);
  }

  return (
    <span class="copy">
      <button type="button" class="secondary" onClick={() => void copy()}>
        {props.label}
      </button>
      <textarea ref={fallback} hidden aria-hidden="true" tabIndex={-1} class="copy-fallback" readOnly />
      <span role="status" class="copy-status">
        {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed: select the text and copy it' : ''}
      </span>
    </span>
  );
}

import { useEffect, useState } from 'preact/hooks';

interface ToastItem {
  id: number;
  text: string;
  kind: 'info' | 'error';
}

let next = 1;
const listeners = new Set<(items: ToastItem[]) => void>();
let items: ToastItem[] = [];

function publish(list: ToastItem[]) {
  items = list;
  for (const listener of listeners) listener(items);
}

/** Announces a short message in a polite live region (assertive for errors); it fades after 6 s. */
export function toast(text: string, kind: 'info' | 'error' = 'info'): void {
  const item = { id: next++, text, kind };
  publish([...items, item].slice(-4));
  setTimeout(() => publish(items.filter((entry) => entry.id !== item.id)), 6000);
}

export function ToastRegion() {
  const [list, setList] = useState<ToastItem[]>(items);
  useEffect(() => {
    listeners.add(setList);
    return () => void listeners.delete(setList);
  }, []);
  return (
    <div class="toasts">
      <div role="status" aria-live="polite">
        {list.filter((item) => item.kind === 'info').map((item) => (
          <p key={item.id} class="toast">{item.text}</p>
        ))}
      </div>
      <div role="alert" aria-live="assertive">
        {list.filter((item) => item.kind === 'error').map((item) => (
          <p key={item.id} class="toast error">{item.text}</p>
        ))}
      </div>
    </div>
  );
}

import type { ComponentChildren } from 'preact';

/**
 * The server's setup instructions use two marks of Markdown: **bold** for the names of fields in
 * a provider's console and `code` for values to paste. They are turned into elements here; any
 * other character stays text, so nothing in the string can become markup.
 */
export function SetupText(props: { text: string }) {
  const parts: ComponentChildren[] = [];
  const mark = /\*\*([^*]+)\*\*|`([^`]+)`/g;
  let last = 0;
  for (let match = mark.exec(props.text); match; match = mark.exec(props.text)) {
    if (match.index > last) parts.push(props.text.slice(last, match.index));
    parts.push(match[1] !== undefined ? <strong>{match[1]}</strong> : <code>{match[2]}</code>);
    last = match.index + match[0].length;
  }
  if (last < props.text.length) parts.push(props.text.slice(last));
  return <>{parts}</>;
}

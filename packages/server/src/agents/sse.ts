/**
 * An incremental Server-Sent Events decoder: feed it text as it arrives, in chunks cut
 * anywhere (even between `\r` and `\n`), and it hands back the `data` of each complete event.
 * Lines may end with `\n`, `\r\n` or `\r`; `:` lines are comments; fields other than `data`
 * are ignored. For lax servers that omit the blank line between events, a `data:` line that
 * follows a complete JSON value starts a new event.
 */
export class SseDecoder {
  #buffer = '';
  #data: string[] = [];

  /** Adds text; returns the data of the events it completed. */
  push(text: string): string[] {
    this.#buffer += text;
    const events: string[] = [];
    let start = 0;
    for (let i = 0; i < this.#buffer.length; i++) {
      const c = this.#buffer[i];
      if (c !== '\n' && c !== '\r') continue;
      if (c === '\r' && i === this.#buffer.length - 1) break; // maybe the first half of \r\n: wait
      this.#line(this.#buffer.slice(start, i), events);
      if (c === '\r' && this.#buffer[i + 1] === '\n') i++;
      start = i + 1;
    }
    this.#buffer = this.#buffer.slice(start);
    return events;
  }

  /** The stream ended: completes the last line and event. */
  end(): string[] {
    const events: string[] = [];
    const rest = this.#buffer.replace(/\r$/, '');
    this.#buffer = '';
    if (rest !== '') this.#line(rest, events);
    this.#dispatch(events);
    return events;
  }

  #line(line: string, events: string[]): void {
    if (line === '') return this.#dispatch(events);
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    if (field !== 'data') return;
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (this.#data.length > 0 && isCompleteJson(this.#data.join('\n'))) this.#dispatch(events);
    this.#data.push(value);
  }

  #dispatch(events: string[]): void {
    if (this.#data.length === 0) return;
    events.push(this.#data.join('\n'));
    this.#data = [];
  }
}

function isCompleteJson(text: string): boolean {
  const trimmed = text.trim();
  if (trimmed === '[DONE]') return true;
  if (!trimmed.startsWith('{')) return false;
  try {
    JSON.parse(trimmed);
    return true;
  } catch {
    return false;
  }
}

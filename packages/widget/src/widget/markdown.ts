/**
 * The Markdown subset agent and human replies may use: paragraphs with line breaks, headings
 * (shown as bold lines), fenced code blocks, bulleted and numbered lists (nested by indentation),
 * **bold**, *italic*, `code`, [links](https://…), <https://…> and bare http(s) URLs.
 *
 * `parseMarkdown` turns text into a small tree (no DOM); `renderMarkdown` builds DOM nodes from it
 * with createElement and text nodes only, so message text is never parsed as HTML. Links go only to
 * http:, https: and mailto: addresses; any other link is kept as the literal text that was written.
 */
export type Inline =
  | string
  | { t: 'strong' | 'em'; c: Inline[] }
  | { t: 'code'; v: string }
  | { t: 'a'; href: string; c: Inline[] }
  | { t: 'br' };

export type Block =
  | { t: 'p' | 'h'; c: Inline[] }
  | { t: 'pre'; v: string }
  | { t: 'ul' | 'ol'; start: number; items: Block[][] };

/** The absolute http(s) or mailto address a link may point to, or null. */
export function safeHref(url: string): string | null {
  try {
    const parsed = new URL(url);
    return /^(https?|mailto):$/.test(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
}

const EMPHASIS: Array<[RegExp, 'strong' | 'em']> = [
  [/^\*\*(?!\s)((?:\*[^*]+\*|[^*])+?)\*\*/, 'strong'],
  [/^__(?!\s)((?:_[^_]+_|[^_])+?)__(?!\w)/, 'strong'],
  [/^\*(?![\s*])((?:\*\*[^*]+\*\*|[^*])+?)\*(?!\*)/, 'em'],
  [/^_(?![\s_])((?:__[^_]+__|[^_])+?)_(?!\w)/, 'em'],
];
const LINK = /^\[((?:[^[\]]|\[[^[\]]*\])*)\]\(\s*<?([^\s<>()]*(?:\([^\s()]*\)[^\s<>()]*)*)>?(?:\s+"[^"]*")?\s*\)/;
const AUTOLINK = /^<((?:https?|mailto):[^\s<>]+)>/i;
const BARE_URL = /^https?:\/\/[^\s<>"]+/i;
const ESCAPABLE = /[\\`*_[\]()#+\-.!<>~|{}]/;

/** A bare URL without the punctuation that usually follows one in prose (and an unmatched `)`). */
function trimUrl(url: string): string {
  url = url.replace(/[.,:;!?'"]+$/, '');
  while (url.endsWith(')') && url.split('(').length < url.split(')').length) url = url.slice(0, -1).replace(/[.,:;!?'"]+$/, '');
  return url;
}

export function parseInline(source: string, inLink = false): Inline[] {
  const out: Inline[] = [];
  let text = '';
  const push = (node: Inline) => {
    if (text) out.push(text);
    text = '';
    out.push(node);
  };
  for (let i = 0; i < source.length; ) {
    const ch = source[i]!;
    const rest = source.slice(i);
    const before = source[i - 1] || ' ';
    let m: RegExpExecArray | null = null;
    if (ch === '\\' && ESCAPABLE.test(source[i + 1] || '')) {
      text += source[i + 1];
      i += 2;
      continue;
    }
    if (ch === '\n') {
      push({ t: 'br' });
      i++;
      continue;
    }
    if (ch === '`' && (m = /^(`+)([^`][\s\S]*?)\1(?!`)/.exec(rest))) {
      push({ t: 'code', v: m[2]!.replace(/^ ([\s\S]*) $/, '$1') });
      i += m[0].length;
      continue;
    }
    if (ch === '*' || (ch === '_' && !/\w/.test(before))) {
      let kind: 'strong' | 'em' | undefined;
      for (const [pattern, name] of EMPHASIS) {
        m = pattern.exec(rest);
        if (m && !/\s$/.test(m[1]!)) {
          kind = name;
          break;
        }
      }
      if (kind && m) {
        push({ t: kind, c: parseInline(m[1]!, inLink) });
        i += m[0].length;
        continue;
      }
    }
    if (!inLink) {
      if (ch === '[' && (m = LINK.exec(rest))) {
        const href = safeHref(m[2]!);
        if (href) push({ t: 'a', href, c: parseInline(m[1]!, true) });
        else text += m[0]; // an unsafe or relative link stays exactly as written
        i += m[0].length;
        continue;
      }
      if (ch === '<' && (m = AUTOLINK.exec(rest))) {
        const href = safeHref(m[1]!);
        if (href) {
          push({ t: 'a', href, c: [m[1]!] });
          i += m[0].length;
          continue;
        }
      }
      if ((ch === 'h' || ch === 'H') && !/\w/.test(before) && (m = BARE_URL.exec(rest))) {
        const url = trimUrl(m[0]);
        const href = safeHref(url);
        if (href) {
          push({ t: 'a', href, c: [url] });
          i += url.length;
          continue;
        }
      }
    }
    text += ch;
    i++;
  }
  if (text) out.push(text);
  return out;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const HEADING = /^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;
const LIST_ITEM = /^([ \t]*)([-*+]|\d{1,9}[.)])[ \t]+(.*)$/;
const indentOf = (line: string) => /^[ \t]*/.exec(line)![0].length;

export function parseMarkdown(source: string): Block[] {
  return parseBlocks(source.replace(/\r\n?/g, '\n').split('\n'));
}

function parseBlocks(lines: string[]): Block[] {
  const out: Block[] = [];
  let paragraph: string[] = [];
  const endParagraph = () => {
    if (paragraph.length) out.push({ t: 'p', c: parseInline(paragraph.join('\n')) });
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    let m: RegExpExecArray | null;
    if ((m = FENCE.exec(line))) {
      endParagraph();
      const fence = m[1]!;
      const code: string[] = [];
      while (++i < lines.length && !new RegExp(`^ {0,3}${fence[0]}{${fence.length},}\\s*$`).test(lines[i]!)) code.push(lines[i]!);
      out.push({ t: 'pre', v: code.join('\n') });
    } else if (!line.trim()) {
      endParagraph();
    } else if ((m = HEADING.exec(line))) {
      endParagraph();
      out.push({ t: 'h', c: parseInline(m[1]!) });
    } else if (LIST_ITEM.test(line)) {
      endParagraph();
      i = parseList(lines, i, out) - 1;
    } else {
      paragraph.push(line.replace(/^[ \t]+/, ''));
    }
  }
  endParagraph();
  return out;
}

/** Reads the list starting at `lines[start]` into `out`; answers the index of the first line after it. */
function parseList(lines: string[], start: number, out: Block[]): number {
  const first = LIST_ITEM.exec(lines[start]!)!;
  const indent = first[1]!.length;
  const ordered = /\d/.test(first[2]!);
  const list: Block = { t: ordered ? 'ol' : 'ul', start: ordered ? parseInt(first[2]!, 10) : 1, items: [] };
  let item: string[] = [];
  let contentIndent = 0;
  let i = start;
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    const m = LIST_ITEM.exec(line);
    if (m && m[1]!.length <= indent) {
      if (m[1]!.length < indent || /\d/.test(m[2]!) !== ordered) break;
      if (item.length) list.items.push(parseBlocks(item));
      item = [m[3]!];
      contentIndent = m[1]!.length + m[2]!.length + 1;
    } else if (!line.trim()) {
      // A blank line ends the list unless the next line goes on with it.
      const next = lines[i + 1];
      const nextItem = next !== undefined && LIST_ITEM.exec(next);
      if (next === undefined || !(indentOf(next) > indent || (nextItem && nextItem[1]!.length === indent))) break;
      item.push('');
    } else if (indentOf(line) > indent || item[item.length - 1]) {
      // An indented line (a nested list, a continuation), or a lazy continuation of the item's text.
      item.push(line.slice(Math.min(indentOf(line), contentIndent)));
    } else {
      break;
    }
  }
  list.items.push(parseBlocks(item));
  out.push(list);
  return i;
}

function renderInline(nodes: Inline[], parent: Node): void {
  for (const node of nodes) {
    if (typeof node === 'string') {
      parent.appendChild(document.createTextNode(node));
    } else if (node.t === 'br') {
      parent.appendChild(document.createElement('br'));
    } else if (node.t === 'code') {
      parent.appendChild(document.createElement('code')).textContent = node.v;
    } else {
      const element = parent.appendChild(document.createElement(node.t));
      if (node.t === 'a') {
        element.setAttribute('href', node.href);
        element.setAttribute('target', '_blank');
        element.setAttribute('rel', 'noopener noreferrer');
      }
      renderInline(node.c, element);
    }
  }
}

function renderBlock(block: Block, parent: Node, tight: boolean): void {
  if (block.t === 'pre') {
    parent.appendChild(document.createElement('pre')).appendChild(document.createElement('code')).textContent = block.v;
  } else if (block.t === 'ul' || block.t === 'ol') {
    const list = parent.appendChild(document.createElement(block.t));
    if (block.t === 'ol' && block.start !== 1) list.setAttribute('start', String(block.start));
    for (const item of block.items) {
      const li = list.appendChild(document.createElement('li'));
      item.forEach((child) => renderBlock(child, li, true));
    }
  } else if (tight && block.t === 'p') {
    // A list item's text sits in the <li> itself; a second paragraph starts on a new line.
    if (parent.lastChild) parent.appendChild(document.createElement('br'));
    renderInline(block.c, parent);
  } else if (block.t === 'p' || block.t === 'h') {
    const p = parent.appendChild(document.createElement('p'));
    renderInline(block.t === 'h' ? [{ t: 'strong', c: block.c }] : block.c, p);
  }
}

/** The DOM for a message's Markdown: elements and text nodes only. */
export function renderMarkdown(source: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  for (const block of parseMarkdown(source)) renderBlock(block, fragment, false);
  return fragment;
}

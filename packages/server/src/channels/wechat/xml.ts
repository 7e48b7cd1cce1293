/**
 * A small, strict XML reader and writer for the shapes WeChat and WeCom use: one `<xml>` root
 * whose children hold text or CDATA (some events nest a level or two). No dependency, and none of
 * the dangerous parts of XML: a DOCTYPE, an entity declaration or any other `<!…>` declaration,
 * a processing instruction after the prolog, or an entity other than the five predefined ones and
 * character references is refused outright, so there is nothing to expand (no XXE, no billion laughs).
 */

export class XmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlError';
  }
}

export interface XmlElement {
  name: string;
  /** Text and CDATA directly inside the element, concatenated (children excluded). */
  text: string;
  children: XmlElement[];
}

const MAX_LENGTH = 1_000_000;
const MAX_DEPTH = 16;
const NAME = /[A-Za-z_][A-Za-z0-9_.:-]*/y;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&([^;&\s]{0,12});?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) throw new XmlError('a bare "&" must be written &amp;');
    if (ref in PREDEFINED) return PREDEFINED[ref]!;
    const numeric = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(ref);
    if (numeric) {
      const code = numeric[1] !== undefined ? Number.parseInt(numeric[1], 16) : Number(numeric[2]);
      if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw new XmlError(`invalid character reference &${ref};`);
      return String.fromCodePoint(code);
    }
    throw new XmlError(`entity &${ref}; is not allowed (only the predefined entities and character references are)`);
  });
}

/** Parses a document into its root element. Throws XmlError on anything outside the allowed subset. */
export function parseXml(input: string): XmlElement {
  if (input.length > MAX_LENGTH) throw new XmlError('the document is too large');
  let pos = input.charCodeAt(0) === 0xfeff ? 1 : 0;

  const skipWhitespace = () => {
    while (pos < input.length && /\s/.test(input[pos]!)) pos++;
  };
  const skipMisc = () => {
    for (;;) {
      skipWhitespace();
      if (input.startsWith('<!--', pos)) {
        const end = input.indexOf('-->', pos + 4);
        if (end < 0) throw new XmlError('unterminated comment');
        pos = end + 3;
      } else return;
    }
  };
  const readName = (): string => {
    NAME.lastIndex = pos;
    const match = NAME.exec(input);
    if (!match) throw new XmlError(`expected an element name at offset ${pos}`);
    pos += match[0].length;
    return match[0];
  };
  const refuseDeclaration = () => {
    if (input.startsWith('<!DOCTYPE', pos) || input.startsWith('<!doctype', pos)) throw new XmlError('DOCTYPE is not allowed');
    if (input.startsWith('<!ENTITY', pos)) throw new XmlError('entity declarations are not allowed');
    throw new XmlError(`declarations (<!…>) are not allowed (offset ${pos})`);
  };

  const readElement = (depth: number): XmlElement => {
    if (depth > MAX_DEPTH) throw new XmlError('elements are nested too deeply');
    if (input[pos] !== '<') throw new XmlError(`expected "<" at offset ${pos}`);
    pos++;
    const name = readName();
    // Attributes are not part of WeChat's format; tolerate well-formed ones and ignore them.
    for (;;) {
      const before = pos;
      skipWhitespace();
      if (input.startsWith('/>', pos)) {
        pos += 2;
        return { name, text: '', children: [] };
      }
      if (input[pos] === '>') {
        pos++;
        break;
      }
      if (pos === before) throw new XmlError(`malformed start tag <${name}>`);
      readName();
      skipWhitespace();
      if (input[pos] !== '=') throw new XmlError(`malformed attribute in <${name}>`);
      pos++;
      skipWhitespace();
      const quote = input[pos];
      if (quote !== '"' && quote !== "'") throw new XmlError(`malformed attribute in <${name}>`);
      const end = input.indexOf(quote, pos + 1);
      if (end < 0 || input.slice(pos + 1, end).includes('<')) throw new XmlError(`malformed attribute in <${name}>`);
      pos = end + 1;
    }
    let text = '';
    const children: XmlElement[] = [];
    for (;;) {
      if (pos >= input.length) throw new XmlError(`<${name}> is not closed`);
      if (input.startsWith('<![CDATA[', pos)) {
        const end = input.indexOf(']]>', pos + 9);
        if (end < 0) throw new XmlError('unterminated CDATA section');
        text += input.slice(pos + 9, end);
        pos = end + 3;
      } else if (input.startsWith('<!--', pos)) {
        const end = input.indexOf('-->', pos + 4);
        if (end < 0) throw new XmlError('unterminated comment');
        pos = end + 3;
      } else if (input.startsWith('<!', pos)) {
        refuseDeclaration();
      } else if (input.startsWith('<?', pos)) {
        throw new XmlError('processing instructions are not allowed');
      } else if (input.startsWith('</', pos)) {
        pos += 2;
        const closing = readName();
        skipWhitespace();
        if (closing !== name || input[pos] !== '>') throw new XmlError(`</${closing}> does not close <${name}>`);
        pos++;
        return { name, text, children };
      } else if (input[pos] === '<') {
        children.push(readElement(depth + 1));
      } else {
        const next = input.indexOf('<', pos);
        const end = next < 0 ? input.length : next;
        const raw = input.slice(pos, end);
        if (raw.includes(']]>')) throw new XmlError('"]]>" is not allowed in text');
        text += decodeEntities(raw);
        pos = end;
      }
    }
  };

  skipWhitespace();
  if (input.startsWith('<?xml', pos)) {
    const end = input.indexOf('?>', pos);
    if (end < 0) throw new XmlError('unterminated XML declaration');
    pos = end + 2;
  }
  skipMisc();
  if (input.startsWith('<!', pos)) refuseDeclaration();
  if (input.startsWith('<?', pos)) throw new XmlError('processing instructions are not allowed');
  if (pos >= input.length) throw new XmlError('the document is empty');
  const root = readElement(1);
  skipMisc();
  if (pos < input.length) throw new XmlError('content after the root element');
  return root;
}

/**
 * The `<xml>` document's top-level fields: each child's text by name. Nested children (some
 * events carry them) are left out. A field given twice is refused (no smuggling a second MsgId).
 */
export function parseXmlFields(input: string): Record<string, string> {
  const root = parseXml(input);
  if (root.name !== 'xml') throw new XmlError(`the root element must be <xml>, not <${root.name}>`);
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const child of root.children) {
    if (child.name in fields) throw new XmlError(`<${child.name}> appears twice`);
    fields[child.name] = child.children.length === 0 ? child.text : '';
  }
  return fields;
}

/** Characters XML 1.0 cannot carry (C0 controls except tab, LF, CR; lone surrogates; U+FFFE/U+FFFF). */
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** A CDATA section holding `value` verbatim; `]]>` inside is split across two sections. */
export function cdata(value: string): string {
  return `<![CDATA[${value.replace(INVALID_XML_CHARS, '').replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
}

/** `<xml>` with one child per field: strings as CDATA, numbers as plain text (CreateTime, AgentID…). */
export function buildXml(fields: Record<string, string | number>): string {
  const parts = Object.entries(fields).map(([name, value]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new XmlError(`invalid element name ${JSON.stringify(name)}`);
    const body = typeof value === 'number' ? String(Math.trunc(value)) : cdata(value);
    return `<${name}>${body}</${name}>`;
  });
  return `<xml>${parts.join('')}</xml>`;
}

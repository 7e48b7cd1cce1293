/**
 * A small multipart/form-data parser over the raw Buffer (RFC 7578 / RFC 2046), plus
 * application/x-www-form-urlencoded: the two shapes Mailgun routes and SendGrid Inbound Parse POST.
 * Binary-safe (parts are Buffers), CRLF (and bare LF from sloppy senders), quoted and RFC 5987
 * (`filename*=UTF-8''…`) parameters, preamble and epilogue ignored.
 */
import { InboundFormatError, type RawInbound } from '../adapter.js';

export interface MultipartPart {
  name: string;
  filename?: string;
  contentType?: string;
  /** Lower-case header names of the part. */
  headers: Record<string, string>;
  data: Buffer;
}

export interface FormData {
  /** Non-file fields, first value of each name. */
  fields: Map<string, Buffer>;
  files: MultipartPart[];
}

const MAX_PARTS = 1000;

/** `form-data; name="a b"; filename*=UTF-8''%C3%A4.txt` → { value: 'form-data', params: {...} } (param names lower-case). */
export function parseHeaderParams(header: string): { value: string; params: Record<string, string> } {
  const params: Record<string, string> = {};
  let index = header.indexOf(';');
  const value = (index === -1 ? header : header.slice(0, index)).trim().toLowerCase();
  while (index !== -1 && index < header.length) {
    index += 1; // past ';'
    while (index < header.length && /\s/.test(header[index] ?? '')) index += 1;
    const equals = header.indexOf('=', index);
    const nextSemicolon = header.indexOf(';', index);
    if (equals === -1 || (nextSemicolon !== -1 && nextSemicolon < equals)) {
      index = nextSemicolon;
      continue;
    }
    const name = header.slice(index, equals).trim().toLowerCase();
    index = equals + 1;
    while (index < header.length && /[ \t]/.test(header[index] ?? '')) index += 1;
    let paramValue = '';
    if (header[index] === '"') {
      index += 1;
      while (index < header.length && header[index] !== '"') {
        if (header[index] === '\\' && index + 1 < header.length) index += 1;
        paramValue += header[index];
        index += 1;
      }
      index = header.indexOf(';', index);
    } else {
      const end = header.indexOf(';', index);
      paramValue = (end === -1 ? header.slice(index) : header.slice(index, end)).trim();
      index = end;
    }
    if (name.endsWith('*')) {
      // RFC 5987: charset'language'percent-encoded
      const match = /^([^']*)'[^']*'(.*)$/.exec(paramValue);
      if (match) {
        try {
          params[name.slice(0, -1)] = decodeURIComponent(match[2] ?? '');
          continue;
        } catch {
          // fall through: keep it as given
        }
      }
    }
    if (!(name in params)) params[name] = paramValue;
  }
  return { value, params };
}

/** The boundary of a multipart content type, or undefined. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const { value, params } = parseHeaderParams(contentType);
  if (!value.startsWith('multipart/')) return undefined;
  const boundary = params.boundary;
  return boundary && boundary.length > 0 && boundary.length <= 200 ? boundary : undefined;
}

/** Index just past a line break at `at` (CRLF or LF), or -1. */
function lineBreakAt(body: Buffer, at: number): number {
  if (body[at] === 0x0d && body[at + 1] === 0x0a) return at + 2;
  if (body[at] === 0x0a) return at + 1;
  return -1;
}

/** Where the delimiter line `--boundary` starting at `at` ends (past its line break), 'close' for `--boundary--`, or -1. */
function delimiterEnd(body: Buffer, at: number, delimiter: Buffer): number | 'close' {
  let index = at + delimiter.length;
  if (body[index] === 0x2d && body[index + 1] === 0x2d) return 'close';
  while (body[index] === 0x20 || body[index] === 0x09) index += 1; // transport padding
  return lineBreakAt(body, index);
}

export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  // The first delimiter: at the very start or at the start of a line of the preamble.
  let at = -1;
  for (let search = 0; ; ) {
    const found = body.indexOf(delimiter, search);
    if (found === -1) break;
    if ((found === 0 || body[found - 1] === 0x0a) && delimiterEnd(body, found, delimiter) !== -1) {
      at = found;
      break;
    }
    search = found + 1;
  }
  if (at === -1) throw new InboundFormatError(`The multipart body has no '--${boundary.slice(0, 70)}' boundary`);

  const parts: MultipartPart[] = [];
  for (;;) {
    const start = delimiterEnd(body, at, delimiter);
    if (start === 'close') return parts;
    if (start === -1) throw new InboundFormatError('Malformed multipart boundary line');
    if (parts.length >= MAX_PARTS) throw new InboundFormatError(`The multipart body has more than ${MAX_PARTS} parts`);

    // Headers end at the first empty line.
    let headerEnd: number;
    let bodyStart: number;
    const immediate = lineBreakAt(body, start);
    if (immediate !== -1) {
      headerEnd = start;
      bodyStart = immediate;
    } else {
      const crlf = body.indexOf('\r\n\r\n', start, 'latin1');
      const lf = body.indexOf('\n\n', start, 'latin1');
      if (crlf === -1 && lf === -1) throw new InboundFormatError('A multipart part has no end of headers');
      if (crlf !== -1 && (lf === -1 || crlf < lf)) {
        headerEnd = crlf;
        bodyStart = crlf + 4;
      } else {
        headerEnd = lf;
        bodyStart = lf + 2;
      }
    }

    // The part ends at the line break before the next delimiter.
    let next = -1;
    let dataEnd = -1;
    for (let search = bodyStart; ; ) {
      const found = body.indexOf(delimiter, search);
      if (found === -1) break;
      if (found >= bodyStart + 1 && body[found - 1] === 0x0a && delimiterEnd(body, found, delimiter) !== -1) {
        next = found;
        dataEnd = found >= bodyStart + 2 && body[found - 2] === 0x0d ? found - 2 : found - 1;
        break;
      }
      if (found === bodyStart && delimiterEnd(body, found, delimiter) !== -1) {
        // Only possible after an LF-only empty line: an empty part.
        next = found;
        dataEnd = found;
        break;
      }
      search = found + 1;
    }
    if (next === -1) throw new InboundFormatError('The multipart body is truncated: no closing boundary');

    const headers: Record<string, string> = {};
    const headerText = body
      .subarray(start, headerEnd)
      .toString('utf8')
      .replace(/\r?\n[ \t]+/g, ' ');
    for (const line of headerText.split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const disposition = headers['content-disposition'];
    if (disposition) {
      const { params } = parseHeaderParams(disposition);
      if (params.name !== undefined) {
        parts.push({
          name: params.name,
          ...(params.filename !== undefined ? { filename: params.filename } : {}),
          ...(headers['content-type'] ? { contentType: headers['content-type'] } : {}),
          headers,
          data: body.subarray(bodyStart, Math.max(bodyStart, dataEnd)),
        });
      }
    }
    at = next;
  }
}

/** The fields of a form POST, multipart or url-encoded. Throws InboundFormatError for anything else. */
export function readForm(raw: Pick<RawInbound, 'headers' | 'body'>): FormData {
  const contentType = raw.headers['content-type'] ?? '';
  const kind = contentType.split(';')[0]?.trim().toLowerCase();
  const fields = new Map<string, Buffer>();
  const files: MultipartPart[] = [];
  if (kind === 'application/x-www-form-urlencoded') {
    for (const [name, value] of new URLSearchParams(raw.body.toString('utf8'))) {
      if (!fields.has(name)) fields.set(name, Buffer.from(value, 'utf8'));
    }
    return { fields, files };
  }
  if (kind === 'multipart/form-data') {
    const boundary = multipartBoundary(contentType);
    if (!boundary) throw new InboundFormatError('multipart/form-data without a boundary parameter');
    for (const part of parseMultipart(raw.body, boundary)) {
      if (part.filename !== undefined) files.push(part);
      else if (!fields.has(part.name)) fields.set(part.name, part.data);
    }
    return { fields, files };
  }
  throw new InboundFormatError(
    `Expected a form POST (multipart/form-data or application/x-www-form-urlencoded), got '${contentType.slice(0, 100) || 'no content type'}'`,
  );
}

/** A field as text in the given charset (UTF-8 when unknown or unsupported). */
export function fieldText(form: FormData, name: string, charset?: string): string | undefined {
  const value = form.fields.get(name);
  if (value === undefined) return undefined;
  if (charset) {
    try {
      return new TextDecoder(charset.trim().toLowerCase()).decode(value);
    } catch {
      // unknown charset label: UTF-8 below
    }
  }
  return value.toString('utf8');
}

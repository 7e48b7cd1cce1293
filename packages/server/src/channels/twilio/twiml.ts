/** TwiML helpers: every document starts with the XML declaration the official helper libraries emit. */

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';
export const TWIML_CONTENT_TYPE = 'text/xml';

// Characters XML 1.0 forbids (C0 controls other than tab/LF/CR, lone surrogates, U+FFFE/U+FFFF): Twilio
// would reject the whole document, so they are dropped from agent text.
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Escapes text for XML element content and attribute values (`& < > " '`), dropping characters XML forbids. */
export function escapeXml(text: string): string {
  return text.replace(INVALID_XML, '').replace(/[&<>"']/g, (char) => {
    switch (char) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      default:
        return '&apos;';
    }
  });
}

/** ` name="value"` for each defined attribute, escaped. */
export function attributes(values: Record<string, string | number | boolean | undefined>): string {
  return Object.entries(values)
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([name, value]) => ` ${name}="${escapeXml(String(value))}"`)
    .join('');
}

/** A complete TwiML document around `inner` (empty: `<Response/>`). */
export function twimlDocument(inner: string): string {
  return inner === '' ? `${XML_DECLARATION}<Response/>` : `${XML_DECLARATION}<Response>${inner}</Response>`;
}

/** The empty TwiML answer: "received, nothing to do now" (the reply goes out later through the REST API). */
export function emptyTwiml(): string {
  return twimlDocument('');
}

/**
 * The size limit of inbound message text, the same on every channel. Providers that retry a
 * refused webhook get their text cut (with a note saying how much was dropped) instead of a
 * refusal; the custom webhook and voice gateway formats refuse longer text outright.
 */

/** The longest inbound message text, in characters (UTF-16 code units, as JavaScript counts them). */
export const MAX_INBOUND_TEXT = 32_000;

/** `text` cut to `limit` characters with a visible note of how many were dropped; unchanged when it fits. */
export function capInboundText(text: string, limit = MAX_INBOUND_TEXT): string {
  if (text.length <= limit) return text;
  let cut = limit;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return `${text.slice(0, cut)}… [truncated: ${text.length - cut} characters]`;
}

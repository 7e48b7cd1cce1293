/**
 * What every inbound email becomes, however it arrived (SMTP listener, Mailgun route, SendGrid
 * Inbound Parse), and the small text helpers the three share.
 *
 * Normalized event: providerEventId = Message-Id, channelIdentifier = the envelope recipient
 * (lower-case: it is the email channel's address), contact = the From address (lower-case) with
 * its display name, text = the plain body without the quoted previous message, replyContext =
 * { messageId, references, subject } so the reply threads.
 */
import { createHash } from 'node:crypto';
import addressparser from 'nodemailer/lib/addressparser/index.js';
import { InboundFormatError, type InboundEvent } from '../adapter.js';

export interface ParsedEmail {
  /** `<id@host>`, angle brackets included; undefined when the message has none. */
  messageId?: string;
  inReplyTo?: string;
  references: string[];
  from: { address: string; name?: string };
  /** Addresses of the To header, lower-case. */
  to: string[];
  subject: string;
  /** Plain text with the quoted previous message removed. */
  text: string;
  /** RFC 3834 auto-reply (out-of-office, bounce…): answering it risks a mail loop. */
  autoSubmitted?: boolean;
}

export interface EmailReplyContext {
  messageId?: string;
  references: string[];
  subject: string;
  [key: string]: unknown;
}

const ADDRESS = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

export function isEmailAddress(value: string): boolean {
  return value.length <= 254 && ADDRESS.test(value);
}

/** `"Ada L." <Ada@Example.com>` → { address: 'ada@example.com', name: 'Ada L.' } (first address). */
export function parseAddress(value: string | undefined): { address: string; name?: string } | undefined {
  if (!value) return undefined;
  const first = parseAddressList(value)[0];
  return first;
}

/** Every address of an address header, groups flattened, lower-case. */
export function parseAddressList(value: string | undefined): Array<{ address: string; name?: string }> {
  if (!value) return [];
  return addressparser(value, { flatten: true })
    .filter((entry) => typeof entry.address === 'string' && entry.address.includes('@'))
    .map((entry) => ({ address: entry.address.toLowerCase(), ...(entry.name ? { name: entry.name } : {}) }));
}

/** `abc@x` or `<abc@x>` → `<abc@x>`; empty → undefined. */
export function normalizeMessageId(value: string | undefined | null): string | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  const bracketed = /<[^<>\s]+>/.exec(trimmed);
  if (bracketed) return bracketed[0];
  if (trimmed.length === 0 || /\s/.test(trimmed)) return undefined;
  return `<${trimmed}>`;
}

/** A References header (or mailparser's string | string[]) → `['<a@x>', '<b@x>']`. */
export function parseReferences(value: string | string[] | undefined | null): string[] {
  if (!value) return [];
  const text = Array.isArray(value) ? value.join(' ') : value;
  const bracketed = text.match(/<[^<>\s]+>/g);
  if (bracketed) return [...new Set(bracketed)];
  return [...new Set(text.split(/\s+/).filter((part) => part.length > 0).map((part) => `<${part}>`))];
}

/** True for `Auto-Submitted: auto-replied|auto-generated|…` and `Precedence: auto_reply`. */
export function isAutoSubmitted(autoSubmitted: string | undefined, precedence: string | undefined): boolean {
  const value = autoSubmitted?.trim().toLowerCase();
  if (value && value !== 'no' && !value.startsWith('no;')) return true;
  return precedence?.trim().toLowerCase() === 'auto_reply';
}

const ATTRIBUTION = /^on\b.*\bwrote:$/i;
const ORIGINAL_MESSAGE = /^-{2,}\s*(original message|forwarded message)\s*-{2,}$/i;

/**
 * Drops the quoted previous message: everything from an "On … wrote:" line (also when the mail
 * client wrapped it over two lines) or an "-----Original Message-----" line, then trailing
 * `>`-quoted lines. Returns the whole text when nothing would be left.
 */
export function stripQuotedReply(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let cut = lines.length;
  for (let index = 0; index < lines.length; index += 1) {
    const line = (lines[index] ?? '').trim();
    const next = (lines[index + 1] ?? '').trim();
    if (ATTRIBUTION.test(line) || ORIGINAL_MESSAGE.test(line) || (/^on\b/i.test(line) && ATTRIBUTION.test(`${line} ${next}`))) {
      cut = index;
      break;
    }
  }
  const kept = lines.slice(0, cut);
  while (kept.length > 0 && /^\s*(>.*)?$/.test(kept[kept.length - 1] ?? '')) kept.pop();
  const result = kept.join('\n').trim();
  return result.length > 0 ? result : text.trim();
}

/** A crude HTML → text for bodies that come without a plain part. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style|head)\b[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|tr|h[1-6]|blockquote)>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Unfolds a raw header block into lower-case name → first value. */
export function parseHeaderBlock(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  const unfolded = block.replace(/\r\n?/g, '\n').replace(/\n[ \t]+/g, ' ');
  for (const line of unfolded.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return headers;
}

/** A stable dedupe key for a message that has no Message-Id. */
export function syntheticEventId(...parts: Array<string | undefined>): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(`${part ?? ''}\u0000`, 'utf8');
  return `sha256:${hash.digest('hex').slice(0, 40)}`;
}

/**
 * One event per distinct envelope recipient. The dedupe key is the Message-Id (or `fallbackId`
 * when there is none); when one request carries the message for several recipients, each event's
 * key gets ` to:<recipient>` appended so none of them is dropped as a duplicate of another.
 * Auto-submitted mail (out-of-office, bounces) and mail with neither text nor subject yield none.
 */
export function emailInboundEvents(email: ParsedEmail, recipients: string[], fallbackId: string): InboundEvent[] {
  if (email.autoSubmitted) return [];
  if (!isEmailAddress(email.from.address)) {
    throw new InboundFormatError(`The sender '${email.from.address.slice(0, 100)}' is not an email address`);
  }
  const addresses = [...new Set(recipients.map((address) => address.trim().toLowerCase()).filter(isEmailAddress))];
  if (addresses.length === 0) throw new InboundFormatError('The email has no recipient address');
  const text = email.text.trim() || email.subject.trim();
  if (!text) return [];
  const baseId = email.messageId ?? fallbackId;
  const replyContext: EmailReplyContext = {
    ...(email.messageId ? { messageId: email.messageId } : {}),
    references: email.references,
    subject: email.subject,
  };
  return addresses.map((address) => ({
    providerEventId: addresses.length === 1 ? baseId : `${baseId} to:${address}`,
    channelIdentifier: address,
    contact: { externalId: email.from.address, ...(email.from.name ? { displayName: email.from.name } : {}) },
    text,
    replyContext,
  }));
}

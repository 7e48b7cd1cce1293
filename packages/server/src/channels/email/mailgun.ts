/**
 * Mailgun routes: `forward("{inboundUrl}/mailgun")` POSTs each received message as a form
 * (url-encoded, or multipart when it has attachments) with the fields `recipient, sender, from,
 * subject, body-plain, stripped-text, body-html, Message-Id, message-headers, timestamp, token,
 * signature`.
 *
 * Authenticity: signature = hex(HMAC-SHA256(signingKey, timestamp + token)), the key being the
 * account's "HTTP webhook signing key" (credential `mailgunSigningKey`), compared in constant time.
 * The signature does not cover the body, so a captured (timestamp, token, signature) triple could
 * be replayed with another body: timestamps more than 5 minutes from the receive time are
 * refused, and each token is accepted once (`mailgunReplayKey`: the inbound pipeline claims it in
 * the database for its window, so a restart or another node refuses it too). Mailgun signs each
 * delivery attempt afresh, so its own retries carry new tokens.
 */
import { createHmac } from 'node:crypto';
import { InboundAuthError, InboundFormatError, type ConnectionContext, type InboundEvent, type RawInbound, type ReplayKey } from '../adapter.js';
import {
  emailInboundEvents,
  isAutoSubmitted,
  normalizeMessageId,
  parseAddress,
  parseReferences,
  stripQuotedReply,
  syntheticEventId,
  type ParsedEmail,
} from './message.js';
import { fieldText, readForm, type FormData } from './multipart.js';
import { safeEqual } from '../safe-equal.js';

export const MAILGUN_TOLERANCE_SECONDS = 5 * 60;

// verify() and parse() read the same body: parse the form once.
const forms = new WeakMap<Buffer, FormData>();
function form(raw: RawInbound): FormData {
  let parsed = forms.get(raw.body);
  if (!parsed) {
    parsed = readForm(raw);
    forms.set(raw.body, parsed);
  }
  return parsed;
}

export function mailgunSignature(signingKey: string, timestamp: string, token: string): string {
  return createHmac('sha256', signingKey).update(timestamp + token, 'utf8').digest('hex');
}

export function verifyMailgun(raw: RawInbound, connection: ConnectionContext): void {
  const signingKey = connection.secrets.mailgunSigningKey;
  if (!signingKey) {
    throw new InboundAuthError(401, "The connection has no mailgunSigningKey credential: add Mailgun's HTTP webhook signing key");
  }
  let fields: FormData;
  try {
    fields = form(raw);
  } catch (error) {
    throw new InboundAuthError(401, `Unsigned or unreadable Mailgun request: ${(error as Error).message}`);
  }
  const timestamp = fieldText(fields, 'timestamp')?.trim();
  const token = fieldText(fields, 'token')?.trim();
  const signature = fieldText(fields, 'signature')?.trim().toLowerCase();
  if (!timestamp) throw new InboundAuthError(401, 'Missing Mailgun timestamp field');
  if (!token) throw new InboundAuthError(401, 'Missing Mailgun token field');
  if (!signature) throw new InboundAuthError(401, 'Missing Mailgun signature field');
  if (!/^\d{1,15}$/.test(timestamp)) throw new InboundAuthError(401, `Mailgun timestamp must be unix seconds, got '${timestamp.slice(0, 40)}'`);
  const expected = Buffer.from(mailgunSignature(signingKey, timestamp, token), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  if (!safeEqual(given, expected)) {
    throw new InboundAuthError(401, 'Mailgun signature does not match timestamp + token signed with the mailgunSigningKey credential');
  }
  const skew = Math.round(raw.receivedAt / 1000 - Number(timestamp));
  if (Math.abs(skew) > MAILGUN_TOLERANCE_SECONDS) {
    throw new InboundAuthError(
      401,
      `Mailgun timestamp ${timestamp} is ${Math.abs(skew)} s ${skew > 0 ? 'in the past' : 'in the future'}: outside the ±${MAILGUN_TOLERANCE_SECONDS} s window (replayed or clock skew)`,
    );
  }
}

/** The token of a verified request, single-use per connection until its timestamp leaves the window. */
export function mailgunReplayKey(raw: RawInbound, connection: ConnectionContext): ReplayKey | undefined {
  const fields = form(raw);
  const timestamp = fieldText(fields, 'timestamp')?.trim();
  const token = fieldText(fields, 'token')?.trim();
  if (!timestamp || !token) return undefined;
  return { scope: 'mailgun', key: `${connection.id}:${token}`, expiresAt: (Number(timestamp) + MAILGUN_TOLERANCE_SECONDS) * 1000 };
}

function headerValue(headers: Array<[string, string]>, name: string): string | undefined {
  return headers.find(([key]) => key.toLowerCase() === name)?.[1];
}

function messageHeaders(fields: FormData): Array<[string, string]> {
  const json = fieldText(fields, 'message-headers');
  if (!json) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new InboundFormatError('Mailgun message-headers is not JSON');
  }
  if (!Array.isArray(parsed)) throw new InboundFormatError('Mailgun message-headers must be a JSON array of [name, value] pairs');
  return parsed.filter(
    (entry): entry is [string, string] => Array.isArray(entry) && typeof entry[0] === 'string' && typeof entry[1] === 'string',
  );
}

export function parseMailgun(raw: RawInbound): InboundEvent[] {
  const fields = form(raw);
  const headers = messageHeaders(fields);
  const recipient = fieldText(fields, 'recipient');
  if (!recipient) throw new InboundFormatError('Mailgun route POST without a recipient field');
  const from = parseAddress(fieldText(fields, 'from')) ?? parseAddress(headerValue(headers, 'from')) ?? parseAddress(fieldText(fields, 'sender'));
  if (!from) throw new InboundFormatError('Mailgun route POST without a from or sender address');
  const messageId = normalizeMessageId(fieldText(fields, 'Message-Id') ?? headerValue(headers, 'message-id'));
  const subject = fieldText(fields, 'subject') ?? headerValue(headers, 'subject') ?? '';
  const stripped = fieldText(fields, 'stripped-text')?.trim();
  const plain = fieldText(fields, 'body-plain') ?? '';
  const email: ParsedEmail = {
    ...(messageId ? { messageId } : {}),
    ...(normalizeMessageId(headerValue(headers, 'in-reply-to')) ? { inReplyTo: normalizeMessageId(headerValue(headers, 'in-reply-to')) } : {}),
    references: parseReferences(headerValue(headers, 'references')),
    from,
    to: [],
    subject,
    text: stripped ? stripped : stripQuotedReply(plain),
    autoSubmitted: isAutoSubmitted(headerValue(headers, 'auto-submitted'), headerValue(headers, 'precedence')),
  };
  const recipients = recipient.split(',').map((address) => parseAddress(address)?.address ?? address);
  return emailInboundEvents(email, recipients, syntheticEventId('mailgun', from.address, recipient, subject, headerValue(headers, 'date'), plain));
}

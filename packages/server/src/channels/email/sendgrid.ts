/**
 * SendGrid Inbound Parse: a multipart POST per received message with the fields `headers` (the
 * raw header block), `to, from, subject, text, html, envelope` (JSON `{"to": [...], "from": …}`),
 * `charsets` (JSON: the charset of each field), `attachments`, `attachment-info`, `attachmentN`.
 *
 * Inbound Parse does not sign its requests, so the URL carries a secret instead:
 * `{inboundUrl}/sendgrid?token={inboundSecret}`; the `token` query parameter must equal the
 * connection's inbound secret (constant-time comparison). Leave "POST the raw, full MIME message"
 * off: that mode sends no parsed text.
 */
import { InboundAuthError, InboundFormatError, type ConnectionContext, type InboundEvent, type RawInbound } from '../adapter.js';
import {
  emailInboundEvents,
  htmlToText,
  isAutoSubmitted,
  normalizeMessageId,
  parseAddress,
  parseAddressList,
  parseHeaderBlock,
  parseReferences,
  stripQuotedReply,
  syntheticEventId,
  type ParsedEmail,
} from './message.js';
import { fieldText, readForm } from './multipart.js';
import { safeEqual } from '../safe-equal.js';

export function verifySendgrid(raw: RawInbound, connection: ConnectionContext): void {
  const token = raw.query.token;
  if (!token) {
    throw new InboundAuthError(401, 'Missing token query parameter: the Inbound Parse URL must be {inboundUrl}/sendgrid?token=<inbound secret>');
  }
  if (!connection.inboundSecret) throw new InboundAuthError(401, 'The connection has no inbound secret to check the token against');
  const given = Buffer.from(token, 'utf8');
  const expected = Buffer.from(connection.inboundSecret, 'utf8');
  if (!safeEqual(given, expected)) {
    throw new InboundAuthError(403, 'The token query parameter does not match the connection inbound secret');
  }
}

function charsetsOf(value: string | undefined): Record<string, string> {
  if (!value) return {};
  try {
    const parsed = JSON.parse(value) as unknown;
    if (typeof parsed !== 'object' || parsed === null) return {};
    return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  } catch {
    return {};
  }
}

export function parseSendgrid(raw: RawInbound): InboundEvent[] {
  const fields = readForm(raw);
  const charsets = charsetsOf(fieldText(fields, 'charsets'));
  const get = (name: string) => fieldText(fields, name, charsets[name]);
  const text = get('text');
  const html = get('html');
  if (text === undefined && html === undefined && fields.fields.has('email')) {
    throw new InboundFormatError('SendGrid sent the raw MIME message: turn off "POST the raw, full MIME message" in the Inbound Parse settings');
  }
  const headers = parseHeaderBlock(get('headers') ?? '');
  const from = parseAddress(get('from')) ?? parseAddress(headers.get('from'));
  if (!from) throw new InboundFormatError('SendGrid Inbound Parse POST without a from address');

  let recipients: string[] = [];
  const envelopeJson = get('envelope');
  if (envelopeJson) {
    try {
      const envelope = JSON.parse(envelopeJson) as { to?: unknown };
      if (Array.isArray(envelope.to)) recipients = envelope.to.filter((entry): entry is string => typeof entry === 'string');
      else if (typeof envelope.to === 'string') recipients = [envelope.to];
    } catch {
      throw new InboundFormatError('SendGrid envelope is not JSON');
    }
  }
  const to = parseAddressList(get('to') ?? headers.get('to')).map((entry) => entry.address);
  if (recipients.length === 0) recipients = to;

  const messageId = normalizeMessageId(headers.get('message-id'));
  const inReplyTo = normalizeMessageId(headers.get('in-reply-to'));
  const subject = get('subject') ?? headers.get('subject') ?? '';
  const body = text ?? (html !== undefined ? htmlToText(html) : '');
  const email: ParsedEmail = {
    ...(messageId ? { messageId } : {}),
    ...(inReplyTo ? { inReplyTo } : {}),
    references: parseReferences(headers.get('references')),
    from,
    to,
    subject,
    text: stripQuotedReply(body),
    autoSubmitted: isAutoSubmitted(headers.get('auto-submitted'), headers.get('precedence')),
  };
  return emailInboundEvents(email, recipients, syntheticEventId('sendgrid', get('headers'), body));
}

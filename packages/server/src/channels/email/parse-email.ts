/**
 * A raw RFC 5322 message (what the SMTP listener receives) → ParsedEmail, with mailparser.
 */
import { createHash } from 'node:crypto';
import type { AddressObject } from 'mailparser';
import type { InboundEvent } from '../adapter.js';
import { emailInboundEvents, isAutoSubmitted, normalizeMessageId, parseReferences, stripQuotedReply, type ParsedEmail } from './message.js';

function headerText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'value' in value && typeof (value as { value: unknown }).value === 'string') {
    return (value as { value: string }).value;
  }
  return undefined;
}

function addresses(field: AddressObject | AddressObject[] | undefined): Array<{ address: string; name?: string }> {
  const objects = field === undefined ? [] : Array.isArray(field) ? field : [field];
  const result: Array<{ address: string; name?: string }> = [];
  for (const object of objects) {
    for (const entry of object.value) {
      const members = entry.group ?? [entry];
      for (const member of members) {
        if (member.address) result.push({ address: member.address.toLowerCase(), ...(member.name ? { name: member.name } : {}) });
      }
    }
  }
  return result;
}

export async function parseEmail(raw: Buffer): Promise<ParsedEmail> {
  // mailparser (and its charset tables) is loaded by the first message received over SMTP.
  const { simpleParser } = await import('mailparser');
  const mail = await simpleParser(raw, { skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  const messageId = normalizeMessageId(mail.messageId);
  const inReplyTo = normalizeMessageId(mail.inReplyTo);
  const from = addresses(mail.from)[0] ?? { address: '' };
  const text = mail.text ?? '';
  return {
    ...(messageId ? { messageId } : {}),
    ...(inReplyTo ? { inReplyTo } : {}),
    references: parseReferences(mail.references),
    from,
    to: addresses(mail.to).map((entry) => entry.address),
    subject: mail.subject ?? '',
    text: stripQuotedReply(text),
    autoSubmitted: isAutoSubmitted(headerText(mail.headers.get('auto-submitted')), headerText(mail.headers.get('precedence'))),
  };
}

/**
 * The inbound events of a message the SMTP listener accepted: one per envelope recipient (all of
 * them known channel addresses: the listener refused the others). A message without a Message-Id
 * is deduplicated on the SHA-256 of its bytes.
 */
export async function smtpInboundEvents(raw: Buffer, envelope: { from: string; to: string[] }): Promise<InboundEvent[]> {
  const email = await parseEmail(raw);
  if (!email.from.address && envelope.from) email.from = { address: envelope.from.toLowerCase() };
  return emailInboundEvents(email, envelope.to, `sha256:${createHash('sha256').update(raw).digest('hex').slice(0, 40)}`);
}

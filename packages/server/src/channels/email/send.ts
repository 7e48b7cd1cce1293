/**
 * Email replies over SMTP (nodemailer), threaded:
 *
 *   From:        "{channelConfiguration.fromName}" <{channel address}>
 *   To:          the contact's address
 *   Subject:     Re: {original subject}            (never "Re: Re:")
 *   In-Reply-To: {original Message-Id}
 *   References:  {original References} {original Message-Id}
 *   Message-ID:  <{idempotencyKey}@switchboard>    (deterministic: a retried send carries the same id,
 *                                                   so receivers and relays can drop the duplicate)
 *   Auto-Submitted: auto-replied                   (RFC 3834: other robots do not answer it: no mail loops)
 *
 * SMTP answers map to DeliveryError: 4xx (and network failures) retry, 5xx do not.
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { resolveAllowed } from '../../egress/fetch.js';
import { EgressRefusedError, egressPolicy } from '../../egress/policy.js';
import { DeliveryError, type ConnectionContext, type DeliveryReceipt, type OutboundMessage } from '../adapter.js';
import { isEmailAddress, normalizeMessageId } from './message.js';
import { textWithChoices } from '../quick-replies.js';

/** `<key@switchboard>`; keys that are not a valid dot-atom are hashed (still deterministic). */
export function messageIdFor(idempotencyKey: string): string {
  const local = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/.test(idempotencyKey) && idempotencyKey.length <= 200
    ? idempotencyKey
    : createHash('sha256').update(idempotencyKey, 'utf8').digest('hex').slice(0, 40);
  return `<${local}@switchboard>`;
}

/** `Re: <subject>` unless it already starts with Re:. */
export function replySubject(subject: string | undefined): string {
  const trimmed = (subject ?? '').trim();
  if (!trimmed) return 'Re: your message';
  return /^re\s*:/i.test(trimmed) ? trimmed : `Re: ${trimmed}`;
}

const RETRYABLE_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'ETLS', 'EPROTOCOL']);

/** A nodemailer failure as a DeliveryError: SMTP 4xx and network trouble retry, 5xx do not. */
export function smtpDeliveryError(error: unknown, server: string): DeliveryError {
  const failure = error as { message?: string; code?: string; responseCode?: number; response?: string };
  const detail = (failure.response ?? failure.message ?? String(error)).slice(0, 300);
  if (typeof failure.responseCode === 'number') {
    const status = failure.responseCode;
    return new DeliveryError(`SMTP server ${server} answered ${status}: ${detail}`, { retryable: status < 500, status });
  }
  if (failure.code === 'EAUTH') return new DeliveryError(`SMTP server ${server} refused the login: ${detail}`, { retryable: false });
  if (failure.code === 'EENVELOPE' || failure.code === 'EMESSAGE') {
    return new DeliveryError(`SMTP server ${server} refused the message: ${detail}`, { retryable: false });
  }
  // Connection refused, DNS, TLS, timeouts, dropped sockets (and anything unrecognized): try again later.
  const code = failure.code && RETRYABLE_CODES.has(failure.code) ? ` (${failure.code})` : '';
  return new DeliveryError(`SMTP server ${server} could not be reached${code}: ${detail}`, { retryable: true });
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : [];
}

export async function sendEmail(message: OutboundMessage, connection: ConnectionContext): Promise<DeliveryReceipt> {
  const settings = connection.settings;
  const host = typeof settings.smtpHost === 'string' ? settings.smtpHost : '';
  if (!host) throw new DeliveryError('The connection has no smtpHost setting: nowhere to send email', { retryable: false });
  const port = Number(settings.smtpPort ?? 587);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new DeliveryError(`The connection's smtpPort '${String(settings.smtpPort)}' is not a port`, { retryable: false });
  }
  const secure = settings.smtpSecure === true;
  const user = typeof settings.smtpUser === 'string' && settings.smtpUser.length > 0 ? settings.smtpUser : undefined;
  const password = connection.secrets.smtpPassword;
  if (user && !password) throw new DeliveryError('smtpUser is set but the smtpPassword credential is missing', { retryable: false });

  const to = message.to.externalId.trim();
  if (!isEmailAddress(to)) throw new DeliveryError(`The contact '${to.slice(0, 100)}' is not an email address`, { retryable: false });
  const from = message.channelIdentifier;
  if (!isEmailAddress(from)) throw new DeliveryError(`The channel identifier '${from.slice(0, 100)}' is not an email address`, { retryable: false });
  const fromName = typeof message.channelConfiguration.fromName === 'string' ? message.channelConfiguration.fromName.trim() : '';

  const context = message.replyContext ?? {};
  const original = normalizeMessageId(typeof context.messageId === 'string' ? context.messageId : undefined);
  const references = stringList(context.references).map((id) => normalizeMessageId(id)).filter((id): id is string => Boolean(id));
  if (original && !references.includes(original)) references.push(original);
  const subject = replySubject(typeof context.subject === 'string' ? context.subject : undefined);
  const messageId = messageIdFor(message.idempotencyKey);

  let address: string;
  try {
    address = await resolveAllowed(connection.egress ?? egressPolicy(), host);
  } catch (error) {
    if (error instanceof EgressRefusedError) throw new DeliveryError(`SMTP server ${host}: ${error.message}`, { retryable: false });
    throw smtpDeliveryError(error, `${host}:${port}`);
  }
  // nodemailer is loaded by the first email sent, not by a server that sends none.
  const { default: nodemailer } = await import('nodemailer');
  // Connect to the address that was checked (a second lookup could answer differently); TLS still names the host.
  const transport = nodemailer.createTransport({
    host: address,
    port,
    ...(isIP(host) ? {} : { tls: { servername: host } }),
    secure,
    ...(user ? { auth: { user, pass: password } } : {}),
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
  });
  try {
    await transport.sendMail({
      from: fromName ? { name: fromName, address: from } : from,
      to: message.to.displayName ? { name: message.to.displayName, address: to } : to,
      subject,
      text: textWithChoices(message),
      messageId,
      ...(original ? { inReplyTo: original } : {}),
      ...(references.length > 0 ? { references } : {}),
      headers: { 'Auto-Submitted': 'auto-replied' },
    });
  } catch (error) {
    throw smtpDeliveryError(error, `${host}:${port}`);
  } finally {
    transport.close();
  }
  return { providerMessageId: messageId };
}

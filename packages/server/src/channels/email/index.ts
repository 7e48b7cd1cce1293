/**
 * Email channels. A channel is identified by its address (lower-case); replies thread by
 * Message-Id / In-Reply-To / References.
 *
 * Inbound, three ways:
 * - `POST {inboundUrl}/mailgun`  — a Mailgun route `forward()` (mailgun.ts: signed with the
 *   `mailgunSigningKey` credential, timestamp window, each token once);
 * - `POST {inboundUrl}/sendgrid?token={inboundSecret}` — SendGrid Inbound Parse (sendgrid.ts: unsigned,
 *   so the URL carries the connection's inbound secret);
 * - SMTP straight to Switchboard's listener (smtp-listener.ts; not through this adapter: the
 *   listener hands raw messages to `smtpInboundEvents`).
 * Outbound: SMTP via nodemailer with the connection's smtpHost / smtpPort / smtpSecure / smtpUser
 * and the `smtpPassword` credential (send.ts). There is no HTTP provider API, so
 * `defaultApiBaseUrl` is empty.
 */
import { z } from 'zod';
import { InboundAuthError, type ChannelAdapter, type ProviderDefinition, type RawInbound } from '../adapter.js';
import { mailgunReplayKey, parseMailgun, verifyMailgun } from './mailgun.js';
import { parseSendgrid, verifySendgrid } from './sendgrid.js';
import { sendEmail } from './send.js';

export { startSmtpListener, parseEmail, smtpInboundEvents, type SmtpListener, type SmtpListenerOptions } from './smtp-listener.js';
export { mailgunReplayKey, mailgunSignature } from './mailgun.js';
export { emailInboundEvents, stripQuotedReply, type ParsedEmail, type EmailReplyContext } from './message.js';
export { messageIdFor, replySubject } from './send.js';

export const emailSettingsSchema = z.strictObject({
  /** SMTP server replies are sent through. */
  smtpHost: z
    .string({ error: 'must be a string' })
    .min(1, 'must not be empty')
    .max(255, 'must be at most 255 characters')
    .regex(/^[A-Za-z0-9.:[\]_-]+$/, 'must be a host name or IP address'),
  smtpPort: z.number({ error: 'must be a number' }).int('must be an integer').min(1, 'must be 1-65535').max(65_535, 'must be 1-65535').default(587),
  /** true: TLS from the first byte (port 465); false: plain, upgraded with STARTTLS when offered (587, 25). */
  smtpSecure: z.boolean({ error: 'must be true or false' }).default(false),
  /** SMTP login; its password is the `smtpPassword` credential. */
  smtpUser: z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(320, 'must be at most 320 characters').optional(),
});

type Flavour = 'mailgun' | 'sendgrid';

function flavourOf(raw: RawInbound): Flavour {
  const subpath = raw.subpath.replace(/\/+$/, '').toLowerCase();
  if (subpath === '/mailgun') return 'mailgun';
  if (subpath === '/sendgrid') return 'sendgrid';
  throw new InboundAuthError(
    403,
    `Email connections receive HTTP mail at {inboundUrl}/mailgun or {inboundUrl}/sendgrid, not at '${raw.subpath.slice(0, 100) || '/'}'`,
  );
}

export const emailAdapter: ChannelAdapter = {
  provider: 'email',
  defaultApiBaseUrl: '',
  verify(raw, connection) {
    if (raw.method !== 'POST') throw new InboundAuthError(403, 'Email webhooks are POST requests');
    if (flavourOf(raw) === 'mailgun') verifyMailgun(raw, connection);
    else verifySendgrid(raw, connection);
  },
  replayKey(raw, connection) {
    return flavourOf(raw) === 'mailgun' ? mailgunReplayKey(raw, connection) : undefined;
  },
  parse(raw) {
    return flavourOf(raw) === 'mailgun' ? parseMailgun(raw) : parseSendgrid(raw);
  },
  acknowledge() {
    // Mailgun: 200 accepts (406 would refuse for good, anything else is retried); SendGrid: any 2xx.
    return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'OK' };
  },
  send(message, connection) {
    return sendEmail(message, connection);
  },
};

export const emailProvider: ProviderDefinition = {
  adapter: emailAdapter,
  settings: emailSettingsSchema,
  credentials: [
    { name: 'smtpPassword', required: false, description: 'Password of smtpUser on the SMTP server replies are sent through.' },
    {
      name: 'mailgunSigningKey',
      required: false,
      description: 'Mailgun "HTTP webhook signing key" (Sending → Webhooks): needed to receive mail through a Mailgun route.',
    },
  ],
  inboundSecret: 'token',
  channelTypes: ['email'],
  setup:
    'Receive mail one of three ways. Mailgun: create a route matching the channel addresses with the action `forward("{inboundUrl}/mailgun")` and add your HTTP webhook signing key as the `mailgunSigningKey` credential. ' +
    'SendGrid: in Settings → Inbound Parse add the receiving domain with the destination URL `{inboundUrl}/sendgrid?token={inboundSecret}`, leaving "POST the raw, full MIME message" unchecked. ' +
    "Direct SMTP: point the domain's MX record (or a relay) at Switchboard's SMTP listener. " +
    'Replies are sent from the channel address through the SMTP server in `smtpHost` / `smtpPort` (`smtpSecure` for port 465), logging in as `smtpUser` with the `smtpPassword` credential.',
};

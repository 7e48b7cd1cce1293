import { createHmac, randomBytes } from 'node:crypto';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmailIntake } from '../../packages/server/src/channels/email-intake.js';
import type { SmtpListener } from '../../packages/server/src/channels/email/index.js';
import { ENGINES } from '../helpers/engines.js';
import { waitUntil } from '../helpers/wait.js';
import { startFakeSmtp, type CapturedEmail, type FakeSmtp } from '../fakes/smtp.js';
import {
  contactMessages,
  countRows,
  createConnection,
  createSecret,
  deployEcho,
  inboundEvents,
  inboundPath,
  refusal,
  settled,
  startProviderHarness,
  type ProviderHarness,
} from './harness.js';

const CHANNEL = 'support@acme.test';
const SMTP_USER = 'mailer@acme.test';
const SMTP_PASSWORD = 'hunter2-e2e';
const MAILGUN_SIGNING_KEY = 'key-e2e0mailgun0signing0key000001';

describe.each(ENGINES)('Email (SMTP, Mailgun, SendGrid) end to end on %s', (engine) => {
  let h: ProviderHarness;
  let relay: FakeSmtp;
  let intake: SmtpListener;
  let connectionId: string;
  let inboundSecret: string;

  /** Sends a real email to Switchboard's SMTP listener. */
  const mail = (message: nodemailer.SendMailOptions) =>
    nodemailer.createTransport({ host: '127.0.0.1', port: intake.port, secure: false, ignoreTLS: true }).sendMail(message);
  /** The reply the relay received for an original Message-Id. */
  const replyTo = (messageId: string) =>
    waitUntil(() => relay.messages.find((m) => m.header('in-reply-to') === messageId), 5000, `the reply to ${messageId} at the fake SMTP relay`);
  const repliesTo = (messageId: string) => relay.messages.filter((m) => m.header('in-reply-to') === messageId);

  /** Checks the threading and addressing every reply has. */
  async function expectThreadedReply(reply: CapturedEmail, original: { messageId: string; references: string; subject: string; to: string; text: string }) {
    expect(reply.envelope).toEqual({ from: CHANNEL, to: [original.to] });
    expect(reply.header('from')).toBe(`Acme Support <${CHANNEL}>`);
    expect(reply.header('subject')).toBe(original.subject);
    expect(reply.header('in-reply-to')).toBe(original.messageId);
    expect(reply.header('references')).toBe(original.references);
    expect(reply.header('auto-submitted')).toBe('auto-replied');
    expect(reply.parsed.text?.trim()).toBe(original.text);
    // The reply's Message-ID is derived from the agent message id: the same on every retry.
    const id = /^<(.+)@switchboard>$/.exec(reply.header('message-id') ?? '')?.[1];
    const stored = await h.server.db.selectFrom('messages').selectAll().where('id', '=', id ?? '').executeTakeFirst();
    expect(stored).toMatchObject({ role: 'agent', text: original.text });
  }

  beforeAll(async () => {
    relay = await startFakeSmtp({ auth: { user: SMTP_USER, pass: SMTP_PASSWORD } });
    h = await startProviderHarness(engine);
    const connection = await createConnection(h.api, {
      provider: 'email',
      name: 'Support mailbox',
      settings: { smtpHost: relay.host, smtpPort: relay.port, smtpSecure: false, smtpUser: SMTP_USER },
      credentials: {
        smtpPassword: await createSecret(h.api, 'smtp-password', SMTP_PASSWORD),
        mailgunSigningKey: await createSecret(h.api, 'mailgun-signing-key', MAILGUN_SIGNING_KEY),
      },
    });
    connectionId = connection.id;
    inboundSecret = connection.inboundSecret;
    await deployEcho(h.api, { deploymentType: 'email', channelIdentifier: 'Support@Acme.test', configuration: { connectionId, fromName: 'Acme Support' } });
    intake = await startEmailIntake({
      db: h.server.db,
      port: 0,
      host: '127.0.0.1',
      onRecorded: () => h.server.app.inbox.kick(),
      logger: h.server.app.server.log,
    });
  });
  afterAll(async () => {
    await intake?.close();
    await h?.close();
    await relay?.close();
  });

  describe('SMTP', () => {
    it('accepts mail for a channel address with 250 and replies through the relay, threaded', async () => {
      const info = await mail({
        from: '"Ada Lovelace" <Ada@Example.com>',
        to: 'Support@ACME.test',
        subject: 'Order 1234',
        text: 'Where is my parcel?\n\nOn Mon, Jun 3, 2024 at 10:00 AM Acme <support@acme.test> wrote:\n> Shipped!\n',
        messageId: '<e2e-smtp-0001@mail.example.com>',
        references: ['<first-0@mail.example.com>'],
        inReplyTo: '<first-0@mail.example.com>',
      });
      expect(info.response).toMatch(/^250 /);
      expect(info.accepted.map((a) => String(a).toLowerCase())).toEqual([CHANNEL]);

      const reply = await replyTo('<e2e-smtp-0001@mail.example.com>');
      await expectThreadedReply(reply, {
        messageId: '<e2e-smtp-0001@mail.example.com>',
        references: '<first-0@mail.example.com> <e2e-smtp-0001@mail.example.com>',
        subject: 'Re: Order 1234',
        to: 'ada@example.com',
        text: 'Where is my parcel?',
      });
      expect(reply.header('to')).toBe('Ada Lovelace <ada@example.com>');
      expect(relay.logins).toContain(SMTP_USER);
      const [stored] = await contactMessages(h.server, '<e2e-smtp-0001@mail.example.com>');
      expect(stored?.text).toBe('Where is my parcel?');
    });

    it('stores one message and sends one reply when the same Message-Id is delivered again', async () => {
      const message = { from: 'grace@example.org', to: CHANNEL, subject: 'Twice?', text: 'Just once', messageId: '<e2e-smtp-0002@example.org>' };
      for (let i = 0; i < 3; i++) expect((await mail(message)).response).toMatch(/^250 /);
      await replyTo('<e2e-smtp-0002@example.org>');
      await settled(h.server);
      expect(repliesTo('<e2e-smtp-0002@example.org>')).toHaveLength(1);
      expect(await contactMessages(h.server, '<e2e-smtp-0002@example.org>')).toHaveLength(1);
      expect(await inboundEvents(h.server, '<e2e-smtp-0002@example.org>')).toHaveLength(1);
    });

    it('keeps a message holding the NUL character, with U+FFFD in its place', async () => {
      const messageId = '<e2e-smtp-nul@example.org>';
      expect((await mail({ from: 'nul@example.org', to: CHANNEL, subject: 'Odd bytes', text: 'before\u0000after', messageId })).response).toMatch(/^250 /);
      await replyTo(messageId);
      const [stored] = await contactMessages(h.server, messageId);
      expect(stored?.text).toBe('before\ufffdafter');
    });

    it('refuses an unknown address at RCPT TO with 550 and stores nothing', async () => {
      const before = await countRows(h.server, 'inbound_events');
      const error = await mail({ from: 'ada@example.com', to: 'nobody@acme.test', subject: 'Hello?', text: 'Anyone?', messageId: '<e2e-smtp-0003@example.com>' }).then(
        () => undefined,
        (failure: unknown) => failure as { responseCode?: number; command?: string; response?: string; rejected?: string[] },
      );
      expect(error).toBeDefined();
      expect(error!.responseCode).toBe(550);
      expect(error!.command).toBe('RCPT TO');
      expect(error!.response).toMatch(/^550 5\.1\.1 <nobody@acme\.test>: no Switchboard email channel has this address/);
      expect(error!.rejected).toEqual(['nobody@acme.test']);
      expect(await countRows(h.server, 'inbound_events')).toBe(before);
    });
  });

  describe('Mailgun route', () => {
    /** A Mailgun route forward(): url-encoded fields, signed afresh per delivery attempt (new timestamp and token). */
    function mailgunPost(fields: Record<string, string>, options: { key?: string; sign?: boolean } = {}) {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const token = randomBytes(25).toString('hex');
      const signature = createHmac('sha256', options.key ?? MAILGUN_SIGNING_KEY).update(timestamp + token).digest('hex');
      const body = new URLSearchParams({ ...fields, timestamp, token, ...(options.sign !== false && { signature }) }).toString();
      return fetch(`${h.server.baseUrl}${inboundPath('email', connectionId, '/mailgun')}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
    }
    const routed = (messageId: string, text: string) => ({
      recipient: CHANNEL,
      sender: 'bounce+1a2b@mg.example.com',
      from: 'Linus <linus@example.net>',
      subject: 'Re: Invoice 77',
      'body-plain': `${text}\r\n\r\nOn Tue, Jun 4, 2024 at 9:00 AM Acme <support@acme.test> wrote:\r\n> Here is your invoice\r\n`,
      'stripped-text': text,
      'Message-Id': messageId,
      'message-headers': JSON.stringify([
        ['From', 'Linus <linus@example.net>'],
        ['To', CHANNEL],
        ['Subject', 'Re: Invoice 77'],
        ['Message-Id', messageId],
        ['In-Reply-To', '<invoice-77@acme.test>'],
        ['References', '<invoice-77@acme.test>'],
      ]),
    });

    it('accepts a signed route POST with 200 OK and replies through the relay, threaded', async () => {
      const response = await mailgunPost(routed('<e2e-mg-0001@example.net>', 'Can I pay by card?'));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      expect(await response.text()).toBe('OK');
      const reply = await replyTo('<e2e-mg-0001@example.net>');
      await expectThreadedReply(reply, {
        messageId: '<e2e-mg-0001@example.net>',
        references: '<invoice-77@acme.test> <e2e-mg-0001@example.net>',
        subject: 'Re: Invoice 77',
        to: 'linus@example.net',
        text: 'Can I pay by card?',
      });
    });

    it('stores one message and sends one reply when Mailgun retries the same Message-Id', async () => {
      for (let i = 0; i < 3; i++) expect((await mailgunPost(routed('<e2e-mg-0002@example.net>', 'Retry me'))).status).toBe(200);
      await replyTo('<e2e-mg-0002@example.net>');
      await settled(h.server);
      expect(repliesTo('<e2e-mg-0002@example.net>')).toHaveLength(1);
      expect(await contactMessages(h.server, '<e2e-mg-0002@example.net>')).toHaveLength(1);
      expect(await inboundEvents(h.server, '<e2e-mg-0002@example.net>')).toHaveLength(1);
    });

    it('refuses a forged or missing signature with 401 and stores nothing', async () => {
      const before = await countRows(h.server, 'inbound_events');
      const forged = await refusal(await mailgunPost(routed('<e2e-mg-0003@example.net>', 'Forged'), { key: 'key-someone-else' }));
      expect(forged.status).toBe(401);
      expect(forged.message).toMatch(/Mailgun signature does not match/);
      const unsigned = await refusal(await mailgunPost(routed('<e2e-mg-0004@example.net>', 'Unsigned'), { sign: false }));
      expect(unsigned.status).toBe(401);
      expect(unsigned.message).toMatch(/Missing Mailgun signature field/);
      expect(await countRows(h.server, 'inbound_events')).toBe(before);
    });
  });

  describe('SendGrid Inbound Parse', () => {
    /** An Inbound Parse POST: multipart/form-data with the raw header block and parsed fields. */
    function sendgridPost(messageId: string, text: string, token: string | null = inboundSecret) {
      const form = new FormData();
      const headers = [
        'Received: by mx.sendgrid.net with SMTP id e2e',
        'From: Margaret <margaret@example.com>',
        `To: ${CHANNEL}`,
        'Subject: Password reset',
        `Message-ID: ${messageId}`,
        'Date: Wed, 5 Jun 2024 08:00:00 +0000',
        'Content-Type: text/plain; charset="UTF-8"',
      ].join('\n');
      form.append('headers', headers);
      form.append('from', 'Margaret <margaret@example.com>');
      form.append('to', CHANNEL);
      form.append('subject', 'Password reset');
      form.append('text', `${text}\n`);
      form.append('envelope', JSON.stringify({ to: [CHANNEL], from: 'margaret@example.com' }));
      form.append('charsets', JSON.stringify({ to: 'UTF-8', from: 'UTF-8', subject: 'UTF-8', text: 'UTF-8' }));
      form.append('spam_score', '0.1');
      const query = token === null ? '' : `?${new URLSearchParams({ token })}`;
      return fetch(`${h.server.baseUrl}${inboundPath('email', connectionId, '/sendgrid')}${query}`, { method: 'POST', body: form });
    }

    it('accepts a multipart POST carrying the URL token with 200 OK and replies through the relay, threaded', async () => {
      const response = await sendgridPost('<e2e-sg-0001@example.com>', 'I cannot log in');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      expect(await response.text()).toBe('OK');
      const reply = await replyTo('<e2e-sg-0001@example.com>');
      await expectThreadedReply(reply, {
        messageId: '<e2e-sg-0001@example.com>',
        references: '<e2e-sg-0001@example.com>',
        subject: 'Re: Password reset',
        to: 'margaret@example.com',
        text: 'I cannot log in',
      });
    });

    it('stores one message and sends one reply when SendGrid posts the same message again', async () => {
      for (let i = 0; i < 3; i++) expect((await sendgridPost('<e2e-sg-0002@example.com>', 'Only one answer')).status).toBe(200);
      await replyTo('<e2e-sg-0002@example.com>');
      await settled(h.server);
      expect(repliesTo('<e2e-sg-0002@example.com>')).toHaveLength(1);
      expect(await contactMessages(h.server, '<e2e-sg-0002@example.com>')).toHaveLength(1);
      expect(await inboundEvents(h.server, '<e2e-sg-0002@example.com>')).toHaveLength(1);
    });

    it('refuses a wrong token with 403 and a missing one with 401, storing nothing', async () => {
      const before = await countRows(h.server, 'inbound_events');
      const wrong = await refusal(await sendgridPost('<e2e-sg-0003@example.com>', 'Wrong token', 'not-the-inbound-secret'));
      expect(wrong.status).toBe(403);
      expect(wrong.message).toMatch(/token query parameter does not match/);
      const missing = await refusal(await sendgridPost('<e2e-sg-0004@example.com>', 'No token', null));
      expect(missing.status).toBe(401);
      expect(missing.message).toMatch(/Missing token query parameter/);
      expect(await countRows(h.server, 'inbound_events')).toBe(before);
    });
  });
});

import { createHmac, randomBytes } from 'node:crypto';
import { connect, createServer } from 'node:net';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  InboundAuthError,
  type ConnectionContext,
  type InboundEvent,
  type OutboundMessage,
  type RawInbound,
} from '../../packages/server/src/channels/adapter.js';
import {
  emailAdapter,
  emailProvider,
  emailSettingsSchema,
  messageIdFor,
  parseEmail,
  replySubject,
  smtpInboundEvents,
  startSmtpListener,
  stripQuotedReply,
  type SmtpListener,
} from '../../packages/server/src/channels/email/index.js';
import { parseMultipart, readForm } from '../../packages/server/src/channels/email/multipart.js';
import { startFakeSmtp, type FakeSmtp } from '../fakes/smtp.js';
import { connectionContext, expectAuthError, expectDeliveryError, expectFormatError, inboundUrl, rawInbound, uniqueKey } from './support.js';

const SIGNING_KEY = 'key-3ax6xnjp29jd6fds4gc373sgvjxteol0';
const URL_TOKEN = 'sgp_7b0c3e55a1f94d2e8c6b';
const CHANNEL = 'support@acme.test';

function connection(overrides: Partial<ConnectionContext> = {}): ConnectionContext {
  return connectionContext(
    {
      id: 'conn_mail1',
      provider: 'email',
      settings: { smtpHost: '127.0.0.1', smtpPort: smtp?.port ?? 25, smtpSecure: false },
      secrets: { mailgunSigningKey: SIGNING_KEY },
      inboundSecret: URL_TOKEN,
    },
    overrides,
  );
}

function raw(subpath: string, body: Buffer, contentType: string, options: { query?: Record<string, string>; receivedAt?: number } = {}): RawInbound {
  const query = options.query ?? {};
  return rawInbound({
    publicUrl: inboundUrl('email', 'conn_mail1', { subpath, query }),
    subpath,
    query,
    headers: { 'content-type': contentType, 'content-length': String(body.length) },
    body,
    receivedAt: options.receivedAt,
  });
}

/** Serializes a FormData the way an HTTP client does (undici), for an independent multipart encoder. */
async function encodeForm(form: FormData): Promise<{ body: Buffer; contentType: string }> {
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return { body: Buffer.from(await request.arrayBuffer()), contentType: request.headers.get('content-type')! };
}

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

let smtp: FakeSmtp;
beforeAll(async () => {
  smtp = await startFakeSmtp();
});
afterAll(async () => {
  await smtp.close();
});

// ───────────────────────────── SMTP listener ─────────────────────────────

describe('SMTP listener', () => {
  let listener: SmtpListener;
  const received: Array<{ raw: Buffer; envelope: { from: string; to: string[] } }> = [];
  let failStore = false;
  const known = new Set([CHANNEL, 'sales@acme.test']);

  beforeAll(async () => {
    listener = await startSmtpListener({
      port: 0,
      host: '127.0.0.1',
      maxSize: 64 * 1024,
      isKnownRecipient: async (address) => known.has(address),
      onMessage: async (rawMessage, envelope) => {
        if (failStore) throw new Error('database is down');
        received.push({ raw: rawMessage, envelope });
      },
    });
  });
  afterAll(async () => {
    await listener.close();
  });
  beforeEach(() => {
    received.length = 0;
    failStore = false;
  });

  const client = () => nodemailer.createTransport({ host: '127.0.0.1', port: listener.port, secure: false });

  it('receives a message sent with nodemailer, threading headers intact', async () => {
    const info = await client().sendMail({
      from: '"Ada Lovelace" <Ada@Example.com>',
      to: 'Support@Acme.test',
      subject: 'Re: Order 1234',
      messageId: '<reply-2@example.com>',
      inReplyTo: '<orig-1@acme.test>',
      references: ['<first-0@example.com>', '<orig-1@acme.test>'],
      text: 'Yes, please ship it to my office.\n\nOn Mon, 3 Jun 2024 at 10:00, Acme Support <support@acme.test> wrote:\n> Shall we ship it?\n> Regards',
    });
    expect(info.accepted).toHaveLength(1);
    expect(received).toHaveLength(1);
    expect(received[0]!.envelope).toEqual({ from: 'ada@example.com', to: ['support@acme.test'] });

    const parsed = await parseEmail(received[0]!.raw);
    expect(parsed).toEqual({
      messageId: '<reply-2@example.com>',
      inReplyTo: '<orig-1@acme.test>',
      references: ['<first-0@example.com>', '<orig-1@acme.test>'],
      from: { address: 'ada@example.com', name: 'Ada Lovelace' },
      to: ['support@acme.test'],
      subject: 'Re: Order 1234',
      text: 'Yes, please ship it to my office.',
      autoSubmitted: false,
    });

    const events = await smtpInboundEvents(received[0]!.raw, received[0]!.envelope);
    expect(events).toEqual([
      {
        providerEventId: '<reply-2@example.com>',
        channelIdentifier: 'support@acme.test',
        contact: { externalId: 'ada@example.com', displayName: 'Ada Lovelace' },
        text: 'Yes, please ship it to my office.',
        replyContext: { messageId: '<reply-2@example.com>', references: ['<first-0@example.com>', '<orig-1@acme.test>'], subject: 'Re: Order 1234' },
      },
    ]);
  });

  it('refuses an unknown recipient with 550 and stores nothing', async () => {
    const error = await client()
      .sendMail({ from: 'ada@example.com', to: 'nobody@acme.test', subject: 'Hi', text: 'Hello' })
      .then(() => undefined, (e: { responseCode?: number; response?: string }) => e);
    expect(error?.responseCode).toBe(550);
    expect(error?.response).toMatch(/550 5\.1\.1 <nobody@acme\.test>: no Switchboard email channel has this address/);
    expect(received).toHaveLength(0);
  });

  it('accepts the known recipients of a mixed list and reports them in the envelope', async () => {
    const info = await client().sendMail({ from: 'ada@example.com', to: ['support@acme.test', 'nobody@acme.test', 'SALES@acme.test'], subject: 'Both', text: 'Hi both' });
    expect(info.rejected).toEqual(['nobody@acme.test']);
    expect(received[0]!.envelope.to).toEqual(['support@acme.test', 'sales@acme.test']);
    const events = await smtpInboundEvents(received[0]!.raw, received[0]!.envelope);
    expect(events.map((e) => e.channelIdentifier)).toEqual(['support@acme.test', 'sales@acme.test']);
    // One Message-Id, two channels: each event keeps a distinct dedupe key.
    expect(new Set(events.map((e) => e.providerEventId)).size).toBe(2);
    expect(events[0]!.providerEventId).toBe(`${info.messageId} to:support@acme.test`);
  });

  it('refuses a message above maxSize', async () => {
    const error = await client()
      .sendMail({ from: 'ada@example.com', to: CHANNEL, subject: 'Big', text: 'x'.repeat(100 * 1024) })
      .then(() => undefined, (e: { responseCode?: number }) => e);
    expect(error?.responseCode).toBe(552);
    expect(received).toHaveLength(0);
  });

  it('answers 451 (try again) when the message cannot be stored', async () => {
    failStore = true;
    const error = await client()
      .sendMail({ from: 'ada@example.com', to: CHANNEL, subject: 'Hi', text: 'Hello' })
      .then(() => undefined, (e: { responseCode?: number }) => e);
    expect(error?.responseCode).toBe(451);
  });

  it('requires AUTH when credentials are configured', async () => {
    const secured = await startSmtpListener({ port: 0, auth: { user: 'relay', pass: 's3cret' }, onMessage: (m, e) => void received.push({ raw: m, envelope: e }) });
    try {
      const anonymous = await nodemailer
        .createTransport({ host: '127.0.0.1', port: secured.port })
        .sendMail({ from: 'a@example.com', to: CHANNEL, text: 'x' })
        .then(() => undefined, (e: { responseCode?: number }) => e);
      expect(anonymous?.responseCode).toBe(530);
      const wrong = await nodemailer
        .createTransport({ host: '127.0.0.1', port: secured.port, auth: { user: 'relay', pass: 'nope' } })
        .sendMail({ from: 'a@example.com', to: CHANNEL, text: 'x' })
        .then(() => undefined, (e: { responseCode?: number }) => e);
      expect(wrong?.responseCode).toBe(535);
      await nodemailer.createTransport({ host: '127.0.0.1', port: secured.port, auth: { user: 'relay', pass: 's3cret' } }).sendMail({ from: 'a@example.com', to: CHANNEL, text: 'x' });
      expect(received).toHaveLength(1);
    } finally {
      await secured.close();
    }
  });

  it('advertises SIZE but neither AUTH nor STARTTLS by default, and rejects AUTH', async () => {
    const socket = connect(listener.port, '127.0.0.1');
    const lines: string[] = [];
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => lines.push(...chunk.split('\r\n').filter(Boolean)));
    const waitFor = async (pattern: RegExp) => {
      for (let i = 0; i < 100 && !lines.some((l) => pattern.test(l)); i += 1) await new Promise((r) => setTimeout(r, 10));
      return lines.find((l) => pattern.test(l));
    };
    try {
      expect(await waitFor(/^220 /)).toMatch(/Switchboard/);
      socket.write('EHLO client.test\r\n');
      await waitFor(/^250 /);
      const features = lines.filter((l) => l.startsWith('250'));
      expect(features.some((l) => /SIZE 65536/.test(l))).toBe(true);
      expect(features.some((l) => /AUTH|STARTTLS/.test(l))).toBe(false);
      socket.write('AUTH PLAIN AHVAcA==\r\n');
      expect(await waitFor(/^50\d /)).toBeDefined();
    } finally {
      socket.destroy();
    }
  });
});

describe('parseEmail and reply stripping', () => {
  it('parses a multipart/alternative message with encoded words and quoted-printable', async () => {
    const message = [
      'From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen@example.de>',
      'To: Acme <support@acme.test>',
      'Subject: =?UTF-8?B?UsO8Y2tmcmFnZSB6dSBCZXN0ZWxsdW5n?=',
      'Message-ID: <CAF=abc123@mail.example.de>',
      'In-Reply-To: <orig-1@acme.test>',
      'References: <first-0@example.com>',
      ' <orig-1@acme.test>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=UTF-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'Gr=C3=BC=C3=9Fe, wann kommt die Lieferung?',
      '',
      'Am Montag schrieb Acme:',
      '--b1',
      'Content-Type: text/html; charset=UTF-8',
      '',
      '<p>Gr&uuml;&szlig;e</p>',
      '--b1--',
      '',
    ].join('\r\n');
    const parsed = await parseEmail(Buffer.from(message));
    expect(parsed.messageId).toBe('<CAF=abc123@mail.example.de>');
    expect(parsed.inReplyTo).toBe('<orig-1@acme.test>');
    expect(parsed.references).toEqual(['<first-0@example.com>', '<orig-1@acme.test>']);
    expect(parsed.from).toEqual({ address: 'juergen@example.de', name: 'Jürgen Müller' });
    expect(parsed.subject).toBe('Rückfrage zu Bestellung');
    expect(parsed.text).toContain('Grüße, wann kommt die Lieferung?');
  });

  it('marks auto-replies, which yield no events', async () => {
    const message = 'From: ada@example.com\r\nTo: support@acme.test\r\nSubject: Out of office\r\nMessage-ID: <ooo@example.com>\r\nAuto-Submitted: auto-replied\r\n\r\nI am away.\r\n';
    const parsed = await parseEmail(Buffer.from(message));
    expect(parsed.autoSubmitted).toBe(true);
    expect(await smtpInboundEvents(Buffer.from(message), { from: 'ada@example.com', to: [CHANNEL] })).toEqual([]);
  });

  it('dedupes a message without Message-Id on its bytes', async () => {
    const message = Buffer.from('From: ada@example.com\r\nTo: support@acme.test\r\nSubject: Hi\r\n\r\nHello\r\n');
    const [first] = await smtpInboundEvents(message, { from: 'ada@example.com', to: [CHANNEL] });
    const [again] = await smtpInboundEvents(message, { from: 'ada@example.com', to: [CHANNEL] });
    expect(first!.providerEventId).toMatch(/^sha256:[0-9a-f]{40}$/);
    expect(again!.providerEventId).toBe(first!.providerEventId);
    expect(first!.replyContext).toEqual({ references: [], subject: 'Hi' });
  });

  it('strips quoted replies in the usual shapes', () => {
    expect(stripQuotedReply('Thanks!\n\nOn Tue, Jun 4, 2024 at 9:15 AM Acme <support@acme.test> wrote:\n> old')).toBe('Thanks!');
    // Gmail wraps long attributions over two lines.
    expect(stripQuotedReply('Thanks!\r\n\r\nOn Tue, Jun 4, 2024 at 9:15 AM Acme Support Team <\r\nsupport@acme.test> wrote:\r\n> old')).toBe('Thanks!');
    expect(stripQuotedReply('Sounds good.\n\n-----Original Message-----\nFrom: Acme\nSent: Monday')).toBe('Sounds good.');
    expect(stripQuotedReply('Answer inline\n> quoted\n>\n')).toBe('Answer inline');
    expect(stripQuotedReply('> only quoted text')).toBe('> only quoted text');
    expect(stripQuotedReply('On time delivery matters to me.\nThanks')).toBe('On time delivery matters to me.\nThanks');
  });
});

// ───────────────────────────── multipart ─────────────────────────────

describe('multipart/form-data parser', () => {
  it('reads what an HTTP client encodes, text and binary', async () => {
    const binary = Buffer.concat([Buffer.from('\r\n--notTheBoundary\r\n'), randomBytes(2048), Buffer.from([0, 13, 10, 45, 45])]);
    const form = new FormData();
    form.append('subject', 'Héllo "quoted" wörld');
    form.append('text', 'line 1\r\nline 2\r\n');
    form.append('attachment1', new Blob([binary], { type: 'application/octet-stream' }), 'data.bin');
    const { body, contentType } = await encodeForm(form);
    const parsed = readForm({ headers: { 'content-type': contentType }, body });
    expect(parsed.fields.get('subject')!.toString()).toBe('Héllo "quoted" wörld');
    expect(parsed.fields.get('text')!.toString()).toBe('line 1\r\nline 2\r\n');
    expect(parsed.files).toHaveLength(1);
    expect(parsed.files[0]).toMatchObject({ name: 'attachment1', filename: 'data.bin', contentType: 'application/octet-stream' });
    expect(parsed.files[0]!.data.equals(binary)).toBe(true);
  });

  it('handles quoted boundaries, escaped names, RFC 5987 filenames, preamble, epilogue and empty parts', () => {
    const body = Buffer.from(
      [
        'This is the preamble.',
        '--xYz;"b"',
        'Content-Disposition: form-data; name="we\\"ird; name"',
        '',
        'value-1',
        '--xYz;"b"   ',
        "Content-Disposition: form-data; name=file; filename=\"fallback.txt\"; filename*=UTF-8''%C3%BCber.txt",
        'Content-Type: text/plain',
        '',
        '',
        '--xYz;"b"',
        'Content-Disposition: form-data;',
        '  name="folded"',
        '',
        'folded header',
        '--xYz;"b"--',
        'epilogue',
      ].join('\r\n'),
    );
    const parts = parseMultipart(body, 'xYz;"b"');
    expect(parts.map((p) => [p.name, p.filename, p.data.toString()])).toEqual([
      ['we"ird; name', undefined, 'value-1'],
      ['file', 'über.txt', ''],
      ['folded', undefined, 'folded header'],
    ]);
    const viaHeader = readForm({ headers: { 'content-type': 'multipart/form-data; boundary="xYz;\\"b\\""' }, body });
    expect(viaHeader.fields.get('folded')!.toString()).toBe('folded header');
  });

  it('tolerates bare LF line breaks', () => {
    const body = Buffer.from('--b\nContent-Disposition: form-data; name="a"\n\none\n--b\nContent-Disposition: form-data; name="b"\n\ntwo\n--b--\n');
    expect(parseMultipart(body, 'b').map((p) => [p.name, p.data.toString()])).toEqual([
      ['a', 'one'],
      ['b', 'two'],
    ]);
  });

  it('refuses broken bodies clearly', () => {
    expect(expectFormatError(() => parseMultipart(Buffer.from('no boundary here'), 'b')).message).toMatch(/no '--b' boundary/);
    expect(expectFormatError(() => parseMultipart(Buffer.from('--b\r\nContent-Disposition: form-data; name="a"\r\n\r\ncut off'), 'b')).message).toMatch(
      /truncated/,
    );
    expect(expectFormatError(() => readForm({ headers: { 'content-type': 'multipart/form-data' }, body: Buffer.alloc(0) })).message).toMatch(/boundary/);
    expect(expectFormatError(() => readForm({ headers: { 'content-type': 'application/json' }, body: Buffer.from('{}') })).message).toMatch(
      /Expected a form POST/,
    );
  });
});

// ───────────────────────────── Mailgun ─────────────────────────────

function mailgunSign(timestamp: string, token: string, key = SIGNING_KEY): string {
  return createHmac('sha256', key).update(timestamp + token).digest('hex');
}

function mailgunFields(overrides: Record<string, string | undefined> = {}, at = Date.now()): Record<string, string> {
  const timestamp = String(Math.floor(at / 1000));
  const token = randomBytes(25).toString('hex');
  const fields: Record<string, string | undefined> = {
    recipient: 'support@acme.test',
    sender: 'bounce+1a2b@mg.example.com',
    from: 'Ada Lovelace <ada@example.com>',
    subject: 'Re: Order 1234',
    'body-plain': 'Yes please.\r\n\r\nOn Mon, Jun 3, 2024 at 10:00 AM Acme <support@acme.test> wrote:\r\n> Shall we ship it?\r\n',
    'stripped-text': 'Yes please.',
    'body-html': '<div>Yes please.</div>',
    'Message-Id': '<CAmg-42@mail.example.com>',
    'message-headers': JSON.stringify([
      ['Received', 'by mx.example.com'],
      ['From', 'Ada Lovelace <ada@example.com>'],
      ['To', 'support@acme.test'],
      ['Subject', 'Re: Order 1234'],
      ['Message-Id', '<CAmg-42@mail.example.com>'],
      ['In-Reply-To', '<orig-1@acme.test>'],
      ['References', '<first-0@example.com> <orig-1@acme.test>'],
    ]),
    timestamp,
    token,
    signature: mailgunSign(timestamp, token),
    ...overrides,
  };
  return Object.fromEntries(Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

function mailgunForm(fields: Record<string, string>, receivedAt = Date.now()): RawInbound {
  return raw('/mailgun', Buffer.from(new URLSearchParams(fields).toString()), 'application/x-www-form-urlencoded', { receivedAt });
}

describe('Mailgun routes', () => {
  it('accepts a signed url-encoded POST and parses it', () => {
    const request = mailgunForm(mailgunFields());
    expect(() => emailAdapter.verify(request, connection())).not.toThrow();
    expect(emailAdapter.parse(request, connection())).toEqual([
      {
        providerEventId: '<CAmg-42@mail.example.com>',
        channelIdentifier: 'support@acme.test',
        contact: { externalId: 'ada@example.com', displayName: 'Ada Lovelace' },
        text: 'Yes please.',
        replyContext: { messageId: '<CAmg-42@mail.example.com>', references: ['<first-0@example.com>', '<orig-1@acme.test>'], subject: 'Re: Order 1234' },
      },
    ]);
    expect(emailAdapter.acknowledge([], request, connection())).toEqual({ status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'OK' });
  });

  it('accepts a signed multipart POST with attachments', async () => {
    const form = new FormData();
    for (const [name, value] of Object.entries(mailgunFields({ 'stripped-text': undefined, recipient: 'Support@ACME.test' }))) form.append(name, value);
    form.append('attachment-count', '1');
    form.append('attachment-1', new Blob([randomBytes(4096)], { type: 'application/pdf' }), 'invoice.pdf');
    const { body, contentType } = await encodeForm(form);
    const request = raw('/mailgun', body, contentType);
    expect(() => emailAdapter.verify(request, connection())).not.toThrow();
    const [event] = emailAdapter.parse(request, connection());
    expect(event!.channelIdentifier).toBe('support@acme.test');
    // No stripped-text: the quoted part of body-plain is dropped by Switchboard itself.
    expect(event!.text).toBe('Yes please.');
  });

  it('refuses an unsigned request, a wrong signature and a wrong key', () => {
    const unsigned = expectAuthError(() => emailAdapter.verify(mailgunForm(mailgunFields({ signature: undefined })), connection()));
    expect(unsigned.status).toBe(401);
    expect(unsigned.message).toMatch(/Missing Mailgun signature/);
    expect(expectAuthError(() => emailAdapter.verify(mailgunForm(mailgunFields({ token: undefined })), connection())).message).toMatch(/Missing Mailgun token/);
    expect(expectAuthError(() => emailAdapter.verify(mailgunForm(mailgunFields({ timestamp: undefined })), connection())).message).toMatch(
      /Missing Mailgun timestamp/,
    );
    const forged = mailgunFields();
    forged.signature = mailgunSign(forged.timestamp!, forged.token!, 'key-someone-else');
    expect(expectAuthError(() => emailAdapter.verify(mailgunForm(forged), connection())).message).toMatch(/does not match/);
    const tamperedToken = mailgunFields();
    tamperedToken.token = tamperedToken.token!.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a'));
    expect(() => emailAdapter.verify(mailgunForm(tamperedToken), connection())).toThrow(InboundAuthError);
    expect(expectAuthError(() => emailAdapter.verify(mailgunForm(mailgunFields()), connection({ secrets: {} }))).message).toMatch(/mailgunSigningKey/);
    expect(expectAuthError(() => emailAdapter.verify(raw('/mailgun', Buffer.from('{}'), 'application/json'), connection())).message).toMatch(
      /unreadable Mailgun request/,
    );
  });

  it('refuses a stale timestamp, even correctly signed', () => {
    const sixMinutesAgo = Date.now() - 6 * 60_000;
    const error = expectAuthError(() => emailAdapter.verify(mailgunForm(mailgunFields({}, sixMinutesAgo)), connection()));
    expect(error.message).toMatch(/36[01] s in the past: outside the ±300 s window/);
    const future = expectAuthError(() => emailAdapter.verify(mailgunForm(mailgunFields({}, Date.now() + 6 * 60_000)), connection()));
    expect(future.message).toMatch(/in the future/);
    expect(() => emailAdapter.verify(mailgunForm(mailgunFields({}, Date.now() - 4 * 60_000)), connection())).not.toThrow();
  });

  it('names the token as the single-use key of a request, per connection, valid for its window', () => {
    const fields = mailgunFields();
    const key = emailAdapter.replayKey!(mailgunForm(fields), connection());
    expect(key).toEqual({ scope: 'mailgun', key: `conn_mail1:${fields.token}`, expiresAt: (Number(fields.timestamp) + 300) * 1000 });
    // Another body with the same token is the same key; another connection is another key.
    const swapped = { ...fields, 'stripped-text': 'Cancel my order', 'Message-Id': '<evil@example.com>' };
    expect(emailAdapter.replayKey!(mailgunForm(swapped), connection())).toEqual(key);
    expect(emailAdapter.replayKey!(mailgunForm(fields), connection({ id: 'conn_mail2' }))?.key).toBe(`conn_mail2:${fields.token}`);
  });

  it('yields nothing for auto-replies and falls back to a synthetic id without Message-Id', () => {
    const ooo = mailgunFields({
      'message-headers': JSON.stringify([['Auto-Submitted', 'auto-replied'], ['Subject', 'Out of office']]),
    });
    expect(emailAdapter.parse(mailgunForm(ooo), connection())).toEqual([]);
    const noId = mailgunFields({ 'Message-Id': undefined, 'message-headers': '[]' });
    const [event] = emailAdapter.parse(mailgunForm(noId), connection());
    expect(event!.providerEventId).toMatch(/^sha256:/);
    expect(event!.replyContext).toEqual({ references: [], subject: 'Re: Order 1234' });
    expect(emailAdapter.parse(mailgunForm(noId), connection())[0]!.providerEventId).toBe(event!.providerEventId);
  });

  it('refuses garbage after authentication', () => {
    expect(expectFormatError(() => emailAdapter.parse(mailgunForm(mailgunFields({ recipient: undefined })), connection())).message).toMatch(/recipient/);
    expect(expectFormatError(() => emailAdapter.parse(mailgunForm(mailgunFields({ 'message-headers': '{oops' })), connection())).message).toMatch(/not JSON/);
    expect(
      expectFormatError(() => emailAdapter.parse(mailgunForm(mailgunFields({ from: 'nobody', sender: undefined, 'message-headers': '[]' })), connection()))
        .message,
    ).toMatch(/from or sender/);
  });
});

// ───────────────────────────── SendGrid ─────────────────────────────

const SENDGRID_HEADERS = [
  'Received: by mx0047p1mdw1.sendgrid.net with SMTP id 6WCVv7KAWn',
  'From: Ada Lovelace <ada@example.com>',
  'To: Acme Support <support@acme.test>',
  'Subject: Re: Order 1234',
  'Message-ID: <CAsg-7@mail.example.com>',
  'In-Reply-To: <orig-1@acme.test>',
  'References: <first-0@example.com>',
  '\t<orig-1@acme.test>',
  'Date: Tue, 4 Jun 2024 09:15:00 +0000',
  '',
].join('\n');

function sendgridFields(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const fields: Record<string, string | undefined> = {
    headers: SENDGRID_HEADERS,
    dkim: '{@example.com : pass}',
    to: 'Acme Support <support@acme.test>',
    from: 'Ada Lovelace <ada@example.com>',
    subject: 'Re: Order 1234',
    text: 'Yes please.\n\nOn Mon, Jun 3, 2024 at 10:00 AM Acme <support@acme.test> wrote:\n> Shall we ship it?\n',
    html: '<div>Yes please.</div>',
    sender_ip: '209.85.220.41',
    envelope: JSON.stringify({ to: ['support@acme.test'], from: 'ada@example.com' }),
    attachments: '0',
    charsets: JSON.stringify({ to: 'UTF-8', html: 'UTF-8', subject: 'UTF-8', from: 'UTF-8', text: 'UTF-8' }),
    SPF: 'pass',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

async function sendgridRequest(fields: Record<string, string>, query: Record<string, string> = { token: URL_TOKEN }): Promise<RawInbound> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  const { body, contentType } = await encodeForm(form);
  return raw('/sendgrid', body, contentType, { query });
}

describe('SendGrid Inbound Parse', () => {
  it('accepts the right URL token and parses the message', async () => {
    const request = await sendgridRequest(sendgridFields());
    expect(() => emailAdapter.verify(request, connection())).not.toThrow();
    expect(emailAdapter.parse(request, connection())).toEqual([
      {
        providerEventId: '<CAsg-7@mail.example.com>',
        channelIdentifier: 'support@acme.test',
        contact: { externalId: 'ada@example.com', displayName: 'Ada Lovelace' },
        text: 'Yes please.',
        replyContext: { messageId: '<CAsg-7@mail.example.com>', references: ['<first-0@example.com>', '<orig-1@acme.test>'], subject: 'Re: Order 1234' },
      },
    ]);
  });

  it('refuses a missing or wrong token', async () => {
    const missing = expectAuthError(() => emailAdapter.verify(raw('/sendgrid', Buffer.alloc(0), 'multipart/form-data; boundary=x'), connection()));
    expect(missing.status).toBe(401);
    expect(missing.message).toMatch(/Missing token/);
    const wrong = expectAuthError(() =>
      emailAdapter.verify(raw('/sendgrid', Buffer.alloc(0), 'multipart/form-data; boundary=x', { query: { token: 'sgp_guess' } }), connection()),
    );
    expect(wrong.status).toBe(403);
    expect(wrong.message).toMatch(/does not match/);
    const prefix = expectAuthError(() =>
      emailAdapter.verify(raw('/sendgrid', Buffer.alloc(0), 'x', { query: { token: URL_TOKEN.slice(0, -1) } }), connection()),
    );
    expect(prefix.status).toBe(403);
  });

  it('decodes fields in the charset SendGrid declares', () => {
    const boundary = 'xYzZY';
    const part = (name: string, value: Buffer) =>
      Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n`), value, Buffer.from('\r\n')]);
    const body = Buffer.concat([
      part('headers', Buffer.from('Message-ID: <latin@example.de>\n')),
      part('from', Buffer.from('=?ISO-8859-1?Q?J=FCrgen?= <juergen@example.de>')),
      part('to', Buffer.from('support@acme.test')),
      part('subject', Buffer.from('Lieferung', 'latin1')),
      part('text', Buffer.from('Grüße aus Köln', 'latin1')),
      part('envelope', Buffer.from('{"to":["support@acme.test"],"from":"juergen@example.de"}')),
      part('charsets', Buffer.from('{"text":"iso-8859-1","subject":"UTF-8"}')),
      Buffer.from(`--${boundary}--\r\n`),
    ]);
    const request = raw('/sendgrid', body, `multipart/form-data; boundary=${boundary}`, { query: { token: URL_TOKEN } });
    const [event] = emailAdapter.parse(request, connection());
    expect(event!.text).toBe('Grüße aus Köln');
    expect(event!.providerEventId).toBe('<latin@example.de>');
  });

  it('uses the HTML when there is no text, and one event per envelope recipient', async () => {
    const request = await sendgridRequest(
      sendgridFields({
        text: undefined,
        html: '<p>Hello&nbsp;there</p><p>Second line &amp; more</p>',
        envelope: JSON.stringify({ to: ['support@acme.test', 'Sales@Acme.test'], from: 'ada@example.com' }),
      }),
    );
    const events = emailAdapter.parse(request, connection());
    expect(events.map((e: InboundEvent) => [e.channelIdentifier, e.providerEventId, e.text])).toEqual([
      ['support@acme.test', '<CAsg-7@mail.example.com> to:support@acme.test', 'Hello there\nSecond line & more'],
      ['sales@acme.test', '<CAsg-7@mail.example.com> to:sales@acme.test', 'Hello there\nSecond line & more'],
    ]);
  });

  it('explains the raw MIME mode instead of guessing', async () => {
    const request = await sendgridRequest({ email: 'From: a@example.com\r\n\r\nhi', to: 'support@acme.test', from: 'a@example.com', envelope: '{}' });
    expect(expectFormatError(() => emailAdapter.parse(request, connection())).message).toMatch(/raw, full MIME/);
  });

  it('yields nothing for auto-replies', async () => {
    const request = await sendgridRequest(sendgridFields({ headers: `${SENDGRID_HEADERS}Auto-Submitted: auto-generated\n` }));
    expect(emailAdapter.parse(request, connection())).toEqual([]);
  });
});

describe('email inbound routing', () => {
  it('refuses unknown sub-paths and GET', async () => {
    const request = await sendgridRequest(sendgridFields());
    const unknown = expectAuthError(() => emailAdapter.verify({ ...request, subpath: '' }, connection()));
    expect(unknown.status).toBe(403);
    expect(unknown.message).toMatch(/\/mailgun or .*\/sendgrid/);
    expect(() => emailAdapter.verify({ ...request, subpath: '/postmark' }, connection())).toThrow(InboundAuthError);
    expect(() => emailAdapter.verify({ ...request, method: 'GET' }, connection())).toThrow(InboundAuthError);
    expect(() => emailAdapter.verify({ ...request, subpath: '/SendGrid/' }, connection())).not.toThrow();
  });
});

// ───────────────────────────── send ─────────────────────────────

describe('email send over SMTP', () => {
  function outbound(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
    return {
      idempotencyKey: uniqueKey('dlv_mail'),
      channelIdentifier: CHANNEL,
      channelConfiguration: { connectionId: 'conn_mail1', fromName: 'Acme Support' },
      to: { externalId: 'ada@example.com', displayName: 'Ada Lovelace' },
      text: 'It ships tomorrow to your office.',
      replyContext: { messageId: '<reply-2@example.com>', references: ['<first-0@example.com>', '<orig-1@acme.test>'], subject: 'Re: Order 1234' },
      ...overrides,
    };
  }
  const captured = (key: string) => smtp.messages.filter((m) => m.messageId === `<${key}@switchboard>`);

  it('sends a threaded reply from the channel address', async () => {
    const reply = outbound();
    const receipt = await emailAdapter.send(reply, connection());
    expect(receipt).toEqual({ providerMessageId: `<${reply.idempotencyKey}@switchboard>` });
    const [mail] = captured(reply.idempotencyKey);
    expect(mail).toBeDefined();
    expect(mail!.envelope).toEqual({ from: CHANNEL, to: ['ada@example.com'] });
    expect(mail!.parsed.from?.value).toEqual([{ address: CHANNEL, name: 'Acme Support' }]);
    expect(mail!.header('to')).toBe('Ada Lovelace <ada@example.com>');
    expect(mail!.parsed.subject).toBe('Re: Order 1234');
    expect(mail!.header('message-id')).toBe(`<${reply.idempotencyKey}@switchboard>`);
    expect(mail!.header('in-reply-to')).toBe('<reply-2@example.com>');
    expect(mail!.header('references')).toBe('<first-0@example.com> <orig-1@acme.test> <reply-2@example.com>');
    expect(mail!.header('auto-submitted')).toBe('auto-replied');
    expect(mail!.parsed.text?.trim()).toBe('It ships tomorrow to your office.');
  });

  it('threads a reply to a message that came in over SMTP (round trip)', async () => {
    let inbound: Buffer | undefined;
    const listener = await startSmtpListener({ port: 0, onMessage: (m) => void (inbound = m) });
    try {
      await nodemailer.createTransport({ host: '127.0.0.1', port: listener.port }).sendMail({
        from: 'Grace <grace@example.org>',
        to: CHANNEL,
        subject: 'Invoice question',
        messageId: '<q-77@example.org>',
        text: 'Where is my invoice?',
      });
    } finally {
      await listener.close();
    }
    const [event] = await smtpInboundEvents(inbound!, { from: 'grace@example.org', to: [CHANNEL] });
    const reply = outbound({ to: event!.contact, replyContext: event!.replyContext, channelConfiguration: { connectionId: 'conn_mail1' } });
    await emailAdapter.send(reply, connection());
    const [mail] = captured(reply.idempotencyKey);
    expect(mail!.header('from')).toBe(CHANNEL);
    expect(mail!.header('to')).toBe('Grace <grace@example.org>');
    expect(mail!.parsed.subject).toBe('Re: Invoice question');
    expect(mail!.parsed.inReplyTo).toBe('<q-77@example.org>');
    expect(mail!.parsed.references).toBe('<q-77@example.org>');
  });

  it('never stacks Re:', () => {
    expect(replySubject('Re: Order 1234')).toBe('Re: Order 1234');
    expect(replySubject('RE:Order')).toBe('RE:Order');
    expect(replySubject('re : x')).toBe('re : x');
    expect(replySubject('Order')).toBe('Re: Order');
    expect(replySubject('Fwd: Order')).toBe('Re: Fwd: Order');
    expect(replySubject('')).toBe('Re: your message');
  });

  it('derives a deterministic Message-ID from the idempotency key', () => {
    expect(messageIdFor('dlv_123')).toBe('<dlv_123@switchboard>');
    expect(messageIdFor('a b<c>')).toMatch(/^<[0-9a-f]{40}@switchboard>$/);
    expect(messageIdFor('a b<c>')).toBe(messageIdFor('a b<c>'));
    expect(messageIdFor('a b<c>')).not.toBe(messageIdFor('a b<d>'));
  });

  it('is captured once when the outbox resends the same delivery', async () => {
    const reply = outbound();
    const before = smtp.attempts;
    await emailAdapter.send(reply, connection());
    await emailAdapter.send(reply, connection());
    expect(smtp.attempts - before).toBe(2);
    expect(captured(reply.idempotencyKey)).toHaveLength(1);
  });

  it('maps a 4xx SMTP answer to a retryable error and 5xx to a permanent one', async () => {
    smtp.rejectNext(1, 451);
    const temporary = await expectDeliveryError(emailAdapter.send(outbound(), connection()));
    expect(temporary.options).toMatchObject({ retryable: true, status: 451 });
    expect(temporary.message).toMatch(/451/);
    smtp.rejectNext(1, 550, '5.7.1 Relaying denied');
    const permanent = await expectDeliveryError(emailAdapter.send(outbound(), connection()));
    expect(permanent.options).toMatchObject({ retryable: false, status: 550 });
    expect(permanent.message).toMatch(/Relaying denied/);
    // The retry after a temporary failure goes through.
    const reply = outbound();
    smtp.rejectNext(1, 421);
    await expectDeliveryError(emailAdapter.send(reply, connection()));
    await emailAdapter.send(reply, connection());
    expect(captured(reply.idempotencyKey)).toHaveLength(1);
  });

  it('logs in with smtpUser and the smtpPassword credential', async () => {
    const secured = await startFakeSmtp({ auth: { user: 'mailer', pass: 'hunter2' } });
    try {
      const settings = { smtpHost: '127.0.0.1', smtpPort: secured.port, smtpSecure: false, smtpUser: 'mailer' };
      await emailAdapter.send(outbound(), connection({ settings, secrets: { smtpPassword: 'hunter2' } }));
      expect(secured.messages).toHaveLength(1);
      expect(secured.logins).toEqual(['mailer']);
      const refused = await expectDeliveryError(emailAdapter.send(outbound(), connection({ settings, secrets: { smtpPassword: 'wrong' } })));
      expect(refused.options.retryable).toBe(false);
      const missing = await expectDeliveryError(emailAdapter.send(outbound(), connection({ settings, secrets: {} })));
      expect(missing.options.retryable).toBe(false);
      expect(missing.message).toMatch(/smtpPassword/);
    } finally {
      await secured.close();
    }
  });

  it('retries when the SMTP server cannot be reached', async () => {
    const error = await expectDeliveryError(emailAdapter.send(outbound(), connection({ settings: { smtpHost: '127.0.0.1', smtpPort: await closedPort() } })));
    expect(error.options.retryable).toBe(true);
    expect(error.message).toMatch(/could not be reached/);
  });

  it('fails permanently on bad configuration or addresses', async () => {
    expect((await expectDeliveryError(emailAdapter.send(outbound(), connection({ settings: {} })))).message).toMatch(/smtpHost/);
    const badContact = await expectDeliveryError(emailAdapter.send(outbound({ to: { externalId: '+15551234567' } }), connection()));
    expect(badContact.options.retryable).toBe(false);
    const badChannel = await expectDeliveryError(emailAdapter.send(outbound({ channelIdentifier: 'support' }), connection()));
    expect(badChannel.options.retryable).toBe(false);
  });
});

describe('email provider definition', () => {
  it('declares settings, credentials and setup', () => {
    expect(emailProvider.adapter.provider).toBe('email');
    expect(emailProvider.inboundSecret).toBe('token');
    expect(emailProvider.channelTypes).toEqual(['email']);
    expect(emailProvider.credentials.map((c) => [c.name, c.required])).toEqual([
      ['smtpPassword', false],
      ['mailgunSigningKey', false],
    ]);
    expect(emailProvider.setup).toContain('{inboundUrl}/mailgun');
    expect(emailProvider.setup).toContain('{inboundUrl}/sendgrid?token={inboundSecret}');
    expect(emailSettingsSchema.parse({ smtpHost: 'smtp.example.com' })).toEqual({ smtpHost: 'smtp.example.com', smtpPort: 587, smtpSecure: false });
    expect(emailSettingsSchema.parse({ smtpHost: 'smtp.example.com', smtpPort: 465, smtpSecure: true, smtpUser: 'me' })).toMatchObject({ smtpSecure: true });
    expect(emailSettingsSchema.safeParse({}).success).toBe(false);
    expect(emailSettingsSchema.safeParse({ smtpHost: 'smtp.example.com', smtpPort: 70000 }).success).toBe(false);
    expect(emailSettingsSchema.safeParse({ smtpHost: 'smtp.example.com', smtpPassword: 'x' }).success).toBe(false);
  });
});

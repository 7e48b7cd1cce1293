/**
 * A fake SMTP relay on 127.0.0.1: a REAL SMTP server (smtp-server) that the email adapter sends
 * through. It parses each message with mailparser, deduplicates on Message-Id (a resend of the
 * same message is accepted again but captured once), can require AUTH, and can reject the next N
 * messages after DATA with a temporary (4xx) or permanent (5xx) answer.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CapturedEmail {
  messageId: string | undefined;
  envelope: { from: string; to: string[] };
  raw: Buffer;
  parsed: ParsedMail;
  /** Header lines as sent (lower-case name → raw value). */
  header(name: string): string | undefined;
}

export interface FakeSmtp {
  host: string;
  port: number;
  /** Distinct messages (by Message-Id), in arrival order. */
  messages: CapturedEmail[];
  /** Every DATA transmission, accepted, duplicate or rejected. */
  attempts: number;
  /** Logins attempted: user names. */
  logins: string[];
  /** Reject the next `count` messages after DATA with `code` (4xx temporary, 5xx permanent). */
  rejectNext(count: number, code: number, message?: string): void;
  close(): Promise<void>;
}

export async function startFakeSmtp(options: { auth?: { user: string; pass: string } } = {}): Promise<FakeSmtp> {
  const messages: CapturedEmail[] = [];
  const rejections: Array<{ code: number; message: string }> = [];
  const logins: string[] = [];
  const fake = { attempts: 0 };

  const server = new SMTPServer({
    name: 'fake-smtp.test',
    logger: false,
    closeTimeout: 1_000,
    disableReverseLookup: true,
    disabledCommands: options.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !options.auth,
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      logins.push(auth.username ?? '');
      if (options.auth && auth.username === options.auth.user && auth.password === options.auth.pass) callback(null, { user: auth.username });
      else callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        fake.attempts += 1;
        const rejection = rejections.shift();
        if (rejection) {
          callback(Object.assign(new Error(rejection.message), { responseCode: rejection.code }));
          return;
        }
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (parsed) => {
            const messageId = parsed.messageId;
            if (messageId === undefined || !messages.some((m) => m.messageId === messageId)) {
              const headerText = raw.toString('utf8').split(/\r?\n\r?\n/)[0] ?? '';
              const unfolded = headerText.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/);
              messages.push({
                messageId,
                envelope: {
                  from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                  to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
                },
                raw,
                parsed,
                header(name) {
                  const line = unfolded.find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
                  return line?.slice(name.length + 1).trim();
                },
              });
            }
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  server.on('error', () => undefined);
  const port = await new Promise<number>((resolve) => {
    const netServer = server.listen(0, '127.0.0.1', () => resolve((netServer.address() as AddressInfo).port));
  });
  return {
    host: '127.0.0.1',
    port,
    messages,
    get attempts() {
      return fake.attempts;
    },
    logins,
    rejectNext(count, code, message = code >= 500 ? '5.7.1 Message rejected on demand' : '4.3.2 Try again later (on demand)') {
      for (let i = 0; i < count; i += 1) rejections.push({ code, message: `${message}` });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The SMTP listener: Switchboard receives mail for email channels directly (point the domain's MX,
 * or a relay, at it). Built on smtp-server:
 *
 * - RCPT TO is checked with `isKnownRecipient(address)` (lower-case): unknown addresses get
 *   `550 5.1.1` at once, so nothing is accepted that no channel will read;
 * - messages above `maxSize` bytes are refused (`552`; the limit is advertised with SIZE);
 * - no AUTH unless `auth` credentials are configured (then every client must log in); STARTTLS
 *   is offered only when a TLS key and certificate are given;
 * - a message is acknowledged (`250`) only after `onMessage` resolved, i.e. after it was stored;
 *   when `onMessage` throws the client gets `451 4.3.0` and retries later (store failures never
 *   lose mail).
 */
import type { AddressInfo } from 'node:net';
import type { SMTPServerOptions } from 'smtp-server';
import { safeEqual } from '../safe-equal.js';

export { parseEmail, smtpInboundEvents } from './parse-email.js';

export interface SmtpListenerLogger {
  info?(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
  error?(object: Record<string, unknown>, message: string): void;
}

export interface SmtpListenerOptions {
  /** 0 picks a free port. */
  port: number;
  /** Default 127.0.0.1; '0.0.0.0' (or '::') to receive from the internet. */
  host?: string;
  /** Called with the raw message once DATA completed; resolve when it is safely stored. */
  onMessage(raw: Buffer, envelope: { from: string; to: string[] }): Promise<void> | void;
  /** Whether an address (lower-case) belongs to an email channel. Default: every address is accepted. */
  isKnownRecipient?(address: string): Promise<boolean> | boolean;
  logger?: SmtpListenerLogger;
  /** Largest accepted message in bytes (default 25 MiB). */
  maxSize?: number;
  /** Require SMTP AUTH with these credentials (PLAIN / LOGIN). */
  auth?: { user: string; pass: string };
  /** PEM key and certificate: enables STARTTLS. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Hostname announced in the greeting. */
  name?: string;
}

export interface SmtpListener {
  port: number;
  close(): Promise<void>;
}

export const DEFAULT_MAX_EMAIL_SIZE = 25 * 1024 * 1024;

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

export async function startSmtpListener(options: SmtpListenerOptions): Promise<SmtpListener> {
  const maxSize = options.maxSize ?? DEFAULT_MAX_EMAIL_SIZE;
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger;
  const disabledCommands: string[] = [];
  if (!options.auth) disabledCommands.push('AUTH');
  if (!options.tls) disabledCommands.push('STARTTLS');

  const serverOptions: SMTPServerOptions = {
    name: options.name ?? 'switchboard',
    banner: 'Switchboard SMTP ready',
    size: maxSize,
    disabledCommands,
    authOptional: !options.auth,
    allowInsecureAuth: Boolean(options.auth) && !options.tls,
    disableReverseLookup: true,
    logger: false,
    closeTimeout: 5_000,
    ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : {}),
    onAuth(auth, _session, callback) {
      const expected = options.auth;
      if (expected && safeEqual(auth.username ?? '', expected.user) && safeEqual(auth.password ?? '', expected.pass)) {
        callback(null, { user: auth.username });
        return;
      }
      callback(smtpError(535, '5.7.8 Authentication credentials invalid'));
    },
    onRcptTo(address, _session, callback) {
      const recipient = address.address.toLowerCase();
      if (!options.isKnownRecipient) {
        callback();
        return;
      }
      Promise.resolve()
        .then(() => options.isKnownRecipient?.(recipient))
        .then(
          (known) => {
            if (known) callback();
            else callback(smtpError(550, `5.1.1 <${recipient}>: no Switchboard email channel has this address`));
          },
          (error: unknown) => {
            logger?.warn({ err: error, recipient }, 'SMTP recipient lookup failed');
            callback(smtpError(451, '4.3.0 Recipient lookup failed, try again later'));
          },
        );
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (error: Error) => callback(error));
      stream.on('end', () => {
        if (stream.sizeExceeded) {
          callback(smtpError(552, `5.3.4 Message exceeds the ${maxSize} byte size limit`));
          return;
        }
        const raw = Buffer.concat(chunks);
        const envelope = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address.toLowerCase() : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase()),
        };
        Promise.resolve()
          .then(() => options.onMessage(raw, envelope))
          .then(
            () => callback(),
            (error: unknown) => {
              logger?.warn({ err: error, to: envelope.to }, 'storing an inbound email failed');
              callback(smtpError(451, '4.3.0 The message could not be stored, try again later'));
            },
          );
      });
    },
  };

  // smtp-server is loaded only when a listener starts (SMTP_PORT set).
  const { SMTPServer } = await import('smtp-server');
  const server = new SMTPServer(serverOptions);
  server.on('error', (error) => logger?.warn({ err: error }, 'SMTP listener error'));
  const port = await new Promise<number>((resolve, reject) => {
    const netServer = server.listen(options.port, host, () => {
      netServer.off('error', reject);
      resolve((netServer.address() as AddressInfo).port);
    });
    netServer.once('error', reject);
  });
  logger?.info?.({ port, host }, 'SMTP listener started');
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

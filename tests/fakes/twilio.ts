/**
 * A fake Twilio REST API (Messages resource) on 127.0.0.1, speaking Twilio's real shapes:
 * `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, HTTP Basic auth AccountSid:AuthToken,
 * form body To/From/Body, JSON answers (201 message resource, errors as {code, message, more_info, status}),
 * deduplication on `I-Twilio-Idempotency-Token`, and failures on demand.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';

export interface FakeTwilioRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Raw body text. */
  body: string;
  /** Decoded form fields (first value of each). */
  form: Record<string, string>;
  /** When the request arrived (epoch ms), before any `delayMs`. */
  receivedAt: number;
}

export interface FakeTwilioMessage {
  sid: string;
  accountSid: string;
  to: string;
  from: string;
  body: string;
  idempotencyToken?: string;
  dateCreated: string;
}

export interface FailOptions {
  /** Retry-After header value (seconds or HTTP date). */
  retryAfter?: string | number;
  /** Twilio error code in the JSON body (default from the status). */
  code?: number;
  message?: string;
  /** Create the message first, then answer the failure (a response lost after the work was done). */
  afterCreate?: boolean;
  /** Let this many message requests succeed before this failure applies. */
  after?: number;
}

export interface FakeTwilio {
  url: string;
  accountSid: string;
  authToken: string;
  /** Every request received, in order. */
  requests: FakeTwilioRequest[];
  /** Distinct messages created (an idempotency-token replay creates none). */
  messages: FakeTwilioMessage[];
  /** The next request (one per call, queued) is answered with this failure. */
  failNext(status: number, options?: FailOptions): void;
  /** Answer every request with a dropped connection until `restore()` (network failure). */
  dropConnections(): void;
  restore(): void;
  reset(): void;
  close(): Promise<void>;
}

const DEFAULT_CODES: Record<number, [number, string]> = {
  400: [21211, "The 'To' number is not a valid phone number."],
  401: [20003, 'Authenticate'],
  404: [20404, 'The requested resource was not found'],
  429: [20429, 'Too Many Requests'],
  500: [20500, 'Internal Server Error'],
  503: [20503, 'Service Unavailable'],
};

export function twilioError(response: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }));
}

function sid(prefix: string): string {
  return prefix + randomBytes(16).toString('hex');
}

export async function startFakeTwilio(options: { accountSid?: string; authToken?: string; /** Time each message request takes before it is answered. */ delayMs?: number } = {}): Promise<FakeTwilio> {
  const accountSid = options.accountSid ?? `AC${'0123456789abcdef'.repeat(2)}`;
  const authToken = options.authToken ?? 'fake-twilio-auth-token';
  const failures: { status: number; options: FailOptions }[] = [];
  const byToken = new Map<string, { status: number; body: string }>();
  let dropping = false;

  const fake: FakeTwilio = {
    url: '',
    accountSid,
    authToken,
    requests: [],
    messages: [],
    failNext(status, failOptions = {}) {
      failures.push({ status, options: failOptions });
    },
    dropConnections() {
      dropping = true;
    },
    restore() {
      dropping = false;
    },
    reset() {
      fake.requests.length = 0;
      fake.messages.length = 0;
      failures.length = 0;
      byToken.clear();
      dropping = false;
    },
    close: async () => undefined,
  };

  const server: Server = createServer((req, res) => {
    const receivedAt = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => setTimeout(handle, options.delayMs ?? 0));
    const handle = () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '';
      const form: Record<string, string> = {};
      for (const [name, value] of new URLSearchParams(body)) if (!(name in form)) form[name] = value;
      fake.requests.push({ method: req.method ?? '', path, headers: req.headers, body, form, receivedAt });
      if (dropping) {
        req.socket.destroy();
        return;
      }

      const route = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(path.split('?')[0] ?? '');
      if (!route || req.method !== 'POST') {
        twilioError(res, 404, 20404, `The requested resource ${path} was not found`);
        return;
      }
      const expected = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
      if (req.headers.authorization !== expected || decodeURIComponent(route[1] ?? '') !== accountSid) {
        twilioError(res, 401, 20003, 'Authenticate', { 'www-authenticate': 'Basic realm="Twilio API"' });
        return;
      }

      const token = req.headers['i-twilio-idempotency-token'];
      const idempotencyToken = typeof token === 'string' && token ? token : undefined;
      if (idempotencyToken && byToken.has(idempotencyToken)) {
        const previous = byToken.get(idempotencyToken)!;
        res.writeHead(previous.status, { 'content-type': 'application/json' });
        res.end(previous.body);
        return;
      }

      let failure: { status: number; options: FailOptions } | undefined;
      const head = failures[0];
      if (head && (head.options.after ?? 0) > 0) head.options = { ...head.options, after: (head.options.after ?? 0) - 1 };
      else failure = failures.shift();
      if (failure && !failure.options.afterCreate) {
        const [code, message] = DEFAULT_CODES[failure.status] ?? [failure.status * 100, 'Error'];
        const headers: Record<string, string> =
          failure.options.retryAfter !== undefined ? { 'retry-after': String(failure.options.retryAfter) } : {};
        twilioError(res, failure.status, failure.options.code ?? code, failure.options.message ?? message, headers);
        return;
      }

      const { To: to, From: from, Body: text } = form;
      if (!to) return twilioError(res, 400, 21604, "A 'To' phone number is required.");
      if (!from) return twilioError(res, 400, 21603, "A 'From' phone number is required.");
      if (text === undefined || text === '') return twilioError(res, 400, 21602, 'Message body is required.');
      if (to.startsWith('whatsapp:') !== from.startsWith('whatsapp:')) {
        return twilioError(res, 400, 21910, 'Invalid From and To pair. From and To should be of the same channel');
      }
      if (!/^\+[1-9]\d{6,14}$/.test(to.replace(/^whatsapp:/, ''))) {
        return twilioError(res, 400, 21211, `The 'To' number ${to} is not a valid phone number.`);
      }
      if (text.length > 1600) return twilioError(res, 400, 21617, 'The concatenated message body exceeds the 1600 character limit.');

      const now = new Date().toUTCString();
      const message: FakeTwilioMessage = { sid: sid('SM'), accountSid, to, from, body: text, dateCreated: now, ...(idempotencyToken && { idempotencyToken }) };
      fake.messages.push(message);
      const resource = JSON.stringify({
        account_sid: accountSid,
        api_version: '2010-04-01',
        body: text,
        date_created: now,
        date_sent: null,
        date_updated: now,
        direction: 'outbound-api',
        error_code: null,
        error_message: null,
        from,
        messaging_service_sid: null,
        num_media: '0',
        num_segments: String(Math.max(1, Math.ceil(text.length / 153))),
        price: null,
        price_unit: 'USD',
        sid: message.sid,
        status: 'queued',
        subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${message.sid}/Media.json` },
        to,
        uri: `/2010-04-01/Accounts/${accountSid}/Messages/${message.sid}.json`,
      });
      if (idempotencyToken) byToken.set(idempotencyToken, { status: 201, body: resource });
      if (failure) {
        const [code, msg] = DEFAULT_CODES[failure.status] ?? [failure.status * 100, 'Error'];
        twilioError(res, failure.status, failure.options.code ?? code, failure.options.message ?? msg);
        return;
      }
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(resource);
    };
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}

/**
 * A webhook as Twilio would send it: form-encoded params and an X-Twilio-Signature made by the official
 * `twilio` package over `url` (the public URL Twilio calls).
 */
export function signedTwilioWebhook(
  authToken: string,
  url: string,
  params: Record<string, string>,
): { headers: Record<string, string>; body: string } {
  return {
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilio.getExpectedTwilioSignature(authToken, url, params),
    },
    body: new URLSearchParams(params).toString(),
  };
}

/** Realistic inbound SMS params (as Twilio posts them to "A message comes in"). */
export function inboundSmsParams(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    ToCountry: 'US',
    ToState: 'CA',
    SmsMessageSid: 'SM2c0b1d7e4a5f6a7b8c9d0e1f2a3b4c5d',
    NumMedia: '0',
    ToCity: 'SAN FRANCISCO',
    FromZip: '94105',
    SmsSid: 'SM2c0b1d7e4a5f6a7b8c9d0e1f2a3b4c5d',
    FromState: 'CA',
    SmsStatus: 'received',
    FromCity: 'SAN FRANCISCO',
    Body: 'Hello there',
    FromCountry: 'US',
    To: '+14155550100',
    MessagingServiceSid: 'MG0123456789abcdef0123456789abcdef',
    ToZip: '94105',
    NumSegments: '1',
    MessageSid: 'SM2c0b1d7e4a5f6a7b8c9d0e1f2a3b4c5d',
    AccountSid: `AC${'0123456789abcdef'.repeat(2)}`,
    From: '+14155550199',
    ApiVersion: '2010-04-01',
    ...overrides,
  };
}

/** Realistic inbound WhatsApp params. */
export function inboundWhatsAppParams(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    SmsMessageSid: 'SM9f8e7d6c5b4a39281706f5e4d3c2b1a0',
    NumMedia: '0',
    ProfileName: 'Ada Lovelace',
    MessageType: 'text',
    SmsSid: 'SM9f8e7d6c5b4a39281706f5e4d3c2b1a0',
    WaId: '447700900123',
    SmsStatus: 'received',
    Body: 'Hi from WhatsApp',
    To: 'whatsapp:+14155238886',
    NumSegments: '1',
    ReferralNumMedia: '0',
    MessageSid: 'SM9f8e7d6c5b4a39281706f5e4d3c2b1a0',
    AccountSid: `AC${'0123456789abcdef'.repeat(2)}`,
    From: 'whatsapp:+447700900123',
    ApiVersion: '2010-04-01',
    ...overrides,
  };
}

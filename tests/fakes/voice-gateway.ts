/**
 * A fake voice gateway on 127.0.0.1: the speech gateway a voice-gateway channel talks to.
 *
 * - Its callback endpoint (`POST /v1/calls/reply`, the connection's callbackUrl) checks
 *   `X-Signature` / `X-Timestamp` with its own HMAC code (independent of the adapter's), answers
 *   401 when they are wrong, 410 for a call that has ended, and deduplicates replies on
 *   `idempotencyKey` (a repeat is answered with the first reply's id and not spoken twice).
 * - `eventRequest()` builds signed event POSTs as the gateway sends them to Switchboard.
 * - Fails on demand: status + Retry-After, a failure after accepting (lost answer), a dropped connection.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface VoiceGatewayRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  verified: boolean;
  status: number;
}

export interface SpokenReply {
  id: string;
  callId: string;
  text: string;
  idempotencyKey: string;
}

export interface VoiceGatewayFailure {
  status: number;
  retryAfter?: number;
  afterDelivery?: boolean;
  drop?: boolean;
}

export interface FakeVoiceGateway {
  /** The callbackUrl to configure. */
  callbackUrl: string;
  requests: VoiceGatewayRequest[];
  /** Distinct replies (by idempotencyKey) the gateway spoke. */
  spoken: SpokenReply[];
  endCall(callId: string): void;
  failNext(status: number, options?: Omit<VoiceGatewayFailure, 'status'> & { count?: number }): void;
  dropNext(options?: { afterDelivery?: boolean }): void;
  close(): Promise<void>;
}

function hmacHex(secret: string, data: string): string {
  return createHmac('sha256', secret).update(data, 'utf8').digest('hex');
}

/**
 * A gateway event POST: JSON body, `X-Timestamp` and `X-Signature: sha256=<hex>`
 * (`timestamp: null` leaves X-Timestamp out and signs the body alone).
 */
export function eventRequest(
  event: Record<string, unknown>,
  secret: string,
  options: { timestamp?: number | null; bare?: boolean } = {},
): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify(event);
  const timestamp = options.timestamp === undefined ? Math.floor(Date.now() / 1000) : options.timestamp;
  const signature = hmacHex(secret, timestamp === null ? body : `${timestamp}.${body}`);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-signature': options.bare ? signature : `sha256=${signature}`,
      ...(timestamp === null ? {} : { 'x-timestamp': String(timestamp) }),
    },
  };
}

export async function startFakeVoiceGateway(options: { secret: string }): Promise<FakeVoiceGateway> {
  const requests: VoiceGatewayRequest[] = [];
  const spoken: SpokenReply[] = [];
  const ended = new Set<string>();
  const failures: VoiceGatewayFailure[] = [];
  let counter = 0;

  function answer(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }

  function verified(req: IncomingMessage, body: string): boolean {
    const header = String(req.headers['x-signature'] ?? '');
    const timestamp = req.headers['x-timestamp'];
    if (!header.startsWith('sha256=')) return false;
    if (typeof timestamp === 'string' && Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
    const expected = Buffer.from(hmacHex(options.secret, typeof timestamp === 'string' ? `${timestamp}.${body}` : body));
    const given = Buffer.from(header.slice('sha256='.length));
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const record: VoiceGatewayRequest = { method: req.method ?? '', path: url.pathname, headers: req.headers, body, verified: false, status: 0 };
      requests.push(record);
      if (req.method !== 'POST' || url.pathname !== '/v1/calls/reply') {
        record.status = 404;
        return answer(res, 404, { error: 'not found' });
      }
      if (!verified(req, body)) {
        record.status = 401;
        return answer(res, 401, { error: 'bad signature' });
      }
      record.verified = true;
      let reply: { callId?: unknown; text?: unknown; idempotencyKey?: unknown };
      try {
        reply = JSON.parse(body) as typeof reply;
      } catch {
        record.status = 400;
        return answer(res, 400, { error: 'body must be JSON' });
      }
      if (typeof reply.callId !== 'string' || typeof reply.text !== 'string' || typeof reply.idempotencyKey !== 'string') {
        record.status = 400;
        return answer(res, 400, { error: 'callId, text and idempotencyKey are required' });
      }
      if (ended.has(reply.callId)) {
        record.status = 410;
        return answer(res, 410, { error: `call ${reply.callId} has ended` });
      }
      const failure = failures.shift();
      const fail = (f: VoiceGatewayFailure) => {
        if (f.drop) {
          record.status = -1;
          req.socket.destroy();
          return;
        }
        record.status = f.status;
        answer(res, f.status, { error: 'failure on demand' }, f.retryAfter !== undefined ? { 'retry-after': String(f.retryAfter) } : {});
      };
      if (failure && !failure.afterDelivery) return fail(failure);
      let entry = spoken.find((s) => s.idempotencyKey === reply.idempotencyKey);
      if (!entry) {
        counter += 1;
        entry = { id: `utt_${counter}`, callId: reply.callId, text: reply.text, idempotencyKey: reply.idempotencyKey };
        spoken.push(entry);
      }
      if (failure) return fail(failure);
      record.status = 200;
      answer(res, 200, { id: entry.id, status: 'queued' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    callbackUrl: `http://127.0.0.1:${port}/v1/calls/reply`,
    requests,
    spoken,
    endCall: (callId) => void ended.add(callId),
    failNext(status, { count = 1, ...rest } = {}) {
      for (let i = 0; i < count; i += 1) failures.push({ status, ...rest });
    },
    dropNext({ afterDelivery = false } = {}) {
      failures.push({ status: 0, drop: true, afterDelivery });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

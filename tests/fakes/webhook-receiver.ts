/**
 * A fake custom-webhook receiver on 127.0.0.1: the system on the other end of a webhook channel.
 * It verifies every POST with the official `standardwebhooks` library (401 when the signature,
 * timestamp or headers are wrong), records every request, and deduplicates deliveries on
 * `webhook-id` as Standard Webhooks receivers should: a repeated id is answered 200 again but
 * not delivered twice. It can fail on demand (status + Retry-After), answer a failure after
 * accepting the delivery (a lost acknowledgement), or drop the connection.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhookRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** The standardwebhooks library accepted the signature. */
  verified: boolean;
  verifyError?: string;
  status: number;
}

export interface WebhookDelivery {
  webhookId: string;
  timestamp: number;
  payload: Record<string, unknown>;
}

export interface WebhookFailure {
  status: number;
  /** Retry-After header value (seconds). */
  retryAfter?: number;
  body?: string;
  /** Accept (and deduplicate) the delivery, then answer the failure anyway. */
  afterDelivery?: boolean;
  /** Destroy the connection instead of answering. */
  drop?: boolean;
}

export interface FakeWebhookReceiver {
  /** The outboundUrl to configure. */
  url: string;
  requests: ReceivedWebhookRequest[];
  /** Distinct deliveries, by webhook-id, in arrival order. */
  deliveries: WebhookDelivery[];
  failNext(status: number, options?: Omit<WebhookFailure, 'status'> & { count?: number }): void;
  dropNext(options?: { afterDelivery?: boolean }): void;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** `port` 0 (the default) takes any free one; a given port lets a sender be configured before the secret is known. */
export async function startWebhookReceiver(options: { secret: string; path?: string; port?: number }): Promise<FakeWebhookReceiver> {
  const path = options.path ?? '/hooks/switchboard';
  const verifier = new Webhook(options.secret);
  const requests: ReceivedWebhookRequest[] = [];
  const deliveries: WebhookDelivery[] = [];
  const failures: WebhookFailure[] = [];

  function answer(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  }

  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const record: ReceivedWebhookRequest = { method: req.method ?? '', path: url.pathname, headers: req.headers, body, verified: false, status: 0 };
    requests.push(record);
    if (req.method !== 'POST' || url.pathname !== path) {
      record.status = 404;
      answer(res, 404, { error: 'not found' });
      return;
    }
    let payload: Record<string, unknown>;
    try {
      payload = verifier.verify(body, {
        'webhook-id': String(req.headers['webhook-id'] ?? ''),
        'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
        'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
      }) as Record<string, unknown>;
      record.verified = true;
    } catch (error) {
      record.verifyError = (error as Error).message;
      record.status = 401;
      answer(res, 401, { error: record.verifyError });
      return;
    }
    const failure = failures.shift();
    if (failure?.drop && !failure.afterDelivery) {
      record.status = -1;
      req.socket.destroy();
      return;
    }
    if (failure && !failure.afterDelivery) {
      record.status = failure.status;
      answer(res, failure.status, failure.body ?? { error: 'failure on demand' }, failure.retryAfter !== undefined ? { 'retry-after': String(failure.retryAfter) } : {});
      return;
    }
    const webhookId = String(req.headers['webhook-id']);
    if (!deliveries.some((delivery) => delivery.webhookId === webhookId)) {
      deliveries.push({ webhookId, timestamp: Number(req.headers['webhook-timestamp']), payload });
    }
    if (failure?.drop) {
      record.status = -1;
      req.socket.destroy();
      return;
    }
    if (failure) {
      record.status = failure.status;
      answer(res, failure.status, failure.body ?? { error: 'failure on demand' }, failure.retryAfter !== undefined ? { 'retry-after': String(failure.retryAfter) } : {});
      return;
    }
    record.status = 200;
    answer(res, 200, { received: true });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    requests,
    deliveries,
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

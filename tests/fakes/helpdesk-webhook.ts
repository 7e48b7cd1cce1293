/**
 * A fake custom helpdesk on 127.0.0.1: the system behind a `webhook` helpdesk connection. It
 * verifies every POST with the official `standardwebhooks` library (401 when the signature,
 * timestamp or headers are wrong), records every request, deduplicates handoff events on
 * `webhook-id` (a repeated id is answered 200 again but not stored twice), and fails on demand.
 *
 * It answers the way such a helpdesk would, signed with Standard Webhooks using the connection's
 * inbound secret: `agentMessage`, `accept` and `resolve` return the call to make to Switchboard's
 * inbound URL (`agent.message`, `agent.accepted`, `handoff.resolved`).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { answerPlannedFailure, serveHttp, type CallbackRequest, type PlannedFailure } from './http-fake.js';

export interface HelpdeskWebhookRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  verified: boolean;
  verifyError?: string;
  status: number;
}

export interface HelpdeskWebhookEvent {
  webhookId: string;
  timestamp: number;
  payload: Record<string, unknown>;
}

/** This fake always answers a planned failure with its own body. */
export type HelpdeskWebhookFailure = Omit<PlannedFailure, 'body'>;

export type { CallbackRequest } from './http-fake.js';

export interface FakeHelpdeskWebhook {
  /** The `url` setting to configure. */
  url: string;
  requests: HelpdeskWebhookRequest[];
  /** Distinct events (by webhook-id), in arrival order. */
  events: HelpdeskWebhookEvent[];
  agent: { id: string; name: string };
  failNext(status: number, options?: Omit<HelpdeskWebhookFailure, 'status'> & { count?: number }): void;
  dropNext(): void;
  agentMessage(input: { conversationId: string; text: string; secret: string; webhookId?: string; timestamp?: Date }): CallbackRequest;
  accept(input: { conversationId: string; secret: string }): CallbackRequest;
  resolve(input: { conversationId: string; secret: string }): CallbackRequest;
  reset(): void;
  close(): Promise<void>;
}

/** A Standard Webhooks call carrying `payload`, signed with `secret` (`whsec_…`). */
export function signedHelpdeskCallback(secret: string, payload: unknown, options: { webhookId?: string; timestamp?: Date } = {}): CallbackRequest {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const webhookId = options.webhookId ?? `msg_${randomBytes(12).toString('hex')}`;
  const timestamp = options.timestamp ?? new Date();
  return {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': webhookId,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(webhookId, timestamp, body),
    },
    body,
  };
}

export async function startFakeHelpdeskWebhook(options: { secret: string; path?: string }): Promise<FakeHelpdeskWebhook> {
  const path = options.path ?? '/switchboard/handoffs';
  const verifier = new Webhook(options.secret);
  const failures: HelpdeskWebhookFailure[] = [];
  const agent = { id: 'agt_77', name: 'Riley Support' };

  const fake: FakeHelpdeskWebhook = {
    url: '',
    requests: [],
    events: [],
    agent,
    failNext: (status, { count = 1, ...rest } = {}) => {
      for (let i = 0; i < count; i += 1) failures.push({ status, ...rest });
    },
    dropNext: () => void failures.push({ status: 0, drop: true }),
    agentMessage: ({ conversationId, text, secret, webhookId, timestamp }) =>
      signedHelpdeskCallback(secret, { type: 'agent.message', conversationId, text, agent }, { ...(webhookId && { webhookId }), ...(timestamp && { timestamp }) }),
    accept: ({ conversationId, secret }) => signedHelpdeskCallback(secret, { type: 'agent.accepted', conversationId, agent }),
    resolve: ({ conversationId, secret }) => signedHelpdeskCallback(secret, { type: 'handoff.resolved', conversationId }),
    reset: () => {
      fake.requests.length = 0;
      fake.events.length = 0;
      failures.length = 0;
    },
    close: async () => undefined,
  };

  const answer = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    return status;
  };

  const server = await serveHttp((req, res, raw) => {
    const body = raw.toString('utf8');
    const url = new URL(req.url ?? '/', 'http://helpdesk.local');
    const record: HelpdeskWebhookRequest = { method: req.method ?? '', path: url.pathname, headers: req.headers, body, verified: false, status: 0 };
    fake.requests.push(record);
    if (req.method !== 'POST' || url.pathname !== path) {
      record.status = answer(res, 404, { error: 'not found' });
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
      record.status = answer(res, 401, { error: record.verifyError });
      return;
    }
    const failed = answerPlannedFailure(res, failures.shift(), answer, { error: 'failure on demand' });
    if (failed !== undefined) {
      record.status = failed;
      return;
    }
    const webhookId = String(req.headers['webhook-id']);
    if (!fake.events.some((event) => event.webhookId === webhookId)) {
      fake.events.push({ webhookId, timestamp: Number(req.headers['webhook-timestamp']), payload });
    }
    record.status = answer(res, 200, { received: true, ticketId: `T-${conversationNumber(String(payload.conversationId))}` });
  });
  fake.url = `${server.url}${path}`;
  fake.close = server.close;
  return fake;
}

function conversationNumber(conversationId: string): number {
  let hash = 0;
  for (const char of conversationId) hash = (hash * 31 + char.charCodeAt(0)) % 100_000;
  return hash;
}

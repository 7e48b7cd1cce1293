/**
 * `switchboard webhooks listen --forward-to <url>`: follows the workspace's live events and POSTs
 * each one to a local URL, signed as Switchboard signs webhook deliveries (Standard Webhooks),
 * with a signing secret of this session. Nothing is subscribed on the server.
 */
import { WEBHOOK_ALL_EVENTS, WEBHOOK_EVENT_TYPES } from '@switchboard/core';
import { UsageError, type ApiContext } from './context.js';
import { iso, print } from './output.js';
import { followEvents, type StreamEvent } from './event-stream.js';
import { webhookEventBody, webhookEventHeaders } from '../webhooks/sender.js';
import { newWebhookSecret } from '../webhooks/subscriptions.js';
import { standardWebhooksKey } from '../channels/webhook/standard-webhooks.js';
import { SecretBox } from '../secrets/secret-box.js';

const FORWARD_TIMEOUT_MS = 10_000;

export interface ListenOptions {
  forwardTo: string;
  /** Comma-separated event types, or '*'. */
  events: string;
  /** A `whsec_…` secret chosen by the user; a fresh one when absent. */
  secret?: string;
}

export function parseForwardUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--forward-to must be an absolute http(s) URL, e.g. http://localhost:3000/webhooks; got '${value}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--forward-to must be an http or https URL; got '${url.protocol}'`);
  return url;
}

/** The event types to forward: those a subscription can listen to. */
export function parseEventFilter(value: string): Set<string> {
  const types = value.split(',').map((t) => t.trim()).filter(Boolean);
  if (types.length === 1 && types[0] === WEBHOOK_ALL_EVENTS) return new Set(WEBHOOK_EVENT_TYPES);
  const unknown = types.filter((t) => !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(t));
  if (types.length === 0 || unknown.length > 0) {
    throw new UsageError(`--events must be '*' or some of ${WEBHOOK_EVENT_TYPES.join(', ')} separated by commas${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}`);
  }
  return new Set(types);
}

function checkSecret(secret: string): string {
  const trimmed = secret.trim();
  try {
    standardWebhooksKey(trimmed);
  } catch (error) {
    throw new UsageError(`the signing secret is not usable: ${(error as Error).message}`);
  }
  return trimmed;
}

const causeOf = (error: unknown) =>
  error instanceof Error && error.cause instanceof Error ? error.cause.message : error instanceof Error ? error.message : String(error);

/** POSTs one event; the line to print about it. Never throws: a local URL that is down is reported and the next event still goes. */
async function forward(url: URL, secret: string, event: StreamEvent): Promise<string> {
  const eventId = `wev_stream_${event.id}`;
  const body = webhookEventBody({ eventId, type: event.type, occurredAt: event.createdAt, data: event.data });
  const prefix = `${iso(event.createdAt)}  ${event.type}  ${eventId}  → POST ${url.href}`;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: webhookEventHeaders(secret, eventId, body),
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(FORWARD_TIMEOUT_MS),
    });
    await response.arrayBuffer().catch(() => undefined);
    return `${prefix}  [${response.status}${response.statusText ? ` ${response.statusText}` : ''}]`;
  } catch (error) {
    return `${prefix}  failed: ${causeOf(error)}`;
  }
}

export async function listenAndForward(context: ApiContext, options: ListenOptions): Promise<void> {
  const url = parseForwardUrl(options.forwardTo);
  const types = parseEventFilter(options.events);
  const secret = options.secret === undefined ? newWebhookSecret() : checkSecret(options.secret);
  await followEvents(context, {
    connected: (streamUrl, again) => {
      if (again) return void process.stderr.write(`Reconnected to ${streamUrl}\n`);
      print(
        options.secret === undefined
          ? `Ready! Your webhook signing secret is ${secret} (^C to quit)`
          : `Ready! Signing with the secret you gave (${SecretBox.mask(secret)}) (^C to quit)`,
      );
      print(`Forwarding ${[...types].join(', ')} events of ${context.baseUrl} to ${url.href}`);
    },
    event: async (data) => {
      let event: StreamEvent;
      try {
        event = JSON.parse(data) as StreamEvent;
      } catch {
        return;
      }
      if (!types.has(event.type)) return;
      print(await forward(url, secret, event));
    },
  });
}

/**
 * Sends one outbox row of kind 'event' to its webhook subscription, signed with Standard Webhooks:
 *
 *   POST <subscription url>
 *   content-type: application/json
 *   webhook-id: <event id>        ← the same on every attempt: receivers drop duplicates on it
 *   webhook-timestamp / webhook-signature: signed with the subscription's secret (whsec_…)
 *
 *   { "id": "wev_…", "type": "…", "createdAt": <epoch ms>, "data": { … } }
 *
 * 2xx delivers. 429 / 408 / 5xx / network errors and timeouts retry (Retry-After honoured); any
 * other answer (4xx, a redirect) does not. A subscription that was deleted, deactivated or whose
 * secret cannot be opened fails the delivery for good. The URL and secret are read at each
 * attempt: a changed URL or a rotated secret applies to the retries of events already queued.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.js';
import type { DeliveryRecord } from '../store/repositories/deliveries.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { DeliveryError, type DeliveryReceipt } from '../channels/adapter.js';
import { postForDelivery } from '../channels/webhook/http.js';
import { standardWebhookHeaders } from '../channels/webhook/standard-webhooks.js';
import type { WebhookEventPayload } from './events.js';
import { findWebhookSubscription, openWebhookSecret } from './subscriptions.js';

/** The exact body POSTed for an event (the same bytes on every attempt); `switchboard webhooks listen` forwards the same shape. */
export function webhookEventBody(payload: Pick<WebhookEventPayload, 'eventId' | 'occurredAt' | 'data'> & { type: string }): string {
  return JSON.stringify({ id: payload.eventId, type: payload.type, createdAt: payload.occurredAt, data: payload.data });
}

/** The headers of a signed event delivery: JSON, Switchboard's user agent, and the Standard Webhooks signature. */
export function webhookEventHeaders(secret: string, eventId: string, body: string): Record<string, string> {
  return { 'content-type': 'application/json', 'user-agent': 'Switchboard-Webhooks/1', ...standardWebhookHeaders(secret, eventId, body) };
}

function readPayload(delivery: DeliveryRecord): WebhookEventPayload {
  const payload = delivery.payload as Partial<WebhookEventPayload> | null;
  if (!payload || typeof payload.eventId !== 'string' || typeof payload.type !== 'string' || typeof payload.occurredAt !== 'number') {
    throw new DeliveryError(`Delivery ${delivery.id} does not hold a webhook event`, { retryable: false });
  }
  return { subscriptionId: payload.subscriptionId ?? delivery.connectionId, eventId: payload.eventId, type: payload.type, occurredAt: payload.occurredAt, data: payload.data ?? {} };
}

export async function sendWebhookEvent(db: Kysely<DB>, box: SecretBox, delivery: DeliveryRecord, fetchImpl: typeof fetch = fetch): Promise<DeliveryReceipt> {
  const payload = readPayload(delivery);
  const subscription = await findWebhookSubscription(db, delivery.connectionId);
  if (!subscription || subscription.workspaceId !== delivery.workspaceId) {
    throw new DeliveryError(`Webhook subscription ${delivery.connectionId} no longer exists`, { retryable: false });
  }
  if (!subscription.active) throw new DeliveryError(`Webhook subscription ${subscription.id} is inactive`, { retryable: false });
  let secret: string;
  try {
    secret = openWebhookSecret(box, subscription);
  } catch (error) {
    throw new DeliveryError(`The signing secret of webhook subscription ${subscription.id} cannot be opened: ${(error as Error).message}`, { retryable: false });
  }
  let url: URL;
  try {
    url = new URL(subscription.url);
  } catch {
    throw new DeliveryError(`Webhook subscription ${subscription.id} has no usable URL`, { retryable: false });
  }
  const body = webhookEventBody(payload);
  const response = await postForDelivery(
    fetchImpl,
    url,
    webhookEventHeaders(secret, payload.eventId, body),
    body,
    `The webhook endpoint ${url.origin}`,
  );
  await response.arrayBuffer().catch(() => undefined);
  return { providerMessageId: payload.eventId };
}

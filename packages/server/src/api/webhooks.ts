import { idSchema, paginationQuerySchema, webhookSubscriptionRequestSchema, webhookSubscriptionUpdateSchema, WEBHOOK_EVENT_TYPES } from '@switchboard/core';
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { conflict } from '../http/errors.js';
import { item, page } from '../http/envelope.js';
import { defineRoute, type RouteDefinition } from '../http/route.js';
import { webhookSubscriptionsService } from '../webhooks/subscriptions.js';
import { queueTestEvent } from '../webhooks/events.js';
import { schemas } from './schemas.js';
import { egressPolicy, type EgressPolicy } from '../egress/policy.js';

const tag = 'Webhooks';

const DELIVERY_RULES =
  'Each event is POSTed as JSON `{"id", "type", "createdAt", "data"}`, signed with Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`). ' +
  '`webhook-id` is the event id: the same on every retry, so drop the duplicates. Answer 2xx to accept; 429, 408 and 5xx (and timeouts) are retried with backoff, honouring Retry-After; any other answer is final.';

/** Webhook subscriptions: events for operators' systems. `kick` wakes the outbox dispatcher. */
export function webhookRoutes(db: Kysely<DB>, box: SecretBox, kick: () => void, egress: EgressPolicy = egressPolicy()): RouteDefinition[] {
  const subscriptions = webhookSubscriptionsService(db, box, egress);
  const subscription = schemas.webhookSubscription;
  return [
    defineRoute({
      method: 'POST',
      url: '/v1/webhooks',
      tag,
      summary: 'Subscribe to events',
      description:
        `Events: ${WEBHOOK_EVENT_TYPES.join(', ')}; \`["*"]\` subscribes to all. ` +
        'The answer shows the signing secret (`whsec_…`) once: store it now; later reads show only its mask and fingerprint. ' +
        DELIVERY_RULES,
      body: { name: 'WebhookSubscriptionRequest', schema: webhookSubscriptionRequestSchema },
      response: { status: 201, description: 'The subscription, with its signing secret (shown only here)', schema: schemas.issuedWebhookSubscription },
      handler: async ({ body, principal }) => item(await subscriptions.create(principal.workspaceId, body), 201),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/webhooks',
      tag,
      summary: 'List webhook subscriptions',
      query: paginationQuerySchema,
      response: { description: 'One page of subscriptions', schema: subscription, list: true },
      handler: async ({ query, principal }) => page(await subscriptions.list(principal.workspaceId, query.page, query.pageSize)),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/webhooks/:id',
      tag,
      summary: 'Get a webhook subscription',
      params: { id: idSchema },
      response: { description: 'The subscription', schema: subscription },
      errors: { 404: 'Webhook subscription not found' },
      handler: async ({ params, principal }) => item(await subscriptions.get(principal.workspaceId, params.id)),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/v1/webhooks/:id',
      tag,
      summary: 'Change a webhook subscription',
      description: 'Retries of events already queued go to the new URL. `active: false` pauses it: events queued for it then fail without being sent.',
      params: { id: idSchema },
      body: { name: 'WebhookSubscriptionUpdateRequest', schema: webhookSubscriptionUpdateSchema },
      response: { description: 'The subscription', schema: subscription },
      errors: { 404: 'Webhook subscription not found' },
      handler: async ({ params, body, principal }) => item(await subscriptions.update(principal.workspaceId, params.id, body)),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/v1/webhooks/:id',
      tag,
      summary: 'Delete a webhook subscription',
      description: 'Events still queued for it fail without being sent.',
      params: { id: idSchema },
      response: { description: '`true`' },
      errors: { 404: 'Webhook subscription not found' },
      handler: async ({ params, principal }) => item(await subscriptions.delete(principal.workspaceId, params.id)),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/webhooks/:id/rotate-secret',
      tag,
      summary: 'Issue a new signing secret',
      description: 'The answer shows the new secret once. The old one stops signing at once, retries included: update the receiver right after.',
      params: { id: idSchema },
      response: { description: 'The subscription, with its new signing secret (shown only here)', schema: schemas.issuedWebhookSubscription },
      errors: { 404: 'Webhook subscription not found' },
      handler: async ({ params, principal }) => item(await subscriptions.rotateSecret(principal.workspaceId, params.id)),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/webhooks/:id/test',
      tag,
      summary: 'Send a test event',
      description:
        'Queues a `webhook.test` event for this subscription only, whatever events it listens to, and delivers it like any other: follow it with `GET /v1/deliveries/{deliveryId}`.',
      params: { id: idSchema },
      response: { description: 'The queued test event and its delivery', schema: schemas.webhookTestResult },
      errors: { 404: 'Webhook subscription not found', 409: 'The subscription is inactive' },
      handler: async ({ params, principal }) => {
        const queued = await db.transaction().execute(async (trx) => {
          const record = await subscriptions.requireRecord(principal.workspaceId, params.id, trx);
          if (!record.active) throw conflict('The webhook subscription is inactive: activate it (PATCH active: true) to send it events', { id: params.id });
          return queueTestEvent(trx, principal.workspaceId, record.id);
        });
        kick();
        return item(queued);
      },
    }),
  ];
}

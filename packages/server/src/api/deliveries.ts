import { z } from 'zod';
import { DELIVERY_STATUSES, idSchema, paginationQuerySchema } from '@switchboard/core';
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.js';
import { deliveriesRepository, publicDelivery, type DeliveryListFilter } from '../store/repositories/deliveries.js';
import { conflict, invalidField, notFound } from '../http/errors.js';
import { item, page } from '../http/envelope.js';
import { defineRoute, type RouteDefinition } from '../http/route.js';
import { schemas } from './schemas.js';
import { emitEvent } from '../webhooks/events.js';

const tag = 'Deliveries';
const listQuery = paginationQuerySchema.extend({
  status: z.enum(DELIVERY_STATUSES, { error: `status must be one of ${DELIVERY_STATUSES.join(', ')}` }).optional(),
  subscriptionId: idSchema.describe("Only this webhook subscription's event deliveries (`whk_…`)").optional(),
  connectionId: idSchema.describe('Only the replies sent through this provider connection (`conn_…`)').optional(),
});

/** A delivery goes to one target: a webhook subscription (an event) or a provider connection (a reply). */
function targetOf(query: { subscriptionId?: string | undefined; connectionId?: string | undefined }): DeliveryListFilter['target'] {
  if (query.subscriptionId !== undefined && query.connectionId !== undefined) {
    throw invalidField('connectionId', 'cannot be combined with subscriptionId: a delivery goes to a webhook subscription or to a provider connection');
  }
  if (query.subscriptionId !== undefined) return { kind: 'event', id: query.subscriptionId };
  if (query.connectionId !== undefined) return { kind: 'reply', id: query.connectionId };
  return undefined;
}

/** `notify`: after a retry commits, with its delivery.retried event (wakes the workspace's event streams). */
export function deliveryRoutes(db: Kysely<DB>, kick: () => void, notify: (workspaceId: string) => void = () => undefined): RouteDefinition[] {
  const repo = deliveriesRepository(db);
  return [
    defineRoute({
      method: 'GET',
      url: '/v1/deliveries',
      tag,
      summary: 'List outbound deliveries',
      description:
        "`?status=dead` is the dead-letter list: deliveries that failed every attempt, with the last error. `?subscriptionId=` narrows the list to one webhook subscription's event deliveries, `?connectionId=` to the replies sent through one provider connection (not both); `totalCount` counts what the filters let through.",
      query: listQuery,
      response: { description: 'One page of deliveries', schema: schemas.delivery, list: true },
      handler: async ({ query, principal }) => {
        const target = targetOf(query);
        const result = await repo.list(principal.workspaceId, query.page, query.pageSize, { ...(query.status && { status: query.status }), ...(target && { target }) });
        return page({ data: result.data.map(publicDelivery), meta: result.meta });
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/deliveries/:id',
      tag,
      summary: 'Get a delivery',
      params: { id: idSchema },
      response: { description: 'The delivery', schema: schemas.delivery },
      errors: { 404: 'Delivery not found' },
      handler: async ({ params, principal }) => {
        const delivery = await repo.get(principal.workspaceId, params.id);
        if (!delivery) throw notFound('Delivery not found', { id: params.id });
        return item(publicDelivery(delivery));
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/deliveries/:id/retry',
      tag,
      summary: 'Retry a dead delivery',
      description: 'It gets a fresh set of attempts, starting now.',
      params: { id: idSchema },
      response: { description: 'The delivery, pending again', schema: schemas.delivery },
      errors: { 404: 'Delivery not found', 409: 'Only dead deliveries can be retried' },
      handler: async ({ params, principal }) => {
        const delivery = await repo.get(principal.workspaceId, params.id);
        if (!delivery) throw notFound('Delivery not found', { id: params.id });
        const revived = await db.transaction().execute(async (trx) => {
          const inTrx = deliveriesRepository(trx);
          if (!(await inTrx.revive(principal.workspaceId, params.id))) return undefined;
          const pending = publicDelivery((await inTrx.get(principal.workspaceId, params.id))!);
          await emitEvent(trx, principal.workspaceId, 'delivery.retried', { delivery: pending });
          return pending;
        });
        if (!revived) throw conflict(`Only dead deliveries can be retried; this one is ${delivery.status}`, { status: delivery.status });
        kick();
        notify(principal.workspaceId);
        return item(revived);
      },
    }),
  ];
}

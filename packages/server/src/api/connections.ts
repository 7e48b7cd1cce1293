import { connectionRequestSchema, connectionUpdateSchema, idSchema, paginationQuerySchema } from '@switchboard/core';
import { invalidField } from '../http/errors.js';
import { item, page } from '../http/envelope.js';
import { defineRoute, type RouteDefinition } from '../http/route.js';
import type { ConnectionsService } from '../connections/connections-service.js';
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.js';
import { ACTIVITY_DEPTH, connectionActivity } from '../connections/inbound-activity.js';
import { schemas } from './schemas.js';

const tag = 'Connections';

export function connectionRoutes(db: Kysely<DB>, connections: ConnectionsService): RouteDefinition[] {
  const connection = schemas.connection;
  return [
    defineRoute({
      method: 'POST',
      url: '/v1/connections',
      tag,
      summary: 'Connect a provider',
      description:
        'Credentials name workspace secrets by id (`{"authToken": "sec_…"}`). The answer gives the inbound URL and inbound secret to paste into the provider console, and `setup` says where.',
      body: { name: 'ConnectionRequest', schema: connectionRequestSchema },
      response: { status: 201, description: 'The connection', schema: connection },
      errors: { 404: 'A referenced secret was not found' },
      handler: async ({ body, principal }) => item(await connections.create(principal.workspaceId, body), 201),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/connections',
      tag,
      summary: 'List connections',
      query: paginationQuerySchema,
      response: { description: 'One page of connections', schema: connection, list: true },
      handler: async ({ query, principal }) => page(await connections.list(principal.workspaceId, query.page, query.pageSize)),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/connections/:id',
      tag,
      summary: 'Get a connection',
      params: { id: idSchema },
      response: { description: 'The connection', schema: connection },
      errors: { 404: 'Connection not found' },
      handler: async ({ params, principal }) => item(await connections.get(principal.workspaceId, params.id)),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/connections/:id/inbound-events',
      tag,
      summary: "A connection's recent inbound webhooks",
      description: `Accepted events (recorded, then processed) and refusals (bad signature, replay, malformed body) together, newest first: the newest ${ACTIVITY_DEPTH} of each.`,
      params: { id: idSchema },
      query: paginationQuerySchema,
      response: { description: 'One page of inbound webhooks, newest first', schema: schemas.inboundActivity, list: true },
      errors: { 404: 'Connection not found' },
      handler: async ({ params, query, principal }) => {
        await connections.get(principal.workspaceId, params.id);
        return page(await connectionActivity(db, principal.workspaceId, params.id, query.page, query.pageSize));
      },
    }),
    defineRoute({
      method: 'PATCH',
      url: '/v1/connections/:id',
      tag,
      summary: 'Change a connection',
      params: { id: idSchema },
      body: { name: 'ConnectionUpdateRequest', schema: connectionUpdateSchema },
      response: { description: 'The connection', schema: connection },
      errors: { 404: 'Connection or secret not found' },
      handler: async ({ params, body, principal }) => {
        if (body.id !== undefined && body.id !== params.id) throw invalidField('id', `must match the id in the path (${params.id})`);
        return item(await connections.update(principal.workspaceId, params.id, body));
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/connections/:id/rotate-inbound-secret',
      tag,
      summary: 'Issue a new inbound secret',
      description: 'The old one stops verifying at once: update the provider console right after.',
      params: { id: idSchema },
      response: { description: 'The connection with its new inbound secret', schema: connection },
      errors: { 404: 'Connection not found' },
      handler: async ({ params, principal }) => item(await connections.rotateInboundSecret(principal.workspaceId, params.id)),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/v1/connections/:id',
      tag,
      summary: 'Delete a connection',
      params: { id: idSchema },
      response: { description: '`true`' },
      errors: { 404: 'Connection not found', 409: 'Channels or phone configurations still use it' },
      handler: async ({ params, principal }) => item(await connections.delete(principal.workspaceId, params.id)),
    }),
  ];
}

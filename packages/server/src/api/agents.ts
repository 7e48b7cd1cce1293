import { agentRequestSchema, agentUpdateSchema, idSchema, paginationQuerySchema } from '@switchboard/core';
import { invalidField } from '../http/errors.js';
import { item, page } from '../http/envelope.js';
import { defineRoute, type RouteDefinition } from '../http/route.js';
import type { Services } from '../services.js';
import { schemas } from './schemas.js';

const tag = 'Agents';
const base = '/v1/agents';
const agent = schemas.agent;

export function agentRoutes(services: Services): RouteDefinition[] {
  const agents = services.agents;
  return [
    defineRoute({
      method: 'POST',
      url: base,
      tag,
      summary: 'Create an agent',
      description: '`introductionMessage` is the greeting; `backend` says who answers (`echo` repeats the message).',
      body: { name: 'AgentRequest', schema: agentRequestSchema },
      response: { status: 201, description: 'The created agent', schema: agent },
      handler: async ({ body, principal }) => item(await agents.create(principal.workspaceId, body), 201),
    }),
    defineRoute({
      method: 'GET',
      url: base,
      tag,
      summary: 'List agents',
      query: paginationQuerySchema,
      response: { description: 'One page of agents', schema: agent, list: true },
      handler: async ({ query, principal }) => page(await agents.list(principal.workspaceId, query.page, query.pageSize)),
    }),
    defineRoute({
      method: 'GET',
      url: `${base}/:id`,
      tag,
      summary: 'Get an agent',
      params: { id: idSchema },
      response: { description: 'The agent', schema: agent },
      errors: { 404: 'Agent not found' },
      handler: async ({ params, principal }) => item(await agents.get(principal.workspaceId, params.id)),
    }),
    defineRoute({
      method: 'PATCH',
      url: `${base}/:id`,
      tag,
      summary: 'Update an agent',
      params: { id: idSchema },
      body: { name: 'AgentUpdateRequest', schema: agentUpdateSchema },
      response: { description: 'The updated agent', schema: agent },
      errors: { 404: 'Agent not found' },
      handler: async ({ params, body, principal }) => {
        if (body.id !== undefined && body.id !== params.id) throw invalidField('id', `must match the id in the path (${params.id})`);
        return item(await agents.update(principal.workspaceId, params.id, body));
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: `${base}/:id`,
      tag,
      summary: 'Delete an agent',
      params: { id: idSchema },
      response: { description: '`true`' },
      errors: { 404: 'Agent not found', 409: 'A deployment still uses the agent' },
      handler: async ({ params, principal }) => item(await agents.delete(principal.workspaceId, params.id)),
    }),
  ];
}

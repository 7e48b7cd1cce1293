import { idSchema, paginationQuerySchema, webDeploymentRequestSchema, webDeploymentUpdateSchema } from '@switchboard/core';
import { invalidField } from '../http/errors.js';
import { item, page } from '../http/envelope.js';
import { defineRoute, type RouteDefinition } from '../http/route.js';
import type { Services } from '../services.js';
import { schemas } from './schemas.js';

const tag = 'Web deployments';
const base = '/v1/agents/:agentId/deployments';
const params = { agentId: idSchema, id: idSchema };

export function webDeploymentRoutes(services: Services): RouteDefinition[] {
  const deployments = services.webDeployments;
  return [
    defineRoute({
      method: 'POST',
      url: base,
      tag,
      summary: 'Deploy an agent as a web widget',
      description:
        'Binds a web channel (given by `deploymentChannelId`, described by `channel`, or created from the first allowed origin) to the agent and issues a `cdp_` token. The token and the embed snippet carrying it are in this answer only; afterwards only `tokenPrefix` is shown.',
      params: { agentId: idSchema },
      body: { name: 'WebDeploymentRequest', schema: webDeploymentRequestSchema },
      response: { status: 201, description: 'The deployment, with its token shown once', schema: schemas.issuedWebDeployment },
      errors: { 404: 'Agent or channel not found', 409: 'Deployment channel is already associated with another deployment' },
      handler: async ({ params, body, principal }) => item(await deployments.create(principal.workspaceId, params.agentId, body), 201),
    }),
    defineRoute({
      method: 'GET',
      url: base,
      tag,
      summary: "List an agent's web deployments",
      params: { agentId: idSchema },
      query: paginationQuerySchema,
      response: { description: 'One page of web deployments', schema: schemas.webDeployment, list: true },
      errors: { 404: 'Agent not found' },
      handler: async ({ params, query, principal }) =>
        page(await deployments.list(principal.workspaceId, params.agentId, query.page, query.pageSize)),
    }),
    defineRoute({
      method: 'GET',
      url: `${base}/:id`,
      tag,
      summary: 'Get a web deployment',
      params,
      response: { description: 'The web deployment', schema: schemas.webDeployment },
      errors: { 404: 'Web deployment not found' },
      handler: async ({ params, principal }) => item(await deployments.get(principal.workspaceId, params.agentId, params.id)),
    }),
    defineRoute({
      method: 'PATCH',
      url: `${base}/:id`,
      tag,
      summary: 'Change the name, allowed origins or theme of a web deployment',
      description: 'Allowed origins are exact: `scheme://host[:port]`, no path or trailing slash. Widgets pick up theme changes on their next page load.',
      params,
      body: { name: 'WebDeploymentUpdateRequest', schema: webDeploymentUpdateSchema },
      response: { description: 'The updated web deployment', schema: schemas.webDeployment },
      errors: { 404: 'Web deployment not found' },
      handler: async ({ params, body, principal }) => {
        if (body.id !== undefined && body.id !== params.id) throw invalidField('id', `must match the id in the path (${params.id})`);
        return item(await deployments.update(principal.workspaceId, params.agentId, params.id, body));
      },
    }),
    defineRoute({
      method: 'POST',
      url: `${base}/:id/revoke`,
      tag,
      summary: 'Revoke a web deployment',
      description: 'Its tokens stop working on the very next request.',
      params,
      response: { description: 'The revoked web deployment', schema: schemas.webDeployment },
      errors: { 404: 'Web deployment not found' },
      handler: async ({ params, principal }) => item(await deployments.revoke(principal.workspaceId, params.agentId, params.id)),
    }),
    defineRoute({
      method: 'POST',
      url: `${base}/:id/rotate`,
      tag,
      summary: 'Issue a new token and revoke the old one',
      params,
      response: { description: 'The deployment with its new token, shown once', schema: schemas.issuedWebDeployment },
      errors: { 404: 'Web deployment not found', 409: 'The deployment is revoked' },
      handler: async ({ params, principal }) => item(await deployments.rotate(principal.workspaceId, params.agentId, params.id)),
    }),
    defineRoute({
      method: 'GET',
      url: `${base}/:id/embed-snippet`,
      tag,
      summary: 'The embed snippet of a web deployment',
      description: 'The token is not stored, so the snippet names it by its prefix; the snippet returned at creation carries the token itself.',
      params,
      response: { description: 'The snippet and the URLs it uses', schema: schemas.embedSnippet },
      errors: { 404: 'Web deployment not found' },
      handler: async ({ params, principal }) => item(await deployments.embedSnippet(principal.workspaceId, params.agentId, params.id)),
    }),
  ];
}

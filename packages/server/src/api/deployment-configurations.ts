import {
  channelSetupRequestSchema,
  deploymentConfigurationRequestSchema,
  deploymentConfigurationUpdateSchema,
  idSchema,
  paginationQuerySchema,
} from '@switchboard/core';
import { invalidField } from '../http/errors.js';
import { item, page } from '../http/envelope.js';
import { defineRoute, type RouteDefinition } from '../http/route.js';
import type { Services } from '../services.js';
import { schemas } from './schemas.js';

const tag = 'Deployment configurations';
const base = '/v1/deployment-configurations';
const deployment = schemas.deploymentConfiguration;
const update = { name: 'DeploymentConfigurationUpdateRequest', schema: deploymentConfigurationUpdateSchema };

export function deploymentConfigurationRoutes(services: Services): RouteDefinition[] {
  const deployments = services.deploymentConfigurations;
  return [
    defineRoute({
      method: 'POST',
      url: base,
      tag,
      summary: 'Bind a channel to an agent',
      description:
        'One deployment per channel. Status starts `pending` (or `active` if asked); it then moves pending → active ⇄ paused → archived. ' +
        "WIIL's fields are accepted too: `agentConfigurationId` (= `agentId`), `instructionConfigurationId` (the agent's own id), " +
        '`deploymentStatus` (= `status`), `isActive: true` (active), `projectId`, and `provisioningConfigChainId` with `provisioningType: chained`.',
      body: { name: 'DeploymentConfigurationRequest', schema: deploymentConfigurationRequestSchema },
      response: { status: 201, description: 'The created deployment configuration', schema: deployment },
      errors: { 404: 'Deployment channel or agent not found', 409: 'Deployment channel is already associated with another deployment' },
      handler: async ({ body, principal }) => item(await deployments.create(principal.workspaceId, body), 201),
    }),
    defineRoute({
      method: 'POST',
      url: `${base}/setup`,
      tag,
      summary: 'Create a channel and its deployment in one step',
      description: 'Runs in one transaction: if any part fails, neither the channel nor the deployment is kept.',
      body: { name: 'ChannelSetupRequest', schema: channelSetupRequestSchema },
      response: { status: 201, description: 'The channel and its deployment', schema: schemas.channelSetup },
      errors: { 404: 'Agent or phone configuration not found', 409: 'Channel identifier already in use' },
      handler: async ({ body, principal }) => item(await deployments.setup(principal.workspaceId, body), 201),
    }),
    defineRoute({
      method: 'GET',
      url: base,
      tag,
      summary: 'List deployment configurations',
      query: paginationQuerySchema,
      response: { description: 'One page of deployment configurations', schema: deployment, list: true },
      handler: async ({ query, principal }) => page(await deployments.list(principal.workspaceId, query.page, query.pageSize)),
    }),
    defineRoute({
      method: 'GET',
      url: `${base}/by-channel/:channelId`,
      tag,
      summary: 'Get the deployment of a channel',
      params: { channelId: idSchema },
      response: { description: 'The deployment configuration', schema: deployment },
      errors: { 404: 'Deployment configuration not found' },
      handler: async ({ params, principal }) => item(await deployments.getByChannel(principal.workspaceId, params.channelId)),
    }),
    defineRoute({
      method: 'GET',
      url: `${base}/by-agent/:agentId`,
      tag,
      summary: 'List the deployments of an agent',
      params: { agentId: idSchema },
      query: paginationQuerySchema,
      response: { description: 'One page of deployment configurations', schema: deployment, list: true },
      errors: { 404: 'Agent not found' },
      handler: async ({ params, query, principal }) =>
        page(await deployments.listByAgent(principal.workspaceId, params.agentId, query.page, query.pageSize)),
    }),
    defineRoute({
      method: 'GET',
      url: `${base}/by-instruction/:instructionConfigurationId`,
      tag,
      summary: 'List the deployments of an instruction configuration',
      description: "WIIL's instruction configuration is the agent (an agent's instructions are its instruction configuration): these are the agent's deployments.",
      params: { instructionConfigurationId: idSchema },
      query: paginationQuerySchema,
      response: { description: 'One page of deployment configurations', schema: deployment, list: true },
      errors: { 404: 'Instruction configuration not found' },
      handler: async ({ params, query, principal }) =>
        page(await deployments.listByInstruction(principal.workspaceId, params.instructionConfigurationId, query.page, query.pageSize)),
    }),
    defineRoute({
      method: 'GET',
      url: `${base}/by-project/:projectId`,
      tag,
      summary: 'List the deployments of a project',
      description: 'A project groups deployments by its id (`projectId`); deployments created without one are in the project whose id is the workspace id. A project nothing uses has no deployments.',
      params: { projectId: idSchema },
      query: paginationQuerySchema,
      response: { description: 'One page of deployment configurations', schema: deployment, list: true },
      handler: async ({ params, query, principal }) =>
        page(await deployments.listByProject(principal.workspaceId, params.projectId, query.page, query.pageSize)),
    }),
    defineRoute({
      method: 'GET',
      url: `${base}/:id`,
      tag,
      summary: 'Get a deployment configuration',
      params: { id: idSchema },
      response: { description: 'The deployment configuration', schema: deployment },
      errors: { 404: 'Deployment configuration not found' },
      handler: async ({ params, principal }) => item(await deployments.get(principal.workspaceId, params.id)),
    }),
    defineRoute({
      method: 'PATCH',
      url: base,
      tag,
      summary: 'Update a deployment configuration (id in the body)',
      body: update,
      response: { description: 'The updated deployment configuration', schema: deployment },
      errors: { 404: 'Deployment configuration not found', 409: 'Status transition not allowed' },
      handler: async ({ body, principal }) => {
        if (!body.id) throw invalidField('id', 'Required');
        return item(await deployments.update(principal.workspaceId, body.id, body));
      },
    }),
    defineRoute({
      method: 'PATCH',
      url: `${base}/:id`,
      tag,
      summary: 'Update a deployment configuration',
      description:
        'Status moves pending → active ⇄ paused → archived; any other move answers 409 naming both states. `isActive: true` activates, `isActive: false` pauses an active deployment.',
      params: { id: idSchema },
      body: update,
      response: { description: 'The updated deployment configuration', schema: deployment },
      errors: { 404: 'Deployment configuration not found', 409: 'Status transition not allowed' },
      handler: async ({ params, body, principal }) => {
        if (body.id !== undefined && body.id !== params.id) throw invalidField('id', `must match the id in the path (${params.id})`);
        return item(await deployments.update(principal.workspaceId, params.id, body));
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: `${base}/:id`,
      tag,
      summary: 'Delete a deployment configuration',
      params: { id: idSchema },
      response: { description: '`true`' },
      errors: { 404: 'Deployment configuration not found', 409: 'Cannot delete active deployment' },
      handler: async ({ params, principal }) => item(await deployments.delete(principal.workspaceId, params.id)),
    }),
  ];
}

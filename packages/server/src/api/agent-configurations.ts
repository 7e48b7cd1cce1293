import {
  agentConfigurationRequestSchema,
  agentConfigurationUpdateSchema,
  idSchema,
  instructionConfigurationRequestSchema,
  instructionConfigurationUpdateSchema,
  paginationQuerySchema,
} from '@switchboard/core';
import { item, page } from '../http/envelope.js';
import { defineRoute, type RouteDefinition } from '../http/route.js';
import type { Services } from '../services.js';
import { schemas } from './schemas.js';

const agentTag = 'Agent configurations';
const agentBase = '/v1/agent-configurations';
const instructionTag = 'Instruction configurations';
const instructionBase = '/v1/instruction-configurations';

/**
 * WIIL's agent configurations and instruction configurations: two views of Switchboard's agents.
 * An agent is both, under one id (see `deployments/agent-configurations.ts`).
 */
export function agentConfigurationRoutes(services: Services): RouteDefinition[] {
  const agents = services.agentConfigurations;
  const instructions = services.instructionConfigurations;
  const agentConfiguration = schemas.agentConfiguration;
  const instructionConfiguration = schemas.instructionConfiguration;
  return [
    defineRoute({
      method: 'POST',
      url: agentBase,
      tag: agentTag,
      summary: 'Create an agent configuration',
      description:
        'Creates an agent. With `instructionConfigurationId` (an instruction configuration made on its own), that agent becomes the ' +
        "agent configuration and keeps its id, since an agent's instructions are its instruction configuration; an instruction " +
        'configuration serves one agent configuration. `backend` (Switchboard) says who answers and defaults to `echo`; `modelId` and ' +
        "WIIL's other fields are stored and returned.",
      body: { name: 'AgentConfigurationRequest', schema: agentConfigurationRequestSchema },
      response: { status: 201, description: 'The created agent configuration', schema: agentConfiguration },
      errors: { 404: 'Instruction configuration not found', 409: 'The instruction configuration already belongs to an agent configuration' },
      handler: async ({ body, principal }) => item(await agents.create(principal.workspaceId, body), 201),
    }),
    defineRoute({
      method: 'GET',
      url: agentBase,
      tag: agentTag,
      summary: 'List agent configurations',
      query: paginationQuerySchema,
      response: { description: 'One page of agent configurations', schema: agentConfiguration, list: true },
      handler: async ({ query, principal }) => page(await agents.list(principal.workspaceId, query.page, query.pageSize)),
    }),
    defineRoute({
      method: 'GET',
      url: `${agentBase}/:id`,
      tag: agentTag,
      summary: 'Get an agent configuration',
      params: { id: idSchema },
      response: { description: 'The agent configuration', schema: agentConfiguration },
      errors: { 404: 'Agent configuration not found' },
      handler: async ({ params, principal }) => item(await agents.get(principal.workspaceId, params.id)),
    }),
    defineRoute({
      method: 'PATCH',
      url: agentBase,
      tag: agentTag,
      summary: 'Update an agent configuration (id in the body)',
      description: 'Partial update. `metadata` and `requiredModelConfig` are replaced when sent; `null` removes them.',
      body: { name: 'AgentConfigurationUpdateRequest', schema: agentConfigurationUpdateSchema },
      response: { description: 'The updated agent configuration', schema: agentConfiguration },
      errors: { 404: 'Agent configuration not found' },
      handler: async ({ body, principal }) => item(await agents.update(principal.workspaceId, body)),
    }),
    defineRoute({
      method: 'DELETE',
      url: `${agentBase}/:id`,
      tag: agentTag,
      summary: 'Delete an agent configuration',
      description:
        'Deletes the agent, unless its instruction configuration was made on its own: that stays, as an instruction configuration ' +
        'without an agent configuration.',
      params: { id: idSchema },
      response: { description: '`true`' },
      errors: { 404: 'Agent configuration not found', 409: 'A deployment or workflow still uses the agent' },
      handler: async ({ params, principal }) => item(await agents.delete(principal.workspaceId, params.id)),
    }),

    defineRoute({
      method: 'POST',
      url: instructionBase,
      tag: instructionTag,
      summary: 'Create an instruction configuration',
      description:
        'Creates an agent named `instructionName` with these instructions and introduction message; it becomes an agent ' +
        'configuration when `POST /v1/agent-configurations` names it. `guardrails` follow the instructions in the system prompt of ' +
        "an openai-compatible backend; WIIL's other fields are stored and returned.",
      body: { name: 'InstructionConfigurationRequest', schema: instructionConfigurationRequestSchema },
      response: { status: 201, description: 'The created instruction configuration', schema: instructionConfiguration },
      handler: async ({ body, principal }) => item(await instructions.create(principal.workspaceId, body), 201),
    }),
    defineRoute({
      method: 'GET',
      url: instructionBase,
      tag: instructionTag,
      summary: "List instruction configurations (every agent's)",
      query: paginationQuerySchema,
      response: { description: 'One page of instruction configurations', schema: instructionConfiguration, list: true },
      handler: async ({ query, principal }) => page(await instructions.list(principal.workspaceId, query.page, query.pageSize)),
    }),
    defineRoute({
      method: 'GET',
      url: `${instructionBase}/supported-templates`,
      tag: instructionTag,
      summary: 'List the instruction templates the platform offers',
      description: 'Switchboard offers no instruction templates: the list is empty.',
      response: { description: 'An empty list' },
      handler: async () => item([]),
    }),
    defineRoute({
      method: 'GET',
      url: `${instructionBase}/:id`,
      tag: instructionTag,
      summary: 'Get an instruction configuration',
      params: { id: idSchema },
      response: { description: 'The instruction configuration', schema: instructionConfiguration },
      errors: { 404: 'Instruction configuration not found' },
      handler: async ({ params, principal }) => item(await instructions.get(principal.workspaceId, params.id)),
    }),
    defineRoute({
      method: 'PATCH',
      url: instructionBase,
      tag: instructionTag,
      summary: 'Update an instruction configuration (id in the body)',
      body: { name: 'InstructionConfigurationUpdateRequest', schema: instructionConfigurationUpdateSchema },
      response: { description: 'The updated instruction configuration', schema: instructionConfiguration },
      errors: { 404: 'Instruction configuration not found' },
      handler: async ({ body, principal }) => item(await instructions.update(principal.workspaceId, body)),
    }),
    defineRoute({
      method: 'DELETE',
      url: `${instructionBase}/:id`,
      tag: instructionTag,
      summary: 'Delete an instruction configuration',
      description: "Refused while it holds an agent configuration's instructions (delete the agent configuration first) or a deployment uses the agent.",
      params: { id: idSchema },
      response: { description: '`true`' },
      errors: { 404: 'Instruction configuration not found', 409: 'An agent configuration, deployment or workflow still uses it' },
      handler: async ({ params, principal }) => item(await instructions.delete(principal.workspaceId, params.id)),
    }),
  ];
}

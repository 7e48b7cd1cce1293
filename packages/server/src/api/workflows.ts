import type { Kysely } from 'kysely';
import { channelWorkflowRequestSchema, idSchema, paginationQuerySchema, workflowRequestSchema, workflowUpdateSchema } from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { invalidField } from '../http/errors.js';
import { item, page } from '../http/envelope.js';
import { defineRoute, type RouteDefinition } from '../http/route.js';
import { workflowService } from '../workflows/workflows-service.js';
import { schemas } from './schemas.js';

const tag = 'Workflows';
const base = '/v1/workflows';
const workflow = schemas.workflow;

const RULES_DESCRIPTION =
  'A workflow routes a channel\'s conversations: `rules` are tried in order and the first whose `when` holds chooses its ' +
  '`then` (an `agentId` or a `teamId`); when none holds, `fallback` chooses. Every condition present in `when` must hold; an ' +
  'empty `when` always does. Conditions: `businessHours` (`timeZone` an IANA name; `days` from mon to sun; `start` and `end` ' +
  'as HH:MM in that zone, end excluded, an end before the start crossing midnight; `inside: false` matches outside the ' +
  'hours), `keywords` (any of them as a whole word or phrase, case-insensitive), `regex` (a JavaScript regular expression ' +
  'searched in the message, flags iu), `languages` (primary subtags such as `en`, matched against the contact attribute ' +
  '`language`), `attribute` (`{name, equals}`: a contact attribute with exactly that value). Agents and teams named must ' +
  'exist: a 404 names the field.';

/** `/v1/workflows` and the workflow attached to a channel. */
export function workflowRoutes(db: Kysely<DB>): RouteDefinition[] {
  const workflows = workflowService(db);
  return [
    defineRoute({
      method: 'POST',
      url: base,
      tag,
      summary: 'Create a workflow',
      description: RULES_DESCRIPTION,
      body: { name: 'WorkflowRequest', schema: workflowRequestSchema },
      response: { status: 201, description: 'The created workflow', schema: workflow },
      errors: { 404: 'An agent or team named by a rule or the fallback does not exist (`meta.field` says which)' },
      handler: async ({ body, principal }) => item(await workflows.create(principal.workspaceId, body), 201),
    }),
    defineRoute({
      method: 'GET',
      url: base,
      tag,
      summary: 'List workflows',
      query: paginationQuerySchema,
      response: { description: 'One page of workflows, oldest first', schema: workflow, list: true },
      handler: async ({ query, principal }) => page(await workflows.list(principal.workspaceId, query.page, query.pageSize)),
    }),
    defineRoute({
      method: 'GET',
      url: `${base}/:id`,
      tag,
      summary: 'Get a workflow',
      params: { id: idSchema },
      response: { description: 'The workflow', schema: workflow },
      errors: { 404: 'Workflow not found' },
      handler: async ({ params, principal }) => item(await workflows.get(principal.workspaceId, params.id)),
    }),
    defineRoute({
      method: 'PATCH',
      url: `${base}/:id`,
      tag,
      summary: 'Update a workflow',
      description: 'Fields not sent are kept; `rules`, when sent, replaces every rule. Channels the workflow is attached to route by the new version at once.',
      params: { id: idSchema },
      body: { name: 'WorkflowUpdateRequest', schema: workflowUpdateSchema },
      response: { description: 'The updated workflow', schema: workflow },
      errors: { 404: 'Workflow, or an agent or team it names, not found' },
      handler: async ({ params, body, principal }) => {
        if (body.id !== undefined && body.id !== params.id) throw invalidField('id', `must match the id in the path (${params.id})`);
        return item(await workflows.update(principal.workspaceId, params.id, body));
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: `${base}/:id`,
      tag,
      summary: 'Delete a workflow',
      params: { id: idSchema },
      response: { description: '`true`' },
      errors: { 404: 'Workflow not found', 409: 'The workflow is attached to a channel: `meta.channelIds`' },
      handler: async ({ params, principal }) => item(await workflows.delete(principal.workspaceId, params.id)),
    }),
    defineRoute({
      method: 'PUT',
      url: '/v1/deployment-channels/:id/workflow',
      tag,
      summary: 'Attach a workflow to a channel',
      description: "Replaces the channel's workflow, if it had one. The channel's conversations are routed by it from the next message.",
      params: { id: idSchema },
      body: { name: 'ChannelWorkflowRequest', schema: channelWorkflowRequestSchema },
      response: { description: 'The workflow now attached', schema: workflow },
      errors: { 404: 'Deployment channel or workflow not found' },
      handler: async ({ params, body, principal }) => item(await workflows.attach(principal.workspaceId, params.id, body.workflowId)),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/deployment-channels/:id/workflow',
      tag,
      summary: "Get a channel's workflow",
      params: { id: idSchema },
      response: { description: 'The workflow attached to the channel', schema: workflow },
      errors: { 404: 'Deployment channel not found, or it has no workflow' },
      handler: async ({ params, principal }) => item(await workflows.forChannel(principal.workspaceId, params.id)),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/v1/deployment-channels/:id/workflow',
      tag,
      summary: 'Detach the workflow from a channel',
      params: { id: idSchema },
      response: { description: '`true`' },
      errors: { 404: 'Deployment channel not found, or it has no workflow' },
      handler: async ({ params, principal }) => item(await workflows.detach(principal.workspaceId, params.id)),
    }),
  ];
}

import type { Kysely } from 'kysely';
import { z } from 'zod';
import {
  channelTeamsRequestSchema,
  emailSchema,
  nameSchema,
  idSchema,
  paginationQuerySchema,
  teamMemberRequestSchema,
  teamObserverRequestSchema,
  teamRequestSchema,
  teamUpdateSchema,
} from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { invalidField } from '../http/errors.js';
import { item, page } from '../http/envelope.js';
import { defineRoute, type RouteDefinition } from '../http/route.js';
import { teamService } from '../teams/teams-service.js';
import { schemas } from './schemas.js';

/** A team member is given by name and email, or taken from a console member (`memberId`). */
const teamMemberBody = z
  .strictObject({
    memberId: idSchema.optional().describe('A member of the workspace (mem_…): name and email are taken from it'),
    name: nameSchema.optional(),
    email: emailSchema.optional(),
    role: teamMemberRequestSchema.shape.role,
  })
  .superRefine((body, ctx) => {
    if (body.memberId !== undefined) return;
    for (const field of ['name', 'email'] as const) {
      if (body[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'Required' });
    }
  });

const tag = 'Teams';
const base = '/v1/teams';
const team = schemas.team;

/** `/v1/teams` (teams of human agents and their observers) and the teams assignable to a channel. */
export function teamRoutes(db: Kysely<DB>): RouteDefinition[] {
  const teams = teamService(db);
  return [
    defineRoute({
      method: 'POST',
      url: base,
      tag,
      summary: 'Create a team',
      description:
        'A team of human agents that conversations can be handed to. `helpdeskConnectionId`, when set, names a zendesk, ' +
        'servicenow, genesys or webhook connection of this workspace that takes the team\'s handoffs. Add members and ' +
        'observers through `/v1/teams/{id}/members` and `/v1/teams/{id}/observers`.',
      body: { name: 'TeamRequest', schema: teamRequestSchema },
      response: { status: 201, description: 'The created team', schema: team },
      errors: { 404: 'Helpdesk connection not found' },
      handler: async ({ body, principal }) => item(await teams.create(principal.workspaceId, body), 201),
    }),
    defineRoute({
      method: 'GET',
      url: base,
      tag,
      summary: 'List teams',
      query: paginationQuerySchema,
      response: { description: 'One page of teams, oldest first, with their members and observers', schema: team, list: true },
      handler: async ({ query, principal }) => page(await teams.list(principal.workspaceId, query.page, query.pageSize)),
    }),
    defineRoute({
      method: 'GET',
      url: `${base}/:id`,
      tag,
      summary: 'Get a team',
      params: { id: idSchema },
      response: { description: 'The team with its members and observers', schema: team },
      errors: { 404: 'Team not found' },
      handler: async ({ params, principal }) => item(await teams.get(principal.workspaceId, params.id)),
    }),
    defineRoute({
      method: 'PATCH',
      url: `${base}/:id`,
      tag,
      summary: 'Update a team',
      description: 'Fields not sent are kept; `description: null` or `helpdeskConnectionId: null` clears them.',
      params: { id: idSchema },
      body: { name: 'TeamUpdateRequest', schema: teamUpdateSchema },
      response: { description: 'The updated team', schema: team },
      errors: { 404: 'Team or helpdesk connection not found' },
      handler: async ({ params, body, principal }) => {
        if (body.id !== undefined && body.id !== params.id) throw invalidField('id', `must match the id in the path (${params.id})`);
        return item(await teams.update(principal.workspaceId, params.id, body));
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: `${base}/:id`,
      tag,
      summary: 'Delete a team',
      description: 'Deletes the team with its members and observers. Refused while the team is assignable to a channel or a workflow routes to it.',
      params: { id: idSchema },
      response: { description: '`true`' },
      errors: { 404: 'Team not found', 409: 'A channel or a workflow still uses the team: `meta.channelIds`, `meta.workflowIds`' },
      handler: async ({ params, principal }) => item(await teams.delete(principal.workspaceId, params.id)),
    }),
    defineRoute({
      method: 'POST',
      url: `${base}/:id/members`,
      tag,
      summary: 'Add a member to a team',
      description:
        'Members answer the conversations handed to the team. `role` defaults to `agent`. An email appears once per team. With `memberId` (mem_…), name and email are taken from that member of the workspace.',
      params: { id: idSchema },
      body: { name: 'TeamMemberRequest', schema: teamMemberBody },
      response: { status: 201, description: 'The added member', schema: schemas.teamMember },
      errors: { 404: 'Team or member not found', 409: 'The email is already a member of the team' },
      handler: async ({ params, body, principal }) => item(await teams.addMember(principal.workspaceId, params.id, body), 201),
    }),
    defineRoute({
      method: 'DELETE',
      url: `${base}/:id/members/:memberId`,
      tag,
      summary: 'Remove a member from a team',
      params: { id: idSchema, memberId: idSchema },
      response: { description: '`true`' },
      errors: { 404: 'Team or member not found' },
      handler: async ({ params, principal }) => item(await teams.removeMember(principal.workspaceId, params.id, params.memberId)),
    }),
    defineRoute({
      method: 'POST',
      url: `${base}/:id/observers`,
      tag,
      summary: 'Add an observer to a team',
      description: 'Observers watch the team\'s conversations without answering them. An email appears once per team.',
      params: { id: idSchema },
      body: { name: 'TeamObserverRequest', schema: teamObserverRequestSchema },
      response: { status: 201, description: 'The added observer', schema: schemas.teamObserver },
      errors: { 404: 'Team not found', 409: 'The email is already an observer of the team' },
      handler: async ({ params, body, principal }) => item(await teams.addObserver(principal.workspaceId, params.id, body), 201),
    }),
    defineRoute({
      method: 'GET',
      url: `${base}/:id/observers`,
      tag,
      summary: 'List the observers of a team',
      params: { id: idSchema },
      query: paginationQuerySchema,
      response: { description: 'One page of observers, oldest first', schema: schemas.teamObserver, list: true },
      errors: { 404: 'Team not found' },
      handler: async ({ params, query, principal }) =>
        page(await teams.listObservers(principal.workspaceId, params.id, query.page, query.pageSize)),
    }),
    defineRoute({
      method: 'DELETE',
      url: `${base}/:id/observers/:observerId`,
      tag,
      summary: 'Remove an observer from a team',
      params: { id: idSchema, observerId: idSchema },
      response: { description: '`true`' },
      errors: { 404: 'Team or observer not found' },
      handler: async ({ params, principal }) => item(await teams.removeObserver(principal.workspaceId, params.id, params.observerId)),
    }),
    defineRoute({
      method: 'PUT',
      url: '/v1/deployment-channels/:id/teams',
      tag,
      summary: "Replace a channel's assignable teams",
      description: 'The teams that conversations of this channel may be assigned to. Replaces the whole list; `{"teamIds": []}` clears it.',
      params: { id: idSchema },
      body: { name: 'ChannelTeamsRequest', schema: channelTeamsRequestSchema },
      response: { description: 'Every team now assignable to the channel, oldest first', schema: schemas.teamList },
      errors: { 404: 'Deployment channel or team not found (`meta.field` names the team id)' },
      handler: async ({ params, body, principal }) => item(await teams.replaceForChannel(principal.workspaceId, params.id, body.teamIds)),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/deployment-channels/:id/teams',
      tag,
      summary: 'List the teams assignable to a channel',
      params: { id: idSchema },
      query: paginationQuerySchema,
      response: { description: 'One page of the teams assignable to the channel, oldest first', schema: team, list: true },
      errors: { 404: 'Deployment channel not found' },
      handler: async ({ params, query, principal }) =>
        page(await teams.forChannel(principal.workspaceId, params.id, query.page, query.pageSize)),
    }),
  ];
}

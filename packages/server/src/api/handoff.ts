import { z } from 'zod';
import { handoffAcceptSchema, handoffRequestSchema, idSchema } from '@switchboard/core';
import { item } from '../http/envelope.js';
import { invalid, invalidField } from '../http/errors.js';
import { signedInMember } from './conversations.js';
import { defineRoute, type RouteDefinition } from '../http/route.js';
import type { HandoffService } from '../handoff/handoff-service.js';
import { schemas } from './schemas.js';

const tag = 'Handoff';
const params = { id: idSchema };
const memberIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be a team member (tm_…) or workspace member (mem_…) id');
const takeoverSchema = z.strictObject({ memberId: memberIdSchema.optional() });
const assignSchema = z.strictObject({ teamId: idSchema.nullable().optional(), memberId: memberIdSchema.nullable().optional() });
const view = ({ workspaceId: _w, helpdeskRef: _h, ...conversation }: Awaited<ReturnType<HandoffService['resolve']>>) => conversation;

export function handoffRoutes(handoff: HandoffService): RouteDefinition[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/v1/conversations/:id/handoff',
      tag,
      access: 'agent',
      summary: 'Hand a conversation to people',
      description: 'bot → pending_human. The team is the one given, else the channel\u2019s first assignable team; a team with a helpdesk connection carries it into that helpdesk. The agent stays silent until the conversation is handed back.',
      params,
      body: { name: 'HandoffRequest', schema: handoffRequestSchema },
      response: { description: 'The conversation, pending a person', schema: schemas.conversation },
      errors: { 404: 'Conversation or team not found', 409: 'Already handed off' },
      handler: async ({ params, body, principal }) => item(view(await handoff.requestByOperator(principal.workspaceId, params.id, body))),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/conversations/:id/handoff/accept',
      tag,
      access: 'agent',
      summary: 'A team member takes the conversation',
      params,
      body: { name: 'HandoffAccept', schema: handoffAcceptSchema },
      response: { description: 'The conversation, owned by a person', schema: schemas.conversation },
      errors: { 404: 'Conversation or member not found', 409: 'Not pending a person' },
      handler: async ({ params, body, principal }) => item(view(await handoff.accept(principal.workspaceId, params.id, body.memberId))),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/conversations/:id/handoff/takeover',
      tag,
      access: 'agent',
      summary: 'A person takes over the conversation',
      description:
        'From `bot` (the agent stops answering) or `pending_human`, to `human`, owned by `memberId` (default: the signed-in member). When several people take it at once exactly one wins; the others get 409 naming who did. Taking over again a conversation one already owns changes nothing.',
      params,
      body: { name: 'HandoffTakeover', schema: takeoverSchema },
      response: { description: 'The conversation, owned by the person', schema: schemas.conversation },
      errors: { 404: 'Conversation or member not found', 409: 'Already taken over by someone else (details name who), or resolved' },
      handler: async ({ params, body, principal }) => {
        const memberId = body.memberId ?? signedInMember(principal);
        if (!memberId) throw invalidField('memberId', 'Required: the person taking over (a team member or workspace member id)');
        return item(view(await handoff.takeOver(principal.workspaceId, params.id, memberId)));
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/conversations/:id/assign',
      tag,
      access: 'agent',
      summary: 'Assign a conversation to a team and/or a person',
      description: 'Sets `assignedTeamId` and/or `assignedMemberId` (null clears one); the handoff state does not change.',
      params,
      body: { name: 'ConversationAssign', schema: assignSchema },
      response: { description: 'The conversation', schema: schemas.conversation },
      errors: { 404: 'Conversation, team or member not found' },
      handler: async ({ params, body, principal }) => {
        if (body.teamId === undefined && body.memberId === undefined) {
          throw invalid([{ field: 'teamId', message: 'Send teamId, memberId or both (null clears one)' }]);
        }
        return item(view(await handoff.assign(principal.workspaceId, params.id, body)));
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/conversations/:id/handoff/resolve',
      tag,
      access: 'agent',
      summary: 'Mark a handed-off conversation resolved',
      description: 'The next message from the contact goes to the agent again.',
      params,
      response: { description: 'The resolved conversation', schema: schemas.conversation },
      errors: { 404: 'Conversation not found', 409: 'Not handed off' },
      handler: async ({ params, principal }) => item(view(await handoff.resolve(principal.workspaceId, params.id))),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/conversations/:id/handoff/handback',
      tag,
      access: 'agent',
      summary: 'Hand the conversation back to the agent',
      params,
      response: { description: 'The conversation, answered by the agent again', schema: schemas.conversation },
      errors: { 404: 'Conversation not found', 409: 'Already with the agent' },
      handler: async ({ params, principal }) => item(view(await handoff.handBack(principal.workspaceId, params.id))),
    }),
  ];
}

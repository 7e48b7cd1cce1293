import { handoffAcceptSchema, handoffRequestSchema, idSchema } from '@switchboard/core';
import { item } from '../http/envelope.js';
import { defineRoute, type RouteDefinition } from '../http/route.js';
import type { HandoffService } from '../handoff/handoff-service.js';
import { schemas } from './schemas.js';

const tag = 'Handoff';
const params = { id: idSchema };
const view = ({ workspaceId: _w, helpdeskRef: _h, ...conversation }: Awaited<ReturnType<HandoffService['resolve']>>) => conversation;

export function handoffRoutes(handoff: HandoffService): RouteDefinition[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/v1/conversations/:id/handoff',
      tag,
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
      summary: 'A team member takes the conversation',
      params,
      body: { name: 'HandoffAccept', schema: handoffAcceptSchema },
      response: { description: 'The conversation, owned by a person', schema: schemas.conversation },
      errors: { 404: 'Conversation or member not found', 409: 'Not pending a person' },
      handler: async ({ params, body, principal }) => item(view(await handoff.accept(principal.workspaceId, params.id, body.memberId))),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/conversations/:id/handoff/resolve',
      tag,
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
      summary: 'Hand the conversation back to the agent',
      params,
      response: { description: 'The conversation, answered by the agent again', schema: schemas.conversation },
      errors: { 404: 'Conversation not found', 409: 'Already with the agent' },
      handler: async ({ params, principal }) => item(view(await handoff.handBack(principal.workspaceId, params.id))),
    }),
  ];
}

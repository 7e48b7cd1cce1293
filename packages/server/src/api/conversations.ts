import { conversationMessageSchema, idSchema, paginationQuerySchema } from '@switchboard/core';
import { item, page } from '../http/envelope.js';
import { defineRoute, type RouteDefinition } from '../http/route.js';
import type { ConversationService } from '../conversations/conversation-service.js';
import type { HandoffService } from '../handoff/handoff-service.js';
import { schemas } from './schemas.js';

const tag = 'Conversations';

export function conversationRoutes(conversations: ConversationService, handoff: HandoffService): RouteDefinition[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/v1/conversations',
      tag,
      summary: 'List conversations',
      query: paginationQuerySchema,
      response: { description: 'One page of conversations, oldest first', schema: schemas.conversation, list: true },
      handler: async ({ query, principal }) => page(await conversations.listConversations(principal.workspaceId, query.page, query.pageSize)),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/conversations/:id',
      tag,
      summary: 'Get a conversation',
      params: { id: idSchema },
      response: { description: 'The conversation', schema: schemas.conversation },
      errors: { 404: 'Conversation not found' },
      handler: async ({ params, principal }) => item(await conversations.getConversation(principal.workspaceId, params.id)),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/conversations/:id/messages',
      tag,
      summary: 'The transcript of a conversation',
      description: '`text` is null for messages of channels with `recordingEnabled: false`: their bodies are never stored.',
      params: { id: idSchema },
      query: paginationQuerySchema,
      response: { description: 'One page of messages, oldest first', schema: schemas.message, list: true },
      errors: { 404: 'Conversation not found' },
      handler: async ({ params, query, principal }) =>
        page(await conversations.listMessages(principal.workspaceId, params.id, query.page, query.pageSize)),
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/conversations/:id/messages',
      tag,
      summary: 'Post a reply into a conversation',
      description:
        '`role: agent` is a reply from a backend that answers later (a webhook agent that returned 202); idempotent on `clientMessageId`. `role: human` with `memberId` is a team member replying in a handed-off conversation (taking it if it was pending). Either goes out through the channel the contact used: live to the widget, or through the outbox to the provider.',
      params: { id: idSchema },
      body: { name: 'ConversationMessageRequest', schema: conversationMessageSchema },
      response: { status: 201, description: 'The stored message', schema: schemas.message },
      errors: { 404: 'Conversation or member not found', 409: 'A person can reply only to a handed-off conversation' },
      handler: async ({ params, body, principal }) =>
        item(
          body.role === 'human'
            ? await handoff.humanReply(principal.workspaceId, params.id, { text: body.text, memberId: body.memberId! })
            : await conversations.postAgentMessage(principal.workspaceId, params.id, body.text, body.clientMessageId),
          201,
        ),
    }),
  ];
}

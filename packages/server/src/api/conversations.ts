import { conversationMessageSchema, idSchema, paginationQuerySchema } from '@switchboard/core';
import { item, page } from '../http/envelope.js';
import { defineRoute, type RouteDefinition } from '../http/route.js';
import type { ConversationService } from '../conversations/conversation-service.js';
import { schemas } from './schemas.js';

const tag = 'Conversations';

export function conversationRoutes(conversations: ConversationService): RouteDefinition[] {
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
      summary: 'Post an agent reply into a conversation',
      description: 'For backends that answer later (a webhook agent that returned 202). Idempotent on `clientMessageId`. The reply reaches the contact live.',
      params: { id: idSchema },
      body: { name: 'ConversationMessageRequest', schema: conversationMessageSchema },
      response: { status: 201, description: 'The stored message', schema: schemas.message },
      errors: { 404: 'Conversation not found' },
      handler: async ({ params, body, principal }) =>
        item(await conversations.postAgentMessage(principal.workspaceId, params.id, body.text, body.clientMessageId), 201),
    }),
  ];
}

import { z } from 'zod';
import { conversationMessageSchema, HANDOFF_STATES, idSchema, paginationQuerySchema, type HandoffState, wireFormat } from '@switchboard/core';
import { item, page } from '../http/envelope.js';
import { invalidField } from '../http/errors.js';
import { defineRoute, type RouteDefinition } from '../http/route.js';
import type { Principal } from '../http/auth.js';
import type { ConversationService } from '../conversations/conversation-service.js';
import type { HandoffService } from '../handoff/handoff-service.js';
import { schemas } from './schemas.js';
import type { AttachmentService } from '../attachments/attachment-service.js';

const tag = 'Conversations';
const STATE_RULE = `must be ${HANDOFF_STATES.join(', ')}, or several of them separated by commas`;

const listQuery = paginationQuerySchema.extend({
  channelId: idSchema.optional(),
  state: z
    .string()
    .transform((value, ctx) => {
      const states = value.split(',').map((s) => s.trim());
      if (states.some((s) => !(HANDOFF_STATES as readonly string[]).includes(s))) {
        ctx.addIssue({ code: 'custom', message: STATE_RULE });
        return z.NEVER;
      }
      return states as HandoffState[];
    })
    .register(wireFormat, { input: { type: 'string', description: `${HANDOFF_STATES.join(', ')}, or several of them separated by commas` } })
    .optional(),
  teamId: idSchema.optional(),
  assignedMemberId: idSchema.optional(),
  order: z.enum(['recent', 'created'], { error: 'must be recent (by last message, newest first) or created (oldest first, the default)' }).optional(),
});

/** The member a signed-in principal is, when it is one (an API key is no one). */
export function signedInMember(principal: Principal): string | undefined {
  return principal.memberId;
}

export function conversationRoutes(conversations: ConversationService, handoff: HandoffService, attachments?: AttachmentService): RouteDefinition[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/v1/conversations',
      tag,
      access: 'agent',
      summary: 'List conversations',
      description:
        'Filters (all optional): `channelId`, `state` (one handoff state or several, comma-separated), `teamId`, `assignedMemberId`. `order=recent` lists by last message, newest first (conversations without messages last). Each conversation carries `lastMessagePreview` and `unreadCount`.',
      query: listQuery,
      response: { description: 'One page of conversations, oldest first unless order=recent', schema: schemas.conversation, list: true },
      handler: async ({ query, principal }) =>
        page(
          await conversations.listConversations(principal.workspaceId, query.page, query.pageSize, {
            channelId: query.channelId,
            states: query.state,
            teamId: query.teamId,
            assignedMemberId: query.assignedMemberId,
            order: query.order,
          }),
        ),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/conversations/:id',
      tag,
      access: 'agent',
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
      access: 'agent',
      summary: 'The transcript of a conversation',
      description: '`text` is null for messages of channels with `recordingEnabled: false`: their bodies are never stored.',
      params: { id: idSchema },
      query: paginationQuerySchema,
      response: { description: 'One page of messages, oldest first', schema: schemas.message, list: true },
      errors: { 404: 'Conversation not found' },
      handler: async ({ params, query, principal }) => {
        const listed = await conversations.listMessages(principal.workspaceId, params.id, query.page, query.pageSize);
        // Attachments listed with addresses signed for this answer.
        return page(attachments ? { ...listed, data: await attachments.withAttachments(principal.workspaceId, listed.data) } : listed);
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/conversations/:id/messages',
      tag,
      access: 'agent',
      summary: 'Post a reply into a conversation',
      description:
        '`role: agent` is a reply from a backend that answers later (a webhook agent that returned 202); idempotent on `clientMessageId`. `role: human` is a person replying in a handed-off conversation (taking it if it was pending): `memberId` names them (a team member `tm_…` or a workspace member `mem_…`), and defaults to the signed-in member. Either goes out through the channel the contact used: live to the widget, or through the outbox to the provider.',
      params: { id: idSchema },
      body: { name: 'ConversationMessageRequest', schema: conversationMessageSchema },
      response: { status: 201, description: 'The stored message', schema: schemas.message },
      errors: { 404: 'Conversation or member not found', 409: 'A person can reply only to a handed-off conversation' },
      handler: async ({ params, body, principal }) => {
        if (body.role === 'agent') {
          return item(await conversations.postAgentMessage(principal.workspaceId, params.id, body.text, body.clientMessageId, body.quickReplies), 201);
        }
        const memberId = body.memberId ?? signedInMember(principal);
        if (!memberId) throw invalidField('memberId', 'Required for human messages: the person writing (a team member or workspace member id)');
        return item(await handoff.humanReply(principal.workspaceId, params.id, { text: body.text, memberId, quickReplies: body.quickReplies }), 201);
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/conversations/:id/read',
      tag,
      access: 'agent',
      summary: 'Mark a conversation read',
      description: 'Its `unreadCount` drops to 0 until the contact writes again. Read state is per conversation, shared by everyone in the workspace.',
      params: { id: idSchema },
      response: { description: 'The conversation', schema: schemas.conversation },
      errors: { 404: 'Conversation not found' },
      handler: async ({ params, principal }) => {
        await handoff.markRead(principal.workspaceId, params.id);
        return item(await conversations.getConversation(principal.workspaceId, params.id));
      },
    }),
  ];
}

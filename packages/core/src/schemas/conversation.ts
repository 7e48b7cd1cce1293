import { z } from 'zod';
import type { Attachment } from './attachments.js';
import { quickRepliesSchema } from './quick-replies.js';

export const sessionStartSchema = z.strictObject({
  visitorToken: z.string().max(100).optional(),
  pageUrl: z.string().max(2048).optional(),
  locale: z.string().max(35).optional(),
});
export type SessionStartRequest = z.input<typeof sessionStartSchema>;

export const clientMessageIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1-64 characters: letters, digits, '_' or '-'");

export const runtimeMessageSchema = z.strictObject({
  text: z.string().trim().min(1, 'must not be empty').max(4000, 'must be at most 4000 characters'),
  clientMessageId: clientMessageIdSchema,
});
export type RuntimeMessageRequest = z.input<typeof runtimeMessageSchema>;

/** A message written into a conversation through the control-plane API (an agent reply posted later, say). */
export const conversationMessageSchema = z
  .strictObject({
    text: z.string().trim().min(1, 'must not be empty').max(4000, 'must be at most 4000 characters'),
    /** `agent`: a reply the agent's backend posts later. `human`: a team member's reply in a handed-off conversation. */
    role: z.enum(['agent', 'human'], { error: 'must be agent or human' }).default('agent'),
    /** Who writes a `human` message: a team member (`tm_…`) or workspace member (`mem_…`); the signed-in member when absent. */
    memberId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be a team member id').optional(),
    clientMessageId: clientMessageIdSchema.optional(),
    quickReplies: quickRepliesSchema.optional(),
  })
  .superRefine((value, ctx) => {
    if (value.role === 'agent' && value.memberId) ctx.addIssue({ code: 'custom', path: ['memberId'], message: 'only human messages have a memberId' });
  });

export const handoffRequestSchema = z.strictObject({
  teamId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be a team id').optional(),
  reason: z.string().max(500).optional(),
});

export const handoffAcceptSchema = z.strictObject({
  memberId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be a team member id'),
});
export type ConversationMessageRequest = z.input<typeof conversationMessageSchema>;

export type MessageRole = 'contact' | 'agent' | 'human';

/** bot → pending_human → human → resolved; hand-back returns to bot. */
export const HANDOFF_STATES = ['bot', 'pending_human', 'human', 'resolved'] as const;
export type HandoffState = (typeof HANDOFF_STATES)[number];

export interface Message {
  id: string;
  conversationId: string;
  /** The same as conversationId: the runtime calls a widget's conversation its session. */
  sessionId: string;
  role: MessageRole;
  /** Null when the channel does not record message bodies. */
  text: string | null;
  clientMessageId: string | null;
  /** True when the agent failed and the polite fallback reply stood in. */
  fallback: boolean;
  /** The team member who wrote a `human` message. */
  authorId?: string | null;
  /** Files the message carries (see attachments.ts); absent when none. */
  attachments?: Attachment[];
  /** Suggested replies offered under an agent or human message; absent when there are none. */
  quickReplies?: string[];
  createdAt: number;
}

export interface Conversation {
  id: string;
  channelId: string;
  agentId: string;
  contactId: string;
  webDeploymentId: string | null;
  status: 'open' | 'closed';
  handoffState: HandoffState;
  assignedTeamId: string | null;
  assignedMemberId: string | null;
  createdAt: number;
  updatedAt: number;
  lastMessageAt: number | null;
  /** When the inbox last marked it read. */
  lastReadAt?: number | null;
}

/**
 * The operator inbox's reads: conversations filtered by channel, handoff state, team and member,
 * oldest first or most recent first, each with the preview of its last message and its unread
 * count. Unread is per conversation (not per member): the contact's messages after the last reply
 * (the agent's or a person's) and after `last_read_at`, which POST /v1/conversations/{id}/read sets.
 */
import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import { paginationMeta, type HandoffState, type PaginatedResult } from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { toConversation, type ConversationRecord } from '../store/repositories/conversations.js';

export const PREVIEW_LENGTH = 140;

export interface InboxFilters {
  channelId?: string | undefined;
  states?: HandoffState[] | undefined;
  teamId?: string | undefined;
  assignedMemberId?: string | undefined;
  /** `recent`: by last message, newest first (conversations without messages last), then id; else oldest first. */
  order?: 'recent' | 'created' | undefined;
}

export type InboxConversation = Omit<ConversationRecord, 'workspaceId'> & { lastMessagePreview: string | null; unreadCount: number };

function extras(eb: ExpressionBuilder<DB, 'conversations'>) {
  const lastReply = eb
    .selectFrom('messages as r')
    .select((r) => r.fn.max('r.created_at').as('at'))
    .whereRef('r.conversation_id', '=', 'conversations.id')
    .where('r.role', '<>', 'contact');
  return [
    eb
      .selectFrom('messages as m')
      .select(sql<string | null>`substr(m.text, 1, ${sql.lit(PREVIEW_LENGTH)})`.as('preview'))
      .whereRef('m.conversation_id', '=', 'conversations.id')
      .orderBy('m.created_at', 'desc')
      .orderBy('m.id', 'desc')
      .limit(1)
      .as('last_message_preview'),
    eb
      .selectFrom('messages as u')
      .select((u) => u.fn.countAll().as('n'))
      .whereRef('u.conversation_id', '=', 'conversations.id')
      .where('u.role', '=', 'contact')
      .where('u.created_at', '>', sql<number>`coalesce(conversations.last_read_at, 0)`)
      .where('u.created_at', '>', sql<number>`coalesce((${lastReply}), 0)`)
      .as('unread_count'),
  ] as const;
}

function toInbox(row: Record<string, unknown>): InboxConversation {
  const { workspaceId: _w, ...view } = toConversation(row as never);
  return { ...view, lastMessagePreview: (row.last_message_preview as string | null) ?? null, unreadCount: Number(row.unread_count ?? 0) };
}

export async function listInbox(db: Kysely<DB>, workspaceId: string, filters: InboxFilters, page: number, pageSize: number): Promise<PaginatedResult<InboxConversation>> {
  let query = db.selectFrom('conversations').where('workspace_id', '=', workspaceId);
  if (filters.channelId) query = query.where('channel_id', '=', filters.channelId);
  if (filters.states?.length) query = query.where('handoff_state', 'in', filters.states);
  if (filters.teamId) query = query.where('assigned_team_id', '=', filters.teamId);
  if (filters.assignedMemberId) query = query.where('assigned_member_id', '=', filters.assignedMemberId);
  const total = Number((await query.select((eb) => eb.fn.countAll().as('count')).executeTakeFirst())?.count ?? 0);
  let rows = query.selectAll('conversations').select((eb) => extras(eb));
  rows =
    filters.order === 'recent'
      ? rows.orderBy(sql`conversations.last_message_at desc nulls last`).orderBy('conversations.id', 'desc')
      : rows.orderBy('conversations.created_at').orderBy('conversations.id');
  const data = await rows.limit(pageSize).offset((page - 1) * pageSize).execute();
  return { data: data.map((row) => toInbox(row as Record<string, unknown>)), meta: paginationMeta(page, pageSize, total) };
}

/** One conversation as the inbox shows it; undefined when it is not the workspace's. */
export async function inboxConversation(db: Kysely<DB>, workspaceId: string, id: string): Promise<InboxConversation | undefined> {
  const row = await db
    .selectFrom('conversations')
    .selectAll('conversations')
    .select((eb) => extras(eb))
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toInbox(row as Record<string, unknown>);
}

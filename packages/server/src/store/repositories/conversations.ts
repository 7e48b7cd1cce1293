import type { Kysely, Selectable } from 'kysely';
import type { Conversation, Message, MessageRole, PaginatedResult } from '@switchboard/core';
import type { ConversationsTable, DB, MessagesTable } from '../schema.js';
import { monotonicNow } from '../clock.js';
import { newId } from '../ids.js';
import { paginate } from './paginate.js';
import { fixedSql, multiRowInsert, runFixed, selectFixed } from '../fixed-sql.js';
import type { StoredAgentBackend } from './agents.js';

export interface ConversationRecord extends Conversation {
  workspaceId: string;
}

export function toConversation(row: Selectable<ConversationsTable>): ConversationRecord {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    channelId: row.channel_id,
    agentId: row.agent_id,
    contactId: row.contact_id,
    webDeploymentId: row.web_deployment_id,
    status: row.status as Conversation['status'],
    handoffState: row.handoff_state as Conversation['handoffState'],
    assignedTeamId: row.assigned_team_id,
    assignedMemberId: row.assigned_member_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastMessageAt: row.last_message_at,
    lastReadAt: row.last_read_at === null ? null : Number(row.last_read_at),
  };
}

export function toMessage(row: Selectable<MessagesTable>): Message {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    sessionId: row.conversation_id,
    role: row.role as MessageRole,
    text: row.text,
    clientMessageId: row.client_message_id,
    fallback: row.fallback === 1,
    authorId: row.author_id,
    ...(row.quick_replies && { quickReplies: JSON.parse(row.quick_replies) as string[] }),
    createdAt: row.created_at,
  };
}

export interface StoredEvent {
  seq: number;
  type: string;
  data: unknown;
}

export interface NewMessage {
  id?: string;
  conversationId: string;
  role: MessageRole;
  /** Stored only when `record` is true. */
  text: string;
  record: boolean;
  clientMessageId?: string | null;
  fallback?: boolean;
  replyContext?: Record<string, unknown> | undefined;
  authorId?: string | null | undefined;
  /** Stored, like the text, only when `record` is true. */
  quickReplies?: string[] | undefined;
}

/** A widget session's conversation, with what storing its messages and answering them needs to know. */
export interface SessionConversation {
  conversation: ConversationRecord;
  recordingEnabled: boolean;
  providerLinked: boolean;
  /** The channel routes by a workflow (which may pick another agent or a team). */
  routedByWorkflow: boolean;
  /** The backend of the conversation's agent; null when the agent is gone. */
  agentBackend: StoredAgentBackend | null;
}

// The statements every widget turn runs, as fixed texts (store/fixed-sql.ts).
const MESSAGE_COLUMNS = ['id', 'workspace_id', 'conversation_id', 'role', 'text', 'client_message_id', 'fallback', 'reply_context', 'author_id', 'quick_replies', 'created_at'] as const;
const MESSAGES_INSERT = multiRowInsert('messages', MESSAGE_COLUMNS);
const CONVERSATION_TOUCH = fixedSql('update "conversations" set "last_message_at" = ?, "updated_at" = ? where "id" = ?');
const CONVERSATION_EVENTS_INSERT = multiRowInsert('conversation_events', ['conversation_id', 'type', 'payload', 'created_at'], ' returning "seq"');
/**
 * The id of the contact a visitor token names on a channel: the contact a verified user's browser
 * was linked to (contact_visitor_tokens) first, else the token's own contact; null when neither.
 * Parameters: token hash, workspace, channel, 1, workspace, channel, token hash, 1.
 */
const VISITOR_CONTACT_ID =
  'coalesce((select "c"."id" from "contact_visitor_tokens" as "t" inner join "contacts" as "c" on "c"."id" = "t"."contact_id" where "t"."token_hash" = ? and "c"."workspace_id" = ? and "c"."channel_id" = ? limit ?), ' +
  '(select "id" from "contacts" where "workspace_id" = ? and "channel_id" = ? and "visitor_token_hash" = ? limit ?))';
const visitorContactParameters = (workspaceId: string, channelId: string, tokenHash: string) => [tokenHash, workspaceId, channelId, 1, workspaceId, channelId, tokenHash, 1];
const CONTACT_BY_VISITOR_TOKEN = fixedSql(`select ${VISITOR_CONTACT_ID} as "id"`);
/** A widget session's conversation with its channel's and agent's facts, if its contact is the one the visitor token names. */
const SESSION_CONVERSATION = fixedSql(
  'select "conv".*, "ch"."recording_enabled", "ch"."connection_id", "ch"."phone_configuration_id", "ch"."workflow_id", "ag"."backend" as "agent_backend" ' +
    'from "conversations" as "conv" left join "deployment_channels" as "ch" on "ch"."id" = "conv"."channel_id" ' +
    'left join "agents" as "ag" on "ag"."id" = "conv"."agent_id" and "ag"."workspace_id" = "conv"."workspace_id" ' +
    `where "conv"."workspace_id" = ? and "conv"."id" = ? and "conv"."web_deployment_id" = ? and "conv"."contact_id" = ${VISITOR_CONTACT_ID}`,
);
type SessionConversationRow = Selectable<ConversationsTable> & {
  recording_enabled: number | null;
  connection_id: string | null;
  phone_configuration_id: string | null;
  workflow_id: string | null;
  agent_backend: string | null;
};

function messageRow(workspaceId: string, input: NewMessage, now: number): Selectable<MessagesTable> {
  return {
    id: input.id ?? newId('message'),
    workspace_id: workspaceId,
    conversation_id: input.conversationId,
    role: input.role,
    text: input.record ? input.text : null,
    client_message_id: input.clientMessageId ?? null,
    fallback: input.fallback ? 1 : 0,
    reply_context: input.replyContext ? JSON.stringify(input.replyContext) : null,
    author_id: input.authorId ?? null,
    quick_replies: input.record && input.quickReplies?.length ? JSON.stringify(input.quickReplies) : null,
    created_at: now,
  };
}

export function conversationsRepository(db: Kysely<DB>, workspaceId: string) {
  /**
   * Appends several messages of one conversation (oldest first) with one INSERT and one update
   * of the conversation; returns them as stored. Their created_at keep the order given.
   */
  async function insertMessages(inputs: readonly NewMessage[]): Promise<Message[]> {
    const rows = inputs.map((input) => messageRow(workspaceId, input, monotonicNow()));
    await runFixed(db, MESSAGES_INSERT(rows.length), rows.flatMap((row) => MESSAGE_COLUMNS.map((column) => row[column])));
    const last = rows[rows.length - 1]!;
    await runFixed(db, CONVERSATION_TOUCH, [last.created_at, last.created_at, last.conversation_id]);
    return rows.map(toMessage);
  }
  /** Appends several events of one conversation in one INSERT; their seqs, in the order given. */
  async function appendEvents(conversationId: string, events: readonly { type: string; data: unknown }[]): Promise<number[]> {
    const now = Date.now();
    const parameters = events.flatMap(({ type, data }) => [conversationId, type, JSON.stringify(data), now]);
    const { rows } = await runFixed<{ seq: number | string }>(db, CONVERSATION_EVENTS_INSERT(events.length), parameters);
    // Rows of one INSERT take ascending seqs in the order of its VALUES; RETURNING promises no order.
    return rows.map((r) => Number(r.seq)).sort((a, b) => a - b);
  }
  return {
    async createContact(channelId: string, visitorTokenHash: string | null, external?: { id: string; displayName?: string | undefined }): Promise<string> {
      const now = monotonicNow();
      const id = newId('contact');
      await db
        .insertInto('contacts')
        .values({
          id,
          workspace_id: workspaceId,
          channel_id: channelId,
          visitor_token_hash: visitorTokenHash,
          external_id: external?.id ?? null,
          display_name: external?.displayName ?? null,
          created_at: now,
          last_seen_at: now,
        })
        .execute();
      return id;
    },
    async contactByExternalId(channelId: string, externalId: string): Promise<{ id: string; displayName: string | null } | undefined> {
      const row = await db
        .selectFrom('contacts')
        .select(['id', 'display_name'])
        .where('workspace_id', '=', workspaceId)
        .where('channel_id', '=', channelId)
        .where('external_id', '=', externalId)
        .executeTakeFirst();
      return row && { id: row.id, displayName: row.display_name };
    },
    async contactExternal(contactId: string): Promise<{ externalId: string | null; displayName: string | null } | undefined> {
      const row = await db.selectFrom('contacts').select(['external_id', 'display_name']).where('id', '=', contactId).executeTakeFirst();
      return row && { externalId: row.external_id, displayName: row.display_name };
    },
    /** The open conversation of a contact on a channel (provider channels: one thread per contact). */
    async openConversationOnChannel(contactId: string, channelId: string): Promise<ConversationRecord | undefined> {
      const row = await db
        .selectFrom('conversations')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('contact_id', '=', contactId)
        .where('channel_id', '=', channelId)
        .where('status', '=', 'open')
        .orderBy('created_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row && toConversation(row);
    },
    /** The contact a visitor token names: its own, or (a verified user's browser) the user's. */
    async contactByVisitorToken(channelId: string, visitorTokenHash: string): Promise<string | undefined> {
      const [row] = (await runFixed<{ id: string | null }>(db, CONTACT_BY_VISITOR_TOKEN, visitorContactParameters(workspaceId, channelId, visitorTokenHash))).rows;
      return row?.id ?? undefined;
    },
    /** Merges attributes (language, plan, …) into a contact's; workflow rules test them. */
    async setContactAttributes(contactId: string, attributes: Record<string, string>): Promise<void> {
      const row = await db.selectFrom('contacts').select('attributes').where('id', '=', contactId).where('workspace_id', '=', workspaceId).executeTakeFirst();
      if (!row) return;
      const merged = { ...(row.attributes ? (JSON.parse(row.attributes) as Record<string, string>) : {}), ...attributes };
      await db.updateTable('contacts').set({ attributes: JSON.stringify(merged) }).where('id', '=', contactId).execute();
    },
    async touchContact(contactId: string): Promise<void> {
      await db.updateTable('contacts').set({ last_seen_at: Date.now() }).where('id', '=', contactId).execute();
    },
    async createConversation(input: { channelId: string; agentId: string; contactId: string; webDeploymentId: string | null }): Promise<ConversationRecord> {
      const now = monotonicNow();
      const row: Selectable<ConversationsTable> = {
        id: newId('conversation'),
        workspace_id: workspaceId,
        channel_id: input.channelId,
        agent_id: input.agentId,
        contact_id: input.contactId,
        web_deployment_id: input.webDeploymentId,
        status: 'open',
        handoff_state: 'bot',
        assigned_team_id: null,
        assigned_member_id: null,
        helpdesk_ref: null,
        created_at: now,
        updated_at: now,
        last_message_at: null,
        last_read_at: null,
      };
      await db.insertInto('conversations').values(row).execute();
      return toConversation(row);
    },
    async openConversationOf(contactId: string, webDeploymentId: string): Promise<ConversationRecord | undefined> {
      const row = await db
        .selectFrom('conversations')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('contact_id', '=', contactId)
        .where('web_deployment_id', '=', webDeploymentId)
        .where('status', '=', 'open')
        .orderBy('created_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row && toConversation(row);
    },
    /**
     * A widget session's conversation with what its turn needs of its channel and agent, in one query: the
     * conversation of this web deployment whose contact the visitor token names (the token's
     * own contact, or the user's a verified browser was linked to, as `contactByVisitorToken`).
     */
    async sessionConversation(
      id: string,
      deployment: { id: string; channelId: string },
      visitorTokenHash: string,
    ): Promise<SessionConversation | undefined> {
      const parameters = [workspaceId, id, deployment.id, ...visitorContactParameters(workspaceId, deployment.channelId, visitorTokenHash)];
      const [row] = await selectFixed<SessionConversationRow>(db, SESSION_CONVERSATION, parameters);
      if (!row) return undefined;
      const { recording_enabled, connection_id, phone_configuration_id, workflow_id, agent_backend, ...conversation } = row;
      return {
        conversation: toConversation(conversation),
        // No channel row reads as recording, as the conversation service's own channel lookup does.
        recordingEnabled: recording_enabled === null ? true : recording_enabled === 1,
        providerLinked: connection_id !== null || phone_configuration_id !== null,
        routedByWorkflow: workflow_id !== null,
        agentBackend: agent_backend === null ? null : (JSON.parse(agent_backend) as StoredAgentBackend),
      };
    },
    async getConversation(id: string): Promise<ConversationRecord | undefined> {
      const row = await db.selectFrom('conversations').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      return row && toConversation(row);
    },
    listConversations(page: number, pageSize: number): Promise<PaginatedResult<ConversationRecord>> {
      const query = db.selectFrom('conversations').where('workspace_id', '=', workspaceId);
      return paginate(query, page, pageSize, (q) => q.selectAll(), toConversation);
    },
    async messageByClientId(conversationId: string, clientMessageId: string): Promise<Message | undefined> {
      const row = await db
        .selectFrom('messages')
        .selectAll()
        .where('conversation_id', '=', conversationId)
        .where('client_message_id', '=', clientMessageId)
        .executeTakeFirst();
      return row && toMessage(row);
    },
    /** Appends a message; returns it as stored (text null when not recorded). */
    async insertMessage(input: NewMessage): Promise<Message> {
      const [message] = await insertMessages([input]);
      return message!;
    },
    insertMessages,
    listMessages(conversationId: string, page: number, pageSize: number): Promise<PaginatedResult<Message>> {
      const query = db.selectFrom('messages').where('conversation_id', '=', conversationId);
      return paginate(query, page, pageSize, (q) => q.selectAll(), toMessage);
    },
    /** The last `limit` recorded turns, oldest first: the context an agent sees. */
    async recentTranscript(conversationId: string, limit: number): Promise<{ role: 'contact' | 'agent'; text: string }[]> {
      const rows = await db
        .selectFrom('messages')
        .select(['role', 'text', 'created_at'])
        .where('conversation_id', '=', conversationId)
        .where('text', 'is not', null)
        .orderBy('created_at', 'desc')
        .limit(limit)
        .execute();
      // A human's replies sit on the answering side of the transcript, like the agent's.
      return rows.reverse().map((r) => ({ role: r.role === 'contact' ? ('contact' as const) : ('agent' as const), text: r.text! }));
    },
    async appendEvent(conversationId: string, type: string, data: unknown): Promise<number> {
      const [seq] = await appendEvents(conversationId, [{ type, data }]);
      return seq!;
    },
    appendEvents,
    async eventsAfter(conversationId: string, afterSeq: number, limit = 1000): Promise<StoredEvent[]> {
      const rows = await db
        .selectFrom('conversation_events')
        .select(['seq', 'type', 'payload'])
        .where('conversation_id', '=', conversationId)
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ seq: Number(r.seq), type: r.type, data: JSON.parse(r.payload) as unknown }));
    },
  };
}

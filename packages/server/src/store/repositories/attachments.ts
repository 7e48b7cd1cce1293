import type { Kysely, Selectable } from 'kysely';
import type { Attachment } from '@switchboard/core';
import type { AttachmentsTable, DB } from '../schema.js';

export interface AttachmentRecord extends Attachment {
  workspaceId: string;
  conversationId: string;
  messageId: string | null;
  storageKey: string;
  sha256: string;
  createdAt: number;
}

function toRecord(row: Selectable<AttachmentsTable>): AttachmentRecord {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    conversationId: row.conversation_id,
    messageId: row.message_id,
    name: row.name,
    contentType: row.content_type,
    size: Number(row.size),
    storageKey: row.storage_key,
    sha256: row.sha256,
    createdAt: Number(row.created_at),
  };
}

/** What a message shows of an attachment (no storage key, no hash). */
export function attachmentView(record: AttachmentRecord): Attachment {
  return { id: record.id, name: record.name, contentType: record.contentType, size: record.size };
}

/** Attachment metadata of one workspace: no id from another workspace resolves. */
export function attachmentsRepository(db: Kysely<DB>, workspaceId: string) {
  return {
    async insert(record: Omit<AttachmentRecord, 'workspaceId' | 'url' | 'urlExpiresAt'>): Promise<AttachmentRecord> {
      await db
        .insertInto('attachments')
        .values({
          id: record.id,
          workspace_id: workspaceId,
          conversation_id: record.conversationId,
          message_id: record.messageId,
          name: record.name,
          content_type: record.contentType,
          size: record.size,
          storage_key: record.storageKey,
          sha256: record.sha256,
          created_at: record.createdAt,
        })
        .execute();
      return { ...record, workspaceId };
    },
    async get(id: string): Promise<AttachmentRecord | undefined> {
      const row = await db.selectFrom('attachments').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      return row && toRecord(row);
    },
    /** Gives the message its attachments (those of the conversation not yet carried by a message); how many it took. */
    async attachToMessage(ids: readonly string[], conversationId: string, messageId: string): Promise<number> {
      if (ids.length === 0) return 0;
      const result = await db
        .updateTable('attachments')
        .set({ message_id: messageId })
        .where('workspace_id', '=', workspaceId)
        .where('conversation_id', '=', conversationId)
        .where('message_id', 'is', null)
        .where('id', 'in', [...ids])
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    /** The attachments of these messages, by message id, in upload order. */
    async forMessages(messageIds: readonly string[]): Promise<Map<string, AttachmentRecord[]>> {
      const byMessage = new Map<string, AttachmentRecord[]>();
      if (messageIds.length === 0) return byMessage;
      const rows = await db
        .selectFrom('attachments')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('message_id', 'in', [...messageIds])
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      for (const row of rows) {
        const record = toRecord(row);
        byMessage.set(record.messageId!, [...(byMessage.get(record.messageId!) ?? []), record]);
      }
      return byMessage;
    },
    async delete(id: string): Promise<void> {
      await db.deleteFrom('attachments').where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
    },
  };
}

/** An attachment by id alone, for the signed download route: the signature, not a workspace, vouches for it. */
export async function attachmentById(db: Kysely<DB>, id: string): Promise<AttachmentRecord | undefined> {
  const row = await db.selectFrom('attachments').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toRecord(row);
}

import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { Attachment, Message } from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { newId } from '../store/ids.js';
import { attachmentsRepository, attachmentView, type AttachmentRecord } from '../store/repositories/attachments.js';
import { FileTooLargeError, type FileStorage } from '../files/storage.js';
import { invalidField } from '../http/errors.js';
import { tooLarge } from './upload-request.js';
import type { UrlSigner } from './signed-urls.js';

export interface AttachmentServiceOptions {
  db: Kysely<DB>;
  storage: FileStorage;
  signer: UrlSigner;
  logger: { warn(obj: unknown, msg?: string): void };
}

/** Stores uploaded files and gives readers signed addresses for the attachments of messages. */
export function attachmentService({ db, storage, signer, logger }: AttachmentServiceOptions) {
  /** An attachment as a reader sees it: with a fresh signed address. */
  function signed(attachment: Attachment): Attachment {
    const { url, expiresAt } = signer.sign(attachment.id);
    return { id: attachment.id, name: attachment.name, contentType: attachment.contentType, size: attachment.size, url, urlExpiresAt: expiresAt };
  }

  return {
    storage,
    signer,
    signed,

    /**
     * Streams a file into storage and records it for the conversation, not yet carried by a message.
     * A body past `maxBytes` is refused (413) the moment it passes; nothing of it is kept.
     */
    async store(
      conversation: { id: string; workspaceId: string },
      body: Readable,
      file: { name: string; contentType: string; maxBytes: number },
    ): Promise<AttachmentRecord> {
      const id = newId('attachment');
      const storageKey = `${conversation.workspaceId}/${id}`;
      let stored;
      try {
        stored = await storage.put(storageKey, body, { contentType: file.contentType, maxBytes: file.maxBytes });
      } catch (error) {
        if (error instanceof FileTooLargeError) throw tooLarge(file.maxBytes);
        throw error;
      }
      if (stored.size === 0) {
        await storage.delete(storageKey);
        throw invalidField('body', 'must not be empty: send the file as the request body');
      }
      try {
        return await attachmentsRepository(db, conversation.workspaceId).insert({
          id,
          conversationId: conversation.id,
          messageId: null,
          name: file.name,
          contentType: file.contentType,
          size: stored.size,
          storageKey,
          sha256: stored.sha256,
          createdAt: Date.now(),
        });
      } catch (error) {
        await storage.delete(storageKey).catch(() => undefined);
        throw error;
      }
    },

    /** Removes an upload no message took (its message was a duplicate, or failed). */
    async discard(record: AttachmentRecord): Promise<void> {
      try {
        await attachmentsRepository(db, record.workspaceId).delete(record.id);
        await storage.delete(record.storageKey);
      } catch (error) {
        logger.warn({ err: error, attachmentId: record.id }, 'an unused upload could not be removed');
      }
    },

    /** The messages with their attachments listed and signed (history, transcripts). */
    async withAttachments(workspaceId: string, messages: Message[]): Promise<Message[]> {
      const byMessage = await attachmentsRepository(db, workspaceId).forMessages(messages.map((m) => m.id));
      return messages.map((message) => {
        const list = byMessage.get(message.id);
        return list ? { ...message, attachments: list.map((record) => signed(attachmentView(record))) } : message;
      });
    },

    /** A message as it goes out live: its attachments (if any) with fresh signed addresses. */
    signMessage<T>(data: T): T {
      const message = data as { attachments?: Attachment[] } | null;
      if (!message || typeof message !== 'object' || !Array.isArray(message.attachments)) return data;
      return { ...message, attachments: message.attachments.map(signed) } as T;
    },
  };
}
export type AttachmentService = ReturnType<typeof attachmentService>;

/**
 * Files that arrive with provider messages (Telegram photos, WhatsApp and LINE images): fetched through the egress
 * policy from the connection's API base URL once the webhook is acknowledged, stored like a
 * visitor's upload, and carried by the contact's message. A file that cannot be fetched is
 * logged and left out: the message itself (its caption or the file's name) is never lost for it.
 */
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Kysely } from 'kysely';
import { bareMediaType, MAX_ATTACHMENT_BYTES, type Attachment } from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { findConnection } from '../store/repositories/connections.js';
import { attachmentView } from '../store/repositories/attachments.js';
import type { ConnectionContext, InboundMedia } from '../channels/adapter.js';
import type { ProviderRegistry } from '../channels/registry.js';
import type { AttachmentService } from './attachment-service.js';

export interface InboundMediaOptions {
  db: Kysely<DB>;
  attachments: AttachmentService;
  /** The providers whose adapters fetch a message's files (`fetchMedia`). */
  registry: ProviderRegistry;
  context(record: NonNullable<Awaited<ReturnType<typeof findConnection>>>): Promise<ConnectionContext>;
  fetch: typeof fetch;
  logger: { warn(obj: unknown, msg?: string): void };
}

export type InboundMediaStore = (connectionId: string, conversation: { id: string; workspaceId: string }, media: InboundMedia[]) => Promise<Attachment[]>;

export function inboundMediaStore(options: InboundMediaOptions): InboundMediaStore {
  return async (connectionId, conversation, media) => {
    const record = await findConnection(options.db, connectionId);
    const adapter = record && options.registry.get(record.provider)?.adapter;
    if (!record || !adapter?.fetchMedia) return [];
    const connection = await options.context(record);
    const stored: Attachment[] = [];
    for (const item of media) {
      try {
        const response = await adapter.fetchMedia(item, connection, options.fetch);
        const contentType = bareMediaType(response.headers.get('content-type') ?? undefined);
        const body = Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>);
        const record = await options.attachments.store(conversation, body, {
          name: item.name,
          // The provider's type when it names a specific one; what the message said otherwise.
          contentType: contentType && contentType !== 'application/octet-stream' ? contentType : item.contentType,
          maxBytes: MAX_ATTACHMENT_BYTES,
        });
        stored.push(attachmentView(record));
      } catch (error) {
        options.logger.warn({ err: error, connectionId, conversationId: conversation.id }, 'a file of an inbound message could not be fetched');
      }
    }
    return stored;
  };
}

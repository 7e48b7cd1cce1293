import type { Kysely } from 'kysely';
import type { Attachment, Message } from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { attachmentsRepository } from '../store/repositories/attachments.js';

/**
 * Gives a message being written its uploaded attachments, in the message's transaction: each must
 * be an upload of the same conversation not yet carried by another message, or nothing commits.
 * The message, as stored in its event and streamed, lists them (without addresses: readers sign their own).
 */
export async function carryAttachments(
  trx: Kysely<DB>,
  conversation: { id: string; workspaceId: string },
  message: Message,
  attachments: readonly Attachment[] | undefined,
): Promise<Message> {
  if (!attachments || attachments.length === 0) return message;
  const taken = await attachmentsRepository(trx, conversation.workspaceId).attachToMessage(
    attachments.map((a) => a.id),
    conversation.id,
    message.id,
  );
  if (taken !== attachments.length) throw new Error(`Only ${taken} of ${attachments.length} attachments could be given to message ${message.id}`);
  return { ...message, attachments: attachments.map(({ id, name, contentType, size }) => ({ id, name, contentType, size })) };
}

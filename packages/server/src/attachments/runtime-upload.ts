/**
 * POST /v1/public/runtime/sessions/:sessionId/attachments?name=&clientMessageId=: a visitor sends
 * a file. The body is the file itself (its Content-Type the file's type), streamed to storage;
 * the answer is the visitor's message carrying it, as POST …/messages answers.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { clientMessageIdSchema, type AttachmentSettings } from '@switchboard/core';
import type { DB } from '../store/schema.js';
import type { ConversationRecord } from '../store/repositories/conversations.js';
import { conversationsRepository } from '../store/repositories/conversations.js';
import { attachmentView } from '../store/repositories/attachments.js';
import type { ConversationService, WidgetSession } from '../conversations/conversation-service.js';
import { parseOrThrow } from '../http/validation.js';
import { successBody } from '../http/envelope.js';
import { forbidden } from '../runtime/access.js';
import type { AttachmentService } from './attachment-service.js';
import { recordsMessages } from './settings.js';
import { acceptRawBody, checkUpload } from './upload-request.js';

export interface RuntimeUploadOptions {
  db: Kysely<DB>;
  conversations: ConversationService;
  attachments: AttachmentService;
  session(request: FastifyRequest): Promise<WidgetSession>;
  /** The upload rules of the deployment the request's token resolved to. */
  rulesOf(request: FastifyRequest): AttachmentSettings;
}

/** Registers the upload route in the runtime's scope (its hooks have authenticated the deployment). */
export function registerRuntimeUpload(scope: FastifyInstance, options: RuntimeUploadOptions): void {
  scope.register(async (uploads) => {
    acceptRawBody(uploads);

    uploads.post('/sessions/:sessionId/attachments', async (request, reply) => {
      const conversation = await options.session(request);
      const rules = options.rulesOf(request);
      if (!rules.enabled) throw forbidden('This chat does not accept attachments', 'ATTACHMENTS_DISABLED');
      if (!(await recordsMessages(options.db, conversation))) throw forbidden('This chat does not keep messages, so it does not accept files', 'ATTACHMENTS_NOT_RECORDED');
      const file = checkUpload(request, rules);
      const clientMessageId = parseOrThrow(clientMessageIdSchema, (request.query as { clientMessageId?: unknown }).clientMessageId, 'clientMessageId');
      // A retried upload whose message exists already: answered without reading the file again.
      const existing = await conversationsRepository(options.db, conversation.workspaceId).messageByClientId(conversation.id, clientMessageId);
      if (existing) {
        const [message] = await options.attachments.withAttachments(conversation.workspaceId, [existing]);
        reply.header('connection', 'close');
        return reply.code(202).send(successBody({ data: { message, duplicate: true } }));
      }
      const record = await options.attachments.store(conversation, request.raw, { ...file, maxBytes: rules.maxBytes });
      let result;
      try {
        result = await options.conversations.receiveContactMessage(conversation, file.name, clientMessageId, [attachmentView(record)]);
      } catch (error) {
        await options.attachments.discard(record);
        throw error;
      }
      if (result.duplicate) {
        await options.attachments.discard(record);
        const [message] = await options.attachments.withAttachments(conversation.workspaceId, [result.message]);
        return reply.code(202).send(successBody({ data: { message, duplicate: true } }));
      }
      return reply.code(202).send(successBody({ data: { message: options.attachments.signMessage(result.message), duplicate: false } }));
    });
  });
}

/**
 * The control plane's side of attachments: a deployment's upload rules, and files that agents'
 * backends and people send into a conversation (POST /v1/conversations/:id/attachments).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { attachmentSettingsSchema, DEFAULT_ATTACHMENT_TYPES, idSchema, MAX_ATTACHMENT_BYTES } from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { conversationsRepository } from '../store/repositories/conversations.js';
import { attachmentView } from '../store/repositories/attachments.js';
import type { ConversationService } from '../conversations/conversation-service.js';
import type { HandoffService } from '../handoff/handoff-service.js';
import type { Principal } from '../http/auth.js';
import { conflict, forbidden, invalidField, notFound } from '../http/errors.js';
import { item, successBody } from '../http/envelope.js';
import { defineRoute, type RouteDefinition } from '../http/route.js';
import { parseOrThrow } from '../http/validation.js';
import type { AttachmentService } from './attachment-service.js';
import { attachmentSettingsStore, recordsMessages } from './settings.js';
import { acceptRawBody, checkUpload } from './upload-request.js';

const tag = 'Web deployments';
const settingsUrl = '/v1/agents/:agentId/deployments/:id/attachment-settings';
const API_UPLOAD_ROUTE = '/v1/conversations/:id/attachments';

/** What agents and people may send: the widget's default types plus common documents, up to 25 MiB. */
const API_UPLOAD_RULES = {
  maxBytes: MAX_ATTACHMENT_BYTES,
  allowedTypes: [
    ...DEFAULT_ATTACHMENT_TYPES,
    'text/csv',
    'application/zip',
    'application/msword',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'application/vnd.ms-excel',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'audio/mpeg',
    'audio/ogg',
    'video/mp4',
  ],
};

const attachmentSettingsNamed = { name: 'AttachmentSettings', schema: attachmentSettingsSchema };

export function attachmentSettingsRoutes(db: Kysely<DB>): RouteDefinition[] {
  const store = attachmentSettingsStore(db);
  const params = { agentId: idSchema, id: idSchema };
  return [
    defineRoute({
      method: 'GET',
      url: settingsUrl,
      tag,
      summary: 'What files visitors of a web deployment may send',
      description: 'Whether the widget offers attachments, the largest file in bytes, and the media types allowed (`image/*` allows every image type). The defaults until set: on, 10 MiB, PNG, JPEG, GIF, WebP, PDF and plain text.',
      params,
      response: { description: 'The upload rules', schema: attachmentSettingsNamed },
      errors: { 404: 'Web deployment not found' },
      handler: async ({ params, principal }) => {
        const settings = await store.get(principal.workspaceId, params.agentId, params.id);
        if (!settings) throw notFound('Web deployment not found', { id: params.id });
        return item(settings);
      },
    }),
    defineRoute({
      method: 'PUT',
      url: settingsUrl,
      tag,
      summary: 'Set what files visitors of a web deployment may send',
      description: `Replaces the rules; omitted fields take their defaults. \`maxBytes\` is at most ${MAX_ATTACHMENT_BYTES} (25 MiB). Open widgets apply them to the next upload.`,
      params,
      body: { name: 'AttachmentSettingsRequest', schema: attachmentSettingsSchema },
      response: { description: 'The rules as stored', schema: attachmentSettingsNamed },
      errors: { 404: 'Web deployment not found' },
      handler: async ({ params, body, principal }) => {
        if (!(await store.set(principal.workspaceId, params.agentId, params.id, body))) throw notFound('Web deployment not found', { id: params.id });
        return item(body);
      },
    }),
  ];
}

const uploadQuery = z.strictObject({
  name: z.string(),
  role: z.enum(['agent', 'human'], { error: 'must be agent or human' }).default('agent'),
  memberId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be a team member id').optional(),
});

export interface ApiUploadOptions {
  db: Kysely<DB>;
  attachments: AttachmentService;
  conversations: ConversationService;
  handoff: HandoffService;
  authenticate(request: FastifyRequest): Promise<Principal>;
}

/**
 * POST /v1/conversations/:id/attachments?name=&role=agent|human&memberId=: the body is the file.
 * `agent` posts it as the agent's message; `human` as a person's reply in a handed-off
 * conversation, under the same rules as a person's text reply. Either reaches the contact the way
 * a text reply does: live to the widget, through the outbox (its name as the text) elsewhere.
 */
export function registerApiUpload(server: FastifyInstance, options: ApiUploadOptions): void {
  server.register(async (scope) => {
    acceptRawBody(scope);
    scope.post(API_UPLOAD_ROUTE, async (request, reply) => {
      const principal = await options.authenticate(request);
      if (principal.scope !== 'admin') throw forbidden('This API key may only read: sending a file needs an admin key');
      const id = parseOrThrow(idSchema, (request.params as { id: string }).id, 'id');
      const query = parseOrThrow(uploadQuery, request.query ?? {});
      const file = checkUpload(request, API_UPLOAD_RULES);
      const conversation = await conversationsRepository(options.db, principal.workspaceId).getConversation(id);
      if (!conversation) throw notFound('Conversation not found', { id });
      if (!(await recordsMessages(options.db, conversation))) {
        throw conflict("This conversation's channel does not record messages (recordingEnabled: false), so files cannot be kept", { reason: 'ATTACHMENTS_NOT_RECORDED' });
      }
      if (query.role === 'agent' && query.memberId) throw invalidField('memberId', 'only human messages have a memberId');
      const memberId = query.memberId ?? principal.memberId;
      if (query.role === 'human' && !memberId) throw invalidField('memberId', 'Required for human messages: the person writing (a team member or workspace member id)');
      const record = await options.attachments.store(conversation, request.raw, { ...file, maxBytes: API_UPLOAD_RULES.maxBytes });
      try {
        const attachments = [attachmentView(record)];
        const message =
          query.role === 'agent'
            ? await options.conversations.post(conversation, { role: 'agent', text: file.name, attachments })
            : await options.handoff.humanReply(principal.workspaceId, id, { text: file.name, attachments, ...(memberId && { memberId }) });
        return reply.code(201).send(successBody({ data: options.attachments.signMessage(message) }));
      } catch (error) {
        await options.attachments.discard(record);
        throw error;
      }
    });
  });
}

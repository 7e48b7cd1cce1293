/**
 * GET /v1/public/attachments/:id?expires=&signature=: the bytes of an attachment, for whoever holds
 * an unexpired signed address. Served so that a file can never act as a page of this origin:
 * nosniff, a sandboxing CSP, and `attachment` disposition for anything but raster images.
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { ErrorCode, INLINE_IMAGE_TYPES } from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { attachmentById } from '../store/repositories/attachments.js';
import { ApiError, notFound } from '../http/errors.js';
import type { AttachmentService } from './attachment-service.js';
import { ATTACHMENT_ROUTE } from './signed-urls.js';

/** `Content-Disposition` with the name in both forms: ASCII fallback and RFC 5987 UTF-8. */
function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

export function registerAttachmentDownload(server: FastifyInstance, options: { db: Kysely<DB>; attachments: AttachmentService }): void {
  server.get(`${ATTACHMENT_ROUTE}/:id`, async (request, reply) => {
    const { id } = request.params as { id: string };
    const query = request.query as { expires?: unknown; signature?: unknown };
    // The signature is checked before anything is looked up: an unsigned request learns nothing.
    const check = options.attachments.signer.check(id, query.expires, query.signature);
    if (!check.ok) throw new ApiError(403, ErrorCode.FORBIDDEN, check.message, null, { reason: check.reason });
    const record = await attachmentById(options.db, id);
    const object = record && (await options.attachments.storage.get(record.storageKey));
    if (!record || !object) throw notFound('Attachment not found', { id });
    const inline = INLINE_IMAGE_TYPES.includes(record.contentType);
    const remaining = Math.max(0, Math.floor((Number(query.expires) * 1000 - Date.now()) / 1000));
    return reply
      .headers({
        'content-type': record.contentType,
        'content-length': String(object.size),
        'content-disposition': contentDisposition(inline ? 'inline' : 'attachment', record.name),
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
        'cross-origin-resource-policy': 'cross-origin',
        'referrer-policy': 'no-referrer',
        'cache-control': `private, max-age=${remaining}`,
      })
      .send(object.body);
  });
}

/** What an upload request must say before a byte of it is read: the file's name, an allowed type and a length within the limit. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bareMediaType, ErrorCode, mediaTypeAllowed } from '@switchboard/core';
import { ApiError, invalidField } from '../http/errors.js';

export interface UploadRules {
  maxBytes: number;
  allowedTypes: readonly string[];
}

export interface UploadHeaders {
  name: string;
  contentType: string;
}

const MAX_NAME_LENGTH = 200;

/** Bytes as people read them: 10485760 → "10 MiB", 1536 → "1.5 KiB". */
function humanBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${Number(value.toFixed(1))} ${units[unit]}`;
}

export function tooLarge(maxBytes: number, size?: number): ApiError {
  const seen = size === undefined ? 'The file is larger than' : `The file is ${size} bytes (${humanBytes(size)}), more than`;
  return new ApiError(413, ErrorCode.PAYLOAD_TOO_LARGE, `${seen} the limit of ${maxBytes} bytes (${humanBytes(maxBytes)}) for attachments here`, [{ field: 'body', message: `must be at most ${maxBytes} bytes` }], {
    reason: 'FILE_TOO_LARGE',
    maxBytes,
  });
}

/** A file name safe to store and show: no path, no control characters, at most 200 characters. */
function cleanFileName(raw: unknown): string {
  if (typeof raw !== 'string' || raw.trim() === '') throw invalidField('name', 'Required: the file name, as the query parameter ?name=');
  // Keep the last path segment only, and nothing that could end a header or a line.
  const base = raw.split(/[/\\]/).pop()!.replace(/[\u0000-\u001f\u007f"]/g, '_').trim();
  if (base === '' || base === '.' || base === '..') throw invalidField('name', 'must be a file name, not a path');
  if (base.length > MAX_NAME_LENGTH) throw invalidField('name', `must be at most ${MAX_NAME_LENGTH} characters`);
  return base;
}

/** Checks the request line and headers of an upload; throws the 400, 413 or 415 it deserves. */
export function checkUpload(request: FastifyRequest, rules: UploadRules): UploadHeaders {
  const name = cleanFileName((request.query as { name?: unknown }).name);
  const contentType = bareMediaType(request.headers['content-type']);
  if (!contentType) {
    throw new ApiError(415, ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Content-Type is required: the file's media type, e.g. image/png", [
      { field: 'Content-Type', message: 'Required: the media type of the file' },
    ]);
  }
  if (!mediaTypeAllowed(contentType, rules.allowedTypes)) {
    throw new ApiError(415, ErrorCode.UNSUPPORTED_MEDIA_TYPE, `Files of type ${contentType} are not accepted here; allowed: ${rules.allowedTypes.join(', ')}`, [
      { field: 'Content-Type', message: `must be one of ${rules.allowedTypes.join(', ')}` },
    ], { reason: 'TYPE_NOT_ALLOWED', allowedTypes: rules.allowedTypes });
  }
  const lengthHeader = request.headers['content-length'];
  if (lengthHeader !== undefined) {
    if (!/^\d{1,15}$/.test(lengthHeader)) throw invalidField('Content-Length', 'must be a whole number of bytes');
    const length = Number(lengthHeader);
    if (length > rules.maxBytes) throw tooLarge(rules.maxBytes, length);
    if (length === 0) throw invalidField('body', 'must not be empty: send the file as the request body');
  }
  return { name, contentType };
}

/**
 * Makes a scope's routes take the body as the file: no parser reads it, the handler streams it.
 * An upload refused before its body was read says so and closes the connection, so the rest of
 * the body is never read (Node would otherwise read and discard it to keep the connection).
 */
export function acceptRawBody(scope: FastifyInstance): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
  scope.addHook('onError', async (request, reply) => {
    if (!request.raw.readableEnded) reply.header('connection', 'close');
  });
}

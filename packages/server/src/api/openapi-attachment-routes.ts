/** The OpenAPI description of the attachment routes that take or give raw files (outside defineRoute). */
import { refused, success } from './openapi-answers.js';
import { ATTACHMENT_MESSAGE } from './examples/attachments.js';
import { API_KEY, DEPLOYMENT_TOKEN, answer, enveloped, json, pathParam, ref, type JsonSchema, type Short } from './openapi-path-helpers.js';

const binary = { '*/*': { schema: { type: 'string', format: 'binary' } } };
const query = (name: string, required: boolean, description: string, schema: JsonSchema = { type: 'string' }) => ({ name, in: 'query', required, description, schema });

export const attachmentSchemas: Record<string, JsonSchema> = {
  Attachment: {
    type: 'object',
    required: ['id', 'name', 'contentType', 'size'],
    additionalProperties: false,
    description: 'A file a message carries. `url` works until `urlExpiresAt` (15 minutes); every history, transcript and stream event gives fresh ones.',
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      contentType: { type: 'string' },
      size: { type: 'integer', description: 'Bytes' },
      url: { type: 'string', description: 'Signed download address: GET /v1/public/attachments/{id}' },
      urlExpiresAt: { type: 'integer', description: 'Epoch ms' },
    },
  },
};

const UPLOAD_REFUSALS = {
  400: refused(400, 'No file name, an empty body or a bad clientMessageId (details name the field)'),
  413: refused(413, 'The file is larger than the limit (meta.maxBytes); refused before the body is read when Content-Length says so'),
  415: refused(415, 'Files of this type are not accepted here (details name Content-Type and the allowed types)'),
};

export function attachmentOperations(): [string, string, Short][] {
  return [
    [
      'post',
      '/v1/public/runtime/sessions/{sessionId}/attachments',
      {
        tag: 'Widget runtime',
        summary: 'A visitor sends a file',
        description:
          "The body is the file itself and `Content-Type` its media type. The deployment's rules apply (GET …/attachment-settings): a type it does not allow answers 415, a file over `maxBytes` 413 (before the body is read when Content-Length tells, else as soon as it passes). The answer is the visitor's message carrying the file (its text is the file's name), as POST …/messages answers; the agent is asked as for a text message. Idempotent on `clientMessageId`.",
        parameters: [
          pathParam('sessionId', 'The `sessionId` answered by POST /v1/public/runtime/sessions'),
          { name: 'X-Visitor-Token', in: 'header', required: true, description: 'The `visitorToken` of the session', schema: { type: 'string' } },
          query('name', true, 'The file name shown to people (a path is cut to its last part; at most 200 characters)'),
          query('clientMessageId', true, "1-64 letters, digits, '_' or '-': the same id again answers the first message"),
        ],
        body: { description: 'The file', content: binary },
        responses: {
          202: answer("The visitor's message with the file", json(enveloped(ref('RuntimeMessageAccepted')), success({ message: ATTACHMENT_MESSAGE, duplicate: false }))),
          ...UPLOAD_REFUSALS,
          401: refused(401, 'Deployment or visitor token not valid'),
          403: refused(403, 'Origin not allowed, deployment paused, attachments turned off for this deployment (meta.reason ATTACHMENTS_DISABLED), or a channel that does not record messages (ATTACHMENTS_NOT_RECORDED)'),
          404: refused(404, 'No such session'),
          429: refused(429, 'Too many requests from this address or token'),
        },
        security: DEPLOYMENT_TOKEN,
      },
    ],
    [
      'post',
      '/v1/conversations/{id}/attachments',
      {
        tag: 'Conversations',
        summary: 'Send a file into a conversation',
        description:
          "The body is the file, `Content-Type` its media type (images, PDF, text, CSV, ZIP, Office documents, MP3, Ogg, MP4), at most 25 MiB. `role=agent` (the default) posts it as the agent's message; `role=human` as a person's reply in a handed-off conversation, under the rules of a text reply (409 otherwise; `memberId` defaults to the signed-in member). It reaches the contact as a text reply does: live to the widget, which shows it; through the outbox elsewhere, with the file's name as the text.",
        parameters: [
          pathParam('id', 'The conversation'),
          query('name', true, 'The file name shown to people'),
          query('role', false, '`agent` or `human`', { enum: ['agent', 'human'] }),
          query('memberId', false, 'Who writes a `human` message: a team member (`tm_…`) or workspace member (`mem_…`)'),
        ],
        body: { description: 'The file', content: binary },
        responses: {
          201: answer('The message with the file', json(enveloped(ref('Message')), success({ ...ATTACHMENT_MESSAGE, role: 'agent', clientMessageId: null }))),
          ...UPLOAD_REFUSALS,
          401: refused(401, 'API key or session missing or not valid'),
          403: refused(403, 'This API key may only read'),
          404: refused(404, 'Conversation not found'),
          409: refused(409, "A person can reply only to a handed-off conversation; no file is kept on a channel that does not record messages"),
        },
        security: API_KEY,
      },
    ],
    [
      'get',
      '/v1/public/attachments/{id}',
      {
        tag: 'Conversations',
        summary: 'Download an attachment through its signed address',
        description:
          "Addresses come with messages (`attachments[].url`) and work for 15 minutes: HMAC-SHA256 of the id and expiry under a key derived from the master key, checked in constant time before anything is looked up. The same route serves files kept on disk or in S3, so the bucket is never public. Raster images (PNG, JPEG, GIF, WebP) are served inline, everything else as a download; every answer carries `X-Content-Type-Options: nosniff` and a sandboxing `Content-Security-Policy`.",
        parameters: [pathParam('id', 'The attachment'), query('expires', true, 'Epoch seconds'), query('signature', true, 'base64url HMAC')],
        responses: {
          200: answer('The file', binary),
          403: refused(403, 'The download link is not valid or has expired (meta.reason SIGNATURE_INVALID or URL_EXPIRED)'),
          404: refused(404, 'Attachment not found'),
        },
        security: [],
      },
    ],
  ];
}

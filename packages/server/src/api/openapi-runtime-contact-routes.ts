/** The OpenAPI description of the widget runtime's identify and track calls. */
import { VISITOR_BODIES, VISITOR_DATA } from './examples/identity.js';
import { jsonSchema } from './openapi-json-schema.js';
import { RUNTIME_REFUSALS, ok, refused } from './openapi-answers.js';
import { DEPLOYMENT_TOKEN, json, ref, type JsonSchema, type Short } from './openapi-path-helpers.js';
import { identifySchema, trackSchema } from '../runtime/contact-schemas.js';

const tag = 'Widget runtime';
const scalar: JsonSchema = { type: ['string', 'number', 'boolean', 'null'] };

export const runtimeContactSchemas: Record<string, JsonSchema> = {
  RuntimeIdentified: {
    type: 'object',
    required: ['visitorToken', 'verified', 'sessionId'],
    additionalProperties: false,
    properties: {
      visitorToken: { type: 'string', description: 'Keep it in place of the one sent: it names this visitor (a verified user: the user) from now on' },
      verified: { type: 'boolean', description: 'True when the visitor is now linked to `userId`' },
      sessionId: { type: ['string', 'null'], description: "The visitor's (or the user's) open conversation on this deployment" },
    },
  },
  RuntimeTracked: {
    type: 'object',
    required: ['visitorToken', 'event'],
    additionalProperties: false,
    properties: {
      visitorToken: { type: 'string' },
      event: {
        type: 'object',
        required: ['name', 'data', 'createdAt'],
        additionalProperties: false,
        properties: { name: { type: 'string' }, data: { type: ['object', 'null'], additionalProperties: scalar }, createdAt: { type: 'integer' } },
      },
    },
  },
  RuntimeIdentifyRequest: jsonSchema(identifySchema, 'input'),
  RuntimeTrackRequest: jsonSchema(trackSchema, 'input'),
};

const visitor = {
  name: 'X-Visitor-Token',
  in: 'header',
  required: false,
  description: "The visitor's token, when the widget has one; without it (or with one the server does not know) a contact is created and its token answered",
  schema: { type: 'string' },
};

export function runtimeContactOperations(): [string, string, Short][] {
  return [
    [
      'post',
      '/v1/public/runtime/identify',
      {
        tag,
        summary: 'Tell who the visitor is',
        description:
          'Stores `name`, `email` (as the attribute `email`) and `attributes` on the visitor\'s contact. When the deployment has an identity secret, `userId` and `userHash` (hex HMAC-SHA256 of `userId` under it) are required and checked: ' +
          'a valid pair links this browser to the user\'s one contact (their open conversation follows them across devices; an anonymous chat of this browser becomes theirs), anything else is refused with 403. ' +
          'Without a secret, `userId` links nothing (`verified: false`). Creates no conversation.',
        parameters: [visitor],
        body: { description: 'Every field optional', content: json(ref('RuntimeIdentifyRequest'), VISITOR_BODIES.RuntimeIdentifyRequest) },
        responses: {
          200: ok('The visitor token to keep, whether the user is linked, and their open conversation', ref('RuntimeIdentified'), VISITOR_DATA.RuntimeIdentified),
          400: refused(400, 'Invalid body'),
          ...RUNTIME_REFUSALS,
          403: refused(403, 'userHash missing or wrong (meta.reason IDENTITY_NOT_VERIFIED), origin not allowed, deployment paused or workspace suspended'),
        },
        security: DEPLOYMENT_TOKEN,
      },
    ],
    [
      'post',
      '/v1/public/runtime/track',
      {
        tag,
        summary: 'Record an event about the visitor',
        description:
          'Stores `event` (1–64 characters: a letter, then letters, digits, spaces, `_ . : -`) with optional flat `data` (at most 20 keys; strings of at most 500 characters, numbers, booleans or null; 2048 bytes as JSON) on the visitor\'s contact: read them with GET /v1/contacts/{id}/events. Creates no conversation.',
        parameters: [visitor],
        body: { description: '`event`, and optional `data`', content: json(ref('RuntimeTrackRequest'), VISITOR_BODIES.RuntimeTrackRequest) },
        responses: {
          201: ok('The stored event and the visitor token to keep', ref('RuntimeTracked'), VISITOR_DATA.RuntimeTracked),
          400: refused(400, 'Invalid body'),
          ...RUNTIME_REFUSALS,
        },
        security: DEPLOYMENT_TOKEN,
      },
    ],
  ];
}

/** The OpenAPI description of the widget runtime's pre-chat form submission. */
import { preChatSubmissionSchema } from '@switchboard/core';
import { PRECHAT_BODIES, PRECHAT_DATA } from './examples/prechat.js';
import { jsonSchema } from './openapi-json-schema.js';
import { RUNTIME_REFUSALS, ok, refused } from './openapi-answers.js';
import { DEPLOYMENT_TOKEN, json, ref, type JsonSchema, type Short } from './openapi-path-helpers.js';

const field: JsonSchema = {
  type: 'object',
  required: ['key', 'label', 'type', 'required'],
  additionalProperties: false,
  properties: {
    key: { type: 'string', description: '`name` (stored as the contact\'s display name), `email`, or a custom contact attribute' },
    label: { type: 'string' },
    type: { enum: ['text', 'email', 'tel', 'select'] },
    required: { type: 'boolean' },
    options: { type: 'array', items: { type: 'string' }, description: 'The choices of a select field' },
  },
};

export const runtimePreChatSchemas: Record<string, JsonSchema> = {
  RuntimePreChatForm: {
    type: ['object', 'null'],
    required: ['showBeforeFirstMessage', 'fields'],
    additionalProperties: false,
    description: "`widget.preChatForm` in the config and session answers: the deployment's pre-chat form, or null when the widget asks nothing",
    properties: {
      showBeforeFirstMessage: { type: 'boolean' },
      title: { type: 'string' },
      submitLabel: { type: 'string' },
      fields: { type: 'array', items: field },
    },
  },
  RuntimePreChatAnswer: {
    type: 'object',
    required: ['sessionId', 'visitorToken', 'resumed', 'stored'],
    additionalProperties: false,
    properties: {
      sessionId: { type: 'string', description: 'The conversation the answers started (or the visitor\'s open one)' },
      visitorToken: { type: 'string', description: 'Keep it: POST …/sessions with it resumes this conversation' },
      resumed: { type: 'boolean' },
      stored: { type: 'array', items: { type: 'string' }, description: 'The keys of the answers stored (empty optional fields are left out)' },
    },
  },
  RuntimePreChatRequest: jsonSchema(preChatSubmissionSchema, 'input'),
};


export function runtimePreChatOperations(): [string, string, Short][] {
  return [
    [
      'post',
      '/v1/public/runtime/prechat',
      {
        tag: 'Widget runtime',
        summary: "Submit the visitor's pre-chat form",
        description:
          "Checks `values` against the deployment's pre-chat form (each required field present, emails and phone numbers well formed, a select's answer one of its options, no other keys: 400 naming `values.<key>` otherwise, nothing created), " +
          "then starts the visitor's session (or resumes their open one when `visitorToken` is known) and stores the answers on its contact: `name` as the display name, every other field as an attribute under its key.",
        body: { description: '`values` by field key; `visitorToken` and `locale` as for POST …/sessions', content: json(ref('RuntimePreChatRequest'), PRECHAT_BODIES.RuntimePreChatRequest) },
        responses: {
          201: ok('A new session, the answers stored', ref('RuntimePreChatAnswer'), PRECHAT_DATA.RuntimePreChatAnswer),
          200: ok("The visitor's open session, resumed, the answers stored", ref('RuntimePreChatAnswer'), { ...PRECHAT_DATA.RuntimePreChatAnswer, resumed: true }),
          400: refused(400, 'An answer the form does not accept (details name values.<key> and the rule)'),
          ...RUNTIME_REFUSALS,
          409: refused(409, 'The deployment has no pre-chat form'),
        },
        security: DEPLOYMENT_TOKEN,
      },
    ],
  ];
}

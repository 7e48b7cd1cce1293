import { runtimeMessageSchema, sessionStartSchema } from '@switchboard/core';
import { RUNTIME_BODIES, RUNTIME_DATA } from './examples/runtime.js';
import { WIDGET_EVENTS_EXAMPLE, WIDGET_STREAM_EVENTS } from './examples/streams.js';
import { jsonSchema } from './openapi-json-schema.js';
import { RUNTIME_REFUSALS, ok, refused } from './openapi-answers.js';
import { DEPLOYMENT_TOKEN, answer, json, pathParam, ref, type JsonSchema, type Short } from './openapi-path-helpers.js';

const tag = 'Widget runtime';

const theme: JsonSchema = {
  type: 'object',
  required: ['primaryColor', 'launcherColor', 'launcherIcon', 'position', 'greeting', 'avatarUrl', 'headerTitle', 'fontFamily', 'colorScheme', 'launcherText', 'sound'],
  additionalProperties: false,
  description: "The deployment's theme with every default filled in",
  properties: {
    primaryColor: { type: 'string' },
    launcherColor: { type: 'string' },
    launcherIcon: { type: 'string', description: '`chat` or an https URL of an image' },
    position: { enum: ['left', 'right'] },
    greeting: { type: ['string', 'null'] },
    avatarUrl: { type: ['string', 'null'] },
    headerTitle: { type: 'string' },
    fontFamily: { type: 'string' },
    colorScheme: { enum: ['auto', 'light', 'dark'], description: '`auto` follows the visitor\'s system setting' },
    launcherText: { type: ['string', 'null'], description: "A label beside the launcher's icon" },
    sound: { type: 'boolean', description: 'A short tone when a reply arrives while the chat is closed or the page hidden' },
  },
};
const template: JsonSchema = {
  oneOf: [
    { type: 'string' },
    {
      type: 'object',
      required: ['other'],
      additionalProperties: false,
      description: 'Plural forms by CLDR category (Intl.PluralRules)',
      properties: Object.fromEntries(['zero', 'one', 'two', 'few', 'many', 'other'].map((c) => [c, { type: 'string' }])),
    },
  ],
};
const widgetProperties: Record<string, JsonSchema> = {
  theme,
  locale: { type: 'string', description: 'The language of `strings`: the requested one if there are texts for it, else its base language, else `en`' },
  dir: { enum: ['ltr', 'rtl'], description: 'The writing direction of `locale`' },
  strings: {
    type: 'object',
    additionalProperties: template,
    description: "Every text the widget shows visitors, in `locale`, with the theme's `strings` applied; `{n}`, `{name}` and `{reason}` are placeholders",
  },
};
widgetProperties.preChatForm = ref('RuntimePreChatForm');
const configProperties: Record<string, JsonSchema> = {
  agent: { type: 'object', required: ['id', 'name'], additionalProperties: false, properties: { id: { type: 'string' }, name: { type: 'string' } } },
  greeting: { type: ['string', 'null'], description: "The agent's introduction, or the theme's greeting" },
  attachments: {
    type: 'object',
    required: ['enabled', 'maxBytes', 'allowedTypes'],
    additionalProperties: false,
    description: 'What files the visitor may send (POST …/sessions/{sessionId}/attachments)',
    properties: { enabled: { type: 'boolean' }, maxBytes: { type: 'integer' }, allowedTypes: { type: 'array', items: { type: 'string' } } },
  },
  widget: { type: 'object', required: ['theme', 'locale', 'dir', 'strings'], additionalProperties: false, properties: widgetProperties },
};

/** Schemas of the widget runtime's bodies, for the document's components. */
export const runtimeSchemas: Record<string, JsonSchema> = {
  RuntimeConfig: { type: 'object', required: ['agent', 'greeting', 'widget'], additionalProperties: false, properties: configProperties },
  RuntimeSession: {
    type: 'object',
    required: ['sessionId', 'visitorToken', 'resumed', 'agent', 'greeting', 'widget'],
    additionalProperties: false,
    properties: {
      sessionId: { type: 'string', description: 'The conversation' },
      visitorToken: { type: 'string', description: 'Keep it: it resumes this visitor\'s open conversation and reads its stream' },
      resumed: { type: 'boolean' },
      ...configProperties,
    },
  },
  RuntimeMessageAccepted: {
    type: 'object',
    required: ['message', 'duplicate'],
    additionalProperties: false,
    properties: { message: ref('Message'), duplicate: { type: 'boolean', description: 'True when `clientMessageId` was sent before: nothing new was stored' } },
  },
  OriginCheck: {
    type: 'object',
    required: ['origin', 'allowed', 'reason', 'message'],
    additionalProperties: false,
    properties: {
      origin: { type: ['string', 'null'] },
      allowed: { type: 'boolean' },
      reason: { enum: ['ALLOWED', 'TOKEN_INVALID', 'TOKEN_REVOKED', 'ORIGIN_MISSING', 'ORIGIN_NOT_ALLOWED'] },
      message: { type: 'string' },
    },
  },
  RuntimeSessionStart: jsonSchema(sessionStartSchema, 'input'),
  RuntimeMessageRequest: jsonSchema(runtimeMessageSchema, 'input'),
};

const REFUSALS = RUNTIME_REFUSALS;
const SESSION_REFUSALS = { 401: refused(401, 'Deployment or visitor token not valid'), 404: refused(404, 'No such session') };

export function runtimeOperations(restOfPath: unknown): [string, string, Short][] {
  const sessionId = pathParam('sessionId', 'The `sessionId` answered by POST /v1/public/runtime/sessions');
  const visitor = { name: 'X-Visitor-Token', in: 'header', required: true, description: 'The `visitorToken` of the session', schema: { type: 'string' } };
  return [
    [
      'options',
      '/v1/public/runtime/{path}',
      {
        tag,
        summary: 'CORS preflight',
        description: 'Answers `204` with the CORS headers when some active deployment allows the `Origin`; preflights carry no token.',
        parameters: [restOfPath],
        responses: { 204: answer('Allowed'), 403: refused(403, 'No active deployment allows this origin') },
        security: [],
      },
    ],
    [
      'get',
      '/v1/public/runtime/origin-check',
      {
        tag,
        summary: 'Why a page is refused',
        description: 'Tells "origin not allowed", "token revoked" and "token invalid" apart for the deployment named by its public token prefix; reveals nothing else.',
        parameters: [
          { name: 'tokenPrefix', in: 'query', required: false, description: 'The first 10 characters of the deployment token', schema: { type: 'string', pattern: '^cdp_[0-9A-Za-z]{6}$' } },
        ],
        responses: { 200: ok('Whether the requesting origin may use the deployment, and why', ref('OriginCheck'), RUNTIME_DATA.OriginCheck) },
        security: [],
      },
    ],
    [
      'get',
      '/v1/public/runtime/config',
      {
        tag,
        summary: "The widget's configuration",
        description:
          "What the widget shows before any conversation exists (the launcher's theme, the greeting): `agent`, `greeting`, `widget.theme`, the same as a session start answers. Creates nothing; the widget asks it on every page view and starts a session only when the visitor opens the chat.",
        parameters: [
          {
            name: 'locale',
            in: 'query',
            required: false,
            description: "The visitor's language tag (`es`, `pt-BR`); without it, the first of `Accept-Language`. A tag with no texts (or not a tag) answers English.",
            schema: { type: 'string', maxLength: 35 },
          },
        ],
        responses: { 200: ok('`{agent, greeting, widget}`', ref('RuntimeConfig'), RUNTIME_DATA.RuntimeConfig), ...REFUSALS },
        security: DEPLOYMENT_TOKEN,
      },
    ],
    [
      'post',
      '/v1/public/runtime/sessions',
      {
        tag,
        summary: 'Start or resume a widget session',
        description: "Starts a conversation, or resumes the visitor's open one when `visitorToken` belongs to this deployment (see docs/runtime-api.md).",
        body: { description: 'All fields optional', content: json(ref('RuntimeSessionStart'), RUNTIME_BODIES.RuntimeSessionStart) },
        responses: {
          201: ok('A new session', ref('RuntimeSession'), RUNTIME_DATA.RuntimeSession),
          200: ok("The visitor's open session, resumed", ref('RuntimeSession'), RUNTIME_DATA.ResumedRuntimeSession),
          400: refused(400, 'Invalid body'),
          ...REFUSALS,
        },
        security: DEPLOYMENT_TOKEN,
      },
    ],
    [
      'post',
      '/v1/public/runtime/sessions/{sessionId}/messages',
      {
        tag,
        summary: "Send the visitor's message",
        description: "Idempotent on `clientMessageId`. The agent's reply arrives on the event stream.",
        parameters: [sessionId, visitor],
        body: { description: '`text` 1–4000 characters; `clientMessageId` 1–64 of `[A-Za-z0-9_-]`', content: json(ref('RuntimeMessageRequest'), RUNTIME_BODIES.RuntimeMessageRequest) },
        responses: {
          202: ok('The stored message; `duplicate` when the `clientMessageId` was seen before', ref('RuntimeMessageAccepted'), RUNTIME_DATA.RuntimeMessageAccepted),
          400: refused(400, 'Invalid body'),
          ...SESSION_REFUSALS,
        },
        security: DEPLOYMENT_TOKEN,
      },
    ],
    [
      'get',
      '/v1/public/runtime/sessions/{sessionId}/messages',
      {
        tag,
        summary: "The session's messages",
        parameters: [sessionId, visitor],
        responses: { 200: ok('The messages, oldest first', { type: 'array', items: ref('Message') }, RUNTIME_DATA.RuntimeMessages), ...SESSION_REFUSALS },
        security: DEPLOYMENT_TOKEN,
      },
    ],
    [
      'get',
      '/v1/public/runtime/sessions/{sessionId}/events',
      {
        tag,
        summary: "The session's events (Server-Sent Events)",
        description:
          'A `text/event-stream` (read it with `fetch`: `EventSource` cannot send the token headers). Events: `message` (with `id:`; a Message, the contact\'s own too), ' +
          '`typing` (`{active}`), `delta` (`{messageId, text}`: append to the agent message being streamed), `error` (with `id:`; `{code, message}`), ' +
          '`closed` (`{status, code, reason, message}`: access was taken away, do not reconnect) and `shutdown` (`{reconnect, retryMs}`: reconnect with `Last-Event-ID`). ' +
          'With `Last-Event-ID` every stored event after that id is replayed first; `: ping` comments keep the stream open. `x-sse-events` gives the schema of each event\'s `data`.',
        parameters: [sessionId, visitor, { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string' } }],
        responses: {
          200: answer('The stream', {
            'text/event-stream': { schema: { type: 'string' }, example: WIDGET_EVENTS_EXAMPLE, 'x-sse-events': WIDGET_STREAM_EVENTS },
          }),
          ...SESSION_REFUSALS,
        },
        security: DEPLOYMENT_TOKEN,
      },
    ],
  ];
}

import { VERSION } from '../version.js';
import { errorExample } from './examples/index.js';
import { channelServiceOperations, channelServiceSchemas } from './openapi-channel-service.js';
import { answer, json, operation, pathParam, ref, type JsonSchema, type Operation, type Short } from './openapi-path-helpers.js';
import { runtimeOperations, runtimeSchemas } from './openapi-runtime-routes.js';
import { runtimePreChatOperations, runtimePreChatSchemas } from './openapi-runtime-prechat-routes.js';
import { runtimeContactOperations, runtimeContactSchemas } from './openapi-runtime-contact-routes.js';
import { attachmentOperations, attachmentSchemas } from './openapi-attachment-routes.js';

/** Paths the server answers outside `defineRoute`: operations, the widget runtime, provider doors, the channel service, static files. */
export type OtherPaths = Record<string, Record<string, Operation>>;

const restOfPath = pathParam('path', 'The rest of the path (it may contain `/`), passed to the provider adapter as it came');
const errorAnswer = (status: number, description: string) => answer(description, json(ref('Error'), errorExample(status, description)));
const text = (type: string) => ({ [type]: { schema: { type: 'string' } } });

const check: JsonSchema = {
  type: 'object',
  required: ['status'],
  additionalProperties: false,
  properties: { status: { enum: ['ok', 'failed'] }, error: { type: 'string' } },
};
const readiness = (status: string): JsonSchema => ({
  type: 'object',
  required: ['status', 'version', 'checks'],
  additionalProperties: false,
  properties: {
    status: { const: status },
    version: { type: 'string' },
    checks: { type: 'object', description: '`database`, `migrations` and, with Redis, `redis`', additionalProperties: check },
  },
});
const links: JsonSchema = {
  type: 'object',
  required: ['name', 'version', 'docs', 'openapi', 'console', 'health'],
  additionalProperties: false,
  properties: Object.fromEntries(['name', 'version', 'docs', 'openapi', 'console', 'health'].map((key) => [key, { type: 'string' }])),
};

function providerDoor(kind: 'channels' | 'helpdesks', method: 'get' | 'post', rest: boolean): [string, string, Short] {
  return [
    method,
    `/v1/public/${kind}/{provider}/{connectionId}${rest ? '/{path}' : ''}`,
    {
      tag: 'Provider webhooks',
      summary: `${kind === 'channels' ? 'Messaging' : 'Helpdesk'} provider ${method === 'get' ? 'verification' : 'webhook'}${rest ? ' (sub-path)' : ''}`,
      description:
        (kind === 'channels'
          ? 'Where a messaging provider (WhatsApp, Messenger, Telegram, Twilio, …) delivers inbound events for one connection. '
          : 'Where a helpdesk (Zendesk, Intercom, …) sends agent replies and ticket changes for a handed-off conversation. ') +
        (method === 'get'
          ? "Answers the provider's subscription check (e.g. Meta's `hub.challenge`)."
          : "The body is the provider's own form or JSON payload, kept as raw bytes and verified with the connection's signing secret before anything is recorded (see docs/messaging-channels.md).") +
        ' Any content type is accepted; the answer is what the provider expects.',
      parameters: [
        pathParam('provider', 'The provider adapter, e.g. `whatsapp`, `twilio`, `telegram`'),
        pathParam('connectionId', 'The connection the webhook belongs to'),
        ...(rest ? [restOfPath] : []),
      ],
      ...(method === 'post' && {
        body: { description: "The provider's payload, signed as the provider signs it", content: { '*/*': { schema: {} } } },
      }),
      responses: {
        200: answer('Accepted (or the verification challenge echoed); the body is what the provider expects'),
        401: errorAnswer(401, 'The signature or verification token does not match'),
        404: errorAnswer(404, 'No such connection for this provider'),
        ...(method === 'get' && { 405: errorAnswer(405, 'This provider POSTs its webhooks; GET is only for verification handshakes') }),
      },
      security: [],
    },
  ];
}

function operations(): [string, string, Short][] {
  const tag = 'Operations';
  const checks = { database: { status: 'ok' }, migrations: { status: 'ok' } };
  return [
    ['get', '/health', { tag, summary: 'Liveness', responses: { 200: answer('The process is up', json({ type: 'object', required: ['status', 'version'], additionalProperties: false, properties: { status: { const: 'ok' }, version: { type: 'string' } } }, { status: 'ok', version: VERSION })) }, security: [] }],
    [
      'get',
      '/ready',
      {
        tag,
        summary: 'Readiness',
        description: 'Checks the database (and Redis when configured); `503` with `Retry-After: 5` while one is unreachable.',
        responses: {
          200: answer('Ready', json(readiness('ready'), { status: 'ready', version: VERSION, checks })),
          503: answer('Not ready', json(readiness('not ready'), { status: 'not ready', version: VERSION, checks: { ...checks, redis: { status: 'failed', error: 'Redis did not answer within 2000 ms' } } })),
        },
        security: [],
      },
    ],
    [
      'get',
      '/metrics',
      {
        tag,
        summary: 'Prometheus metrics',
        description: 'In the Prometheus text format. When the server has a METRICS_TOKEN, it must be sent as `Authorization: Bearer <METRICS_TOKEN>`.',
        responses: { 200: answer('Metrics', text('text/plain')), 401: errorAnswer(401, 'METRICS_TOKEN is set and was not sent') },
        security: [{}, { metricsToken: [] }],
      },
    ],
    [
      'get',
      '/v1/openapi.json',
      {
        tag,
        summary: 'This OpenAPI document',
        responses: {
          200: answer(
            'OpenAPI 3.1',
            json({ type: 'object', required: ['openapi', 'info', 'paths'], properties: { openapi: { const: '3.1.0' }, info: { type: 'object' }, paths: { type: 'object' } } }, {
              openapi: '3.1.0',
              info: { title: 'Switchboard API', version: VERSION },
              paths: { '/health': { get: { summary: 'Liveness' } } },
            }),
          ),
        },
        security: [],
      },
    ],
    ['get', '/docs', { tag, summary: 'The API reference as HTML', description: 'Rendered from this document: searchable, with every example; works offline.', responses: { 200: answer('HTML', text('text/html')) }, security: [] }],
    [
      'get',
      '/',
      {
        tag,
        summary: 'Where things are',
        description: 'JSON naming the docs, this document, the console and the health check; a browser asking for HTML is sent to the console.',
        responses: {
          200: answer('Links', json(links, { name: 'Switchboard', version: VERSION, docs: '/docs', openapi: '/v1/openapi.json', console: '/console/', health: '/health' })),
          302: answer('Redirect to /console/'),
        },
        security: [],
      },
    ],
    ['get', '/console', { tag, summary: 'The operator console (single-page app)', responses: { 200: answer('HTML', text('text/html')) }, security: [] }],
    [
      'get',
      '/console/{path}',
      { tag, summary: "The console's files", description: 'Static assets; other paths answer the console page.', parameters: [pathParam('path', 'A file of the console build, or a console route')], responses: { 200: answer('A file or the console page') }, security: [] },
    ],
    ['get', '/embed/v1.js', { tag, summary: 'The widget loader script', description: 'Embedded with the snippet of GET /v1/agents/{agentId}/deployments/{id}/embed-snippet.', responses: { 200: answer('JavaScript', text('text/javascript')) }, security: [] }],
    ['get', '/embed/v1/widget.js', { tag, summary: 'The widget script', description: 'Loaded by /embed/v1.js.', responses: { 200: answer('JavaScript', text('text/javascript')) }, security: [] }],
    [
      'get',
      '/embed/v1/chunks/{file}',
      {
        tag,
        summary: 'A part of the widget loaded on first use',
        description: 'Loaded by the widget when it first needs a rarely used part (`prechat.js`: the pre-chat form). Only the files the widget build wrote to `dist/chunks` are served.',
        parameters: [pathParam('file', 'The chunk file, like `prechat.js`')],
        responses: { 200: answer('JavaScript', text('text/javascript')), 404: errorAnswer(404, 'No widget chunk of that name') },
        security: [],
      },
    ],
    ...runtimeOperations(restOfPath),
    ...runtimePreChatOperations(),
    ...runtimeContactOperations(),
    ...attachmentOperations(),
    providerDoor('channels', 'get', false),
    providerDoor('channels', 'post', false),
    providerDoor('channels', 'get', true),
    providerDoor('channels', 'post', true),
    providerDoor('helpdesks', 'get', false),
    providerDoor('helpdesks', 'post', false),
    providerDoor('helpdesks', 'get', true),
    providerDoor('helpdesks', 'post', true),
    ...channelServiceOperations(),
  ];
}

export function otherPaths(): OtherPaths {
  const paths: OtherPaths = {};
  for (const [method, path, op] of operations()) {
    paths[path] ??= {};
    paths[path][method] = operation(method, path, op);
  }
  return paths;
}

/** Component schemas the other paths refer to. */
export function otherSchemas(): Record<string, JsonSchema> {
  return { ...runtimeSchemas, ...runtimeContactSchemas, ...runtimePreChatSchemas, ...attachmentSchemas, ...channelServiceSchemas() };
}

export const otherSecuritySchemes = {
  deploymentToken: { type: 'http', scheme: 'bearer', description: 'A web deployment token (`cdp_…`), sent by the widget' },
  metricsToken: { type: 'http', scheme: 'bearer', description: 'The METRICS_TOKEN the server was started with' },
};

type JsonSchema = Record<string, unknown>;
type Operation = Record<string, unknown>;

/** Paths the server answers outside `defineRoute`: operations, the widget runtime, provider doors, the channel service, static files. */
export type OtherPaths = Record<string, Record<string, Operation>>;

const API_KEY = [{ bearer: [] }, { apiKey: [] }, { wiilApiKey: [] }];
const DEPLOYMENT_TOKEN = [{ deploymentToken: [] }];

const json = (schema: JsonSchema = { type: 'object' }) => ({ 'application/json': { schema } });
const answer = (description: string, content?: Record<string, unknown>) => ({ description, ...(content && { content }) });
const pathParam = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'string' } });
const restOfPath = pathParam('path', 'The rest of the path (it may contain `/`), passed to the provider adapter as it came');
const errorAnswer = (description: string) => answer(description, json({ $ref: '#/components/schemas/Error' }));
const operationId = (method: string, path: string) =>
  `${method}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`;

interface Short {
  tag: string;
  summary: string;
  description?: string;
  parameters?: unknown[];
  body?: { description: string; content: Record<string, unknown> };
  responses: Record<string, unknown>;
  security: unknown[];
}

function operation(method: string, path: string, op: Short): Operation {
  return {
    tags: [op.tag],
    summary: op.summary,
    ...(op.description && { description: op.description }),
    operationId: operationId(method, path),
    ...(op.parameters && { parameters: op.parameters }),
    ...(op.body && { requestBody: { required: true, ...op.body } }),
    responses: op.responses,
    security: op.security,
  };
}

function operations(): [string, string, Short][] {
  const ops = 'Operations';
  const runtime = 'Widget runtime';
  const doors = 'Provider webhooks';
  const sessionId = pathParam('sessionId', 'The `sessionId` answered by POST /v1/public/runtime/sessions');
  const visitor = { name: 'X-Visitor-Token', in: 'header', required: true, description: 'The `visitorToken` of the session', schema: { type: 'string' } };
  const providerDoor = (kind: 'channels' | 'helpdesks', method: 'get' | 'post', rest: boolean): [string, string, Short] => [
    method,
    `/v1/public/${kind}/{provider}/{connectionId}${rest ? '/{path}' : ''}`,
    {
      tag: doors,
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
        401: errorAnswer('The signature or verification token does not match'),
        404: errorAnswer('No such connection for this provider'),
        ...(method === 'get' && { 405: errorAnswer('This provider POSTs its webhooks; GET is only for verification handshakes') }),
      },
      security: [],
    },
  ];
  return [
    ['get', '/health', { tag: ops, summary: 'Liveness', responses: { 200: answer('The process is up', json({ type: 'object', properties: { status: { const: 'ok' }, version: { type: 'string' } } })) }, security: [] }],
    [
      'get',
      '/ready',
      {
        tag: ops,
        summary: 'Readiness',
        description: 'Checks the database (and Redis when configured); `503` with `Retry-After: 5` while one is unreachable.',
        responses: {
          200: answer('Ready', json({ type: 'object', properties: { status: { const: 'ready' }, version: { type: 'string' }, checks: { type: 'object' } } })),
          503: answer('Not ready', json({ type: 'object', properties: { status: { const: 'not ready' }, version: { type: 'string' }, checks: { type: 'object' } } })),
        },
        security: [],
      },
    ],
    [
      'get',
      '/metrics',
      {
        tag: ops,
        summary: 'Prometheus metrics',
        description: 'In the Prometheus text format. When the server has a METRICS_TOKEN, it must be sent as `Authorization: Bearer <METRICS_TOKEN>`.',
        responses: { 200: answer('Metrics', { 'text/plain': { schema: { type: 'string' } } }), 401: errorAnswer('METRICS_TOKEN is set and was not sent') },
        security: [{}, { metricsToken: [] }],
      },
    ],
    ['get', '/v1/openapi.json', { tag: ops, summary: 'This OpenAPI document', responses: { 200: answer('OpenAPI 3.1', json()) }, security: [] }],
    ['get', '/docs', { tag: ops, summary: 'The API reference as HTML', description: 'Rendered from this document; no scripts.', responses: { 200: answer('HTML', { 'text/html': { schema: { type: 'string' } } }) }, security: [] }],
    [
      'get',
      '/',
      {
        tag: ops,
        summary: 'Where things are',
        description: 'JSON naming the docs, this document, the console and the health check; a browser asking for HTML is sent to the console.',
        responses: { 200: answer('Links', json({ type: 'object', properties: { name: { type: 'string' }, version: { type: 'string' }, docs: { type: 'string' }, openapi: { type: 'string' }, console: { type: 'string' }, health: { type: 'string' } } })), 302: answer('Redirect to /console/') },
        security: [],
      },
    ],
    ['get', '/console', { tag: ops, summary: 'The operator console (single-page app)', responses: { 200: answer('HTML', { 'text/html': { schema: { type: 'string' } } }) }, security: [] }],
    [
      'get',
      '/console/{path}',
      { tag: ops, summary: "The console's files", description: 'Static assets; other paths answer the console page.', parameters: [pathParam('path', 'A file of the console build, or a console route')], responses: { 200: answer('A file or the console page') }, security: [] },
    ],
    ['get', '/embed/v1.js', { tag: ops, summary: 'The widget loader script', description: 'Embedded with the snippet of GET /v1/agents/{agentId}/deployments/{id}/embed-snippet.', responses: { 200: answer('JavaScript', { 'text/javascript': { schema: { type: 'string' } } }) }, security: [] }],
    ['get', '/embed/v1/widget.js', { tag: ops, summary: 'The widget script', description: 'Loaded by /embed/v1.js.', responses: { 200: answer('JavaScript', { 'text/javascript': { schema: { type: 'string' } } }) }, security: [] }],
    [
      'options',
      '/v1/public/runtime/{path}',
      {
        tag: runtime,
        summary: 'CORS preflight',
        description: 'Answers `204` with the CORS headers when some active deployment allows the `Origin`; preflights carry no token.',
        parameters: [restOfPath],
        responses: { 204: answer('Allowed'), 403: errorAnswer('No active deployment allows this origin') },
        security: [],
      },
    ],
    [
      'get',
      '/v1/public/runtime/origin-check',
      {
        tag: runtime,
        summary: 'Why a page is refused',
        description: 'Tells "origin not allowed", "token revoked" and "token invalid" apart for the deployment named by its public token prefix; reveals nothing else.',
        parameters: [
          { name: 'tokenPrefix', in: 'query', required: false, description: 'The first 10 characters of the deployment token', schema: { type: 'string', pattern: '^cdp_[0-9A-Za-z]{6}$' } },
        ],
        responses: {
          200: answer(
            '`{origin, allowed, reason, message}`; `reason` is `ALLOWED`, `TOKEN_INVALID`, `TOKEN_REVOKED`, `ORIGIN_MISSING` or `ORIGIN_NOT_ALLOWED`',
            json({
              type: 'object',
              properties: {
                origin: { type: ['string', 'null'] },
                allowed: { type: 'boolean' },
                reason: { enum: ['ALLOWED', 'TOKEN_INVALID', 'TOKEN_REVOKED', 'ORIGIN_MISSING', 'ORIGIN_NOT_ALLOWED'] },
                message: { type: 'string' },
              },
            }),
          ),
        },
        security: [],
      },
    ],
    [
      'get',
      '/v1/public/runtime/config',
      {
        tag: runtime,
        summary: "The widget's configuration",
        description:
          "What the widget shows before any conversation exists (the launcher's theme, the greeting): `agent`, `greeting`, `widget.theme`, the same as a session start answers. Creates nothing; the widget asks it on every page view and starts a session only when the visitor opens the chat.",
        responses: {
          200: answer('`{agent, greeting, widget}`', json()),
          401: errorAnswer('Deployment token missing, invalid or revoked'),
          403: errorAnswer('Origin not allowed, deployment paused or workspace suspended'),
          429: errorAnswer('Too many requests from this address or token'),
        },
        security: DEPLOYMENT_TOKEN,
      },
    ],
    [
      'post',
      '/v1/public/runtime/sessions',
      {
        tag: runtime,
        summary: 'Start or resume a widget session',
        description: "Starts a conversation, or resumes the visitor's open one when `visitorToken` belongs to this deployment (see docs/runtime-api.md).",
        body: {
          description: 'All fields optional',
          content: json({ type: 'object', properties: { visitorToken: { type: 'string' }, pageUrl: { type: 'string' }, locale: { type: 'string' } } }),
        },
        responses: {
          201: answer('A new session: `sessionId`, `visitorToken`, `agent`, `greeting`, `widget`', json()),
          200: answer('The visitor\'s open session, resumed', json()),
          401: errorAnswer('Deployment token missing, invalid or revoked'),
          403: errorAnswer('Origin not allowed, deployment paused or workspace suspended'),
          429: errorAnswer('Too many requests from this address or token'),
        },
        security: DEPLOYMENT_TOKEN,
      },
    ],
    [
      'post',
      '/v1/public/runtime/sessions/{sessionId}/messages',
      {
        tag: runtime,
        summary: "Send the visitor's message",
        description: "Idempotent on `clientMessageId`. The agent's reply arrives on the event stream.",
        parameters: [sessionId, visitor],
        body: {
          description: '`text` 1–4000 characters; `clientMessageId` 1–64 of `[A-Za-z0-9_-]`',
          content: json({ type: 'object', required: ['text'], properties: { text: { type: 'string', minLength: 1, maxLength: 4000 }, clientMessageId: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } } }),
        },
        responses: { 202: answer('`{message, duplicate}`', json()), 401: errorAnswer('Deployment or visitor token not valid'), 404: errorAnswer('No such session') },
        security: DEPLOYMENT_TOKEN,
      },
    ],
    [
      'get',
      '/v1/public/runtime/sessions/{sessionId}/messages',
      {
        tag: runtime,
        summary: "The session's messages",
        parameters: [sessionId, visitor],
        responses: { 200: answer('The messages, oldest first', json()), 401: errorAnswer('Deployment or visitor token not valid'), 404: errorAnswer('No such session') },
        security: DEPLOYMENT_TOKEN,
      },
    ],
    [
      'get',
      '/v1/public/runtime/sessions/{sessionId}/events',
      {
        tag: runtime,
        summary: "The session's events (Server-Sent Events)",
        description:
          'A `text/event-stream` (read it with `fetch`: `EventSource` cannot send the token headers). Events: `message` (with `id:`; a Message, the contact\'s own too), ' +
          '`typing` (`{active}`), `delta` (`{messageId, text}`: append to the agent message being streamed), `error` (with `id:`; `{code, message}`), ' +
          '`closed` (`{status, code, reason, message}`: access was taken away, do not reconnect) and `shutdown` (`{reconnect, retryMs}`: reconnect with `Last-Event-ID`). ' +
          'With `Last-Event-ID` every stored event after that id is replayed first; `: ping` comments keep the stream open.',
        parameters: [sessionId, visitor, { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string' } }],
        responses: { 200: answer('The stream', { 'text/event-stream': { schema: { type: 'string' } } }), 401: errorAnswer('Deployment or visitor token not valid'), 404: errorAnswer('No such session') },
        security: DEPLOYMENT_TOKEN,
      },
    ],
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

/** iMBRACE's channel service, answered under /channel-service in its own wire conventions (docs/messaging-channels.md). */
function channelServiceOperations(): [string, string, Short][] {
  const id = pathParam('id', 'The channel, credential or team id');
  const table: [string, string, string][] = [
    ['get', '/v1/channels', 'List channels (optionally `?type=`)'],
    ['post', '/v1/channels', 'Create a channel'],
    ['get', '/v1/channels/_count', 'Count channels'],
    ['get', '/v1/channels/_conv_count', 'Count conversations per channel'],
    ['post', '/v1/channels/_replace', 'Replace a channel'],
    ['get', '/v1/channels/{id}', 'Get a channel'],
    ['put', '/v1/channels/{id}', 'Update a channel'],
    ['delete', '/v1/channels/{id}', 'Delete a channel'],
    ['delete', '/v3/channels/{id}', 'Delete a channel (v3 path)'],
    ['post', '/v1/channels/_web', 'Create a web channel'],
    ['post', '/v3/channels/_web', 'Create a web channel (v3 path)'],
    ['post', '/v1/channels/_whatsapp', 'Create a WhatsApp channel'],
    ['post', '/v2/channels/_whatsapp', 'Create a WhatsApp channel (v2 path)'],
    ['post', '/v3/channels/_whatsapp', 'Create a WhatsApp channel (v3 path)'],
    ['put', '/v2/channels/_whatsapp', 'Update a WhatsApp channel'],
    ['post', '/v1/channels/_email', 'Create an email channel'],
    ['post', '/v1/channels/_wechat', 'Create a WeChat channel'],
    ['post', '/v1/channels/_line', 'Create a LINE channel'],
    ['post', '/v1/channels/_instagram', 'Create an Instagram channel'],
    ['post', '/v1/channels/_instagramV2', 'Create an Instagram channel (v2 body)'],
    ['post', '/v3/channels/_facebook', 'Create a Facebook Messenger channel'],
    ['put', '/v2/channels/_facebook', 'Update a Facebook Messenger channel'],
    ['get', '/v1/channels/credentials/{id}', 'Get a credential'],
    ['put', '/v1/channels/credentials/{id}', 'Update a credential'],
    ['delete', '/v1/channels/credentials/{id}', 'Delete a credential'],
    ['get', '/v1/channels/credentials/{id}/pages', "A Facebook credential's pages"],
    ['get', '/v1/channels/_facebook/credential/{id}', "A Facebook credential's pages (older path)"],
    ['put', '/v1/channels/workflows/{id}', "Set a channel's workflow"],
    ['delete', '/v1/channels/workflows/{id}', "Remove a channel's workflow"],
    ['get', '/v1/assign/teams/all', 'Teams a channel can be assigned to (optionally `?channel_id=`)'],
    ['get', '/v1/assign/team/{id}/observers', "A team's observers"],
  ];
  return table.map(([method, path, summary]) => [
    method,
    `/channel-service${path}`,
    {
      tag: 'Channel service',
      summary,
      description:
        "iMBRACE's channel service as `client.channel` speaks it: snake_case bodies and its own error shape; see docs/messaging-channels.md. Authenticate with `x-api-key` (or a bearer key).",
      ...(path.includes('{id}') && { parameters: [id] }),
      ...((method === 'post' || method === 'put') && { body: { description: 'The channel service body of this operation', content: json() } }),
      responses: {
        [method === 'post' && path !== '/v1/channels/_replace' ? 201 : 200]: answer('The channel service answer', json()),
        400: answer('Invalid request', json()),
        401: answer('Missing or unknown API key', json()),
        ...(path.includes('{id}') && { 404: answer('Not found', json()) }),
      },
      security: API_KEY,
    },
  ]);
}

export function otherPaths(): OtherPaths {
  const paths: OtherPaths = {};
  for (const [method, path, op] of operations()) {
    paths[path] ??= {};
    paths[path][method] = operation(method, path, op);
  }
  return paths;
}

export const otherSecuritySchemes = {
  deploymentToken: { type: 'http', scheme: 'bearer', description: 'A web deployment token (`cdp_…`), sent by the widget' },
  metricsToken: { type: 'http', scheme: 'bearer', description: 'The METRICS_TOKEN the server was started with' },
};

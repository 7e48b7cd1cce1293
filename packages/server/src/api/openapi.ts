import type { z } from 'zod';
import { ErrorCode } from '@switchboard/core';
import { jsonSchema } from './openapi-json-schema.js';
import type { NamedSchema, RouteDefinition } from '../http/route.js';
import { otherPaths, otherSchemas, otherSecuritySchemes } from './openapi-other-routes.js';
import { BODY_EXAMPLES, DATA_EXAMPLES, ROUTE_BODIES, errorExample, successExample } from './examples/index.js';
import { OPERATOR_EVENTS_EXAMPLE, OPERATOR_STREAM_EVENTS } from './examples/streams.js';

type JsonSchema = Record<string, unknown>;

const errorBody: JsonSchema = {
  type: 'object',
  required: ['success', 'status', 'code', 'message', 'meta', 'timestamp', 'error'],
  properties: {
    success: { const: false },
    status: { type: 'integer' },
    code: { type: 'string', enum: Object.values(ErrorCode) },
    message: { type: 'string' },
    meta: {
      type: 'object',
      description: 'Facts about the refusal; for validation errors also `details`, the same list as `error.details`',
      properties: { details: { type: 'array', items: { $ref: '#/components/schemas/FieldIssue' } } },
    },
    timestamp: { type: 'integer', description: 'Epoch milliseconds' },
    error: {
      type: 'object',
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        details: { description: 'For validation errors: a list of {field, message}' },
      },
    },
  },
};

const fieldIssue: JsonSchema = {
  type: 'object',
  required: ['field', 'message'],
  properties: {
    field: { type: 'string', description: 'Dotted path of the field, e.g. `configuration.platform`; empty for the body itself' },
    message: { type: 'string' },
  },
};

const paginationMeta: JsonSchema = {
  type: 'object',
  required: ['page', 'pageSize', 'totalCount', 'totalPages', 'hasNextPage', 'hasPreviousPage'],
  properties: {
    page: { type: 'integer', minimum: 1 },
    pageSize: { type: 'integer', minimum: 1, maximum: 1000 },
    totalCount: { type: 'integer' },
    totalPages: { type: 'integer' },
    hasNextPage: { type: 'boolean' },
    hasPreviousPage: { type: 'boolean' },
  },
};

const metadata: JsonSchema = {
  type: 'object',
  properties: { timestamp: { type: 'integer' }, version: { const: 'v1' } },
};

/** A list's `data`: one page, `{data: [...], meta}`, as WIIL's SDK reads it. */
function listPage(item: JsonSchema): JsonSchema {
  return {
    type: 'object',
    required: ['data', 'meta'],
    properties: {
      data: { type: 'array', items: item },
      meta: { $ref: '#/components/schemas/PaginationMeta' },
    },
  };
}

function envelope(data: JsonSchema, list: boolean): JsonSchema {
  return {
    type: 'object',
    required: ['success', 'data', 'metadata'],
    properties: {
      success: { const: true },
      data: list ? listPage(data) : data,
      ...(!list && { meta: { type: 'object' } }),
      metadata: { $ref: '#/components/schemas/ResponseMetadata' },
    },
  };
}

const commonErrors: Record<number, string> = {
  400: 'Invalid request: `error.details` (and `meta.details`) list each field and the rule it broke',
  401: 'Missing, unknown or revoked API key',
};

/** The OpenAPI 3.1 document, built from the same route declarations and schemas that validate requests. */
export function buildOpenApiDocument(routes: RouteDefinition[], info: { version: string; serverUrl?: string }) {
  const components: Record<string, JsonSchema> = {
    Error: errorBody,
    FieldIssue: fieldIssue,
    PaginationMeta: paginationMeta,
    ResponseMetadata: metadata,
    ...otherSchemas(),
  };
  const ref = (named: NamedSchema, io: 'input' | 'output'): JsonSchema => {
    components[named.name] ??= jsonSchema(named.schema, io);
    return { $ref: `#/components/schemas/${named.name}` };
  };

  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z]+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [name, schema] of Object.entries((route.params ?? {}) as Record<string, z.ZodType>)) {
      parameters.push({ name, in: 'path', required: true, schema: jsonSchema(schema, 'input') });
    }
    if (route.query) {
      const query = jsonSchema(route.query, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
      for (const [name, schema] of Object.entries(query.properties ?? {})) {
        parameters.push({ name, in: 'query', required: query.required?.includes(name) ?? false, schema });
      }
    }
    const status = route.response.status ?? 200;
    const data = route.response.schema ? ref(route.response.schema, 'output') : { type: 'boolean', const: true };
    const dataExample = route.response.schema ? DATA_EXAMPLES[route.response.schema.name] : true;
    const list = route.response.list ?? false;
    const responses: Record<string, unknown> = {
      [status]: {
        description: route.response.description,
        content: route.stream
          ? { 'text/event-stream': { schema: { type: 'string', description: 'Server-Sent Events; each `data:` line is one JSON object' }, example: OPERATOR_EVENTS_EXAMPLE, 'x-sse-events': OPERATOR_STREAM_EVENTS } }
          : { 'application/json': { schema: envelope(data, list), ...(dataExample !== undefined && { example: successExample(dataExample, list) }) } },
      },
    };
    for (const [code, description] of Object.entries({ ...commonErrors, ...route.errors })) {
      responses[code] = { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' }, example: errorExample(Number(code), description) } } };
    }
    const example = ROUTE_BODIES[`${route.method} ${path}`] ?? (route.body && BODY_EXAMPLES[route.body.name]);
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = {
      tags: [route.tag],
      summary: route.summary,
      ...(route.description && { description: route.description }),
      operationId: `${route.method.toLowerCase()}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      ...(parameters.length > 0 && { parameters }),
      ...(route.body && {
        requestBody: {
          required: true,
          content: { 'application/json': { schema: ref(route.body, 'input'), ...(example !== undefined && { example }) } },
        },
      }),
      responses,
      security: route.auth === 'none' ? [] : [{ bearer: [] }, { apiKey: [] }, { wiilApiKey: [] }, { session: [] }],
    };
  }

  for (const [path, methods] of Object.entries(otherPaths())) paths[path] = { ...paths[path], ...methods };

  return {
    openapi: '3.1.0',
    info: {
      title: 'Switchboard API',
      version: info.version,
      description:
        "Deploy AI agents on phone, SMS, web and mobile channels. Every response is an envelope: `{success, data, metadata}` or an error body. A list's `data` is one page: `{data: [...], meta: {page, pageSize, totalCount, totalPages, hasNextPage, hasPreviousPage}}`.",
    },
    ...(info.serverUrl && { servers: [{ url: info.serverUrl }] }),
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A workspace API key' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
        wiilApiKey: { type: 'apiKey', in: 'header', name: 'X-Wiil-Api-Key' },
        session: { type: 'apiKey', in: 'cookie', name: 'sb_session', description: 'A console sign-in (POST /v1/sessions); writes also need X-CSRF-Token' },
        ...otherSecuritySchemes,
      },
    },
  };
}

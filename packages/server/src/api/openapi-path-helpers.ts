/** Building blocks of the operations the server answers outside `defineRoute`. */
export type JsonSchema = Record<string, unknown>;
export type Operation = Record<string, unknown>;

export const API_KEY = [{ bearer: [] }, { apiKey: [] }, { wiilApiKey: [] }];
export const DEPLOYMENT_TOKEN = [{ deploymentToken: [] }];

export const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
export const json = (schema: JsonSchema, example: unknown) => ({ 'application/json': { schema, example } });
export const answer = (description: string, content?: Record<string, unknown>) => ({ description, ...(content && { content }) });
export const pathParam = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'string' } });

/** The `/v1` success envelope around `data`. */
export function enveloped(data: JsonSchema): JsonSchema {
  return {
    type: 'object',
    required: ['success', 'data', 'metadata'],
    properties: { success: { const: true }, data, metadata: ref('ResponseMetadata') },
  };
}

export interface Short {
  tag: string;
  summary: string;
  description?: string;
  parameters?: unknown[];
  body?: { description: string; content: Record<string, unknown> };
  responses: Record<string, unknown>;
  security: unknown[];
}

const operationId = (method: string, path: string) =>
  `${method}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`;

export function operation(method: string, path: string, op: Short): Operation {
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

import { idSchema, paginationQuerySchema, secretRequestSchema, secretUpdateSchema } from '@switchboard/core';
import { invalidField } from '../http/errors.js';
import { item, page } from '../http/envelope.js';
import { defineRoute, type RouteDefinition } from '../http/route.js';
import type { SecretsService } from '../connections/secrets-service.js';
import { schemas } from './schemas.js';

const tag = 'Secrets';

export function secretRoutes(secrets: SecretsService): RouteDefinition[] {
  const secret = schemas.secret;
  return [
    defineRoute({
      method: 'POST',
      url: '/v1/secrets',
      tag,
      summary: 'Store a secret',
      description: 'Write-only: the value is sealed with AES-256-GCM under the master key. Every read shows a mask and a fingerprint, never the value.',
      body: { name: 'SecretRequest', schema: secretRequestSchema },
      response: { status: 201, description: 'The secret, masked', schema: secret },
      errors: { 409: 'A secret with this name exists' },
      handler: async ({ body, principal }) => item(await secrets.create(principal.workspaceId, body.name, body.value), 201),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/secrets',
      tag,
      summary: 'List secrets (masked)',
      query: paginationQuerySchema,
      response: { description: 'One page of secrets', schema: secret, list: true },
      handler: async ({ query, principal }) => page(await secrets.list(principal.workspaceId, query.page, query.pageSize)),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/secrets/:id',
      tag,
      summary: 'Get a secret (masked)',
      params: { id: idSchema },
      response: { description: 'The secret, masked', schema: secret },
      errors: { 404: 'Secret not found' },
      handler: async ({ params, principal }) => item(await secrets.get(principal.workspaceId, params.id)),
    }),
    defineRoute({
      method: 'PUT',
      url: '/v1/secrets/:id',
      tag,
      summary: 'Replace the value of a secret',
      description: 'Connections that use it see the new value on their next request.',
      params: { id: idSchema },
      body: { name: 'SecretUpdateRequest', schema: secretUpdateSchema },
      response: { description: 'The secret, masked', schema: secret },
      errors: { 404: 'Secret not found' },
      handler: async ({ params, body, principal }) => {
        if (body.id !== undefined && body.id !== params.id) throw invalidField('id', `must match the id in the path (${params.id})`);
        return item(await secrets.replace(principal.workspaceId, params.id, body.value));
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/v1/secrets/:id',
      tag,
      summary: 'Delete a secret',
      params: { id: idSchema },
      response: { description: '`true`' },
      errors: { 404: 'Secret not found', 409: 'A connection still uses it' },
      handler: async ({ params, principal }) => item(await secrets.delete(principal.workspaceId, params.id)),
    }),
  ];
}

import type { Kysely } from 'kysely';
import { apiKeyRequestSchema, idSchema, paginationQuerySchema, workspaceRequestSchema, workspaceUpdateSchema } from '@switchboard/core';
import type { DB } from '../store/schema.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { Principal } from '../http/auth.js';
import { forbidden } from '../http/errors.js';
import { item, page } from '../http/envelope.js';
import { defineRoute, type RouteDefinition } from '../http/route.js';
import { workspacesService } from '../workspaces/workspaces-service.js';
import { schemas } from './schemas.js';

const tag = 'Workspaces';
const base = '/v1/workspaces';
const INSTANCE_ADMIN_ONLY = 'Only an instance administrator API key may manage workspaces';
const ADMIN_ERRORS = { 403: 'The API key is not an instance administrator key' };

function requireInstanceAdmin(principal: Principal): void {
  if (!principal.instanceAdmin) throw forbidden(INSTANCE_ADMIN_ONLY);
}

/** Keys: an instance administrator key for any workspace, or a console session (admin or owner) for its own. */
function requireKeyManager(principal: Principal, workspaceId: string): void {
  if (principal.via === 'session' && principal.workspaceId === workspaceId) return;
  requireInstanceAdmin(principal);
}

/**
 * `/v1/workspaces`: the tenants of this installation and their keys. Only an instance
 * administrator key (the first admin key, or one made by `switchboard keys create --instance-admin`) may call them.
 */
export function workspaceRoutes(db: Kysely<DB>, box: SecretBox): RouteDefinition[] {
  const workspaces = workspacesService(db, box);
  return [
    defineRoute({
      method: 'POST',
      url: base,
      tag,
      summary: 'Create a workspace',
      description: "Creates a workspace and its first admin API key. The key is in this answer only (`apiKey.key`): store it now.",
      body: { name: 'WorkspaceRequest', schema: workspaceRequestSchema },
      response: { status: 201, description: 'The workspace and its first admin key', schema: schemas.createdWorkspace },
      errors: ADMIN_ERRORS,
      handler: async ({ body, principal }) => {
        requireInstanceAdmin(principal);
        return item(await workspaces.create(body.name), 201);
      },
    }),
    defineRoute({
      method: 'GET',
      url: base,
      tag,
      summary: 'List workspaces',
      query: paginationQuerySchema,
      response: { description: 'One page of workspaces, oldest first', schema: schemas.workspace, list: true },
      errors: ADMIN_ERRORS,
      handler: async ({ query, principal }) => {
        requireInstanceAdmin(principal);
        return page(await workspaces.list(query.page, query.pageSize));
      },
    }),
    defineRoute({
      method: 'GET',
      url: `${base}/:id`,
      tag,
      summary: 'Get a workspace',
      params: { id: idSchema },
      response: { description: 'The workspace', schema: schemas.workspace },
      errors: { ...ADMIN_ERRORS, 404: 'Workspace not found' },
      handler: async ({ params, principal }) => {
        requireInstanceAdmin(principal);
        return item(await workspaces.get(params.id));
      },
    }),
    defineRoute({
      method: 'PATCH',
      url: `${base}/:id`,
      tag,
      summary: 'Rename, suspend or resume a workspace',
      description:
        "`status: 'suspended'` refuses the workspace's API keys and widget tokens with 403 on every node from the next request; " +
        "`status: 'active'` resumes it. The workspace of the calling key cannot be suspended through it.",
      params: { id: idSchema },
      body: { name: 'WorkspaceUpdateRequest', schema: workspaceUpdateSchema },
      response: { description: 'The updated workspace', schema: schemas.workspace },
      errors: { ...ADMIN_ERRORS, 404: 'Workspace not found', 409: "Suspending the calling key's own workspace" },
      handler: async ({ params, body, principal }) => {
        requireInstanceAdmin(principal);
        return item(await workspaces.update(params.id, body, principal.workspaceId));
      },
    }),
    defineRoute({
      method: 'POST',
      url: `${base}/:id/keys`,
      tag,
      summary: 'Create an API key in a workspace',
      description: "`scope: 'read'` makes a key that can only read (GET). The key is in this answer only.",
      params: { id: idSchema },
      body: { name: 'ApiKeyRequest', schema: apiKeyRequestSchema },
      response: { status: 201, description: 'The key, shown once', schema: schemas.issuedApiKey },
      errors: { ...ADMIN_ERRORS, 404: 'Workspace not found' },
      handler: async ({ params, body, principal }) => {
        requireKeyManager(principal, params.id);
        return item(await workspaces.createKey(params.id, body), 201);
      },
    }),
    defineRoute({
      method: 'GET',
      url: `${base}/:id/keys`,
      tag,
      summary: "List a workspace's API keys",
      params: { id: idSchema },
      query: paginationQuerySchema,
      response: { description: 'One page of keys, oldest first: ids and prefixes, never the keys', schema: schemas.apiKey, list: true },
      errors: { ...ADMIN_ERRORS, 404: 'Workspace not found' },
      handler: async ({ params, query, principal }) => {
        requireKeyManager(principal, params.id);
        return page(await workspaces.listKeys(params.id, query.page, query.pageSize));
      },
    }),
    defineRoute({
      method: 'POST',
      url: `${base}/:id/keys/:keyId/revoke`,
      tag,
      summary: 'Revoke an API key of a workspace',
      description: 'The next request made with the key answers 401.',
      params: { id: idSchema, keyId: idSchema },
      response: { description: 'The revoked key', schema: schemas.apiKey },
      errors: { ...ADMIN_ERRORS, 404: 'Workspace or API key not found' },
      handler: async ({ params, principal }) => {
        requireKeyManager(principal, params.id);
        return item(await workspaces.revokeKey(params.id, params.keyId));
      },
    }),
  ];
}

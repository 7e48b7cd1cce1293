import {
  apiKeyRequestSchema,
  workspaceRequestSchema,
  workspaceUpdateSchema,
  type ApiKey,
  type ApiKeyRequest,
  type CreatedWorkspace,
  type IssuedApiKey,
  type PaginatedResult,
  type Workspace,
  type WorkspaceRequest,
  type WorkspaceUpdateRequest,
} from '@switchboard/core';
import { apiPath, type HttpClient } from '../http.js';
import { paginationQuery, type PaginationParams } from '../pagination.js';
import { assertValid, requireId } from '../validation.js';

/**
 * Workspaces: the tenants of a Switchboard installation, each with its own resources and API
 * keys. Every method needs an instance administrator key (the first admin key of the
 * installation, or one made by `switchboard keys create --instance-admin`); any other key gets
 * an APIError with status 403.
 */
export class WorkspacesResource {
  readonly #http: HttpClient;

  constructor(http: HttpClient) {
    this.#http = http;
  }

  /**
   * Creates a workspace and its first admin API key. `apiKey.key` is the only time the key is
   * shown: store it now.
   * @throws ValidationError before sending when a rule is broken.
   */
  async create(request: WorkspaceRequest): Promise<CreatedWorkspace> {
    assertValid(workspaceRequestSchema, request);
    return this.#http.request({ method: 'POST', path: '/workspaces', body: request });
  }

  /** Lists workspaces one page at a time, oldest first. */
  async list(params?: PaginationParams): Promise<PaginatedResult<Workspace>> {
    return this.#http.requestPage({ method: 'GET', path: '/workspaces', query: paginationQuery(params) });
  }

  /** Fetches a workspace. @throws NotFoundError when it does not exist. */
  async get(id: string): Promise<Workspace> {
    requireId(id);
    return this.#http.request({ method: 'GET', path: apiPath`/workspaces/${id}` });
  }

  /**
   * Renames (`name`), suspends (`status: 'suspended'`) or resumes (`status: 'active'`) a
   * workspace. A suspended workspace's API keys and widget tokens answer 403.
   * @throws ValidationError before sending when a rule is broken.
   * @throws NotFoundError when the workspace does not exist.
   * @throws ConflictError when suspending the workspace of the key making the call.
   */
  async update(id: string, request: WorkspaceUpdateRequest): Promise<Workspace> {
    requireId(id);
    assertValid(workspaceUpdateSchema, request);
    return this.#http.request({ method: 'PATCH', path: apiPath`/workspaces/${id}`, body: request });
  }

  /** Suspends a workspace: `update(id, { status: 'suspended' })`. */
  async suspend(id: string): Promise<Workspace> {
    return this.update(id, { status: 'suspended' });
  }

  /** Resumes a suspended workspace: `update(id, { status: 'active' })`. */
  async resume(id: string): Promise<Workspace> {
    return this.update(id, { status: 'active' });
  }

  /**
   * Creates an API key in workspace `id`: `scope` `admin` (default) or `read` (GET only).
   * The result's `key` is the only time the key is shown.
   */
  async createKey(id: string, request: ApiKeyRequest = {}): Promise<IssuedApiKey> {
    requireId(id);
    assertValid(apiKeyRequestSchema, request);
    return this.#http.request({ method: 'POST', path: apiPath`/workspaces/${id}/keys`, body: request });
  }

  /** Lists the API keys of workspace `id` (ids and prefixes, never the keys), oldest first. */
  async listKeys(id: string, params?: PaginationParams): Promise<PaginatedResult<ApiKey>> {
    requireId(id);
    return this.#http.requestPage({ method: 'GET', path: apiPath`/workspaces/${id}/keys`, query: paginationQuery(params) });
  }

  /** Revokes API key `keyId` of workspace `id`: its next request answers 401. */
  async revokeKey(id: string, keyId: string): Promise<ApiKey> {
    requireId(id);
    requireId(keyId, 'keyId');
    return this.#http.request({ method: 'POST', path: apiPath`/workspaces/${id}/keys/${keyId}/revoke` });
  }
}

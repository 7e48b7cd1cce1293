import {
  secretRequestSchema,
  secretUpdateSchema,
  type PaginatedResult,
  type Secret,
  type SecretRequest,
  type SecretUpdateRequest,
} from '@switchboard/core';
import { ValidationError } from '../errors.js';
import { apiPath, type HttpClient } from '../http.js';
import { paginationQuery, type PaginationParams } from '../pagination.js';
import { assertValid, requireId } from '../validation.js';

/**
 * Secrets: credentials (auth tokens, API keys, passwords) stored encrypted in the workspace.
 * Connections name them by id. A secret's value is write-only: it is never returned, by any
 * method; reads show a `mask` and a `fingerprint` that tells two values apart.
 */
export class SecretsResource {
  readonly #http: HttpClient;

  constructor(http: HttpClient) {
    this.#http = http;
  }

  /**
   * Stores a secret under a name unique in the workspace (1-100 letters, digits, `_`, `.` or `-`).
   * The value is write-only and never returned: the result shows only its mask and fingerprint.
   * @throws ValidationError before sending when a rule is broken.
   * @throws ConflictError when a secret with this name exists.
   */
  async create(request: SecretRequest): Promise<Secret> {
    assertValid(secretRequestSchema, request);
    return this.#http.request({ method: 'POST', path: '/secrets', body: request });
  }

  /** Lists secrets one page at a time, masked. */
  async list(params?: PaginationParams): Promise<PaginatedResult<Secret>> {
    return this.#http.requestPage({ method: 'GET', path: '/secrets', query: paginationQuery(params) });
  }

  /** Fetches a secret by id, masked (the value is never returned). @throws NotFoundError when it does not exist. */
  async get(id: string): Promise<Secret> {
    requireId(id);
    return this.#http.request({ method: 'GET', path: apiPath`/secrets/${id}` });
  }

  /**
   * Replaces the value of secret `id`; its name stays. Connections that use it see the new
   * value on their next request. The result shows the new mask and fingerprint, never the value.
   * @throws ValidationError before sending when a rule is broken.
   * @throws NotFoundError when the secret does not exist.
   */
  async update(id: string, request: SecretUpdateRequest): Promise<Secret> {
    requireId(id);
    assertValid(secretUpdateSchema, request);
    if (request.id !== undefined && request.id !== id) {
      throw new ValidationError([{ field: 'id', message: `must match the id argument (${id})` }]);
    }
    return this.#http.request({ method: 'PUT', path: apiPath`/secrets/${id}`, body: request });
  }

  /**
   * Deletes a secret. @returns true once deleted.
   * @throws ConflictError while a connection still uses it: change that connection's credentials first.
   */
  async delete(id: string): Promise<boolean> {
    requireId(id);
    const deleted = await this.#http.request<boolean | undefined>({ method: 'DELETE', path: apiPath`/secrets/${id}` });
    return deleted !== false;
  }
}

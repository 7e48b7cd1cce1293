import {
  connectionRequestSchema,
  connectionUpdateSchema,
  type Connection,
  type ConnectionRequest,
  type ConnectionUpdateRequest,
  type PaginatedResult,
} from '@switchboard/core';
import { ValidationError } from '../errors.js';
import { apiPath, type HttpClient } from '../http.js';
import { paginationQuery, type PaginationParams } from '../pagination.js';
import { assertValid, requireId } from '../validation.js';

/**
 * Connections: a workspace's account with a provider (Twilio, Meta, LINE, an SMTP server…).
 * Channels send and receive through them. Non-secret settings are stored as given; credentials
 * name workspace secrets by id and are shown masked.
 */
export class ConnectionsResource {
  readonly #http: HttpClient;

  constructor(http: HttpClient) {
    this.#http = http;
  }

  /**
   * Connects a provider. `settings` are the provider's own (Twilio's `accountSid`, say) and
   * `credentials` map each credential field to the id of the secret holding it, e.g.
   * `{ authToken: 'sec_…' }`; `apiBaseUrl` overrides the provider's API endpoint.
   *
   * The result gives the `inboundUrl` and `inboundSecret` to paste into the provider's console,
   * and `setup` says where. Credentials are shown as the secret's id, mask and fingerprint.
   * @throws ValidationError before sending when a rule is broken.
   * @throws APIError (400) when the provider's settings or required credentials are missing or wrong;
   *   `details` names the fields, e.g. `credentials.authToken`.
   * @throws NotFoundError when a credential names a secret that does not exist.
   */
  async create(request: ConnectionRequest): Promise<Connection> {
    assertValid(connectionRequestSchema, request);
    return this.#http.request({ method: 'POST', path: '/connections', body: request });
  }

  /** Lists connections one page at a time; credentials are masked. */
  async list(params?: PaginationParams): Promise<PaginatedResult<Connection>> {
    return this.#http.requestPage({ method: 'GET', path: '/connections', query: paginationQuery(params) });
  }

  /** Fetches a connection by id; credentials are masked. @throws NotFoundError when it does not exist. */
  async get(id: string): Promise<Connection> {
    requireId(id);
    return this.#http.request({ method: 'GET', path: apiPath`/connections/${id}` });
  }

  /**
   * Changes the given fields of connection `id`; fields left out keep their values. `settings`
   * and `credentials`, when sent, replace the whole object; `apiBaseUrl: null` restores the
   * provider's default endpoint.
   * @throws ValidationError before sending when a rule is broken.
   * @throws NotFoundError when the connection, or a secret a credential names, does not exist.
   */
  async update(id: string, request: ConnectionUpdateRequest): Promise<Connection> {
    requireId(id);
    assertValid(connectionUpdateSchema, request);
    if (request.id !== undefined && request.id !== id) {
      throw new ValidationError([{ field: 'id', message: `must match the id argument (${id})` }]);
    }
    return this.#http.request({ method: 'PATCH', path: apiPath`/connections/${id}`, body: request });
  }

  /**
   * Issues a new `inboundSecret` for connection `id`. The old one stops verifying at once:
   * paste the new one into the provider's console right after.
   * @throws NotFoundError when the connection does not exist.
   */
  async rotateInboundSecret(id: string): Promise<Connection> {
    requireId(id);
    return this.#http.request({ method: 'POST', path: apiPath`/connections/${id}/rotate-inbound-secret` });
  }

  /**
   * Deletes a connection (the secrets it names are kept). @returns true once deleted.
   * @throws ConflictError while channels or phone configurations still use it.
   */
  async delete(id: string): Promise<boolean> {
    requireId(id);
    const deleted = await this.#http.request<boolean | undefined>({ method: 'DELETE', path: apiPath`/connections/${id}` });
    return deleted !== false;
  }
}

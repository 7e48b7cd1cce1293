import {
  webDeploymentRequestSchema,
  webDeploymentUpdateSchema,
  type EmbedSnippet,
  type IssuedWebDeployment,
  type PaginatedResult,
  type WebDeployment,
  type WebDeploymentRequest,
  type WebDeploymentUpdateRequest,
} from '@switchboard/core';
import { ValidationError } from '../errors.js';
import { apiPath, type HttpClient } from '../http.js';
import { paginationQuery, type PaginationParams } from '../pagination.js';
import { assertValid, requireId } from '../validation.js';

/**
 * Web deployments: an agent deployed as an embeddable web widget. Each one holds a `cdp_…`
 * token that the widget sends to the public runtime API, the exact browser origins allowed
 * to use it, and the widget's theme.
 */
export class WebDeploymentsResource {
  readonly #http: HttpClient;

  constructor(http: HttpClient) {
    this.#http = http;
  }

  /**
   * Deploys agent `agentId` as a web widget and issues its token. The web channel is the one
   * named by `deploymentChannelId`, the one described by `channel`, or one created from the
   * first allowed origin. Allowed origins are exact: `scheme://host[:port]`, no path or trailing slash.
   *
   * The result's `token` (`cdp_…`) and `embedSnippet` (which carries the token) are shown
   * **only in this response**: store them now. Later reads show only `tokenPrefix`;
   * a lost token can only be replaced with {@link rotate}.
   * @throws ValidationError before sending when a rule is broken.
   * @throws NotFoundError when the agent (or the given channel) does not exist.
   */
  async create(agentId: string, request: WebDeploymentRequest): Promise<IssuedWebDeployment> {
    requireId(agentId, 'agentId');
    assertValid(webDeploymentRequestSchema, request);
    return this.#http.request({ method: 'POST', path: apiPath`/agents/${agentId}/deployments`, body: request });
  }

  /** Lists the web deployments of agent `agentId` one page at a time (tokens are never included). */
  async list(agentId: string, params?: PaginationParams): Promise<PaginatedResult<WebDeployment>> {
    requireId(agentId, 'agentId');
    return this.#http.requestPage({
      method: 'GET',
      path: apiPath`/agents/${agentId}/deployments`,
      query: paginationQuery(params),
    });
  }

  /** Fetches web deployment `id` of agent `agentId` (without its token). @throws NotFoundError when it does not exist. */
  async get(agentId: string, id: string): Promise<WebDeployment> {
    requireId(agentId, 'agentId');
    requireId(id);
    return this.#http.request({ method: 'GET', path: apiPath`/agents/${agentId}/deployments/${id}` });
  }

  /**
   * Changes the name, allowed origins or theme of web deployment `id`; fields left out keep
   * their values. `allowedOrigins` and `theme` replace the whole list / theme. Widgets pick up
   * theme changes on their next page load.
   * @throws ValidationError before sending when a rule is broken (e.g. an origin with a trailing slash).
   */
  async update(agentId: string, id: string, request: WebDeploymentUpdateRequest): Promise<WebDeployment> {
    requireId(agentId, 'agentId');
    requireId(id);
    assertValid(webDeploymentUpdateSchema, request);
    if (request.id !== undefined && request.id !== id) {
      throw new ValidationError([{ field: 'id', message: `must match the id argument (${id})` }]);
    }
    return this.#http.request({ method: 'PATCH', path: apiPath`/agents/${agentId}/deployments/${id}`, body: request });
  }

  /** Revokes web deployment `id`: its token stops working on the very next request. Sets `revokedAt`. */
  async revoke(agentId: string, id: string): Promise<WebDeployment> {
    requireId(agentId, 'agentId');
    requireId(id);
    return this.#http.request({ method: 'POST', path: apiPath`/agents/${agentId}/deployments/${id}/revoke` });
  }

  /**
   * Issues a new token for web deployment `id` and revokes the old one at once. Like
   * {@link create}, the result's `token` and `embedSnippet` are shown only in this response.
   * @throws ConflictError when the deployment is revoked.
   */
  async rotate(agentId: string, id: string): Promise<IssuedWebDeployment> {
    requireId(agentId, 'agentId');
    requireId(id);
    return this.#http.request({ method: 'POST', path: apiPath`/agents/${agentId}/deployments/${id}/rotate` });
  }

  /**
   * The embed snippet of web deployment `id`, with the loader and API URLs it uses. The token
   * is not stored, so this snippet names it by its prefix; paste in the token shown at creation
   * (or after {@link rotate}).
   */
  async embedSnippet(agentId: string, id: string): Promise<EmbedSnippet> {
    requireId(agentId, 'agentId');
    requireId(id);
    return this.#http.request({ method: 'GET', path: apiPath`/agents/${agentId}/deployments/${id}/embed-snippet` });
  }
}

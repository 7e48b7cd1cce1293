import {
  attachmentSettingsSchema,
  type AttachmentSettings,
  type AttachmentSettingsRequest,
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

/** Whether a web deployment verifies the identities its widget's `identify` call claims. */
export interface IdentitySecretStatus {
  /** True when `identify` needs a valid `userHash`. */
  enabled: boolean;
  createdAt: number | null;
  /** Tells two secrets apart without revealing them. */
  fingerprint: string | null;
}

/** A newly issued identity secret: `identitySecret` is in this answer only. */
export interface IssuedIdentitySecret extends IdentitySecretStatus {
  identitySecret: string;
}

/**
 * Web deployments: an agent deployed as an embeddable web widget. Each one holds a `cdp_…`
 * token that the widget sends to the public runtime API, the exact browser origins allowed
 * to use it, the widget's theme, and the pre-chat form (`preChatForm`) the widget asks before
 * a chat starts, whose answers are stored on the visitor's contact.
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
   * their values. `allowedOrigins`, `theme` and `preChatForm` replace the whole list / theme /
   * form (`preChatForm: null` removes the form). Widgets pick up changes on their next page load.
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
   * Issues an identity secret for web deployment `id`, replacing any other at once. From then
   * on the widget's `identify` links a visitor to a `userId` only with its `userHash` (see
   * {@link userHash}) and refuses anything else; browsers linked under the old secret must
   * identify again. `identitySecret` is shown **only in this response**: keep it on your server.
   */
  async issueIdentitySecret(agentId: string, id: string): Promise<IssuedIdentitySecret> {
    requireId(agentId, 'agentId');
    requireId(id);
    return this.#http.request({ method: 'POST', path: apiPath`/agents/${agentId}/deployments/${id}/identity-secret` });
  }

  /** Whether web deployment `id` verifies identities, since when, and the secret's fingerprint (never the secret). */
  async identitySecret(agentId: string, id: string): Promise<IdentitySecretStatus> {
    requireId(agentId, 'agentId');
    requireId(id);
    return this.#http.request({ method: 'GET', path: apiPath`/agents/${agentId}/deployments/${id}/identity-secret` });
  }

  /** Removes the identity secret: `identify` then stores name, email and attributes only and links no user id. */
  async removeIdentitySecret(agentId: string, id: string): Promise<IdentitySecretStatus> {
    requireId(agentId, 'agentId');
    requireId(id);
    return this.#http.request({ method: 'DELETE', path: apiPath`/agents/${agentId}/deployments/${id}/identity-secret` });
  }

  /** What files visitors of web deployment `id` may send: on or off, the largest size in bytes, the media types (`image/*` for every image). */
  async attachmentSettings(agentId: string, id: string): Promise<AttachmentSettings> {
    requireId(agentId, 'agentId');
    requireId(id);
    return this.#http.request({ method: 'GET', path: apiPath`/agents/${agentId}/deployments/${id}/attachment-settings` });
  }

  /**
   * Replaces the upload rules of web deployment `id`; omitted fields take their defaults (on,
   * 10 MiB, PNG, JPEG, GIF, WebP, PDF and plain text). `maxBytes` is at most 25 MiB.
   * @throws ValidationError before sending when a rule is broken.
   */
  async setAttachmentSettings(agentId: string, id: string, settings: AttachmentSettingsRequest): Promise<AttachmentSettings> {
    requireId(agentId, 'agentId');
    requireId(id);
    assertValid(attachmentSettingsSchema, settings);
    return this.#http.request({ method: 'PUT', path: apiPath`/agents/${agentId}/deployments/${id}/attachment-settings`, body: settings });
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

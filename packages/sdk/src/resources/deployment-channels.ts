import {
  channelListQuerySchema,
  channelTypeRules,
  deploymentChannelRequestSchema,
  deploymentChannelUpdateSchema,
  parseDeploymentType,
  type DeploymentChannel,
  type DeploymentChannelRequest,
  type DeploymentChannelUpdateRequest,
  type DeploymentType,
  type PaginatedResult,
} from '@switchboard/core';
import { ValidationError } from '../errors.js';
import { apiPath, type HttpClient } from '../http.js';
import { paginationQuery, type ChannelListParams } from '../pagination.js';
import { assertValid, findIssues, requireId, splitUpdate } from '../validation.js';

/** A deployment type given as the enum or as its wire value, e.g. `DeploymentType.WEB` or `'web'`. */
export type DeploymentTypeValue = DeploymentType | `${DeploymentType}`;

/** Fields to change on a channel, identified by `id`. */
export type UpdateDeploymentChannelRequest = DeploymentChannelUpdateRequest & { id: string };

export interface DeleteDeploymentChannelOptions {
  /** Also delete the phone configuration the channel uses (phone and SMS channels). */
  deletePhoneConfig?: boolean;
}

/** Deployment channels: the phone numbers, websites and apps through which agents are reached. */
export class DeploymentChannelsResource {
  readonly #http: HttpClient;

  constructor(http: HttpClient) {
    this.#http = http;
  }

  /**
   * Creates a channel. The identifier must fit the type: E.164 for calls/SMS
   * (`+12025551234`), an http(s) URL for web, a reverse-DNS package name for mobile.
   * @throws ValidationError before sending when a rule is broken.
   */
  async create(request: DeploymentChannelRequest): Promise<DeploymentChannel> {
    assertValid(deploymentChannelRequestSchema, request);
    return this.#http.request({ method: 'POST', path: '/deployment-channels', body: request });
  }

  /** Fetches a channel by id. @throws NotFoundError when it does not exist. */
  async get(id: string): Promise<DeploymentChannel> {
    requireId(id);
    return this.#http.request({ method: 'GET', path: apiPath`/deployment-channels/${id}` });
  }

  /** Finds a channel by its identifier (phone number, URL or package name), optionally narrowed to one type. */
  async getByIdentifier(identifier: string, type?: DeploymentTypeValue): Promise<DeploymentChannel> {
    requireId(identifier, 'identifier');
    return this.#http.request({
      method: 'GET',
      path: apiPath`/deployment-channels/by-identifier/${identifier}`,
      query: { type },
    });
  }

  /** Lists channels one page at a time. */
  async list(params?: ChannelListParams): Promise<PaginatedResult<DeploymentChannel>> {
    return this.#http.requestPage({ method: 'GET', path: '/deployment-channels', query: paginationQuery(params, channelListQuerySchema) });
  }

  /** Lists the channels of one type. */
  async listByType(type: DeploymentTypeValue, params?: ChannelListParams): Promise<PaginatedResult<DeploymentChannel>> {
    requireId(type, 'type');
    return this.#http.requestPage({
      method: 'GET',
      path: apiPath`/deployment-channels/by-type/${type}`,
      query: paginationQuery(params, channelListQuerySchema),
    });
  }

  /** Changes the given fields of channel `id`; fields left out keep their values. */
  async update(request: UpdateDeploymentChannelRequest): Promise<DeploymentChannel> {
    splitUpdate(deploymentChannelUpdateSchema, request);
    assertIdentifierFitsType(request);
    return this.#http.request({ method: 'PATCH', path: '/deployment-channels', body: request });
  }

  /**
   * Deletes a channel; with `deletePhoneConfig: true` its phone configuration goes too.
   * @returns true once deleted.
   */
  async delete(id: string, options: DeleteDeploymentChannelOptions = {}): Promise<boolean> {
    requireId(id);
    const deleted = await this.#http.request<boolean | undefined>({
      method: 'DELETE',
      path: apiPath`/deployment-channels/${id}`,
      query: { deletePhoneConfig: options.deletePhoneConfig === true ? 'true' : undefined },
    });
    return deleted !== false;
  }
}

/** When an update names both type and identifier, the identifier can be checked here already. */
function assertIdentifierFitsType(request: UpdateDeploymentChannelRequest): void {
  const { deploymentType, channelIdentifier } = request;
  if (typeof deploymentType !== 'string' || typeof channelIdentifier !== 'string') return;
  const type = parseDeploymentType(deploymentType);
  if (!type) return;
  const issues = findIssues(channelTypeRules[type].identifier, channelIdentifier);
  if (issues.length > 0) {
    throw new ValidationError(issues.map((issue) => ({ field: 'channelIdentifier', message: issue.message })));
  }
}

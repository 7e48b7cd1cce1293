import {
  channelSetupRequestSchema,
  deploymentConfigurationRequestSchema,
  deploymentConfigurationUpdateSchema,
  DeploymentStatus,
  type ChannelSetupRequest,
  type DeploymentChannel,
  type DeploymentConfiguration,
  type DeploymentConfigurationRequest,
  type DeploymentConfigurationUpdateRequest,
  type PaginatedResult,
} from '@switchboard/core';
import { apiPath, type HttpClient } from '../http.js';
import { paginationQuery, type PaginationParams } from '../pagination.js';
import { assertValid, requireId, splitUpdate } from '../validation.js';

/** Fields to change on deployment configuration `id`. */
export type UpdateDeploymentConfigurationRequest = DeploymentConfigurationUpdateRequest & { id: string };

/** What {@link DeploymentConfigurationsResource.setup} creates: the channel and the deployment binding it to the agent. */
export interface ChannelSetupResult {
  channel: DeploymentChannel;
  deployment: DeploymentConfiguration;
}

/** Deployment configurations: each binds one agent to one deployment channel. */
export class DeploymentConfigurationsResource {
  readonly #http: HttpClient;

  constructor(http: HttpClient) {
    this.#http = http;
  }

  /**
   * Binds an agent to an existing channel. Status starts as `pending` unless `active` is given.
   * @throws ValidationError before sending when a rule is broken.
   */
  async create(request: DeploymentConfigurationRequest): Promise<DeploymentConfiguration> {
    assertValid(deploymentConfigurationRequestSchema, request);
    return this.#http.request({ method: 'POST', path: '/deployment-configurations', body: request });
  }

  /** Fetches a deployment configuration by id. @throws NotFoundError when it does not exist. */
  async get(id: string): Promise<DeploymentConfiguration> {
    requireId(id);
    return this.#http.request({ method: 'GET', path: apiPath`/deployment-configurations/${id}` });
  }

  /** Fetches the deployment configuration of a channel (each channel has at most one). */
  async getByChannel(channelId: string): Promise<DeploymentConfiguration> {
    requireId(channelId, 'channelId');
    return this.#http.request({ method: 'GET', path: apiPath`/deployment-configurations/by-channel/${channelId}` });
  }

  /** Lists the deployment configurations of one agent. */
  async listByAgent(agentId: string, params?: PaginationParams): Promise<PaginatedResult<DeploymentConfiguration>> {
    requireId(agentId, 'agentId');
    return this.#http.requestPage({
      method: 'GET',
      path: apiPath`/deployment-configurations/by-agent/${agentId}`,
      query: paginationQuery(params),
    });
  }

  /** Lists deployment configurations one page at a time. */
  async list(params?: PaginationParams): Promise<PaginatedResult<DeploymentConfiguration>> {
    return this.#http.requestPage({ method: 'GET', path: '/deployment-configurations', query: paginationQuery(params) });
  }

  /**
   * Changes the given fields of deployment configuration `id`. Status changes must follow
   * pending → active ⇄ paused → archived; the server rejects others.
   */
  async update(request: UpdateDeploymentConfigurationRequest): Promise<DeploymentConfiguration> {
    const { id, fields } = splitUpdate(deploymentConfigurationUpdateSchema, request);
    return this.#http.request({ method: 'PATCH', path: apiPath`/deployment-configurations/${id}`, body: fields });
  }

  /** Sets status `active`: the agent starts answering on the channel. */
  async activate(id: string): Promise<DeploymentConfiguration> {
    return this.update({ id, status: DeploymentStatus.ACTIVE });
  }

  /** Sets status `paused`: the channel stops reaching the agent until activated again. */
  async pause(id: string): Promise<DeploymentConfiguration> {
    return this.update({ id, status: DeploymentStatus.PAUSED });
  }

  /** Sets status `archived`, which is final. Only a paused deployment can be archived. */
  async archive(id: string): Promise<DeploymentConfiguration> {
    return this.update({ id, status: DeploymentStatus.ARCHIVED });
  }

  /** Deletes a deployment configuration. @returns true once deleted. */
  async delete(id: string): Promise<boolean> {
    requireId(id);
    const deleted = await this.#http.request<boolean | undefined>({ method: 'DELETE', path: apiPath`/deployment-configurations/${id}` });
    return deleted !== false;
  }

  /**
   * Creates a channel and binds it to an agent in one step; the server keeps nothing if any part fails.
   * @throws ValidationError before sending when a rule is broken (channel rules included).
   */
  async setup(request: ChannelSetupRequest): Promise<ChannelSetupResult> {
    assertValid(channelSetupRequestSchema, request);
    return this.#http.request({ method: 'POST', path: '/deployment-configurations/setup', body: request });
  }
}

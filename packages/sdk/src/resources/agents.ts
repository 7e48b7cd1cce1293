import {
  agentRequestSchema,
  agentUpdateSchema,
  type Agent,
  type AgentRequest,
  type AgentUpdateRequest,
  type PaginatedResult,
} from '@switchboard/core';
import { apiPath, type HttpClient } from '../http.js';
import { paginationQuery, type PaginationParams } from '../pagination.js';
import { assertValid, requireId, splitUpdate } from '../validation.js';

/** Fields to change on agent `id`. */
export type UpdateAgentRequest = AgentUpdateRequest & { id: string };

/** Agents: what answers the conversations arriving on a deployment's channel. */
export class AgentsResource {
  readonly #http: HttpClient;

  constructor(http: HttpClient) {
    this.#http = http;
  }

  /**
   * Creates an agent. `backend` defaults to `{ type: 'echo' }` on the server.
   * @throws ValidationError before sending when a rule is broken.
   */
  async create(request: AgentRequest): Promise<Agent> {
    assertValid(agentRequestSchema, request);
    return this.#http.request({ method: 'POST', path: '/agents', body: request });
  }

  /** Fetches an agent by id. @throws NotFoundError when it does not exist. */
  async get(id: string): Promise<Agent> {
    requireId(id);
    return this.#http.request({ method: 'GET', path: apiPath`/agents/${id}` });
  }

  /** Lists agents one page at a time. */
  async list(params?: PaginationParams): Promise<PaginatedResult<Agent>> {
    return this.#http.requestPage({ method: 'GET', path: '/agents', query: paginationQuery(params) });
  }

  /** Changes the given fields of agent `id`; fields left out keep their values. */
  async update(request: UpdateAgentRequest): Promise<Agent> {
    const { id, fields } = splitUpdate(agentUpdateSchema, request);
    return this.#http.request({ method: 'PATCH', path: apiPath`/agents/${id}`, body: fields });
  }

  /** Deletes an agent. @returns true once deleted. */
  async delete(id: string): Promise<boolean> {
    requireId(id);
    const deleted = await this.#http.request<boolean | undefined>({ method: 'DELETE', path: apiPath`/agents/${id}` });
    return deleted !== false;
  }
}

import {
  agentRequestSchema,
  agentUpdateSchema,
  type Agent,
  type AgentBackendInput,
  type AgentRequest,
  type AgentUpdateRequest,
  type PaginatedResult,
} from '@switchboard/core';
import { apiPath, type HttpClient } from '../http.js';
import { paginationQuery, type PaginationParams } from '../pagination.js';
import { assertValid, requireId, splitUpdate } from '../validation.js';

/** `T` with its `type` discriminant given as the enum member or as its wire value. */
type WireTyped<T> = T extends { type: infer K extends string } ? Omit<T, 'type'> & { type: K | `${K}` } : never;

/**
 * The `backend` of an agent request: `echo`, `scripted`, `webhook` or `openai-compatible`.
 * `type` may be given as the enum or as its wire value, e.g. `AgentBackendType.WEBHOOK` or `'webhook'`.
 */
export type AgentBackendRequest = WireTyped<AgentBackendInput>;

/** A new agent. */
export type CreateAgentRequest = Omit<AgentRequest, 'backend'> & { backend?: AgentBackendRequest };

/** Fields to change on agent `id`. */
export type UpdateAgentRequest = Omit<AgentUpdateRequest, 'backend'> & { backend?: AgentBackendRequest; id: string };

/** Agents: what answers the conversations arriving on a deployment's channel. */
export class AgentsResource {
  readonly #http: HttpClient;

  constructor(http: HttpClient) {
    this.#http = http;
  }

  /**
   * Creates an agent. `backend` says who answers and defaults to `{ type: 'echo' }`:
   * - `echo` repeats the contact's message;
   * - `scripted` answers with the reply of the first matching keyword/regex rule, else `fallback`;
   * - `webhook` POSTs each message to `url`, signed with Standard Webhooks;
   * - `openai-compatible` streams chat completions from `baseUrl` with `instructions` as the system prompt.
   *
   * Secrets (`apiKey`, `secret`) are stored encrypted and never returned: `backend` shows them
   * as `{ mask, fingerprint }`. When a webhook backend is created without a `secret`, the server
   * generates one and returns it as `signingSecret` **in this response only**: store it now.
   * @throws ValidationError before sending when a rule is broken.
   */
  async create(request: CreateAgentRequest): Promise<Agent> {
    assertValid(agentRequestSchema, request);
    return this.#http.request({ method: 'POST', path: '/agents', body: request });
  }

  /** Fetches an agent by id; secrets in `backend` are masked. @throws NotFoundError when it does not exist. */
  async get(id: string): Promise<Agent> {
    requireId(id);
    return this.#http.request({ method: 'GET', path: apiPath`/agents/${id}` });
  }

  /** Lists agents one page at a time; secrets in `backend` are masked. */
  async list(params?: PaginationParams): Promise<PaginatedResult<Agent>> {
    return this.#http.requestPage({ method: 'GET', path: '/agents', query: paginationQuery(params) });
  }

  /**
   * Changes the given fields of agent `id`; fields left out keep their values. `backend`, when
   * sent, replaces the backend. Of the same type, leaving out `apiKey` (openai-compatible) or
   * `secret` (webhook) keeps the stored one, and `apiKey: null` removes the key; a stored API key
   * is kept only while `baseUrl` stays on the same origin. Switching to a webhook backend without
   * a `secret` generates one, returned once as `signingSecret`.
   */
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

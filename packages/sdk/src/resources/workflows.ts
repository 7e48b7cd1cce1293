import {
  channelWorkflowRequestSchema,
  workflowRequestSchema,
  workflowUpdateSchema,
  type PaginatedResult,
  type Workflow,
  type WorkflowRequest,
  type WorkflowUpdateRequest,
} from '@switchboard/core';
import { ValidationError } from '../errors.js';
import { apiPath, type HttpClient } from '../http.js';
import { paginationQuery, type PaginationParams } from '../pagination.js';
import { assertValid, requireId } from '../validation.js';

/**
 * Workflows: ordered routing rules plus a fallback. Attached to a deployment channel, a workflow
 * decides who takes each of its conversations: an agent (`{ agentId }`) or a team (`{ teamId }`).
 * Rules are tried in order and the first whose `when` holds chooses (every condition present
 * must hold; an empty `when` always does); when none holds, `fallback` chooses.
 */
export class WorkflowsResource {
  readonly #http: HttpClient;

  constructor(http: HttpClient) {
    this.#http = http;
  }

  /**
   * Creates a workflow. Conditions: `businessHours` (`timeZone` an IANA name; `days` `mon`…`sun`;
   * `start`/`end` as `HH:MM`, end excluded, an end before the start crossing midnight;
   * `inside: false` matches outside them), `keywords` (whole words or phrases, case-insensitive),
   * `regex` (flags `iu`), `languages` (primary subtags such as `en`) and `attribute` (`{ name, equals }`).
   * `rules` defaults to `[]`: everything goes to the fallback.
   * @throws ValidationError before sending when a rule is broken (an unknown time zone, a regex that
   *   does not compile, a target naming both or neither of `agentId` and `teamId`…); the issue's
   *   field says where, e.g. `rules.0.when.businessHours.timeZone`.
   * @throws NotFoundError when an agent or team named does not exist (`meta.field` says which, e.g. `fallback.teamId`).
   */
  async create(request: WorkflowRequest): Promise<Workflow> {
    assertValid(workflowRequestSchema, request);
    return this.#http.request({ method: 'POST', path: '/workflows', body: request });
  }

  /** Lists workflows one page at a time, oldest first. */
  async list(params?: PaginationParams): Promise<PaginatedResult<Workflow>> {
    return this.#http.requestPage({ method: 'GET', path: '/workflows', query: paginationQuery(params) });
  }

  /** Fetches a workflow by id. @throws NotFoundError when it does not exist. */
  async get(id: string): Promise<Workflow> {
    requireId(id);
    return this.#http.request({ method: 'GET', path: apiPath`/workflows/${id}` });
  }

  /**
   * Changes the given fields of workflow `id`; fields left out keep their values. `rules`, when
   * sent, replaces every rule. Channels the workflow is attached to route by the new version at once.
   * @throws ValidationError before sending when a rule is broken.
   * @throws NotFoundError when the workflow, or an agent or team it names, does not exist.
   */
  async update(id: string, request: WorkflowUpdateRequest): Promise<Workflow> {
    requireId(id);
    assertValid(workflowUpdateSchema, request);
    if (request.id !== undefined && request.id !== id) {
      throw new ValidationError([{ field: 'id', message: `must match the id argument (${id})` }]);
    }
    return this.#http.request({ method: 'PATCH', path: apiPath`/workflows/${id}`, body: request });
  }

  /**
   * Deletes a workflow. @returns true once deleted.
   * @throws ConflictError while it is attached to a channel (`meta.channelIds`): {@link detach} it first.
   */
  async delete(id: string): Promise<boolean> {
    requireId(id);
    const deleted = await this.#http.request<boolean | undefined>({ method: 'DELETE', path: apiPath`/workflows/${id}` });
    return deleted !== false;
  }

  /**
   * Attaches workflow `workflowId` to deployment channel `channelId`, replacing the one it had.
   * The channel's conversations are routed by it from their next message.
   * @returns the workflow now attached.
   * @throws NotFoundError when the channel or the workflow does not exist.
   */
  async attach(channelId: string, workflowId: string): Promise<Workflow> {
    requireId(channelId, 'channelId');
    const body = { workflowId };
    assertValid(channelWorkflowRequestSchema, body);
    return this.#http.request({ method: 'PUT', path: apiPath`/deployment-channels/${channelId}/workflow`, body });
  }

  /**
   * Detaches the workflow from deployment channel `channelId`: its conversations go to the
   * channel's agent again. @returns true once detached.
   * @throws NotFoundError when the channel does not exist or has no workflow.
   */
  async detach(channelId: string): Promise<boolean> {
    requireId(channelId, 'channelId');
    const detached = await this.#http.request<boolean | undefined>({ method: 'DELETE', path: apiPath`/deployment-channels/${channelId}/workflow` });
    return detached !== false;
  }

  /**
   * The workflow attached to deployment channel `channelId`.
   * @throws NotFoundError when the channel does not exist or has no workflow.
   */
  async forChannel(channelId: string): Promise<Workflow> {
    requireId(channelId, 'channelId');
    return this.#http.request({ method: 'GET', path: apiPath`/deployment-channels/${channelId}/workflow` });
  }
}

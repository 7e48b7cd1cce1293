import {
  channelTeamsRequestSchema,
  teamMemberRequestSchema,
  teamObserverRequestSchema,
  teamRequestSchema,
  teamUpdateSchema,
  type PaginatedResult,
  type Team,
  type TeamMember,
  type TeamMemberRequest,
  type TeamObserver,
  type TeamObserverRequest,
  type TeamRequest,
  type TeamUpdateRequest,
} from '@switchboard/core';
import { ValidationError } from '../errors.js';
import { apiPath, type HttpClient } from '../http.js';
import { paginationQuery, type PaginationParams } from '../pagination.js';
import { assertValid, requireId } from '../validation.js';

/**
 * Teams: groups of people that conversations are handed to. Members answer handed-off
 * conversations (see `client.conversations.handoff`); observers watch without answering.
 * Emails are stored lower-case and appear once among a team's members (and once among its observers).
 */
export class TeamsResource {
  readonly #http: HttpClient;

  constructor(http: HttpClient) {
    this.#http = http;
  }

  /**
   * Creates a team, without members or observers yet ({@link addMember}, {@link addObserver}).
   * `helpdeskConnectionId`, when set, names a zendesk, servicenow, genesys or webhook connection
   * of this workspace that takes the team's handoffs.
   * @throws ValidationError before sending when a rule is broken.
   * @throws NotFoundError when the helpdesk connection does not exist (`meta.field` is `helpdeskConnectionId`).
   * @throws APIError (400) when that connection's provider cannot take handoffs.
   */
  async create(request: TeamRequest): Promise<Team> {
    assertValid(teamRequestSchema, request);
    return this.#http.request({ method: 'POST', path: '/teams', body: request });
  }

  /** Lists teams one page at a time, oldest first, with their members and observers. */
  async list(params?: PaginationParams): Promise<PaginatedResult<Team>> {
    return this.#http.requestPage({ method: 'GET', path: '/teams', query: paginationQuery(params) });
  }

  /** Fetches a team with its members and observers. @throws NotFoundError when it does not exist. */
  async get(id: string): Promise<Team> {
    requireId(id);
    return this.#http.request({ method: 'GET', path: apiPath`/teams/${id}` });
  }

  /**
   * Changes the given fields of team `id`; fields left out keep their values, and `null` clears
   * `description` or `helpdeskConnectionId`. Members and observers are changed with their own methods.
   * @throws ValidationError before sending when a rule is broken.
   * @throws NotFoundError when the team, or the helpdesk connection named, does not exist.
   */
  async update(id: string, request: TeamUpdateRequest): Promise<Team> {
    requireId(id);
    assertValid(teamUpdateSchema, request);
    assertSameId(request.id, id);
    return this.#http.request({ method: 'PATCH', path: apiPath`/teams/${id}`, body: request });
  }

  /**
   * Deletes a team with its members and observers. @returns true once deleted.
   * @throws ConflictError while a channel lists the team as assignable or a workflow routes to it;
   *   `meta.channelIds` and `meta.workflowIds` name them.
   */
  async delete(id: string): Promise<boolean> {
    requireId(id);
    const deleted = await this.#http.request<boolean | undefined>({ method: 'DELETE', path: apiPath`/teams/${id}` });
    return deleted !== false;
  }

  /**
   * Adds a person who answers the conversations handed to team `teamId`. `role` is `agent`
   * (the default), `supervisor` or `admin`; the email is stored lower-case.
   * @throws ValidationError before sending when a rule is broken (e.g. an email without a dotted domain).
   * @throws ConflictError when the email is already a member of the team, whatever its case.
   */
  async addMember(teamId: string, request: TeamMemberRequest): Promise<TeamMember> {
    requireId(teamId, 'teamId');
    assertValid(teamMemberRequestSchema, request);
    return this.#http.request({ method: 'POST', path: apiPath`/teams/${teamId}/members`, body: request });
  }

  /** Removes member `memberId` from team `teamId`. @returns true once removed. @throws NotFoundError when either does not exist. */
  async removeMember(teamId: string, memberId: string): Promise<boolean> {
    requireId(teamId, 'teamId');
    requireId(memberId, 'memberId');
    const removed = await this.#http.request<boolean | undefined>({ method: 'DELETE', path: apiPath`/teams/${teamId}/members/${memberId}` });
    return removed !== false;
  }

  /**
   * Adds a person who watches team `teamId`'s conversations without answering them. A member
   * of the team may observe it too.
   * @throws ValidationError before sending when a rule is broken.
   * @throws ConflictError when the email is already an observer of the team.
   */
  async addObserver(teamId: string, request: TeamObserverRequest): Promise<TeamObserver> {
    requireId(teamId, 'teamId');
    assertValid(teamObserverRequestSchema, request);
    return this.#http.request({ method: 'POST', path: apiPath`/teams/${teamId}/observers`, body: request });
  }

  /** Lists the observers of team `teamId` one page at a time, oldest first. @throws NotFoundError when the team does not exist. */
  async listObservers(teamId: string, params?: PaginationParams): Promise<PaginatedResult<TeamObserver>> {
    requireId(teamId, 'teamId');
    return this.#http.requestPage({ method: 'GET', path: apiPath`/teams/${teamId}/observers`, query: paginationQuery(params) });
  }

  /**
   * Removes observer `observerId` from team `teamId`. @returns true once removed.
   * @throws NotFoundError when either does not exist (a member's id is not an observer's).
   */
  async removeObserver(teamId: string, observerId: string): Promise<boolean> {
    requireId(teamId, 'teamId');
    requireId(observerId, 'observerId');
    const removed = await this.#http.request<boolean | undefined>({ method: 'DELETE', path: apiPath`/teams/${teamId}/observers/${observerId}` });
    return removed !== false;
  }

  /**
   * Replaces the teams that conversations of deployment channel `channelId` may be assigned to
   * (at most 100, duplicates ignored; `[]` clears them). A handoff without a team goes to the
   * first of them. @returns every team now assignable to the channel, oldest first.
   * @throws ValidationError before sending when a rule is broken.
   * @throws NotFoundError when the channel or a team does not exist (`meta.field` is `teamIds.N`); nothing changes then.
   */
  async setChannelTeams(channelId: string, teamIds: string[]): Promise<Team[]> {
    requireId(channelId, 'channelId');
    const body = { teamIds };
    assertValid(channelTeamsRequestSchema, body);
    return this.#http.request({ method: 'PUT', path: apiPath`/deployment-channels/${channelId}/teams`, body });
  }

  /** Lists the teams assignable to deployment channel `channelId`, one page at a time, oldest first. */
  async listChannelTeams(channelId: string, params?: PaginationParams): Promise<PaginatedResult<Team>> {
    requireId(channelId, 'channelId');
    return this.#http.requestPage({
      method: 'GET',
      path: apiPath`/deployment-channels/${channelId}/teams`,
      query: paginationQuery(params),
    });
  }
}

function assertSameId(given: string | undefined, id: string): void {
  if (given !== undefined && given !== id) {
    throw new ValidationError([{ field: 'id', message: `must match the id argument (${id})` }]);
  }
}

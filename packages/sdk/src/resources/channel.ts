import {
  createChannelSchema,
  createChannelSchemas,
  createEmailChannelSchema,
  createFacebookChannelSchema,
  createInstagramChannelSchema,
  createLineChannelSchema,
  createWebChannelSchema,
  createWechatChannelSchema,
  createWhatsAppChannelSchema,
  listChannelsQuerySchema,
  updateChannelSchema,
  updateCredentialSchema,
  updateFacebookChannelSchema,
  updateWhatsAppChannelSchema,
  type AssignableTeam,
  type Channel,
  type ChannelCount,
  type ChannelCredential,
  type ChannelServiceSuccess,
  type CreateChannelRequest,
  type CreateEmailChannelRequest,
  type CreateFacebookChannelRequest,
  type CreateInstagramChannelRequest,
  type CreateLineChannelRequest,
  type CreateWebChannelRequest,
  type CreateWechatChannelRequest,
  type CreateWhatsAppChannelRequest,
  type FacebookPages,
  type ListChannelsParams,
  type MessagingChannelType,
  type TeamObserverView,
  type UpdateChannelRequest,
  type UpdateCredentialRequest,
  type UpdateFacebookChannelRequest,
  type UpdateWhatsAppChannelRequest,
} from '@switchboard/core';
import { ValidationError } from '../errors.js';

/** Open conversations counted by {@link ChannelResource.getConvCount}. */
export interface ConversationCount {
  count: number;
  view: string;
  team_id: string | null;
}
import type { HttpClient, HttpMethod } from '../http.js';
import { assertValid, requireId } from '../validation.js';

const CHANNELS = '/channel-service/v1/channels';

type WithoutId<T> = Omit<T, 'id'>;

/**
 * Messaging channels (spec/002): web chat, WhatsApp, Facebook Messenger, Instagram, email,
 * WeChat, LINE and WeCom. They are the workspace's deployment channels of those types, read in
 * the spec's `Channel` shape (snake_case, ISO timestamps); credentials are connections, read as
 * `{ _id, type, name }` and never with a secret.
 *
 * Calls go to the server's `/channel-service/…` paths (plain JSON, no envelope) with the key as
 * `x-api-key`; send `headers: { 'x-organization-id': workspaceId }` in the client options to have
 * the server check the key belongs to that workspace.
 */
export class ChannelResource {
  readonly #http: HttpClient;

  constructor(http: HttpClient) {
    this.#http = http;
  }

  #call<T>(method: HttpMethod, path: string, body?: unknown, query?: Record<string, string | undefined>): Promise<T> {
    return this.#http.requestPlain<T>({ method, path, ...(body !== undefined && { body }), ...(query && { query }) });
  }

  // ------------------------------------------------------------------ core CRUD

  /** Lists the workspace's messaging channels, oldest first; `{ type }` keeps one type. */
  async list(params: ListChannelsParams = {}): Promise<Channel[]> {
    assertValid(listChannelsQuerySchema, params);
    return this.#call('GET', CHANNELS, undefined, { type: params.type });
  }

  /** Fetches a channel. @throws NotFoundError when it does not exist (or is not a messaging channel). */
  async get(id: string): Promise<Channel> {
    requireId(id);
    return this.#call('GET', channelPath(id));
  }

  /** Creates a channel of `type` with that type's fields (the per-type methods below, in one). */
  async create(request: CreateChannelRequest): Promise<Channel> {
    assertValid(createChannelSchema, request);
    const schema = createChannelSchemas[(request as { type: MessagingChannelType }).type];
    assertValid(schema, request);
    return this.#call('POST', CHANNELS, request);
  }

  /**
   * Switches the channel on or off (`active`: its deployment is activated or paused; a channel
   * without a deployment cannot be activated, 409), renames it or patches its `config`.
   */
  async update(id: string, request: UpdateChannelRequest): Promise<Channel> {
    requireId(id);
    assertValid(updateChannelSchema, request);
    return this.#call('PUT', channelPath(id), request);
  }

  /** Deletes the channel. @throws ConflictError while a deployment binds it. */
  async delete(id: string): Promise<ChannelServiceSuccess> {
    requireId(id);
    return this.#call('DELETE', channelPath(id));
  }

  /** Deletes the channel together with its (non-active) deployment binding. */
  async deleteV3(id: string): Promise<ChannelServiceSuccess> {
    requireId(id);
    return this.#call('DELETE', `/channel-service/v3/channels/${encodeURIComponent(id)}`);
  }

  /** How many messaging channels the workspace has (of `type`, when given). */
  async getCount(params: ListChannelsParams = {}): Promise<ChannelCount> {
    assertValid(listChannelsQuerySchema, params);
    return this.#call('GET', `${CHANNELS}/_count`, undefined, { type: params.type });
  }

  /**
   * Open conversations on the workspace's messaging channels, for an inbox badge: `view` is
   * `all` (default), `unassigned`, `assigned` or `waiting` (asked for a person); `teamId` keeps
   * those assigned to one team.
   */
  async getConvCount(params: { view?: 'all' | 'unassigned' | 'assigned' | 'waiting'; teamId?: string } = {}): Promise<ConversationCount> {
    return this.#call('GET', `${CHANNELS}/_conv_count`, undefined, { view: params.view, team_id: params.teamId });
  }

  /** Replaces a channel's name and whole configuration (keys left out return to their defaults). */
  async replace(request: { channel_id: string; name?: string; config?: Record<string, unknown>; active?: boolean }): Promise<Channel> {
    requireId(request.channel_id, 'channel_id');
    return this.#call('POST', `${CHANNELS}/_replace`, request);
  }

  // ------------------------------------------------------------------ per-type creation

  /** A web chat channel. Without `url` a unique placeholder URL identifies it. */
  async createWeb(request: CreateWebChannelRequest): Promise<Channel> {
    assertValid(createWebChannelSchema, request);
    return this.#call('POST', `${CHANNELS}/_web`, request);
  }

  /** {@link createWeb} at the v3 path. */
  async createWebV3(request: CreateWebChannelRequest): Promise<Channel> {
    assertValid(createWebChannelSchema, request);
    return this.#call('POST', '/channel-service/v3/channels/_web', request);
  }

  /** A Facebook Messenger channel for a page the credential manages (see {@link getFacebookPages}). */
  async createFacebook(request: CreateFacebookChannelRequest): Promise<Channel> {
    assertValid(createFacebookChannelSchema, request);
    return this.#call('POST', '/channel-service/v3/channels/_facebook', request);
  }

  /** Moves a Facebook channel to another page or credential, or renames it: `updateFacebook({ id, ... })` or `updateFacebook(id, { ... })`. */
  async updateFacebook(request: UpdateFacebookChannelRequest): Promise<Channel>;
  async updateFacebook(id: string, request: WithoutId<UpdateFacebookChannelRequest>): Promise<Channel>;
  async updateFacebook(
    idOrRequest: string | UpdateFacebookChannelRequest,
    request?: WithoutId<UpdateFacebookChannelRequest>,
  ): Promise<Channel> {
    const body = withId(idOrRequest, request);
    assertValid(updateFacebookChannelSchema, body);
    return this.#call('PUT', '/channel-service/v2/channels/_facebook', body);
  }

  /** An Instagram channel: `instagram_account_id`, or `page_id` of the Facebook page it is linked to. */
  async createInstagram(request: CreateInstagramChannelRequest): Promise<Channel> {
    assertValid(createInstagramChannelSchema, request);
    return this.#call('POST', `${CHANNELS}/_instagram`, request);
  }

  /** {@link createInstagram} at the SDK's `_instagramV2` path. */
  async createInstagramV2(request: CreateInstagramChannelRequest): Promise<Channel> {
    assertValid(createInstagramChannelSchema, request);
    return this.#call('POST', `${CHANNELS}/_instagramV2`, request);
  }

  /** An email channel for `email`; replies go out through an email credential's SMTP server. */
  async createEmail(request: CreateEmailChannelRequest): Promise<Channel> {
    assertValid(createEmailChannelSchema, request);
    return this.#call('POST', `${CHANNELS}/_email`, request);
  }

  /** A WeChat Official Account channel (`original_id` with `app_id` and `app_secret`, or a `credential_id`). */
  async createWechat(request: CreateWechatChannelRequest): Promise<Channel> {
    assertValid(createWechatChannelSchema, request);
    return this.#call('POST', `${CHANNELS}/_wechat`, request);
  }

  /** A LINE channel (`channel_secret` and `channel_access_token`, or a `credential_id`); the bot id is read from LINE unless given. */
  async createLine(request: CreateLineChannelRequest): Promise<Channel> {
    assertValid(createLineChannelSchema, request);
    return this.#call('POST', `${CHANNELS}/_line`, request);
  }

  /**
   * A WhatsApp channel for `phone_number_id`, identified by its number as the Graph API reports
   * it. The access token (and the optional `app_secret`, without which inbound webhooks are
   * refused) is stored encrypted behind a credential; it is never returned.
   */
  async createWhatsApp(request: CreateWhatsAppChannelRequest): Promise<Channel> {
    assertValid(createWhatsAppChannelSchema, request);
    return this.#call('POST', `${CHANNELS}/_whatsapp`, request);
  }

  /** {@link createWhatsApp} at the v2 path. */
  async createWhatsAppV2(request: CreateWhatsAppChannelRequest): Promise<Channel> {
    assertValid(createWhatsAppChannelSchema, request);
    return this.#call('POST', '/channel-service/v2/channels/_whatsapp', request);
  }

  /** {@link createWhatsApp} at the v3 path. */
  async createWhatsAppV3(request: CreateWhatsAppChannelRequest): Promise<Channel> {
    assertValid(createWhatsAppChannelSchema, request);
    return this.#call('POST', '/channel-service/v3/channels/_whatsapp', request);
  }

  /** Changes a WhatsApp channel's token, app secret, phone number id or name: `updateWhatsApp({ id, ... })` or `updateWhatsApp(id, { ... })`. */
  async updateWhatsApp(request: UpdateWhatsAppChannelRequest): Promise<Channel>;
  async updateWhatsApp(id: string, request: WithoutId<UpdateWhatsAppChannelRequest>): Promise<Channel>;
  async updateWhatsApp(
    idOrRequest: string | UpdateWhatsAppChannelRequest,
    request?: WithoutId<UpdateWhatsAppChannelRequest>,
  ): Promise<Channel> {
    const body = withId(idOrRequest, request);
    assertValid(updateWhatsAppChannelSchema, body);
    return this.#call('PUT', '/channel-service/v2/channels/_whatsapp', body);
  }

  // ------------------------------------------------------------------ credentials

  /**
   * The Facebook pages a Meta credential's token manages (`[{ _id, name, category }]`), asked of
   * the Graph API (`me/accounts`). Never empty.
   * @throws NotFoundError when the token manages no page (it needs `pages_show_list` and a page).
   */
  async getFacebookPages(credentialId: string): Promise<FacebookPages> {
    requireId(credentialId, 'credentialId');
    return this.#call('GET', `${credentialPath(credentialId)}/pages`);
  }

  /** A stored credential as `{ _id, type, name }`: never its secrets. */
  async getCredential(id: string): Promise<ChannelCredential> {
    requireId(id);
    return this.#call('GET', credentialPath(id));
  }

  /** Renames a credential, merges `settings`, or replaces secret values (`access_token`, `app_secret`, …). */
  async updateCredential(id: string, request: UpdateCredentialRequest): Promise<ChannelCredential> {
    requireId(id);
    assertValid(updateCredentialSchema, request);
    return this.#call('PUT', credentialPath(id), request);
  }

  /** Removes a credential and its secrets. @throws ConflictError while channels use it. */
  async deleteCredential(id: string): Promise<ChannelServiceSuccess> {
    requireId(id);
    return this.#call('DELETE', credentialPath(id));
  }

  // ------------------------------------------------------------------ workflows and teams

  /** Attaches a workflow to the channel; the answer is the channel with `success: true`. */
  async updateChannelWorkflow(channelId: string, workflowId: string): Promise<Channel & { success: true }> {
    requireId(channelId, 'channelId');
    requireId(workflowId, 'workflowId');
    return this.#call('PUT', workflowPath(channelId), { workflow_id: workflowId });
  }

  /** Detaches the channel's workflow. */
  async deleteChannelWorkflow(channelId: string): Promise<ChannelServiceSuccess> {
    requireId(channelId, 'channelId');
    return this.#call('DELETE', workflowPath(channelId));
  }

  /** Teams conversations can be assigned to; with a channel id, the teams assigned to that channel (all when it has none). */
  async listAssignableTeams(channelId?: string): Promise<AssignableTeam[]> {
    if (channelId !== undefined) requireId(channelId, 'channelId');
    return this.#call('GET', '/channel-service/v1/assign/teams/all', undefined, { channel_id: channelId });
  }

  /** A team's observers. */
  async listTeamObservers(teamId: string): Promise<TeamObserverView[]> {
    requireId(teamId, 'teamId');
    return this.#call('GET', `/channel-service/v1/assign/team/${encodeURIComponent(teamId)}/observers`);
  }
}

const channelPath = (id: string) => `${CHANNELS}/${encodeURIComponent(id)}`;
const credentialPath = (id: string) => `${CHANNELS}/credentials/${encodeURIComponent(id)}`;
const workflowPath = (channelId: string) => `${CHANNELS}/workflows/${encodeURIComponent(channelId)}`;

function withId<T extends { id: string }>(idOrRequest: string | T, request: Omit<T, 'id'> | undefined): T {
  if (typeof idOrRequest === 'string') {
    requireId(idOrRequest);
    if (request !== undefined && (typeof request !== 'object' || request === null)) {
      throw new ValidationError([{ field: '', message: 'Update request must be an object' }]);
    }
    const given = (request ?? {}) as Omit<T, 'id'> & { id?: unknown };
    if (given.id !== undefined && given.id !== idOrRequest) {
      throw new ValidationError([{ field: 'id', message: `must match the id argument (${idOrRequest})` }]);
    }
    return { ...given, id: idOrRequest } as unknown as T;
  }
  return idOrRequest;
}

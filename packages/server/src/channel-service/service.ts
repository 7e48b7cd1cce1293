/**
 * The messaging channels API (spec/002, `client.channel`): one model, two doors.
 *
 * A channel here IS a deployment channel (the same `deployment_channels` row `/v1/deployment-channels`
 * reads and writes) of one of the eight messaging types; a credential IS a connection. Every
 * write goes through the deployment channel and connection services, so both doors apply the
 * same rules (identifier formats, uniqueness per workspace and type, a provider channel's
 * connection must carry its type, deletes refused while a deployment binds the channel).
 *
 * Decisions, in one place:
 *
 * - `is_active` is true exactly while the channel's deployment configuration is `active`, the only
 *   state in which the inbox answers the channel. `update(id, { active: false })` pauses an active
 *   deployment (a channel without one, or whose deployment is pending/paused/archived, already reads
 *   false, so it is a no-op); `active: true` activates a pending or paused deployment, and answers
 *   409 when the channel has no deployment (bind an agent first) or its deployment is archived. A
 *   newly created channel therefore reads `is_active: false` until an agent is bound and activated.
 * - `config` is the deployment channel's configuration as stored (camelCase: `connectionId`,
 *   `phoneNumberId`, `widgetConfiguration`…). It never holds secrets: those live in workspace
 *   secrets behind the connection. `update(id, { config })` merges like the `/v1` PATCH.
 * - `organization_id` is the workspace id, `business_unit_id` is null, timestamps are ISO 8601.
 *   Reads add `identifier`, `credential_id` (the connection) and `workflow_id`.
 * - Channels of other deployment types (calls, sms, mobile-app, telegram, webhook, voice-gateway)
 *   are not messaging channels of this API: they are not listed or counted here and read as 404.
 * - Credentials read as `{ _id, type, name, provider, created_at, updated_at }`. `type` is the type
 *   of the oldest channel using the connection, else `whatsapp` for a Meta connection with a
 *   `phoneNumberId` setting, `facebook` for other Meta connections, and the provider otherwise.
 * - Secrets given to this API (access tokens, app secrets, channel secrets, SMTP passwords) are
 *   stored only as encrypted workspace secrets named `{provider}.{field}.{random}` and referenced
 *   by the connection; nothing returns them. Replacing a value replaces the secret in place when
 *   only this connection uses it, else a new secret is made and the connection repointed.
 * - Creation asks the provider first and stores nothing when it refuses: WhatsApp resolves the
 *   phone number id to its E.164 number through Graph (the channel identifier, which inbound
 *   webhooks name), Facebook checks the page is among the credential's `me/accounts`, Instagram
 *   reads the account (or the page's linked account), LINE reads the bot user id from
 *   `/v2/bot/info` when `bot_user_id` is not given. When a later step fails, what was created
 *   for the request (secrets, connection) is removed again.
 * - WhatsApp: `createWhatsApp({ phone_number_id, access_token })` reuses the workspace's Meta
 *   connection whose `phoneNumberId` setting is that id (updating its token), else creates one
 *   with the `phoneNumberId` setting. The Meta app secret is not in the spec's request: it is an
 *   optional `app_secret`. Until the connection has one, inbound WhatsApp webhooks are refused
 *   (403, "the connection has no appSecret credential"); set it with `updateWhatsApp({ id,
 *   app_secret })`, `updateCredential(credentialId, { app_secret })` or the `/v1` connections API.
 * - Facebook and Instagram channels use the given credential's connection, so one Meta app
 *   connection (one callback URL) carries all its pages; its token must be able to send as the
 *   page (a page token or a system-user token with the page assigned).
 * - Web: `createWeb({ name })` needs a website URL as identifier; without `url` a stable, unique
 *   placeholder `https://web.switchboard.invalid/{slug}-{random}` is made up (`.invalid` never
 *   resolves). The widget's allowed origins belong to the web deployment, not to this URL.
 * - Email: `createEmail({ name, email })` sends through the given `credential_id`, else through a
 *   new connection built from `smtp_*` fields, else the workspace's oldest email connection, else
 *   a new `Email` connection with the placeholder `smtpHost: 'smtp.switchboard.invalid'` (port 587, never resolves): replies need real SMTP
 *   settings, set through `updateCredential` or the connections API.
 * - `delete` removes only the channel and answers 409 while a deployment binds it (like `/v1`);
 *   `deleteV3` also removes a non-active deployment binding (409 while the deployment is active or a
 *   widget deployment uses it). Neither removes the
 *   credential: `deleteCredential` does, with the secrets no other connection uses.
 * - Workflows: `updateChannelWorkflow` sets `deployment_channels.workflow_id` to a workflow of the
 *   workspace (checked in the `workflows` table), `deleteChannelWorkflow` clears it.
 * - Teams: `listAssignableTeams` lists the workspace's teams with their members; given a channel,
 *   only the teams assigned to it (`channel_teams`) when it has any. `listTeamObservers` lists a
 *   team's observers.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import {
  DeploymentStatus,
  DeploymentType,
  ErrorCode,
  MESSAGING_CHANNEL_TYPES,
  createChannelSchema,
  createChannelSchemas,
  deploymentChannelRequestSchema,
  type AssignableTeam,
  type Channel,
  type ChannelCredential,
  type DeploymentChannelRequest,
  type FacebookPages,
  type MessagingChannelType,
  type Provider,
  type TeamObserverView,
  type createEmailChannelSchema,
  type createFacebookChannelSchema,
  type createInstagramChannelSchema,
  type createLineChannelSchema,
  type createWebChannelSchema,
  type createWechatChannelSchema,
  type createWecomChannelSchema,
  type createWhatsAppChannelSchema,
  type updateChannelSchema,
  type updateFacebookChannelSchema,
  type updateWhatsAppChannelSchema,
} from '@switchboard/core';
import type { z } from 'zod';
import type { DB, DeploymentChannelsTable } from '../store/schema.js';
import { monotonicNow } from '../store/clock.js';
import { randomBase62 } from '../store/ids.js';
import { toDeploymentChannel } from '../store/repositories/deployment-channels.js';
import { workspaceRepositories } from '../store/repositories/index.js';
import { connectionsRepository, type ConnectionRecord } from '../store/repositories/connections.js';
import { deploymentChannelService } from '../deployments/deployment-channels.js';
import { deploymentConfigurationService } from '../deployments/deployment-configurations.js';
import { secretsService, type SecretsService } from '../connections/secrets-service.js';
import type { ConnectionsService } from '../connections/connections-service.js';
import type { ConnectionContext } from '../channels/adapter.js';
import { builtInProviders, type ProviderRegistry } from '../channels/registry.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { ApiError, conflict, invalid, invalidField, notFound } from '../http/errors.js';
import { parseOrThrow } from '../http/validation.js';
import { facebookPages, instagramAccount, instagramAccountOfPage, lookupLineBot, lookupWhatsAppNumber } from './lookups.js';

export const CHANNEL_NOT_FOUND = 'Channel not found';
export const CREDENTIAL_NOT_FOUND = 'Credential not found';

export interface ChannelServiceDeps {
  db: Kysely<DB>;
  /** The box the app's secrets and connections are sealed with. */
  secretBox: SecretBox;
  connections: ConnectionsService;
  /** Built from `db` and `secretBox` when absent. */
  secrets?: SecretsService;
  /** Providers by name (their default API base URLs are where lookups go); the built-in ones when absent. */
  registry?: ProviderRegistry;
  /** fetch for provider lookups (tests may route it). */
  fetch?: typeof fetch;
}

type In<S extends z.ZodType> = z.output<S>;

/** Required credentials that may be set later, by provider (see ConnectionWriteOptions). */
const PENDING_CREDENTIALS: Partial<Record<string, readonly string[]>> = { meta: ['appSecret'] };

const MESSAGING_TYPES: string[] = [...MESSAGING_CHANNEL_TYPES];

type ChannelRow = Selectable<DeploymentChannelsTable> & { deployment_status: string | null };

const iso = (ms: number | string) => new Date(Number(ms)).toISOString();

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** `Website Chat` → `website-chat`. */
function slugOf(name: string): string {
  const slug = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return slug || 'channel';
}

/** The made-up identifier of a web channel created without a URL (see the module comment). */
export function placeholderWebUrl(name: string): string {
  return `https://web.switchboard.invalid/${slugOf(name)}-${randomBytes(5).toString('hex')}`;
}

type Undo = (step: () => Promise<unknown>) => void;

/** Runs `work`; if it throws, the undo steps it registered run in reverse order (best effort). */
async function withUndo<T>(work: (undo: Undo) => Promise<T>): Promise<T> {
  const steps: (() => Promise<unknown>)[] = [];
  try {
    return await work((step) => steps.push(step));
  } catch (error) {
    for (const step of steps.reverse()) await step().catch(() => undefined);
    throw error;
  }
}

/** Restates connection validation errors (`settings.appId`, `credentials.appSecret`) in this API's request fields (`app_id`, `app_secret`). */
function inRequestTerms(error: unknown): unknown {
  if (!(error instanceof ApiError) || !Array.isArray(error.details)) return error;
  const details = (error.details as { field?: unknown; message?: unknown }[]).map((issue) =>
    typeof issue.field === 'string' ? { ...issue, field: snake(issue.field.replace(/^(settings|credentials)\./, '')) } : issue,
  );
  return new ApiError(error.status, error.code, error.message, details, error.meta);
}

export function channelService(deps: ChannelServiceDeps) {
  const { db, connections } = deps;
  const secrets = deps.secrets ?? secretsService(db, deps.secretBox);
  const registry = deps.registry ?? builtInProviders;
  const fetchImpl: typeof fetch = deps.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const channels = deploymentChannelService(db);
  const deployments = deploymentConfigurationService(db);

  // ---------------------------------------------------------------- reads

  function channelQuery(workspaceId: string) {
    return db
      .selectFrom('deployment_channels as c')
      .leftJoin('deployment_configurations as d', 'd.deployment_channel_id', 'c.id')
      .selectAll('c')
      .select('d.status as deployment_status')
      .where('c.workspace_id', '=', workspaceId)
      .where('c.deployment_type', 'in', MESSAGING_TYPES);
  }

  function view(workspaceId: string, row: ChannelRow): Channel {
    const channel = toDeploymentChannel(row);
    return {
      object_name: 'channel',
      id: channel.id,
      name: channel.channelName ?? channel.channelIdentifier,
      type: channel.deploymentType as MessagingChannelType,
      organization_id: workspaceId,
      business_unit_id: null,
      is_active: row.deployment_status === DeploymentStatus.ACTIVE,
      config: channel.configuration as unknown as Record<string, unknown>,
      identifier: channel.channelIdentifier,
      credential_id: row.connection_id,
      workflow_id: row.workflow_id,
      created_at: iso(row.created_at),
      updated_at: iso(row.updated_at),
    };
  }

  async function requireRow(workspaceId: string, id: string, field?: string): Promise<ChannelRow> {
    const row = (await channelQuery(workspaceId).where('c.id', '=', id).executeTakeFirst()) as ChannelRow | undefined;
    if (row) return row;
    const other = await db
      .selectFrom('deployment_channels')
      .select('deployment_type')
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    const meta = { ...(field ? { field } : {}), id };
    if (other) {
      throw notFound(
        `Channel ${id} is a ${other.deployment_type} channel; this API manages ${MESSAGING_TYPES.join(', ')} channels (use /v1/deployment-channels for it)`,
        meta,
      );
    }
    throw notFound(CHANNEL_NOT_FOUND, meta);
  }

  async function get(workspaceId: string, id: string): Promise<Channel> {
    return view(workspaceId, await requireRow(workspaceId, id));
  }

  async function requireRowOfType(workspaceId: string, id: string, type: MessagingChannelType): Promise<ChannelRow> {
    const row = await requireRow(workspaceId, id, 'id');
    if (row.deployment_type !== type) throw invalidField('id', `${id} is a ${row.deployment_type} channel, not ${type}`);
    return row;
  }

  // ---------------------------------------------------------------- connections and secrets

  function secretName(provider: string, field: string): string {
    return `${provider}.${field}.${randomBase62(10)}`;
  }

  async function requireCredential(workspaceId: string, id: string, field?: string): Promise<ConnectionRecord> {
    const record = await connectionsRepository(db, workspaceId).get(id);
    if (!record) throw notFound(CREDENTIAL_NOT_FOUND, { ...(field ? { field } : {}), id });
    return record;
  }

  async function requireProviderCredential(workspaceId: string, id: string, provider: Provider, field = 'credential_id'): Promise<ConnectionRecord> {
    const record = await requireCredential(workspaceId, id, field);
    if (record.provider !== provider) throw invalidField(field, `${id} is a ${record.provider} credential; a ${provider} credential is needed`);
    return record;
  }

  /** A context for asking a provider before any connection exists (the provider's default API base URL). */
  function draftContext(workspaceId: string, provider: string, values: Record<string, string | undefined>): ConnectionContext {
    const opened: Record<string, string> = {};
    for (const [name, value] of Object.entries(values)) if (value !== undefined) opened[name] = value;
    return {
      id: 'new',
      workspaceId,
      provider,
      settings: {},
      secrets: opened,
      inboundSecret: '',
      apiBaseUrl: (registry.get(provider)?.adapter.defaultApiBaseUrl ?? '').replace(/\/+$/, ''),
    };
  }

  /** A connection's context with some secrets replaced by values not stored yet. */
  async function contextWith(record: ConnectionRecord, values: Record<string, string | undefined>): Promise<ConnectionContext> {
    const context = await connections.context(record);
    for (const [name, value] of Object.entries(values)) if (value !== undefined) context.secrets[name] = value;
    return context;
  }

  /** Stores each value as a workspace secret and creates a connection naming them; both are undone if the request fails later. */
  async function newConnection(
    workspaceId: string,
    provider: Provider,
    name: string,
    settings: Record<string, unknown>,
    values: Record<string, string | undefined>,
    undo: Undo,
  ): Promise<string> {
    const credentials: Record<string, string> = {};
    try {
      for (const [field, value] of Object.entries(values)) {
        if (value === undefined) continue;
        const secret = await secrets.create(workspaceId, secretName(provider, field), value);
        undo(() => secrets.delete(workspaceId, secret.id));
        credentials[field] = secret.id;
      }
      const connection = await connections.create(
        workspaceId,
        { provider, name: name.slice(0, 200), settings, credentials },
        { pendingCredentials: PENDING_CREDENTIALS[provider] ?? [] },
      );
      undo(() => connections.delete(workspaceId, connection.id));
      return connection.id;
    } catch (error) {
      throw inRequestTerms(error);
    }
  }

  /**
   * Sets one credential of a connection to `value`: in place when only this connection uses its
   * secret, else as a new secret the connection is repointed to.
   */
  async function setCredential(workspaceId: string, record: ConnectionRecord, field: string, value: string): Promise<ConnectionRecord> {
    const existing = record.credentials[field];
    if (existing) {
      const users = await connectionsRepository(db, workspaceId).usingSecret(existing);
      if (users.every((user) => user.id === record.id) && (await secrets.open(workspaceId, existing)) !== undefined) {
        await secrets.replace(workspaceId, existing, value);
        return record;
      }
    }
    const secret = await secrets.create(workspaceId, secretName(record.provider, field), value);
    await connections.update(
      workspaceId,
      record.id,
      { credentials: { ...record.credentials, [field]: secret.id } },
      { pendingCredentials: PENDING_CREDENTIALS[record.provider] ?? [] },
    );
    return (await connectionsRepository(db, workspaceId).get(record.id))!;
  }

  async function requireIdentifierFree(workspaceId: string, type: DeploymentType, identifier: string, exceptId?: string) {
    const existing = await workspaceRepositories(db, workspaceId).channels.findByIdentifier(identifier, type);
    if (existing && existing.id !== exceptId) {
      throw conflict(`A ${type} channel for ${identifier} already exists: ${existing.id}`, { existingChannelId: existing.id });
    }
  }

  /** Creates the deployment channel through the `/v1` service (its rules, its validation) and reads it back. */
  async function insertChannel(workspaceId: string, request: DeploymentChannelRequest): Promise<Channel> {
    const created = await channels.create(workspaceId, parseOrThrow(deploymentChannelRequestSchema, request));
    return get(workspaceId, created.id);
  }

  async function credentialType(record: ConnectionRecord): Promise<string> {
    const used = await db
      .selectFrom('deployment_channels')
      .select('deployment_type')
      .where('workspace_id', '=', record.workspaceId)
      .where('connection_id', '=', record.id)
      .orderBy('created_at')
      .orderBy('id')
      .executeTakeFirst();
    if (used) return used.deployment_type;
    if (record.provider === 'meta') return typeof record.settings.phoneNumberId === 'string' ? 'whatsapp' : 'facebook';
    return record.provider;
  }

  async function credentialView(record: ConnectionRecord): Promise<ChannelCredential> {
    return {
      _id: record.id,
      type: await credentialType(record),
      name: record.name,
      provider: record.provider,
      created_at: iso(record.createdAt),
      updated_at: iso(record.updatedAt),
    };
  }

  async function oldestConnection(workspaceId: string, provider: Provider): Promise<string | undefined> {
    const row = await db
      .selectFrom('connections')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .where('provider', '=', provider)
      .orderBy('created_at')
      .orderBy('id')
      .executeTakeFirst();
    return row?.id;
  }

  async function metaConnectionForNumber(workspaceId: string, phoneNumberId: string): Promise<ConnectionRecord | undefined> {
    const rows = await db
      .selectFrom('connections')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .where('provider', '=', 'meta')
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    const repo = connectionsRepository(db, workspaceId);
    for (const { id } of rows) {
      const record = await repo.get(id);
      if (record?.settings.phoneNumberId === phoneNumberId) return record;
    }
    return undefined;
  }

  // ---------------------------------------------------------------- per-type creation

  async function createWeb(workspaceId: string, request: In<typeof createWebChannelSchema>): Promise<Channel> {
    return insertChannel(workspaceId, {
      deploymentType: DeploymentType.WEB,
      channelIdentifier: request.url ?? placeholderWebUrl(request.name),
      channelName: request.name,
      configuration: (request.config ?? {}) as never,
    });
  }

  async function createWhatsApp(workspaceId: string, request: In<typeof createWhatsAppChannelSchema>): Promise<Channel> {
    return withUndo(async (undo) => {
      const record = request.credential_id
        ? await requireProviderCredential(workspaceId, request.credential_id, 'meta')
        : await metaConnectionForNumber(workspaceId, request.phone_number_id);
      const given = { accessToken: request.access_token, appSecret: request.app_secret };
      const context = record ? await contextWith(record, given) : draftContext(workspaceId, 'meta', given);
      const number = await lookupWhatsAppNumber(context, request.phone_number_id, fetchImpl);
      await requireIdentifierFree(workspaceId, DeploymentType.WHATSAPP, number.identifier);

      let connectionId: string;
      if (record) {
        let current = record;
        if (request.access_token) current = await setCredential(workspaceId, current, 'accessToken', request.access_token);
        if (request.app_secret) current = await setCredential(workspaceId, current, 'appSecret', request.app_secret);
        connectionId = current.id;
      } else {
        connectionId = await newConnection(
          workspaceId,
          'meta',
          `WhatsApp ${number.identifier}`,
          { phoneNumberId: request.phone_number_id },
          given,
          undo,
        );
      }
      return insertChannel(workspaceId, {
        deploymentType: DeploymentType.WHATSAPP,
        channelIdentifier: number.identifier,
        channelName: request.name ?? number.verifiedName ?? `WhatsApp ${number.displayPhoneNumber}`,
        configuration: { connectionId, phoneNumberId: request.phone_number_id },
      });
    });
  }

  async function updateWhatsApp(workspaceId: string, request: In<typeof updateWhatsAppChannelSchema>): Promise<Channel> {
    const row = await requireRowOfType(workspaceId, request.id, 'whatsapp');
    const configuration = JSON.parse(row.configuration) as { connectionId: string; phoneNumberId?: string };
    let record = await requireCredential(workspaceId, configuration.connectionId, 'credential_id');
    const oldPhoneNumberId = configuration.phoneNumberId ?? (record.settings.phoneNumberId as string | undefined);
    const phoneNumberId = request.phone_number_id ?? oldPhoneNumberId;
    let identifier: string | undefined;
    if (request.phone_number_id !== undefined || request.access_token !== undefined) {
      if (!phoneNumberId) throw invalidField('phone_number_id', 'Required: the channel has no phone number id yet');
      const context = await contextWith(record, { accessToken: request.access_token, appSecret: request.app_secret });
      identifier = (await lookupWhatsAppNumber(context, phoneNumberId, fetchImpl)).identifier;
      if (identifier !== row.channel_identifier) await requireIdentifierFree(workspaceId, DeploymentType.WHATSAPP, identifier, row.id);
    }
    if (request.access_token) record = await setCredential(workspaceId, record, 'accessToken', request.access_token);
    if (request.app_secret) record = await setCredential(workspaceId, record, 'appSecret', request.app_secret);
    if (phoneNumberId !== oldPhoneNumberId && record.settings.phoneNumberId === oldPhoneNumberId && oldPhoneNumberId !== undefined) {
      await connections.update(
        workspaceId,
        record.id,
        { settings: { ...record.settings, phoneNumberId } },
        { pendingCredentials: PENDING_CREDENTIALS.meta ?? [] },
      );
    }
    const changes = {
      ...(identifier !== undefined && identifier !== row.channel_identifier && { channelIdentifier: identifier }),
      ...(phoneNumberId !== configuration.phoneNumberId && { configuration: { phoneNumberId } }),
      ...(request.name !== undefined && { channelName: request.name }),
    };
    if (Object.keys(changes).length > 0) await channels.update(workspaceId, row.id, changes);
    return get(workspaceId, row.id);
  }

  /** The page among the credential's `me/accounts`, or 400 naming the pages it can manage. */
  async function requireManagedPage(record: ConnectionRecord, pageId: string) {
    const pages = await facebookPages(await connections.context(record), fetchImpl);
    const page = pages.find((candidate) => candidate.id === pageId);
    if (!page) {
      throw invalidField(
        'page_id',
        `${pageId} is not among the pages credential ${record.id} can manage (${pages.map((p) => p.id).join(', ') || 'it manages none'})`,
      );
    }
    return page;
  }

  async function createFacebook(workspaceId: string, request: In<typeof createFacebookChannelSchema>): Promise<Channel> {
    const record = await requireProviderCredential(workspaceId, request.credential_id, 'meta');
    const page = await requireManagedPage(record, request.page_id);
    await requireIdentifierFree(workspaceId, DeploymentType.FACEBOOK, page.id);
    return insertChannel(workspaceId, {
      deploymentType: DeploymentType.FACEBOOK,
      channelIdentifier: page.id,
      channelName: request.name ?? (page.name || `Facebook page ${page.id}`),
      configuration: { connectionId: record.id },
    });
  }

  async function updateFacebook(workspaceId: string, request: In<typeof updateFacebookChannelSchema>): Promise<Channel> {
    const row = await requireRowOfType(workspaceId, request.id, 'facebook');
    const credentialId = request.credential_id ?? row.connection_id;
    const pageId = request.page_id ?? row.channel_identifier;
    const moved = credentialId !== row.connection_id || pageId !== row.channel_identifier;
    if (moved) {
      if (!credentialId) throw invalidField('credential_id', 'Required: the channel has no credential');
      const record = await requireProviderCredential(workspaceId, credentialId, 'meta');
      await requireManagedPage(record, pageId);
      if (pageId !== row.channel_identifier) await requireIdentifierFree(workspaceId, DeploymentType.FACEBOOK, pageId, row.id);
    }
    const changes = {
      ...(pageId !== row.channel_identifier && { channelIdentifier: pageId }),
      ...(credentialId !== row.connection_id && credentialId && { configuration: { connectionId: credentialId } }),
      ...(request.name !== undefined && { channelName: request.name }),
    };
    if (Object.keys(changes).length > 0) await channels.update(workspaceId, row.id, changes);
    return get(workspaceId, row.id);
  }

  async function createInstagram(workspaceId: string, request: In<typeof createInstagramChannelSchema>): Promise<Channel> {
    const record = await requireProviderCredential(workspaceId, request.credential_id, 'meta');
    const context = await connections.context(record);
    const account = request.page_id
      ? await instagramAccountOfPage(context, request.page_id, fetchImpl)
      : await instagramAccount(context, request.instagram_account_id!, fetchImpl);
    if (request.instagram_account_id !== undefined && request.instagram_account_id !== account.id) {
      throw invalidField('instagram_account_id', `page ${request.page_id} is linked to Instagram account ${account.id}, not ${request.instagram_account_id}`);
    }
    await requireIdentifierFree(workspaceId, DeploymentType.INSTAGRAM, account.id);
    return insertChannel(workspaceId, {
      deploymentType: DeploymentType.INSTAGRAM,
      channelIdentifier: account.id,
      channelName: request.name ?? (account.username ? `Instagram @${account.username}` : `Instagram ${account.id}`),
      configuration: { connectionId: record.id },
    });
  }

  async function createEmail(workspaceId: string, request: In<typeof createEmailChannelSchema>): Promise<Channel> {
    const smtpGiven = [request.smtp_port, request.smtp_secure, request.smtp_user, request.smtp_password].some((v) => v !== undefined);
    if (smtpGiven && request.smtp_host === undefined) throw invalidField('smtp_host', 'Required when other smtp_ fields are given');
    await requireIdentifierFree(workspaceId, DeploymentType.EMAIL, request.email);
    return withUndo(async (undo) => {
      let connectionId: string;
      if (request.credential_id) {
        connectionId = (await requireProviderCredential(workspaceId, request.credential_id, 'email')).id;
      } else if (request.smtp_host !== undefined) {
        connectionId = await newConnection(
          workspaceId,
          'email',
          `Email ${request.email}`,
          {
            smtpHost: request.smtp_host,
            ...(request.smtp_port !== undefined && { smtpPort: request.smtp_port }),
            ...(request.smtp_secure !== undefined && { smtpSecure: request.smtp_secure }),
            ...(request.smtp_user !== undefined && { smtpUser: request.smtp_user }),
          },
          { smtpPassword: request.smtp_password },
          undo,
        );
      } else {
        connectionId =
          (await oldestConnection(workspaceId, 'email')) ?? (await newConnection(workspaceId, 'email', 'Email', { smtpHost: 'smtp.switchboard.invalid' }, {}, undo));
      }
      return insertChannel(workspaceId, {
        deploymentType: DeploymentType.EMAIL,
        channelIdentifier: request.email,
        channelName: request.name,
        configuration: { connectionId, fromName: (request.from_name ?? request.name).slice(0, 100) },
      });
    });
  }

  async function createWechat(workspaceId: string, request: In<typeof createWechatChannelSchema>): Promise<Channel> {
    await requireIdentifierFree(workspaceId, DeploymentType.WECHAT, request.original_id);
    return withUndo(async (undo) => {
      const connectionId = request.credential_id
        ? (await requireProviderCredential(workspaceId, request.credential_id, 'wechat')).id
        : await newConnection(
            workspaceId,
            'wechat',
            `WeChat ${request.original_id}`,
            { appId: request.app_id, ...(request.mode !== undefined && { mode: request.mode }) },
            { appSecret: request.app_secret, token: request.token, encodingAESKey: request.encoding_aes_key },
            undo,
          );
      return insertChannel(workspaceId, {
        deploymentType: DeploymentType.WECHAT,
        channelIdentifier: request.original_id,
        channelName: request.name ?? `WeChat ${request.original_id}`,
        configuration: { connectionId },
      });
    });
  }

  async function createLine(workspaceId: string, request: In<typeof createLineChannelSchema>): Promise<Channel> {
    return withUndo(async (undo) => {
      const record = request.credential_id ? await requireProviderCredential(workspaceId, request.credential_id, 'line') : undefined;
      let botUserId = request.bot_user_id ?? (typeof record?.settings.botUserId === 'string' ? record.settings.botUserId : undefined);
      let displayName: string | undefined;
      if (!botUserId) {
        const context = record ? await connections.context(record) : draftContext(workspaceId, 'line', {});
        const token = request.channel_access_token ?? context.secrets.channelAccessToken;
        if (!token) throw invalidField('channel_access_token', 'Required to look up the bot (or give bot_user_id)');
        const bot = await lookupLineBot(context.apiBaseUrl, token, fetchImpl);
        botUserId = bot.userId;
        displayName = bot.displayName;
      }
      await requireIdentifierFree(workspaceId, DeploymentType.LINE, botUserId);
      const connectionId =
        record?.id ??
        (await newConnection(
          workspaceId,
          'line',
          `LINE ${displayName ?? botUserId}`,
          { botUserId },
          { channelSecret: request.channel_secret, channelAccessToken: request.channel_access_token },
          undo,
        ));
      return insertChannel(workspaceId, {
        deploymentType: DeploymentType.LINE,
        channelIdentifier: botUserId,
        channelName: request.name ?? displayName ?? `LINE ${botUserId}`,
        configuration: { connectionId },
      });
    });
  }

  async function createWecom(workspaceId: string, request: In<typeof createWecomChannelSchema>): Promise<Channel> {
    await requireIdentifierFree(workspaceId, DeploymentType.WECOM, request.corp_id);
    const agentId = request.agent_id === undefined ? undefined : String(request.agent_id);
    return withUndo(async (undo) => {
      const connectionId = request.credential_id
        ? (await requireProviderCredential(workspaceId, request.credential_id, 'wecom')).id
        : await newConnection(
            workspaceId,
            'wecom',
            `WeCom ${request.corp_id}`,
            { corpId: request.corp_id, agentId },
            { corpSecret: request.corp_secret, encodingAESKey: request.encoding_aes_key, token: request.token },
            undo,
          );
      return insertChannel(workspaceId, {
        deploymentType: DeploymentType.WECOM,
        channelIdentifier: request.corp_id,
        channelName: request.name ?? `WeCom ${request.corp_id}`,
        configuration: { connectionId, ...(agentId !== undefined && { agentId }) },
      });
    });
  }

  const creators = {
    web: createWeb,
    facebook: createFacebook,
    whatsapp: createWhatsApp,
    instagram: createInstagram,
    wechat: createWechat,
    line: createLine,
    email: createEmail,
    wecom: createWecom,
  } as const satisfies Record<MessagingChannelType, (workspaceId: string, request: never) => Promise<Channel>>;

  // ---------------------------------------------------------------- the API

  return {
    get,

    async list(workspaceId: string, type?: MessagingChannelType): Promise<Channel[]> {
      let query = channelQuery(workspaceId);
      if (type) query = query.where('c.deployment_type', '=', type);
      const rows = (await query.orderBy('c.created_at').orderBy('c.id').execute()) as ChannelRow[];
      return rows.map((row) => view(workspaceId, row));
    },

    async count(workspaceId: string, type?: MessagingChannelType): Promise<{ count: number }> {
      const row = await db
        .selectFrom('channel_counts')
        .where('workspace_id', '=', workspaceId)
        .where('deployment_type', 'in', type ? [type] : MESSAGING_TYPES)
        .select((eb) => eb.fn.sum<number>('count').as('total'))
        .executeTakeFirst();
      return { count: Number(row?.total ?? 0) };
    },

    /** `create({ type, ...fields })`: the per-type creation for `type`, with that type's fields. */
    async create(workspaceId: string, body: unknown): Promise<Channel> {
      const { type } = parseOrThrow(createChannelSchema, body);
      const request = parseOrThrow(createChannelSchemas[type], body);
      return (creators[type] as (workspaceId: string, request: unknown) => Promise<Channel>)(workspaceId, request);
    },
    createWeb,
    createWhatsApp,
    updateWhatsApp,
    createFacebook,
    updateFacebook,
    createInstagram,
    createEmail,
    createWechat,
    createLine,
    createWecom,

    async update(workspaceId: string, id: string, request: In<typeof updateChannelSchema>): Promise<Channel> {
      await requireRow(workspaceId, id);
      let statusChange: { deploymentId: string; status: DeploymentStatus } | undefined;
      if (request.active !== undefined) {
        const deployment = await workspaceRepositories(db, workspaceId).deployments.findByChannel(id);
        if (request.active) {
          if (!deployment) {
            throw conflict(
              `Channel ${id} has no deployment, so no agent would answer it: bind an agent first (POST /v1/deployment-configurations with deploymentChannelId ${id}), then activate it`,
              { channelId: id },
            );
          }
          if (deployment.status === DeploymentStatus.ARCHIVED) {
            throw conflict(`Channel ${id}'s deployment ${deployment.id} is archived and cannot be activated again; delete it and bind a new one`, {
              deploymentId: deployment.id,
            });
          }
          if (deployment.status !== DeploymentStatus.ACTIVE) statusChange = { deploymentId: deployment.id, status: DeploymentStatus.ACTIVE };
        } else if (deployment?.status === DeploymentStatus.ACTIVE) {
          statusChange = { deploymentId: deployment.id, status: DeploymentStatus.PAUSED };
        }
      }
      if (request.config !== undefined || request.name !== undefined) {
        await channels.update(workspaceId, id, {
          ...(request.config !== undefined && { configuration: request.config }),
          ...(request.name !== undefined && { channelName: request.name }),
        });
      }
      if (statusChange) {
        await deployments.update(workspaceId, statusChange.deploymentId, { status: statusChange.status });
        await db
          .updateTable('deployment_channels')
          .set({ updated_at: monotonicNow() })
          .where('workspace_id', '=', workspaceId)
          .where('id', '=', id)
          .execute();
      }
      return get(workspaceId, id);
    },

    /** Removes the channel only; 409 while a deployment binds it. */
    async delete(workspaceId: string, id: string): Promise<void> {
      await requireRow(workspaceId, id);
      await channels.delete(workspaceId, id, false);
    },

    /**
     * Removes the channel with its non-active deployment binding; the channel itself goes through
     * the `/v1` delete, so it forgets what that forgets (team assignments, phone tracking).
     */
    async deleteV3(workspaceId: string, id: string): Promise<void> {
      await requireRow(workspaceId, id);
      await db.transaction().execute(async (trx) => {
        const repos = workspaceRepositories(trx, workspaceId);
        const deployment = await repos.deployments.findByChannel(id);
        if (!deployment) return;
        if (deployment.status === DeploymentStatus.ACTIVE) {
          throw conflict(`Cannot delete active deployment ${deployment.id} of channel ${id}: deactivate the channel first (active: false)`, {
            deploymentId: deployment.id,
          });
        }
        const widget = await trx
          .selectFrom('web_deployments')
          .select('id')
          .where('workspace_id', '=', workspaceId)
          .where('deployment_channel_id', '=', id)
          .executeTakeFirst();
        if (widget) throw conflict(`Channel ${id} is used by web deployment ${widget.id}; delete it first`, { webDeploymentId: widget.id });
        await repos.deployments.delete(deployment.id);
      });
      await channels.delete(workspaceId, id, false);
    },

    // -------------------------------------------------------------- credentials

    async getCredential(workspaceId: string, id: string): Promise<ChannelCredential> {
      return credentialView(await requireCredential(workspaceId, id));
    },

    /**
     * `{ name?, settings?, …credential values }`: values by credential field, snake_case or
     * camelCase (`access_token`, `app_secret`, `channel_secret`, `smtp_password`…).
     */
    async updateCredential(workspaceId: string, id: string, body: Record<string, unknown>): Promise<ChannelCredential> {
      let record = await requireCredential(workspaceId, id);
      const { name, settings, ...values } = body as { name?: string; settings?: Record<string, unknown> } & Record<string, string>;
      const known = registry.get(record.provider)?.credentials.map((c) => c.name) ?? [];
      const updates: [string, string][] = [];
      const issues = [];
      for (const [key, value] of Object.entries(values)) {
        const field = camel(key);
        if (known.includes(field)) updates.push([field, value]);
        else {
          issues.push({
            field: key,
            message: `Unknown credential for ${record.provider}: expected ${known.map(snake).join(', ') || 'none'} (or name, settings)`,
          });
        }
      }
      if (issues.length > 0) throw invalid(issues);
      if (name !== undefined || settings !== undefined) {
        await connections.update(
          workspaceId,
          id,
          {
            ...(name !== undefined && { name }),
            ...(settings !== undefined && { settings: { ...record.settings, ...settings } }),
          },
          { pendingCredentials: PENDING_CREDENTIALS[record.provider] ?? [] },
        );
        record = await requireCredential(workspaceId, id);
      }
      for (const [field, value] of updates) record = await setCredential(workspaceId, record, field, value);
      return credentialView(await requireCredential(workspaceId, id));
    },

    /** Removes the connection (409 while channels use it) and the secrets no other connection uses. */
    async deleteCredential(workspaceId: string, id: string): Promise<void> {
      const record = await requireCredential(workspaceId, id);
      await connections.delete(workspaceId, id);
      const repo = connectionsRepository(db, workspaceId);
      for (const secretId of new Set(Object.values(record.credentials))) {
        if ((await repo.usingSecret(secretId)).length === 0) await secrets.delete(workspaceId, secretId).catch(() => undefined);
      }
    },

    async getFacebookPages(workspaceId: string, credentialId: string): Promise<FacebookPages> {
      const record = await requireCredential(workspaceId, credentialId);
      if (record.provider !== 'meta') {
        throw new ApiError(400, ErrorCode.VALIDATION_ERROR, `Credential ${credentialId} is a ${record.provider} credential; Facebook pages come from a Meta credential`, [
          { field: 'credential_id', message: 'must be a Meta credential' },
        ]);
      }
      const pages = await facebookPages(await connections.context(record), fetchImpl);
      const [first, ...rest] = pages.map((page) => ({ _id: page.id, name: page.name, category: page.category }));
      // The pages are asked for to make a channel of one: a token that manages none cannot be used
      // for Facebook at all, so that is an error with the fix, and a success is never empty.
      if (!first) {
        throw notFound(
          `Credential ${credentialId} manages no Facebook pages: its access token needs the pages_show_list permission and at least one page (Business settings → assign the page to the user or system user)`,
          { credential_id: credentialId },
        );
      }
      return [first, ...rest];
    },

    // -------------------------------------------------------------- workflows and teams

    async updateChannelWorkflow(workspaceId: string, channelId: string, workflowId: string): Promise<Channel> {
      await requireRow(workspaceId, channelId);
      const workflow = await db
        .selectFrom('workflows')
        .select('id')
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', workflowId)
        .executeTakeFirst();
      if (!workflow) throw notFound('Workflow not found', { field: 'workflow_id', workflow_id: workflowId });
      await db
        .updateTable('deployment_channels')
        .set({ workflow_id: workflowId, updated_at: monotonicNow() })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', channelId)
        .execute();
      return get(workspaceId, channelId);
    },

    async deleteChannelWorkflow(workspaceId: string, channelId: string): Promise<void> {
      const row = await requireRow(workspaceId, channelId);
      if (row.workflow_id === null) return;
      await db
        .updateTable('deployment_channels')
        .set({ workflow_id: null, updated_at: monotonicNow() })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', channelId)
        .execute();
    },

    async listAssignableTeams(workspaceId: string, channelId?: string): Promise<AssignableTeam[]> {
      let assigned: string[] = [];
      if (channelId) {
        await requireRow(workspaceId, channelId, 'channel_id');
        assigned = (await db.selectFrom('channel_teams').select('team_id').where('channel_id', '=', channelId).execute()).map((r) => r.team_id);
      }
      let query = db.selectFrom('teams').selectAll().where('workspace_id', '=', workspaceId);
      if (assigned.length > 0) query = query.where('id', 'in', assigned);
      const teams = await query.orderBy('created_at').orderBy('id').execute();
      const members =
        teams.length === 0
          ? []
          : await db
              .selectFrom('team_members')
              .selectAll()
              .where('workspace_id', '=', workspaceId)
              .where('kind', '=', 'member')
              .where(
                'team_id',
                'in',
                teams.map((t) => t.id),
              )
              .orderBy('created_at')
              .orderBy('id')
              .execute();
      return teams.map((team) => ({
        _id: team.id,
        name: team.name,
        description: team.description,
        members: members
          .filter((m) => m.team_id === team.id)
          .map((m) => ({ _id: m.id, name: m.name, email: m.email, role: m.role })),
        created_at: iso(team.created_at),
        updated_at: iso(team.updated_at),
      }));
    },

    async listTeamObservers(workspaceId: string, teamId: string): Promise<TeamObserverView[]> {
      const team = await db.selectFrom('teams').select('id').where('workspace_id', '=', workspaceId).where('id', '=', teamId).executeTakeFirst();
      if (!team) throw notFound('Team not found', { id: teamId });
      const observers = await db
        .selectFrom('team_members')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('team_id', '=', teamId)
        .where('kind', '=', 'observer')
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return observers.map((o) => ({ _id: o.id, team_id: o.team_id, name: o.name, email: o.email, created_at: iso(o.created_at) }));
    },
  };
}
export type ChannelService = ReturnType<typeof channelService>;


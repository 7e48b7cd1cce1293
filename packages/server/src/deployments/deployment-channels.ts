import type { Kysely } from 'kysely';
import {
  DeploymentType,
  PROVIDER_CHANNEL_SUPPORT,
  type Provider,
  channelTypeRules,
  e164Schema,
  normalizePhoneNumber,
  type ChannelConfiguration,
  type DeploymentChannel,
  type ParsedDeploymentChannelRequest,
  type ParsedDeploymentChannelUpdate,
  type PhoneChannelConfiguration,
} from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { isUniqueViolation } from '../store/database.js';
import { workspaceRepositories, type WorkspaceRepositories } from '../store/repositories/index.js';
import type { PhoneChannelSlot } from '../store/repositories/phone-configurations.js';
import { conflict, invalidField, notFound } from '../http/errors.js';
import { parseOrThrow } from '../http/validation.js';
import { PHONE_NOT_FOUND } from './phone-configurations.js';
import { connectionsRepository } from '../store/repositories/connections.js';
import { teamsRepository } from '../store/repositories/teams.js';

export const CHANNEL_NOT_FOUND = 'Deployment channel not found';
export const IDENTIFIER_IN_USE = 'Channel identifier already in use';

export interface ChannelDeletion {
  deleted: true;
  meta: Record<string, unknown>;
}

function isPhoneType(type: DeploymentType): type is DeploymentType.CALLS | DeploymentType.SMS {
  return type === DeploymentType.CALLS || type === DeploymentType.SMS;
}

function phoneSlot(type: DeploymentType.CALLS | DeploymentType.SMS): PhoneChannelSlot {
  return type === DeploymentType.CALLS ? 'voice_channel_id' : 'sms_channel_id';
}

function phoneConfigurationIdOf(type: DeploymentType, configuration: ChannelConfiguration): string | null {
  return isPhoneType(type) ? (configuration as PhoneChannelConfiguration).phoneConfigurationId : null;
}

/** Types whose identifier is a phone number (calls, sms, whatsapp): stored in E.164. */
function hasPhoneIdentifier(type: DeploymentType): boolean {
  return channelTypeRules[type].identifier === e164Schema;
}

/** WIIL's default for a mobile app's `packageName`: the package or bundle id the channel is named by. */
function withTypeDefaults(type: DeploymentType, identifier: string, configuration: ChannelConfiguration): ChannelConfiguration {
  if (type !== DeploymentType.MOBILE || (configuration as { packageName?: unknown }).packageName !== undefined) return configuration;
  return { ...configuration, packageName: identifier } as ChannelConfiguration;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep-merges a configuration patch; `null` removes a key so its default applies again. */
function mergeConfiguration(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch)) return patch;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = mergeConfiguration(base[key], value);
  }
  return merged;
}

/** The phone configuration a calls/sms channel uses: it must exist and carry the channel's number. */
async function requirePhoneFor(repos: WorkspaceRepositories, phoneConfigurationId: string, identifier: string) {
  const phone = await repos.phones.get(phoneConfigurationId);
  if (!phone) throw notFound(PHONE_NOT_FOUND, { phoneConfigurationId });
  if (phone.phoneNumber !== identifier) {
    throw invalidField('channelIdentifier', `must be ${phone.phoneNumber}, the number of phone configuration ${phone.id}`);
  }
  return phone;
}

/** A provider channel's connection must be in the workspace and carry the channel's type. */
async function requireConnectionFor(trx: Kysely<DB>, workspaceId: string, type: DeploymentType, configuration: ChannelConfiguration) {
  const connectionId = (configuration as { connectionId?: unknown }).connectionId;
  if (typeof connectionId !== 'string') return;
  const connection = await connectionsRepository(trx, workspaceId).get(connectionId);
  if (!connection) throw notFound('Connection not found', { field: 'configuration.connectionId', connectionId });
  const carries = PROVIDER_CHANNEL_SUPPORT[connection.provider as Provider] ?? [];
  if (!carries.includes(type)) {
    throw invalidField(
      'configuration.connectionId',
      `${connectionId} is a ${connection.provider} connection, which carries ${carries.join(', ') || 'no'} channels, not ${type}`,
    );
  }
}

async function requireIdentifierFree(repos: WorkspaceRepositories, identifier: string, type: DeploymentType, exceptId?: string) {
  const existing = await repos.channels.findByIdentifier(identifier, type);
  if (existing && existing.id !== exceptId) throw conflict(IDENTIFIER_IN_USE, { existingChannelId: existing.id });
}

export function deploymentChannelService(db: Kysely<DB>) {
  /** Creates a channel inside an open transaction; shared with the one-step deployment setup. */
  async function createWith(trx: Kysely<DB>, workspaceId: string, parsed: ParsedDeploymentChannelRequest): Promise<DeploymentChannel> {
    const request = {
      ...parsed,
      configuration: withTypeDefaults(parsed.deploymentType, parsed.channelIdentifier, parsed.configuration),
    } as ParsedDeploymentChannelRequest;
    const repos = workspaceRepositories(trx, workspaceId);
    const phoneId = phoneConfigurationIdOf(request.deploymentType, request.configuration);
    if (phoneId) await requirePhoneFor(repos, phoneId, request.channelIdentifier);
    await requireConnectionFor(trx, workspaceId, request.deploymentType, request.configuration);
    await requireIdentifierFree(repos, request.channelIdentifier, request.deploymentType);
    let channel: DeploymentChannel;
    try {
      channel = await repos.channels.insert({ ...request, phoneConfigurationId: phoneId });
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(IDENTIFIER_IN_USE);
      throw error;
    }
    if (phoneId && isPhoneType(request.deploymentType)) {
      await repos.phones.track(phoneId, phoneSlot(request.deploymentType), channel.id);
    }
    return channel;
  }

  async function get(workspaceId: string, id: string) {
    const channel = await workspaceRepositories(db, workspaceId).channels.get(id);
    if (!channel) throw notFound(CHANNEL_NOT_FOUND, { id });
    return channel;
  }

  return {
    createWith,
    get,
    create(workspaceId: string, request: ParsedDeploymentChannelRequest) {
      return db.transaction().execute((trx) => createWith(trx, workspaceId, request));
    },
    /** A phone number written with separators (`+1 202 555 0111`) finds the channel stored as `+12025550111`. */
    async getByIdentifier(workspaceId: string, identifier: string, type?: DeploymentType) {
      const channels = workspaceRepositories(db, workspaceId).channels;
      const e164 = normalizePhoneNumber(identifier);
      const channel =
        type === undefined
          ? ((await channels.findByIdentifier(identifier)) ?? (e164 !== identifier ? await channels.findByIdentifier(e164) : undefined))
          : await channels.findByIdentifier(hasPhoneIdentifier(type) ? e164 : identifier, type);
      if (!channel) throw notFound(CHANNEL_NOT_FOUND, { channelIdentifier: identifier, ...(type && { deploymentType: type }) });
      return channel;
    },
    list(workspaceId: string, page: number, pageSize: number, type?: DeploymentType, search?: string) {
      return workspaceRepositories(db, workspaceId).channels.list(page, pageSize, type, search);
    },

    update(workspaceId: string, id: string, patch: ParsedDeploymentChannelUpdate): Promise<DeploymentChannel> {
      return db.transaction().execute(async (trx) => {
        const repos = workspaceRepositories(trx, workspaceId);
        const channel = await repos.channels.get(id);
        if (!channel) throw notFound(CHANNEL_NOT_FOUND, { id });
        const type = channel.deploymentType;
        if (patch.deploymentType !== undefined && patch.deploymentType !== type) {
          throw invalidField('deploymentType', `cannot be changed (this channel is ${type}); create a new channel instead`);
        }
        const rules = channelTypeRules[type];
        const identifier =
          patch.channelIdentifier === undefined
            ? channel.channelIdentifier
            : parseOrThrow(rules.identifier, patch.channelIdentifier, 'channelIdentifier');
        const configuration: ChannelConfiguration =
          patch.configuration === undefined
            ? channel.configuration
            : withTypeDefaults(
                type,
                identifier,
                parseOrThrow(rules.configuration, mergeConfiguration(channel.configuration, patch.configuration), 'configuration'),
              );

        if (identifier !== channel.channelIdentifier) await requireIdentifierFree(repos, identifier, type, id);
        if (patch.configuration !== undefined) await requireConnectionFor(trx, workspaceId, type, configuration);

        const oldPhoneId = phoneConfigurationIdOf(type, channel.configuration);
        const newPhoneId = phoneConfigurationIdOf(type, configuration);
        if (newPhoneId && isPhoneType(type) && (newPhoneId !== oldPhoneId || identifier !== channel.channelIdentifier)) {
          await requirePhoneFor(repos, newPhoneId, identifier);
          if (oldPhoneId && oldPhoneId !== newPhoneId) await repos.phones.track(oldPhoneId, phoneSlot(type), null);
          await repos.phones.track(newPhoneId, phoneSlot(type), id);
        }
        try {
          const updated = await repos.channels.update(id, {
            channelIdentifier: identifier,
            channelName: patch.channelName,
            recordingEnabled: patch.recordingEnabled,
            configuration,
            phoneConfigurationId: newPhoneId,
          });
          return updated!;
        } catch (error) {
          if (isUniqueViolation(error)) throw conflict(IDENTIFIER_IN_USE);
          throw error;
        }
      });
    },

    /**
     * Deletes a channel. With `deletePhoneConfig` its phone configuration goes too, unless
     * another channel still uses it; the returned meta says which happened.
     */
    delete(workspaceId: string, id: string, deletePhoneConfig: boolean): Promise<ChannelDeletion> {
      return db.transaction().execute(async (trx) => {
        const repos = workspaceRepositories(trx, workspaceId);
        const channel = await repos.channels.get(id);
        if (!channel) throw notFound(CHANNEL_NOT_FOUND, { id });
        const deployment = await repos.deployments.findByChannel(id);
        if (deployment) {
          throw conflict(`Deployment channel is used by deployment ${deployment.id}; delete the deployment first`, {
            deploymentId: deployment.id,
          });
        }
        const type = channel.deploymentType;
        const phoneId = phoneConfigurationIdOf(type, channel.configuration);
        if (phoneId && isPhoneType(type)) await repos.phones.track(phoneId, phoneSlot(type), null);
        await repos.channels.delete(id);
        await teamsRepository(trx, workspaceId).forgetChannel(id);

        const meta: Record<string, unknown> = {};
        if (deletePhoneConfig && phoneId) {
          const stillUsing = (await repos.channels.usingPhoneConfiguration(phoneId)).map((c) => c.id);
          if (stillUsing.length > 0) {
            Object.assign(meta, {
              phoneConfigurationDeleted: false,
              phoneConfigurationId: phoneId,
              reason: `Phone configuration ${phoneId} was kept: channel ${stillUsing.join(', ')} still uses it`,
              stillUsedBy: stillUsing,
            });
          } else {
            await repos.phones.delete(phoneId);
            Object.assign(meta, { phoneConfigurationDeleted: true, phoneConfigurationId: phoneId });
          }
        } else if (deletePhoneConfig) {
          Object.assign(meta, { phoneConfigurationDeleted: false, reason: `A ${type} channel has no phone configuration` });
        }
        return { deleted: true, meta };
      });
    },
  };
}

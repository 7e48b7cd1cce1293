import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Connection, FieldIssue, ParsedConnectionRequest, ParsedConnectionUpdate, Provider } from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { randomBase62 } from '../store/ids.js';
import { newId } from '../store/ids.js';
import { connectionsRepository, findConnection, type ConnectionRecord } from '../store/repositories/connections.js';
import { openedConnections } from './opened-connections.js';
import { secretsRepository } from '../store/repositories/secrets.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { ConnectionContext, ProviderDefinition } from '../channels/adapter.js';
import type { ProviderRegistry } from '../channels/registry.js';
import type { HelpdeskConnector } from '../handoff/helpdesks/connector.js';
import { ApiError, conflict, invalid, invalidField, notFound } from '../http/errors.js';
import { parseOrThrow } from '../http/validation.js';
import { SECRET_NOT_FOUND, type SecretsService } from './secrets-service.js';
import { egressPolicy, type EgressPolicy } from '../egress/policy.js';
import { connectionTargets, targetIssues } from '../egress/configured-targets.js';

export const CONNECTION_NOT_FOUND = 'Connection not found';
export const INBOUND_PREFIX = '/v1/public/channels';
export const HELPDESK_INBOUND_PREFIX = '/v1/public/helpdesks';
/**
 * How long an opened connection context is reused. A change to the connection itself is seen at
 * once (the cache is keyed by its last change); a secret replaced on this node too; a secret
 * replaced through another node within this window.
 */
const CONTEXT_TTL_MS = 5_000;

const inboundContext = (id: string) => `connection:${id}:inbound`;

function newInboundSecret(kind: ProviderDefinition['inboundSecret'] | undefined): string {
  // 32 base62 characters (190 bits): within every provider's rules for a pasted token (WeChat and WeCom take at most 32).
  return kind === 'whsec' ? `whsec_${randomBytes(32).toString('base64')}` : randomBase62(32);
}

export function inboundUrl(publicUrl: string, provider: string, connectionId: string): string {
  return `${publicUrl}${INBOUND_PREFIX}/${provider}/${connectionId}`;
}

/**
 * For callers that build a connection in steps (the channel service's `createWhatsApp` stores
 * the access token now and the app secret when the operator has it): required credentials
 * named in `pendingCredentials` may be missing. The adapter refuses what needs them until
 * they are set (Meta: inbound webhooks answer 403 without `appSecret`). The public
 * connections API never passes this.
 */
export interface ConnectionWriteOptions {
  pendingCredentials?: readonly string[];
}

/** What a connection of a provider must look like: a channel provider's definition, or a helpdesk connector's. */
interface ConnectionShape {
  settings: ProviderDefinition['settings'];
  credentials: ProviderDefinition['credentials'];
  setup: string;
  /** Where the provider sends its requests: channel webhooks, or a helpdesk's replies. */
  inboundPrefix: string;
}

export function connectionsService(
  db: Kysely<DB>,
  deps: {
    box: SecretBox;
    secrets: SecretsService;
    registry: ProviderRegistry;
    helpdesks: ReadonlyMap<string, HelpdeskConnector>;
    publicUrl: string;
    /** Where the connection may send; checked when it is saved and travels in its context. */
    egress?: EgressPolicy;
  },
) {
  const { box, secrets, registry, helpdesks, publicUrl } = deps;
  const egress = deps.egress ?? egressPolicy();
  const contexts = new Map<string, { context: ConnectionContext; until: number; secretsVersion: number }>();
  let secretsVersion = 0;

  async function context(record: ConnectionRecord): Promise<ConnectionContext> {
    // Every webhook needs its connection's secrets opened; keep the opened context briefly
    // (keyed by the connection's last change) instead of reading and decrypting per request.
    const key = `${record.id}:${record.updatedAt}`;
    const cached = contexts.get(key);
    if (cached && cached.until > Date.now() && cached.secretsVersion === secretsVersion) return cached.context;
    const openedSecrets: Record<string, string> = {};
    for (const [name, secretId] of Object.entries(record.credentials)) {
      const value = await secrets.open(record.workspaceId, secretId);
      if (value !== undefined) openedSecrets[name] = value;
    }
    const built: ConnectionContext = {
      id: record.id,
      workspaceId: record.workspaceId,
      provider: record.provider,
      settings: record.settings,
      secrets: openedSecrets,
      inboundSecret: box.decrypt(record.inboundSecretSealed, inboundContext(record.id)),
      apiBaseUrl: (record.apiBaseUrl ?? registry.get(record.provider)?.adapter.defaultApiBaseUrl ?? '').replace(/\/+$/, ''),
      egress,
    };
    if (contexts.size > 1000) contexts.clear();
    contexts.set(key, { context: built, until: Date.now() + CONTEXT_TTL_MS, secretsVersion });
    return built;
  }

  const opened = openedConnections(async (id) => {
    const record = await findConnection(db, id);
    return record && { record, context: await context(record) };
  });

  function shapeOf(provider: string): ConnectionShape | undefined {
    const definition = registry.get(provider);
    if (definition) return { settings: definition.settings, credentials: definition.credentials, setup: definition.setup, inboundPrefix: INBOUND_PREFIX };
    const connector = helpdesks.get(provider);
    if (connector) return { settings: connector.settings, credentials: connector.credentials, setup: connector.setup, inboundPrefix: HELPDESK_INBOUND_PREFIX };
    return undefined;
  }

  /**
   * Checks settings against the provider's schema (a channel provider's, or a helpdesk connector's)
   * and credentials against its fields and the workspace's secrets.
   */
  async function validate(
    workspaceId: string,
    provider: string,
    settings: Record<string, unknown>,
    credentials: Record<string, string>,
    options: ConnectionWriteOptions = {},
    targets: { settings: boolean; apiBaseUrl: unknown } = { settings: true, apiBaseUrl: undefined },
  ) {
    const definition = shapeOf(provider);
    const parsedSettings = definition ? (parseOrThrow(definition.settings, settings, 'settings') as Record<string, unknown>) : settings;
    const refusedTargets = targetIssues(egress, connectionTargets(targets.settings ? parsedSettings : {}, targets.apiBaseUrl));
    if (definition) {
      const known = new Set(definition.credentials.map((c) => c.name));
      const issues = [
        ...refusedTargets,
        ...Object.keys(credentials)
          .filter((name) => !known.has(name))
          .map((name) => ({ field: `credentials.${name}`, message: `Unknown credential for ${provider}: expected ${[...known].join(', ') || 'none'}` })),
        ...definition.credentials
          .filter((c) => c.required && !credentials[c.name] && !options.pendingCredentials?.includes(c.name))
          .map((c) => ({ field: `credentials.${c.name}`, message: `Required: the id of the secret holding ${c.description}` })),
      ];
      if (issues.length > 0) throw invalid(issues);
    } else if (refusedTargets.length > 0) {
      throw invalid(refusedTargets);
    }
    const repo = secretsRepository(db, workspaceId);
    for (const [name, secretId] of Object.entries(credentials)) {
      if (!(await repo.get(secretId))) throw notFound(SECRET_NOT_FOUND, { field: `credentials.${name}`, secretId });
    }
    return parsedSettings;
  }

  async function view(record: ConnectionRecord): Promise<Connection> {
    const definition = registry.get(record.provider);
    const shape = shapeOf(record.provider);
    const repo = secretsRepository(db, record.workspaceId);
    const credentials: Connection['credentials'] = {};
    for (const [name, secretId] of Object.entries(record.credentials)) {
      const secret = await repo.get(secretId);
      if (secret) credentials[name] = { secretId, mask: secret.mask, fingerprint: secret.fingerprint };
    }
    const url = `${publicUrl}${shape?.inboundPrefix ?? INBOUND_PREFIX}/${record.provider}/${record.id}`;
    const inboundSecret = box.decrypt(record.inboundSecretSealed, inboundContext(record.id));
    return {
      id: record.id,
      provider: record.provider as Provider,
      name: record.name,
      settings: record.settings,
      credentials,
      apiBaseUrl: record.apiBaseUrl ?? definition?.adapter.defaultApiBaseUrl ?? '',
      inboundUrl: url,
      inboundSecret,
      setup: (shape?.setup ?? 'Configure the integration with the inbound URL and secret below.')
        .replaceAll('{inboundUrl}', url)
        .replaceAll('{inboundSecret}', inboundSecret),
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
    };
  }

  async function requireRecord(workspaceId: string, id: string, executor: Kysely<DB> = db) {
    const record = await connectionsRepository(executor, workspaceId).get(id);
    if (!record) throw notFound(CONNECTION_NOT_FOUND, { id });
    return record;
  }

  return {
    view,
    requireRecord,
    /** The box secrets are sealed with, for other senders (webhook subscriptions) that open their own. */
    secretBox: box,
    async create(workspaceId: string, request: ParsedConnectionRequest, options: ConnectionWriteOptions = {}): Promise<Connection> {
      const settings = await validate(workspaceId, request.provider, request.settings, request.credentials, options, { settings: true, apiBaseUrl: request.apiBaseUrl });
      const id = newId('connection');
      const record = await connectionsRepository(db, workspaceId).insert({
        id,
        provider: request.provider,
        name: request.name,
        settings,
        credentials: request.credentials,
        apiBaseUrl: request.apiBaseUrl ?? null,
        inboundSecretSealed: box.encrypt(newInboundSecret(registry.get(request.provider)?.inboundSecret), inboundContext(id)),
      });
      return view(record);
    },
    async get(workspaceId: string, id: string) {
      return view(await requireRecord(workspaceId, id));
    },
    async list(workspaceId: string, page: number, pageSize: number) {
      const result = await connectionsRepository(db, workspaceId).list(page, pageSize);
      return { data: await Promise.all(result.data.map(view)), meta: result.meta };
    },
    async update(workspaceId: string, id: string, patch: ParsedConnectionUpdate, options: ConnectionWriteOptions = {}) {
      const record = await requireRecord(workspaceId, id);
      const settings = await validate(workspaceId, record.provider, patch.settings ?? record.settings, patch.credentials ?? record.credentials, options, {
        settings: patch.settings !== undefined,
        apiBaseUrl: patch.apiBaseUrl,
      });
      const updated = await connectionsRepository(db, workspaceId).update(id, {
        ...(patch.name !== undefined && { name: patch.name }),
        ...(patch.settings !== undefined && { settings }),
        ...(patch.credentials !== undefined && { credentials: patch.credentials }),
        ...(patch.apiBaseUrl !== undefined && { apiBaseUrl: patch.apiBaseUrl }),
      });
      opened.forget(id);
      return view(updated!);
    },
    /**
     * What is wrong with a stored connection under the rules in force now (`switchboard doctor`):
     * the checks of create and update (settings, required credentials, secrets that exist, targets
     * the egress policy allows), an unknown provider, and sealed values the master key cannot open.
     */
    async problems(record: ConnectionRecord): Promise<FieldIssue[]> {
      const issues: FieldIssue[] = [];
      if (!shapeOf(record.provider)) issues.push({ field: 'provider', message: `'${record.provider}' is not a provider this version knows` });
      try {
        await validate(record.workspaceId, record.provider, record.settings, record.credentials, {}, { settings: true, apiBaseUrl: record.apiBaseUrl ?? undefined });
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        if (Array.isArray(error.details)) issues.push(...(error.details as FieldIssue[]));
        else issues.push({ field: typeof error.meta.field === 'string' ? error.meta.field : '', message: `${error.message}${error.meta.secretId ? ` (${String(error.meta.secretId)})` : ''}` });
      }
      const sealed = [
        { field: 'inboundSecret', open: () => box.decrypt(record.inboundSecretSealed, inboundContext(record.id)) },
        ...Object.entries(record.credentials).map(([name, secretId]) => ({ field: `credentials.${name}`, open: () => secrets.open(record.workspaceId, secretId) })),
      ];
      for (const { field, open } of sealed) {
        try {
          await open();
        } catch (error) {
          issues.push({ field, message: (error as Error).message });
        }
      }
      return issues;
    },
    /** Issues a new inbound secret; the old one stops verifying at once. */
    async rotateInboundSecret(workspaceId: string, id: string) {
      const record = await requireRecord(workspaceId, id);
      const sealed = box.encrypt(newInboundSecret(registry.get(record.provider)?.inboundSecret), inboundContext(id));
      const updated = await connectionsRepository(db, workspaceId).update(id, { inboundSecretSealed: sealed });
      opened.forget(id);
      return view(updated!);
    },
    async delete(workspaceId: string, id: string) {
      const deleted = await db.transaction().execute(async (trx) => {
        await requireRecord(workspaceId, id, trx);
        const channels = await trx.selectFrom('deployment_channels').select('id').where('workspace_id', '=', workspaceId).where('connection_id', '=', id).execute();
        const phones = await trx.selectFrom('phone_configurations').select('id').where('workspace_id', '=', workspaceId).where('connection_id', '=', id).execute();
        const teams = await trx.selectFrom('teams').select('id').where('workspace_id', '=', workspaceId).where('helpdesk_connection_id', '=', id).execute();
        const users = [...channels, ...phones, ...teams].map((r) => r.id);
        if (users.length > 0) throw conflict(`Connection is used by ${users.join(', ')}; remove those first`, { usedBy: users });
        return connectionsRepository(trx, workspaceId).delete(id);
      });
      opened.forget(id);
      return deleted;
    },
    /** Everything an adapter needs, secrets opened. */
    context,
    /** A connection by id alone with its secrets opened, as a webhook naming it needs it (kept briefly: opened-connections.ts). */
    opened: (id: string) => opened.get(id),
    /** A secret's value changed: contexts opened with the old value must not be reused. */
    secretsChanged(): void {
      secretsVersion++;
      opened.clear();
    },
  };
}
export type ConnectionsService = ReturnType<typeof connectionsService>;

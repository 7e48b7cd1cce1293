import type { Kysely, Selectable } from 'kysely';
import { attachmentSettingsSchema, type AttachmentSettings, type PaginatedResult, type PreChatForm, type WebDeployment, type WidgetTheme } from '@switchboard/core';
import type { DB, WebDeploymentsTable } from '../schema.js';
import { monotonicNow } from '../clock.js';
import { newId } from '../ids.js';
import { paginate } from './paginate.js';
import { announceCredentialChange } from '../credential-changes.js';
import type { ResolvedToken } from '../../runtime/access.js';

export interface WebDeploymentRecord extends WebDeployment {
  workspaceId: string;
}

function toWebDeployment(row: Selectable<WebDeploymentsTable>, origins: string[]): WebDeploymentRecord {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    agentId: row.agent_id,
    deploymentChannelId: row.deployment_channel_id,
    deploymentConfigurationId: row.deployment_configuration_id,
    name: row.name,
    tokenPrefix: row.token_prefix,
    allowedOrigins: origins,
    theme: JSON.parse(row.theme) as WidgetTheme,
    preChatForm: row.pre_chat_form ? (JSON.parse(row.pre_chat_form) as PreChatForm) : null,
    lastUsedAt: row.last_used_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    revokedAt: row.revoked_at,
  };
}

/** On, 10 MiB, images + PDF + text. */
const DEFAULT_ATTACHMENT_SETTINGS: AttachmentSettings = attachmentSettingsSchema.parse({});

/** The upload rules a deployment keeps as JSON; the defaults until its owner sets its own (or when the JSON no longer parses). */
export function readAttachmentSettings(text: string | null | undefined): AttachmentSettings {
  if (!text) return DEFAULT_ATTACHMENT_SETTINGS;
  const parsed = attachmentSettingsSchema.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : DEFAULT_ATTACHMENT_SETTINGS;
}

/** Token lookups are not workspace-scoped: the token itself names the workspace. */
export function webDeploymentTokens(db: Kysely<DB>) {
  return {
    /**
     * The deployment a token hash belongs to, with whether that token (or its deployment) is
     * revoked and whether its workspace is suspended (read in the same query as the token).
     */
    async resolve(tokenHash: string): Promise<ResolvedToken | undefined> {
      const token = await db
        .selectFrom('web_deployment_tokens as t')
        .innerJoin('web_deployments as d', 'd.id', 't.deployment_id')
        .innerJoin('workspaces as w', 'w.id', 'd.workspace_id')
        .leftJoin('deployment_configurations as c', 'c.id', 'd.deployment_configuration_id')
        .select(['t.deployment_id', 't.revoked_at', 'w.status as workspace_status', 'c.status as deployment_status', 'd.attachment_settings'])
        .where('t.token_hash', '=', tokenHash)
        .executeTakeFirst();
      if (!token) return undefined;
      const deployment = await loadDeployment(db, token.deployment_id);
      return (
        deployment && {
          deployment,
          tokenRevoked: token.revoked_at !== null || deployment.revokedAt !== null,
          workspaceSuspended: token.workspace_status === 'suspended',
          deploymentPaused: token.deployment_status === 'paused' || token.deployment_status === 'archived',
          attachmentSettings: readAttachmentSettings(token.attachment_settings),
        }
      );
    },
    async byPrefix(prefix: string): Promise<WebDeploymentRecord[]> {
      const rows = await db.selectFrom('web_deployments').select('id').where('token_prefix', '=', prefix).execute();
      const found = await Promise.all(rows.map((r) => loadDeployment(db, r.id)));
      return found.filter((d): d is WebDeploymentRecord => d !== undefined);
    },
    /** True when some active deployment allows this origin: what a CORS preflight may learn. */
    async originAllowedAnywhere(origin: string): Promise<boolean> {
      const row = await db
        .selectFrom('web_deployment_origins as o')
        .innerJoin('web_deployments as d', 'd.id', 'o.deployment_id')
        .select('o.origin')
        .where('o.origin', '=', origin)
        .where('d.revoked_at', 'is', null)
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },
    async touch(deploymentId: string, at = Date.now()): Promise<void> {
      await db.updateTable('web_deployments').set({ last_used_at: at }).where('id', '=', deploymentId).execute();
    },
  };
}

async function loadDeployment(db: Kysely<DB>, id: string, workspaceId?: string): Promise<WebDeploymentRecord | undefined> {
  let query = db.selectFrom('web_deployments').selectAll().where('id', '=', id);
  if (workspaceId) query = query.where('workspace_id', '=', workspaceId);
  const row = await query.executeTakeFirst();
  if (!row) return undefined;
  const origins = await db.selectFrom('web_deployment_origins').select('origin').where('deployment_id', '=', id).orderBy('origin').execute();
  return toWebDeployment(row, origins.map((o) => o.origin));
}

export interface NewWebDeployment {
  agentId: string;
  deploymentChannelId: string;
  deploymentConfigurationId: string;
  name?: string | null | undefined;
  theme: WidgetTheme;
  preChatForm?: PreChatForm | null | undefined;
  allowedOrigins: string[];
  tokenHash: string;
  tokenPrefix: string;
}

export function webDeploymentsRepository(db: Kysely<DB>, workspaceId: string) {
  async function replaceOrigins(deploymentId: string, origins: string[]) {
    await db.deleteFrom('web_deployment_origins').where('deployment_id', '=', deploymentId).execute();
    if (origins.length > 0) {
      await db
        .insertInto('web_deployment_origins')
        .values(origins.map((origin) => ({ deployment_id: deploymentId, origin })))
        .execute();
    }
  }

  return {
    async insert(input: NewWebDeployment): Promise<WebDeploymentRecord> {
      const now = monotonicNow();
      const id = newId('webDeployment');
      await db
        .insertInto('web_deployments')
        .values({
          id,
          workspace_id: workspaceId,
          agent_id: input.agentId,
          deployment_channel_id: input.deploymentChannelId,
          deployment_configuration_id: input.deploymentConfigurationId,
          name: input.name ?? null,
          token_prefix: input.tokenPrefix,
          theme: JSON.stringify(input.theme),
          pre_chat_form: input.preChatForm ? JSON.stringify(input.preChatForm) : null,
          created_at: now,
          updated_at: now,
          last_used_at: null,
          revoked_at: null,
        })
        .execute();
      await db.insertInto('web_deployment_tokens').values({ token_hash: input.tokenHash, deployment_id: id, created_at: now, revoked_at: null }).execute();
      await replaceOrigins(id, input.allowedOrigins);
      return (await loadDeployment(db, id))!;
    },
    get(id: string): Promise<WebDeploymentRecord | undefined> {
      return loadDeployment(db, id, workspaceId);
    },
    async list(agentId: string, page: number, pageSize: number): Promise<PaginatedResult<WebDeploymentRecord>> {
      const query = db.selectFrom('web_deployments').where('workspace_id', '=', workspaceId).where('agent_id', '=', agentId);
      const result = await paginate(query, page, pageSize, (q) => q.select('id'), (row) => row.id);
      const data = await Promise.all(result.data.map((id) => loadDeployment(db, id, workspaceId)));
      return { data: data.filter((d): d is WebDeploymentRecord => d !== undefined), meta: result.meta };
    },
    async update(id: string, changes: { name?: string; theme?: WidgetTheme; preChatForm?: PreChatForm | null; allowedOrigins?: string[] }): Promise<WebDeploymentRecord> {
      await db
        .updateTable('web_deployments')
        .set({
          ...(changes.name !== undefined && { name: changes.name }),
          ...(changes.theme !== undefined && { theme: JSON.stringify(changes.theme) }),
          ...(changes.preChatForm !== undefined && { pre_chat_form: changes.preChatForm ? JSON.stringify(changes.preChatForm) : null }),
          updated_at: monotonicNow(),
        })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .execute();
      if (changes.allowedOrigins) await replaceOrigins(id, changes.allowedOrigins);
      announceCredentialChange(db, { kind: 'webDeployment', id });
      return (await loadDeployment(db, id, workspaceId))!;
    },
    /** Revokes the deployment and every token it has had. */
    async revoke(id: string): Promise<WebDeploymentRecord> {
      const now = monotonicNow();
      await db.updateTable('web_deployments').set({ revoked_at: now, updated_at: now }).where('workspace_id', '=', workspaceId).where('id', '=', id).where('revoked_at', 'is', null).execute();
      await db.updateTable('web_deployment_tokens').set({ revoked_at: now }).where('deployment_id', '=', id).where('revoked_at', 'is', null).execute();
      announceCredentialChange(db, { kind: 'webDeployment', id });
      return (await loadDeployment(db, id, workspaceId))!;
    },
    /** Revokes the current token and installs a new one. */
    async rotate(id: string, tokenHash: string, tokenPrefix: string): Promise<WebDeploymentRecord> {
      const now = monotonicNow();
      await db.updateTable('web_deployment_tokens').set({ revoked_at: now }).where('deployment_id', '=', id).where('revoked_at', 'is', null).execute();
      await db.insertInto('web_deployment_tokens').values({ token_hash: tokenHash, deployment_id: id, created_at: now, revoked_at: null }).execute();
      await db.updateTable('web_deployments').set({ token_prefix: tokenPrefix, updated_at: now }).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
      announceCredentialChange(db, { kind: 'webDeployment', id });
      return (await loadDeployment(db, id, workspaceId))!;
    },
  };
}

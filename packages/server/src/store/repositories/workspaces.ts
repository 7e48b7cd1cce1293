import { monotonicNow } from '../clock.js';
import type { Kysely, Selectable } from 'kysely';
import type { ApiKey, ApiKeyScope, PaginatedResult, Workspace, WorkspaceStatus } from '@switchboard/core';
import type { ApiKeysTable, DB, WorkspacesTable } from '../schema.js';
import { newId } from '../ids.js';
import { paginate } from './paginate.js';
import { announceCredentialChange } from '../credential-changes.js';

export type { Workspace } from '@switchboard/core';

/** A key as stored and listed: core's `ApiKey`, never the key or its hash. */
export type ApiKeyRecord = ApiKey;

/** What authentication needs of a key: the key and, from the same query, its workspace's status. */
export interface ApiKeyForAuth extends ApiKeyRecord {
  keyHash: string;
  workspaceStatus: WorkspaceStatus;
}

const toWorkspace = (row: Selectable<WorkspacesTable>): Workspace => ({
  id: row.id,
  name: row.name,
  status: row.status as WorkspaceStatus,
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});

function toApiKey(row: Selectable<ApiKeysTable>): ApiKeyRecord {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    name: row.name,
    prefix: row.prefix,
    scope: row.scope as ApiKeyScope,
    instanceAdmin: Number(row.instance_admin) === 1,
    createdAt: Number(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
  };
}

export function workspacesRepository(db: Kysely<DB>) {
  return {
    async create(name: string, id = newId('workspace')): Promise<Workspace> {
      const createdAt = monotonicNow();
      const row = { id, name, status: 'active', created_at: createdAt, updated_at: createdAt };
      await db.insertInto('workspaces').values(row).execute();
      return toWorkspace(row);
    },
    async first(): Promise<Workspace | undefined> {
      const row = await db.selectFrom('workspaces').selectAll().orderBy('created_at').orderBy('id').limit(1).executeTakeFirst();
      return row && toWorkspace(row);
    },
    async get(id: string): Promise<Workspace | undefined> {
      const row = await db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toWorkspace(row);
    },
    async list(): Promise<Workspace[]> {
      const rows = await db.selectFrom('workspaces').selectAll().orderBy('created_at').orderBy('id').execute();
      return rows.map(toWorkspace);
    },
    page(page: number, pageSize: number): Promise<PaginatedResult<Workspace>> {
      return paginate(db.selectFrom('workspaces'), page, pageSize, (q) => q.selectAll(), toWorkspace);
    },
    async update(id: string, patch: { name?: string | undefined; status?: WorkspaceStatus | undefined }): Promise<Workspace | undefined> {
      const set = {
        ...(patch.name !== undefined && { name: patch.name }),
        ...(patch.status !== undefined && { status: patch.status }),
      };
      if (Object.keys(set).length > 0) {
        await db.updateTable('workspaces').set({ ...set, updated_at: monotonicNow() }).where('id', '=', id).execute();
        if (patch.status !== undefined) announceCredentialChange(db, { kind: 'workspace', id });
      }
      return this.get(id);
    },
  };
}

export interface NewApiKey {
  workspaceId: string;
  name: string;
  prefix: string;
  keyHash: string;
  scope?: ApiKeyScope;
  instanceAdmin?: boolean;
}

export function apiKeysRepository(db: Kysely<DB>) {
  return {
    async insert(key: NewApiKey): Promise<ApiKeyRecord> {
      const row = {
        id: newId('apiKey'),
        workspace_id: key.workspaceId,
        name: key.name,
        prefix: key.prefix,
        key_hash: key.keyHash,
        scope: key.scope ?? 'admin',
        instance_admin: key.instanceAdmin ? 1 : 0,
        created_at: monotonicNow(),
        last_used_at: null,
        revoked_at: null,
      };
      await db.insertInto('api_keys').values(row).execute();
      return toApiKey(row);
    },
    /** One indexed lookup by hash, joined to the workspace so a suspension is seen on every request. */
    async findForAuth(keyHash: string): Promise<ApiKeyForAuth | undefined> {
      const row = await db
        .selectFrom('api_keys as k')
        .innerJoin('workspaces as w', 'w.id', 'k.workspace_id')
        .selectAll('k')
        .select('w.status as workspace_status')
        .where('k.key_hash', '=', keyHash)
        .executeTakeFirst();
      if (!row) return undefined;
      const { workspace_status, ...key } = row;
      return { ...toApiKey(key), keyHash: key.key_hash, workspaceStatus: workspace_status as WorkspaceStatus };
    },
    /**
     * Replaces a key's stored hash (a legacy SHA-256 by the keyed hash) and its shown prefix.
     * Conditional on the old hash, so nodes upgrading the same key at once do not conflict.
     */
    async rehash(id: string, from: string, to: string, prefix: string): Promise<void> {
      await db.updateTable('api_keys').set({ key_hash: to, prefix }).where('id', '=', id).where('key_hash', '=', from).execute();
    },
    async list(workspaceId?: string): Promise<ApiKeyRecord[]> {
      let query = db.selectFrom('api_keys').selectAll();
      if (workspaceId) query = query.where('workspace_id', '=', workspaceId);
      const rows = await query.orderBy('created_at').orderBy('id').execute();
      return rows.map(toApiKey);
    },
    page(workspaceId: string, page: number, pageSize: number): Promise<PaginatedResult<ApiKeyRecord>> {
      return paginate(db.selectFrom('api_keys').where('workspace_id', '=', workspaceId), page, pageSize, (q) => q.selectAll(), toApiKey);
    },
    async get(id: string): Promise<ApiKeyRecord | undefined> {
      const row = await db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toApiKey(row);
    },
    async revoke(id: string, at = monotonicNow()): Promise<boolean> {
      const result = await db
        .updateTable('api_keys')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      announceCredentialChange(db, { kind: 'apiKey', id });
      return Number(result.numUpdatedRows) > 0;
    },
    async touch(id: string, at = monotonicNow()): Promise<void> {
      await db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id).execute();
    },
  };
}

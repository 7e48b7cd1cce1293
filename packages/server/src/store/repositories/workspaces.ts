import { monotonicNow } from '../clock.js';
import type { Kysely, Selectable } from 'kysely';
import type { ApiKeysTable, DB } from '../schema.js';
import { newId } from '../ids.js';

export interface Workspace {
  id: string;
  name: string;
  createdAt: number;
}

export interface ApiKeyRecord {
  id: string;
  workspaceId: string;
  name: string;
  prefix: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

function toApiKey(row: Selectable<ApiKeysTable>): ApiKeyRecord {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

export function workspacesRepository(db: Kysely<DB>) {
  return {
    async create(name: string, id = newId('workspace')): Promise<Workspace> {
      const createdAt = monotonicNow();
      await db.insertInto('workspaces').values({ id, name, created_at: createdAt }).execute();
      return { id, name, createdAt };
    },
    async first(): Promise<Workspace | undefined> {
      const row = await db.selectFrom('workspaces').selectAll().orderBy('created_at').orderBy('id').limit(1).executeTakeFirst();
      return row && { id: row.id, name: row.name, createdAt: row.created_at };
    },
    async get(id: string): Promise<Workspace | undefined> {
      const row = await db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst();
      return row && { id: row.id, name: row.name, createdAt: row.created_at };
    },
    async list(): Promise<Workspace[]> {
      const rows = await db.selectFrom('workspaces').selectAll().orderBy('created_at').orderBy('id').execute();
      return rows.map((row) => ({ id: row.id, name: row.name, createdAt: row.created_at }));
    },
  };
}

export function apiKeysRepository(db: Kysely<DB>) {
  return {
    async insert(key: { workspaceId: string; name: string; prefix: string; keyHash: string }): Promise<ApiKeyRecord> {
      const row = {
        id: newId('apiKey'),
        workspace_id: key.workspaceId,
        name: key.name,
        prefix: key.prefix,
        key_hash: key.keyHash,
        created_at: monotonicNow(),
        last_used_at: null,
        revoked_at: null,
      };
      await db.insertInto('api_keys').values(row).execute();
      return toApiKey(row);
    },
    async findByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
      const row = await db.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
      return row && toApiKey(row);
    },
    async list(workspaceId?: string): Promise<ApiKeyRecord[]> {
      let query = db.selectFrom('api_keys').selectAll();
      if (workspaceId) query = query.where('workspace_id', '=', workspaceId);
      const rows = await query.orderBy('created_at').orderBy('id').execute();
      return rows.map(toApiKey);
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
      return Number(result.numUpdatedRows) > 0;
    },
    async touch(id: string, at = monotonicNow()): Promise<void> {
      await db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id).execute();
    },
  };
}

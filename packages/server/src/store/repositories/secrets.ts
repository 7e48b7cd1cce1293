import type { Kysely, Selectable } from 'kysely';
import type { PaginatedResult, Secret } from '@switchboard/core';
import type { DB, SecretsTable } from '../schema.js';
import { monotonicNow } from '../clock.js';
import { newId } from '../ids.js';
import { paginate } from './paginate.js';
import { deleteInWorkspace } from './scoped.js';

function toSecret(row: Selectable<SecretsTable>): Secret {
  return { id: row.id, name: row.name, mask: row.mask, fingerprint: row.fingerprint, createdAt: row.created_at, updatedAt: row.updated_at };
}

export interface SealedValue {
  sealed: string;
  mask: string;
  fingerprint: string;
}

export function secretsRepository(db: Kysely<DB>, workspaceId: string) {
  const scoped = () => db.selectFrom('secrets').where('workspace_id', '=', workspaceId);
  return {
    async insert(name: string, value: SealedValue, id = newId('secret')): Promise<Secret> {
      const now = monotonicNow();
      const row = { id, workspace_id: workspaceId, name, ...value, created_at: now, updated_at: now };
      await db.insertInto('secrets').values(row).execute();
      return toSecret(row);
    },
    async get(id: string): Promise<Secret | undefined> {
      const row = await scoped().selectAll().where('id', '=', id).executeTakeFirst();
      return row && toSecret(row);
    },
    async findByName(name: string): Promise<Secret | undefined> {
      const row = await scoped().selectAll().where('name', '=', name).executeTakeFirst();
      return row && toSecret(row);
    },
    /** The sealed value, for opening by the secret box: never leaves the server. */
    async sealedValue(id: string): Promise<string | undefined> {
      const row = await scoped().select('sealed').where('id', '=', id).executeTakeFirst();
      return row?.sealed;
    },
    list(page: number, pageSize: number): Promise<PaginatedResult<Secret>> {
      return paginate(scoped(), page, pageSize, (q) => q.selectAll(), toSecret);
    },
    async replace(id: string, value: SealedValue): Promise<Secret | undefined> {
      await db.updateTable('secrets').set({ ...value, updated_at: monotonicNow() }).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
      return this.get(id);
    },
    delete(id: string): Promise<boolean> {
      return deleteInWorkspace(db, 'secrets', workspaceId, id);
    },
  };
}

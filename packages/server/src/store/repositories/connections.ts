import type { Kysely, Selectable } from 'kysely';
import type { PaginatedResult } from '@switchboard/core';
import type { ConnectionsTable, DB } from '../schema.js';
import { monotonicNow } from '../clock.js';
import { newId } from '../ids.js';
import { paginate } from './paginate.js';
import { deleteInWorkspace } from './scoped.js';
import { fixedSql, runFixed } from '../fixed-sql.js';

/** A connection as stored: credentials name secret ids; the inbound secret is sealed. */
export interface ConnectionRecord {
  id: string;
  workspaceId: string;
  provider: string;
  name: string;
  settings: Record<string, unknown>;
  credentials: Record<string, string>;
  apiBaseUrl: string | null;
  inboundSecretSealed: string;
  createdAt: number;
  updatedAt: number;
}

export function toConnectionRecord(row: Selectable<ConnectionsTable>): ConnectionRecord {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    provider: row.provider,
    name: row.name,
    settings: JSON.parse(row.settings) as Record<string, unknown>,
    credentials: JSON.parse(row.credentials) as Record<string, string>,
    apiBaseUrl: row.api_base_url,
    inboundSecretSealed: row.inbound_secret_sealed,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Looks a connection up by id alone: inbound webhooks name it in their URL before any workspace is known. */
/** Read for every webhook received and every reply sent: a fixed text (store/fixed-sql.ts). */
const CONNECTION_BY_ID = fixedSql('select * from "connections" where "id" = ?');

export async function findConnection(db: Kysely<DB>, id: string): Promise<ConnectionRecord | undefined> {
  const [row] = (await runFixed<Selectable<ConnectionsTable>>(db, CONNECTION_BY_ID, [id])).rows;
  return row && toConnectionRecord(row);
}

export function connectionsRepository(db: Kysely<DB>, workspaceId: string) {
  const scoped = () => db.selectFrom('connections').where('workspace_id', '=', workspaceId);
  return {
    async insert(input: Omit<ConnectionRecord, 'id' | 'workspaceId' | 'createdAt' | 'updatedAt'> & { id?: string }): Promise<ConnectionRecord> {
      const now = monotonicNow();
      const row: Selectable<ConnectionsTable> = {
        id: input.id ?? newId('connection'),
        workspace_id: workspaceId,
        provider: input.provider,
        name: input.name,
        settings: JSON.stringify(input.settings),
        credentials: JSON.stringify(input.credentials),
        api_base_url: input.apiBaseUrl,
        inbound_secret_sealed: input.inboundSecretSealed,
        created_at: now,
        updated_at: now,
      };
      await db.insertInto('connections').values(row).execute();
      return toConnectionRecord(row);
    },
    async get(id: string): Promise<ConnectionRecord | undefined> {
      const row = await scoped().selectAll().where('id', '=', id).executeTakeFirst();
      return row && toConnectionRecord(row);
    },
    list(page: number, pageSize: number): Promise<PaginatedResult<ConnectionRecord>> {
      return paginate(scoped(), page, pageSize, (q) => q.selectAll(), toConnectionRecord);
    },
    async usingSecret(secretId: string): Promise<ConnectionRecord[]> {
      const rows = await scoped().selectAll().execute();
      return rows.map(toConnectionRecord).filter((c) => Object.values(c.credentials).includes(secretId));
    },
    async update(
      id: string,
      changes: Partial<Pick<ConnectionRecord, 'name' | 'settings' | 'credentials' | 'apiBaseUrl' | 'inboundSecretSealed'>>,
    ): Promise<ConnectionRecord | undefined> {
      await db
        .updateTable('connections')
        .set({
          ...(changes.name !== undefined && { name: changes.name }),
          ...(changes.settings !== undefined && { settings: JSON.stringify(changes.settings) }),
          ...(changes.credentials !== undefined && { credentials: JSON.stringify(changes.credentials) }),
          ...(changes.apiBaseUrl !== undefined && { api_base_url: changes.apiBaseUrl }),
          ...(changes.inboundSecretSealed !== undefined && { inbound_secret_sealed: changes.inboundSecretSealed }),
          updated_at: monotonicNow(),
        })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .execute();
      return this.get(id);
    },
    delete(id: string): Promise<boolean> {
      return deleteInWorkspace(db, 'connections', workspaceId, id);
    },
  };
}

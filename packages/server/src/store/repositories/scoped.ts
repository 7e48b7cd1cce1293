import type { Kysely } from 'kysely';
import type { DB } from '../schema.js';

/** Tables whose rows belong to one workspace and carry a text id. */
export type WorkspaceTable = 'phone_configurations' | 'deployment_channels' | 'agents' | 'deployment_configurations' | 'secrets' | 'connections' | 'teams' | 'workflows';

/** Deletes one row of a workspace; false when the id is not there (or belongs to another workspace). */
export async function deleteInWorkspace(db: Kysely<DB>, table: WorkspaceTable, workspaceId: string, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom(table)
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

import type { Kysely, Selectable } from 'kysely';
import type { PaginatedResult, WorkflowDefinition, WorkflowTarget } from '@switchboard/core';
import type { DB, WorkflowsTable } from '../schema.js';
import { monotonicNow } from '../clock.js';
import { newId } from '../ids.js';
import { paginate } from './paginate.js';
import { deleteInWorkspace } from './scoped.js';
import { withRowLock, type RowLock } from './row-locks.js';

export interface WorkflowRecord {
  id: string;
  name: string;
  definition: WorkflowDefinition;
  createdAt: number;
  updatedAt: number;
}

export function toWorkflowRecord(row: Selectable<WorkflowsTable>): WorkflowRecord {
  return {
    id: row.id,
    name: row.name,
    definition: JSON.parse(row.definition) as WorkflowDefinition,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** The stored JSON: exactly the rules and the fallback, nothing else. */
function serialize(definition: WorkflowDefinition): string {
  return JSON.stringify({ rules: definition.rules, fallback: definition.fallback });
}

/** Every agent or team a definition sends conversations to. */
export function targetsOf(definition: WorkflowDefinition): WorkflowTarget[] {
  return [...definition.rules.map((rule) => rule.then), definition.fallback];
}

export function workflowsRepository(db: Kysely<DB>, workspaceId: string) {
  const scoped = () => db.selectFrom('workflows').where('workspace_id', '=', workspaceId);
  const channels = () => db.selectFrom('deployment_channels').where('workspace_id', '=', workspaceId);
  return {
    async insert(workflow: { id?: string; name: string; definition: WorkflowDefinition }): Promise<WorkflowRecord> {
      const now = monotonicNow();
      const row: Selectable<WorkflowsTable> = {
        id: workflow.id ?? newId('workflow'),
        workspace_id: workspaceId,
        name: workflow.name,
        definition: serialize(workflow.definition),
        created_at: now,
        updated_at: now,
      };
      await db.insertInto('workflows').values(row).execute();
      return toWorkflowRecord(row);
    },
    async get(id: string, lock?: RowLock): Promise<WorkflowRecord | undefined> {
      const row = await withRowLock(db, scoped().selectAll().where('id', '=', id), lock).executeTakeFirst();
      return row && toWorkflowRecord(row);
    },
    list(page: number, pageSize: number): Promise<PaginatedResult<WorkflowRecord>> {
      return paginate(scoped(), page, pageSize, (q) => q.selectAll(), toWorkflowRecord);
    },
    async update(id: string, changes: { name?: string; definition?: WorkflowDefinition }): Promise<WorkflowRecord | undefined> {
      await db
        .updateTable('workflows')
        .set({
          ...(changes.name !== undefined && { name: changes.name }),
          ...(changes.definition !== undefined && { definition: serialize(changes.definition) }),
          updated_at: monotonicNow(),
        })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .execute();
      return this.get(id);
    },
    delete(id: string): Promise<boolean> {
      return deleteInWorkspace(db, 'workflows', workspaceId, id);
    },
    /** Workflows that send conversations to this agent or team, oldest first. */
    async referencing(target: WorkflowTarget): Promise<WorkflowRecord[]> {
      const id = 'agentId' in target ? target.agentId : target.teamId;
      // The id as a JSON string narrows the scan (ids hold no '%'; a '_' matching more is harmless); parsing decides.
      const rows = await scoped()
        .selectAll()
        .where('definition', 'like', `%${JSON.stringify(id)}%`)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows
        .map(toWorkflowRecord)
        .filter((workflow) =>
          targetsOf(workflow.definition).some((t) => ('agentId' in target ? 'agentId' in t && t.agentId === id : 'teamId' in t && t.teamId === id)),
        );
    },

    // ── channel attachment ───────────────────────────────────────────────────

    /** The workflow id a channel of this workspace routes by: null when none; undefined when no such channel. */
    async channelWorkflowId(channelId: string, lock?: RowLock): Promise<string | null | undefined> {
      const row = await withRowLock(db, channels().select('workflow_id').where('id', '=', channelId), lock).executeTakeFirst();
      return row && row.workflow_id;
    },
    /** Attaches (or, with null, detaches) a workflow; false when the channel is not the workspace's. */
    async attach(channelId: string, workflowId: string | null): Promise<boolean> {
      const result = await db
        .updateTable('deployment_channels')
        .set({ workflow_id: workflowId })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', channelId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    /** Ids of the channels a workflow is attached to, oldest first. */
    async channelsOf(workflowId: string): Promise<string[]> {
      const rows = await channels().select('id').where('workflow_id', '=', workflowId).orderBy('created_at').orderBy('id').execute();
      return rows.map((row) => row.id);
    },
  };
}
export type WorkflowsRepository = ReturnType<typeof workflowsRepository>;

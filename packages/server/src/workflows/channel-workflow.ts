import type { Kysely } from 'kysely';
import type { WorkflowDefinition } from '@switchboard/core';
import type { DB } from '../store/schema.js';

/** A channel's routing workflow: its definition (what `evaluateWorkflow` takes) with the workflow's id and name. */
export interface ChannelWorkflow extends WorkflowDefinition {
  id: string;
  name: string;
}

/**
 * The workflow a channel of this workspace routes by, read in one query; undefined when the
 * channel has none (or is not the workspace's). Definitions were validated when written.
 */
export async function workflowForChannel(db: Kysely<DB>, workspaceId: string, channelId: string): Promise<ChannelWorkflow | undefined> {
  const row = await db
    .selectFrom('deployment_channels')
    .innerJoin('workflows', (join) =>
      join.onRef('workflows.id', '=', 'deployment_channels.workflow_id').onRef('workflows.workspace_id', '=', 'deployment_channels.workspace_id'),
    )
    .select(['workflows.id', 'workflows.name', 'workflows.definition'])
    .where('deployment_channels.workspace_id', '=', workspaceId)
    .where('deployment_channels.id', '=', channelId)
    .executeTakeFirst();
  if (!row) return undefined;
  const definition = JSON.parse(row.definition) as WorkflowDefinition;
  return { id: row.id, name: row.name, rules: definition.rules ?? [], fallback: definition.fallback };
}

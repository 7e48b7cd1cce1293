import { monotonicNow } from '../clock.js';
import type { Kysely, Selectable } from 'kysely';
import type { DeploymentConfiguration, DeploymentStatus, PaginatedResult } from '@switchboard/core';
import type { DB, DeploymentConfigurationsTable } from '../schema.js';
import { newId } from '../ids.js';
import { paginate } from './paginate.js';
import { deleteInWorkspace } from './scoped.js';

function toDeploymentConfiguration(row: Selectable<DeploymentConfigurationsTable>): DeploymentConfiguration {
  return {
    id: row.id,
    deploymentChannelId: row.deployment_channel_id,
    agentId: row.agent_id,
    deploymentName: row.deployment_name,
    instructions: row.instructions,
    status: row.status as DeploymentStatus,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface NewDeploymentConfiguration {
  deploymentChannelId: string;
  agentId: string;
  deploymentName?: string | null | undefined;
  instructions?: string | null | undefined;
  status: DeploymentStatus;
}

export function deploymentConfigurationsRepository(db: Kysely<DB>, workspaceId: string) {
  const scoped = () => db.selectFrom('deployment_configurations').where('workspace_id', '=', workspaceId);
  return {
    async insert(input: NewDeploymentConfiguration): Promise<DeploymentConfiguration> {
      const now = monotonicNow();
      const row: Selectable<DeploymentConfigurationsTable> = {
        id: newId('deployment'),
        workspace_id: workspaceId,
        deployment_channel_id: input.deploymentChannelId,
        agent_id: input.agentId,
        deployment_name: input.deploymentName ?? null,
        instructions: input.instructions ?? null,
        status: input.status,
        created_at: now,
        updated_at: now,
      };
      await db.insertInto('deployment_configurations').values(row).execute();
      return toDeploymentConfiguration(row);
    },
    async get(id: string): Promise<DeploymentConfiguration | undefined> {
      const row = await scoped().selectAll().where('id', '=', id).executeTakeFirst();
      return row && toDeploymentConfiguration(row);
    },
    async findByChannel(channelId: string): Promise<DeploymentConfiguration | undefined> {
      const row = await scoped().selectAll().where('deployment_channel_id', '=', channelId).executeTakeFirst();
      return row && toDeploymentConfiguration(row);
    },
    async firstForAgent(agentId: string): Promise<DeploymentConfiguration | undefined> {
      const row = await scoped().selectAll().where('agent_id', '=', agentId).limit(1).executeTakeFirst();
      return row && toDeploymentConfiguration(row);
    },
    list(page: number, pageSize: number, agentId?: string): Promise<PaginatedResult<DeploymentConfiguration>> {
      const query = agentId ? scoped().where('agent_id', '=', agentId) : scoped();
      return paginate(query, page, pageSize, (q) => q.selectAll(), toDeploymentConfiguration);
    },
    async update(
      id: string,
      changes: Partial<Pick<NewDeploymentConfiguration, 'agentId' | 'deploymentName' | 'instructions' | 'status'>>,
    ): Promise<DeploymentConfiguration | undefined> {
      await db
        .updateTable('deployment_configurations')
        .set({
          ...(changes.agentId !== undefined && { agent_id: changes.agentId }),
          ...(changes.deploymentName !== undefined && { deployment_name: changes.deploymentName }),
          ...(changes.instructions !== undefined && { instructions: changes.instructions }),
          ...(changes.status !== undefined && { status: changes.status }),
          updated_at: monotonicNow(),
        })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .execute();
      return this.get(id);
    },
    delete(id: string): Promise<boolean> {
      return deleteInWorkspace(db, 'deployment_configurations', workspaceId, id);
    },
  };
}

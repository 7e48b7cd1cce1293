import { monotonicNow } from '../clock.js';
import type { Kysely, Selectable } from 'kysely';
import { DeploymentStatus, ProvisioningType, type DeploymentConfiguration, type PaginatedResult } from '@switchboard/core';
import type { DB, DeploymentConfigurationsTable } from '../schema.js';
import { newId } from '../ids.js';
import { paginate } from './paginate.js';
import { deleteInWorkspace } from './scoped.js';
import { announceCredentialChange } from '../credential-changes.js';
import { fixedSql, runFixed } from '../fixed-sql.js';

/** Read for every message a provider channel receives: a fixed text (store/fixed-sql.ts). */
const BY_CHANNEL = fixedSql('select * from "deployment_configurations" where "workspace_id" = ? and "deployment_channel_id" = ?');

/** Switchboard's fields and WIIL's: the agent is also the agent and instruction configuration. */
function toDeploymentConfiguration(row: Selectable<DeploymentConfigurationsTable>): DeploymentConfiguration {
  const status = row.status as DeploymentStatus;
  return {
    id: row.id,
    projectId: row.project_id ?? row.workspace_id,
    deploymentChannelId: row.deployment_channel_id,
    agentId: row.agent_id,
    agentConfigurationId: row.agent_id,
    instructionConfigurationId: row.agent_id,
    deploymentName: row.deployment_name,
    instructions: row.instructions,
    status,
    deploymentStatus: status,
    isActive: status === DeploymentStatus.ACTIVE,
    provisioningType: row.provisioning_type as ProvisioningType,
    provisioningConfigChainId: row.provisioning_config_chain_id,
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
  /** The workspace id (its default project) when not given. */
  projectId?: string | undefined;
  provisioningType?: ProvisioningType | undefined;
  provisioningConfigChainId?: string | null | undefined;
}

export interface DeploymentListFilter {
  agentId?: string;
  projectId?: string;
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
        project_id: input.projectId ?? workspaceId,
        provisioning_type: input.provisioningType ?? ProvisioningType.DIRECT,
        provisioning_config_chain_id: input.provisioningConfigChainId ?? null,
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
      const [row] = (await runFixed<Selectable<DeploymentConfigurationsTable>>(db, BY_CHANNEL, [workspaceId, channelId])).rows;
      return row && toDeploymentConfiguration(row);
    },
    async firstForAgent(agentId: string): Promise<DeploymentConfiguration | undefined> {
      const row = await scoped().selectAll().where('agent_id', '=', agentId).limit(1).executeTakeFirst();
      return row && toDeploymentConfiguration(row);
    },
    list(page: number, pageSize: number, filter: DeploymentListFilter = {}): Promise<PaginatedResult<DeploymentConfiguration>> {
      let query = scoped();
      if (filter.agentId !== undefined) query = query.where('agent_id', '=', filter.agentId);
      if (filter.projectId !== undefined) query = query.where('project_id', '=', filter.projectId);
      return paginate(query, page, pageSize, (q) => q.selectAll(), toDeploymentConfiguration);
    },
    async update(
      id: string,
      changes: Partial<
        Pick<
          NewDeploymentConfiguration,
          'agentId' | 'deploymentName' | 'instructions' | 'status' | 'projectId' | 'provisioningType' | 'provisioningConfigChainId'
        >
      >,
    ): Promise<DeploymentConfiguration | undefined> {
      await db
        .updateTable('deployment_configurations')
        .set({
          ...(changes.agentId !== undefined && { agent_id: changes.agentId }),
          ...(changes.deploymentName !== undefined && { deployment_name: changes.deploymentName }),
          ...(changes.instructions !== undefined && { instructions: changes.instructions }),
          ...(changes.status !== undefined && { status: changes.status }),
          ...(changes.projectId !== undefined && { project_id: changes.projectId }),
          ...(changes.provisioningType !== undefined && { provisioning_type: changes.provisioningType }),
          ...(changes.provisioningConfigChainId !== undefined && { provisioning_config_chain_id: changes.provisioningConfigChainId }),
          updated_at: monotonicNow(),
        })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .execute();
      // Paused and archived deployments refuse widget requests.
      if (changes.status !== undefined) announceCredentialChange(db, { kind: 'deploymentConfiguration', id });
      return this.get(id);
    },
    async delete(id: string): Promise<boolean> {
      const deleted = await deleteInWorkspace(db, 'deployment_configurations', workspaceId, id);
      announceCredentialChange(db, { kind: 'deploymentConfiguration', id });
      return deleted;
    },
  };
}

import type { Kysely } from 'kysely';
import {
  DeploymentStatus,
  ProvisioningType,
  canTransition,
  requestedStatus,
  type DeploymentChannel,
  type DeploymentConfiguration,
  type ParsedChannelSetupRequest,
  type ParsedDeploymentConfigurationRequest,
  type ParsedDeploymentConfigurationUpdate,
} from '@switchboard/core';
import type { DB } from '../store/schema.js';
import type { NewDeploymentConfiguration } from '../store/repositories/deployment-configurations.js';
import { isUniqueViolation } from '../store/database.js';
import { workspaceRepositories, type WorkspaceRepositories } from '../store/repositories/index.js';
import { conflict, invalidField, notFound } from '../http/errors.js';
import { AGENT_NOT_FOUND } from './agents.js';
import { CHANNEL_NOT_FOUND, deploymentChannelService } from './deployment-channels.js';

export const DEPLOYMENT_NOT_FOUND = 'Deployment configuration not found';
export const CHANNEL_ALREADY_BOUND = 'Deployment channel is already associated with another deployment';
export const INSTRUCTION_CONFIGURATION_NOT_FOUND = 'Instruction configuration not found';

async function requireAgent(repos: WorkspaceRepositories, agentId: string) {
  if (!(await repos.agents.get(agentId))) throw notFound(AGENT_NOT_FOUND, { agentId });
}

async function bind(repos: WorkspaceRepositories, request: NewDeploymentConfiguration): Promise<DeploymentConfiguration> {
  if (!(await repos.channels.get(request.deploymentChannelId))) {
    throw notFound(CHANNEL_NOT_FOUND, { deploymentChannelId: request.deploymentChannelId });
  }
  await requireAgent(repos, request.agentId);
  const existing = await repos.deployments.findByChannel(request.deploymentChannelId);
  if (existing) throw conflict(CHANNEL_ALREADY_BOUND, { deploymentId: existing.id });
  try {
    return await repos.deployments.insert(request);
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(CHANNEL_ALREADY_BOUND);
    throw error;
  }
}

/**
 * The provisioning fields after an update: a chain id makes the deployment `chained`, `direct`
 * drops the chain, and a `chained` deployment needs a chain id.
 */
function provisioningChange(current: DeploymentConfiguration, patch: ParsedDeploymentConfigurationUpdate) {
  if (patch.provisioningType === undefined && patch.provisioningConfigChainId === undefined) return {};
  const chainId =
    patch.provisioningConfigChainId !== undefined
      ? patch.provisioningConfigChainId
      : patch.provisioningType === ProvisioningType.DIRECT
        ? null
        : current.provisioningConfigChainId;
  const type = patch.provisioningType ?? (chainId ? ProvisioningType.CHAINED : ProvisioningType.DIRECT);
  if (type === ProvisioningType.CHAINED && !chainId) throw invalidField('provisioningConfigChainId', 'Required when provisioningType is chained');
  if (type === ProvisioningType.DIRECT && chainId) throw invalidField('provisioningType', 'must be chained when provisioningConfigChainId is given');
  return { provisioningType: type, provisioningConfigChainId: chainId };
}

export function deploymentConfigurationService(db: Kysely<DB>) {
  const channels = deploymentChannelService(db);

  async function get(workspaceId: string, id: string) {
    const deployment = await workspaceRepositories(db, workspaceId).deployments.get(id);
    if (!deployment) throw notFound(DEPLOYMENT_NOT_FOUND, { id });
    return deployment;
  }

  return {
    get,
    create(workspaceId: string, request: ParsedDeploymentConfigurationRequest) {
      return db.transaction().execute((trx) => bind(workspaceRepositories(trx, workspaceId), request));
    },
    /** Channel and deployment in one transaction: if either fails, neither is kept. */
    setup(workspaceId: string, request: ParsedChannelSetupRequest): Promise<{ channel: DeploymentChannel; deployment: DeploymentConfiguration }> {
      return db.transaction().execute(async (trx) => {
        const channel = await channels.createWith(trx, workspaceId, request.channel);
        const deployment = await bind(workspaceRepositories(trx, workspaceId), {
          deploymentChannelId: channel.id,
          agentId: request.agentId,
          deploymentName: request.deploymentName,
          instructions: request.instructions,
          status: request.status,
        });
        return { channel, deployment };
      });
    },
    async getByChannel(workspaceId: string, channelId: string) {
      const deployment = await workspaceRepositories(db, workspaceId).deployments.findByChannel(channelId);
      if (!deployment) throw notFound(DEPLOYMENT_NOT_FOUND, { deploymentChannelId: channelId });
      return deployment;
    },
    async listByAgent(workspaceId: string, agentId: string, page: number, pageSize: number) {
      const repos = workspaceRepositories(db, workspaceId);
      await requireAgent(repos, agentId);
      return repos.deployments.list(page, pageSize, { agentId });
    },
    /** WIIL's instruction configuration is the agent: its deployments are the agent's. */
    async listByInstruction(workspaceId: string, instructionConfigurationId: string, page: number, pageSize: number) {
      const repos = workspaceRepositories(db, workspaceId);
      if (!(await repos.agents.get(instructionConfigurationId))) {
        throw notFound(INSTRUCTION_CONFIGURATION_NOT_FOUND, { instructionConfigurationId });
      }
      return repos.deployments.list(page, pageSize, { agentId: instructionConfigurationId });
    },
    /** Projects are labels, not records: an unknown project has no deployments. */
    listByProject(workspaceId: string, projectId: string, page: number, pageSize: number) {
      return workspaceRepositories(db, workspaceId).deployments.list(page, pageSize, { projectId });
    },
    list(workspaceId: string, page: number, pageSize: number) {
      return workspaceRepositories(db, workspaceId).deployments.list(page, pageSize);
    },
    update(workspaceId: string, id: string, patch: ParsedDeploymentConfigurationUpdate) {
      return db.transaction().execute(async (trx) => {
        const repos = workspaceRepositories(trx, workspaceId);
        const deployment = await repos.deployments.get(id);
        if (!deployment) throw notFound(DEPLOYMENT_NOT_FOUND, { id });
        if (patch.deploymentChannelId !== undefined && patch.deploymentChannelId !== deployment.deploymentChannelId) {
          throw invalidField(
            'deploymentChannelId',
            `cannot be changed (this deployment is bound to ${deployment.deploymentChannelId}); create a deployment configuration for the other channel`,
          );
        }
        const status = requestedStatus(patch.status, patch.isActive, deployment.status);
        if (typeof status === 'object') throw invalidField('isActive', status.conflict);
        if (status !== undefined && !canTransition(deployment.status, status)) {
          throw conflict(`Cannot change deployment status from ${deployment.status} to ${status}`, {
            from: deployment.status,
            to: status,
          });
        }
        if (patch.agentId !== undefined) await requireAgent(repos, patch.agentId);
        return (await repos.deployments.update(id, {
          agentId: patch.agentId,
          deploymentName: patch.deploymentName,
          instructions: patch.instructions,
          projectId: patch.projectId,
          status,
          ...provisioningChange(deployment, patch),
        }))!;
      });
    },
    delete(workspaceId: string, id: string) {
      return db.transaction().execute(async (trx) => {
        const repos = workspaceRepositories(trx, workspaceId);
        const deployment = await repos.deployments.get(id);
        if (!deployment) throw notFound(DEPLOYMENT_NOT_FOUND, { id });
        if (deployment.status === DeploymentStatus.ACTIVE) {
          throw conflict('Cannot delete active deployment', { id, status: deployment.status });
        }
        return repos.deployments.delete(id);
      });
    },
  };
}

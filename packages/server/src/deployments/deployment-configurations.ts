import type { Kysely } from 'kysely';
import {
  DeploymentStatus,
  canTransition,
  type DeploymentChannel,
  type DeploymentConfiguration,
  type ParsedChannelSetupRequest,
  type ParsedDeploymentConfigurationRequest,
  type ParsedDeploymentConfigurationUpdate,
} from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { isUniqueViolation } from '../store/database.js';
import { workspaceRepositories, type WorkspaceRepositories } from '../store/repositories/index.js';
import { conflict, notFound } from '../http/errors.js';
import { AGENT_NOT_FOUND } from './agents.js';
import { CHANNEL_NOT_FOUND, deploymentChannelService } from './deployment-channels.js';

export const DEPLOYMENT_NOT_FOUND = 'Deployment configuration not found';
export const CHANNEL_ALREADY_BOUND = 'Deployment channel is already associated with another deployment';

async function requireAgent(repos: WorkspaceRepositories, agentId: string) {
  if (!(await repos.agents.get(agentId))) throw notFound(AGENT_NOT_FOUND, { agentId });
}

async function bind(repos: WorkspaceRepositories, request: ParsedDeploymentConfigurationRequest): Promise<DeploymentConfiguration> {
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
      return repos.deployments.list(page, pageSize, agentId);
    },
    list(workspaceId: string, page: number, pageSize: number) {
      return workspaceRepositories(db, workspaceId).deployments.list(page, pageSize);
    },
    update(workspaceId: string, id: string, patch: ParsedDeploymentConfigurationUpdate) {
      return db.transaction().execute(async (trx) => {
        const repos = workspaceRepositories(trx, workspaceId);
        const deployment = await repos.deployments.get(id);
        if (!deployment) throw notFound(DEPLOYMENT_NOT_FOUND, { id });
        if (patch.status !== undefined && !canTransition(deployment.status, patch.status)) {
          throw conflict(`Cannot change deployment status from ${deployment.status} to ${patch.status}`, {
            from: deployment.status,
            to: patch.status,
          });
        }
        if (patch.agentId !== undefined) await requireAgent(repos, patch.agentId);
        const { id: _ignored, ...changes } = patch;
        return (await repos.deployments.update(id, changes))!;
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

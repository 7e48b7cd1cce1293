import type { Kysely } from 'kysely';
import {
  DeploymentStatus,
  DeploymentType,
  type IssuedWebDeployment,
  type ParsedWebDeploymentRequest,
  type ParsedWebDeploymentUpdate,
  type WebDeployment,
} from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { workspaceRepositories } from '../store/repositories/index.js';
import { webDeploymentsRepository, type WebDeploymentRecord } from '../store/repositories/web-deployments.js';
import { conflict, invalidField, notFound } from '../http/errors.js';
import { issueDeploymentToken } from '../runtime/tokens.js';
import { AGENT_NOT_FOUND } from './agents.js';
import { CHANNEL_NOT_FOUND, deploymentChannelService } from './deployment-channels.js';
import { CHANNEL_ALREADY_BOUND } from './deployment-configurations.js';

export const WEB_DEPLOYMENT_NOT_FOUND = 'Web deployment not found';

function publicView({ workspaceId: _ignored, ...deployment }: WebDeploymentRecord): WebDeployment {
  return deployment;
}

/** The embed snippet in the spec's shape; `token` is a placeholder unless the token was just issued. */
export function embedSnippet(publicUrl: string, agentId: string, token: string): string {
  return [
    `<script src="${publicUrl}/embed/v1.js"></script>`,
    '<script>',
    "  ConvoshipQueue.push(['init', {",
    `    agentId: '${agentId}',`,
    `    token: '${token}',`,
    "    channel: 'web',",
    `    apiUrl: '${publicUrl}'`,
    '  }]);',
    '</script>',
  ].join('\n');
}

export function webDeploymentService(db: Kysely<DB>, publicUrl: string) {
  const channels = deploymentChannelService(db);

  async function requireDeployment(workspaceId: string, agentId: string, id: string, executor: Kysely<DB> = db) {
    const deployment = await webDeploymentsRepository(executor, workspaceId).get(id);
    if (!deployment || deployment.agentId !== agentId) throw notFound(WEB_DEPLOYMENT_NOT_FOUND, { id, agentId });
    return deployment;
  }

  function issued(deployment: WebDeploymentRecord, token: string): IssuedWebDeployment {
    return { ...publicView(deployment), token, embedSnippet: embedSnippet(publicUrl, deployment.agentId, token) };
  }

  return {
    /**
     * Deploys an agent on a web channel: the channel is referenced or created, bound to the
     * agent (reusing a binding to the same agent), and a token is issued, all in one transaction.
     */
    create(workspaceId: string, agentId: string, request: ParsedWebDeploymentRequest): Promise<IssuedWebDeployment> {
      if (request.deploymentChannelId && request.channel) {
        throw invalidField('channel', 'give either deploymentChannelId or channel, not both');
      }
      return db.transaction().execute(async (trx) => {
        const repos = workspaceRepositories(trx, workspaceId);
        if (!(await repos.agents.get(agentId))) throw notFound(AGENT_NOT_FOUND, { agentId });

        let channel;
        if (request.deploymentChannelId) {
          channel = await repos.channels.get(request.deploymentChannelId);
          if (!channel) throw notFound(CHANNEL_NOT_FOUND, { deploymentChannelId: request.deploymentChannelId });
          if (channel.deploymentType !== DeploymentType.WEB) {
            throw invalidField('deploymentChannelId', `must be a web channel (this one is ${channel.deploymentType})`);
          }
        } else {
          const given = request.channel;
          const identifier = given?.channelIdentifier ?? request.allowedOrigins[0]!;
          channel =
            (await repos.channels.findByIdentifier(identifier, DeploymentType.WEB)) ??
            (await channels.createWith(trx, workspaceId, {
              deploymentType: DeploymentType.WEB,
              channelIdentifier: identifier,
              channelName: given?.channelName ?? request.name,
              recordingEnabled: given?.recordingEnabled ?? true,
              configuration: given?.configuration ?? { communicationType: 'unified', widgetConfiguration: { position: 'right' } },
            } as never));
        }

        let binding = await repos.deployments.findByChannel(channel.id);
        if (binding && binding.agentId !== agentId) throw conflict(CHANNEL_ALREADY_BOUND, { deploymentId: binding.id });
        binding ??= await repos.deployments.insert({
          deploymentChannelId: channel.id,
          agentId,
          deploymentName: request.name,
          status: DeploymentStatus.ACTIVE,
        });

        const token = issueDeploymentToken();
        const deployment = await webDeploymentsRepository(trx, workspaceId).insert({
          agentId,
          deploymentChannelId: channel.id,
          deploymentConfigurationId: binding.id,
          name: request.name,
          theme: request.theme,
          preChatForm: request.preChatForm,
          allowedOrigins: request.allowedOrigins,
          tokenHash: token.hash,
          tokenPrefix: token.prefix,
        });
        return issued(deployment, token.token);
      });
    },
    async list(workspaceId: string, agentId: string, page: number, pageSize: number) {
      if (!(await workspaceRepositories(db, workspaceId).agents.get(agentId))) throw notFound(AGENT_NOT_FOUND, { agentId });
      const result = await webDeploymentsRepository(db, workspaceId).list(agentId, page, pageSize);
      return { data: result.data.map(publicView), meta: result.meta };
    },
    async get(workspaceId: string, agentId: string, id: string) {
      return publicView(await requireDeployment(workspaceId, agentId, id));
    },
    update(workspaceId: string, agentId: string, id: string, patch: ParsedWebDeploymentUpdate) {
      return db.transaction().execute(async (trx) => {
        await requireDeployment(workspaceId, agentId, id, trx);
        const { id: _ignored, ...changes } = patch;
        return publicView(await webDeploymentsRepository(trx, workspaceId).update(id, changes));
      });
    },
    revoke(workspaceId: string, agentId: string, id: string) {
      return db.transaction().execute(async (trx) => {
        await requireDeployment(workspaceId, agentId, id, trx);
        return publicView(await webDeploymentsRepository(trx, workspaceId).revoke(id));
      });
    },
    rotate(workspaceId: string, agentId: string, id: string) {
      return db.transaction().execute(async (trx) => {
        const current = await requireDeployment(workspaceId, agentId, id, trx);
        if (current.revokedAt !== null) throw conflict('Cannot rotate the token of a revoked deployment; create a new deployment', { id });
        const token = issueDeploymentToken();
        return issued(await webDeploymentsRepository(trx, workspaceId).rotate(id, token.hash, token.prefix), token.token);
      });
    },
    async embedSnippet(workspaceId: string, agentId: string, id: string) {
      const deployment = await requireDeployment(workspaceId, agentId, id);
      const placeholder = `${deployment.tokenPrefix}… (the token shown when it was issued)`;
      return {
        snippet: embedSnippet(publicUrl, agentId, placeholder),
        loaderUrl: `${publicUrl}/embed/v1.js`,
        apiUrl: publicUrl,
      };
    },
  };
}

import type { Kysely } from 'kysely';
import type { DB } from '../schema.js';
import { agentsRepository } from './agents.js';
import { deploymentChannelsRepository } from './deployment-channels.js';
import { deploymentConfigurationsRepository } from './deployment-configurations.js';
import { phoneConfigurationsRepository } from './phone-configurations.js';
import { teamsRepository } from './teams.js';
import { workflowsRepository } from './workflows.js';

export { agentsRepository, deploymentChannelsRepository, deploymentConfigurationsRepository, phoneConfigurationsRepository, teamsRepository, workflowsRepository };
export { apiKeysRepository, workspacesRepository } from './workspaces.js';
export type { Workspace, ApiKeyRecord, ApiKeyForAuth } from './workspaces.js';

/** Every repository of one workspace over one executor (the database or a transaction). */
export function workspaceRepositories(db: Kysely<DB>, workspaceId: string) {
  return {
    channels: deploymentChannelsRepository(db, workspaceId),
    phones: phoneConfigurationsRepository(db, workspaceId),
    agents: agentsRepository(db, workspaceId),
    deployments: deploymentConfigurationsRepository(db, workspaceId),
    teams: teamsRepository(db, workspaceId),
    workflows: workflowsRepository(db, workspaceId),
  };
}
export type WorkspaceRepositories = ReturnType<typeof workspaceRepositories>;

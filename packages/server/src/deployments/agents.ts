import type { Kysely } from 'kysely';
import type { ParsedAgentRequest, ParsedAgentUpdate } from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { workspaceRepositories } from '../store/repositories/index.js';
import { conflict, notFound } from '../http/errors.js';

export const AGENT_NOT_FOUND = 'Agent not found';

export function agentService(db: Kysely<DB>) {
  return {
    create(workspaceId: string, request: ParsedAgentRequest) {
      return workspaceRepositories(db, workspaceId).agents.insert(request);
    },
    async get(workspaceId: string, id: string) {
      const agent = await workspaceRepositories(db, workspaceId).agents.get(id);
      if (!agent) throw notFound(AGENT_NOT_FOUND, { id });
      return agent;
    },
    list(workspaceId: string, page: number, pageSize: number) {
      return workspaceRepositories(db, workspaceId).agents.list(page, pageSize);
    },
    async update(workspaceId: string, id: string, patch: ParsedAgentUpdate) {
      const repos = workspaceRepositories(db, workspaceId);
      if (!(await repos.agents.get(id))) throw notFound(AGENT_NOT_FOUND, { id });
      const { id: _ignored, ...changes } = patch;
      return (await repos.agents.update(id, changes))!;
    },
    delete(workspaceId: string, id: string) {
      return db.transaction().execute(async (trx) => {
        const repos = workspaceRepositories(trx, workspaceId);
        if (!(await repos.agents.get(id))) throw notFound(AGENT_NOT_FOUND, { id });
        const deployment = await repos.deployments.firstForAgent(id);
        if (deployment) {
          throw conflict(`Agent is used by deployment ${deployment.id}; delete or rebind the deployment first`, {
            deploymentId: deployment.id,
          });
        }
        return repos.agents.delete(id);
      });
    },
  };
}

import type { Kysely } from 'kysely';
import type { Agent, PaginatedResult, ParsedAgentRequest, ParsedAgentUpdate } from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { workspaceRepositories } from '../store/repositories/index.js';
import type { AgentRecord } from '../store/repositories/agents.js';
import { newId } from '../store/ids.js';
import { conflict, notFound } from '../http/errors.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { sealBackend, toBackendView } from '../agents/backend-store.js';
import { workflowsRepository } from '../store/repositories/workflows.js';
import type { EgressPolicy } from '../egress/policy.js';
import { assertTargetsAllowed } from '../egress/configured-targets.js';

export const AGENT_NOT_FOUND = 'Agent not found';

/** The public view of a stored agent; `signingSecret` only in the one response that generated it. */
function toAgent(record: AgentRecord, signingSecret?: string): Agent {
  return {
    id: record.id,
    name: record.name,
    instructions: record.instructions,
    introductionMessage: record.introductionMessage,
    backend: toBackendView(record.backend),
    ...(signingSecret !== undefined && { signingSecret }),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

/** The URL an agent backend calls, as a configured target. */
export function backendTargets(backend: { type: string; url?: string; baseUrl?: string } | undefined) {
  if (!backend) return [];
  return [
    { field: 'backend.url', value: backend.url },
    { field: 'backend.baseUrl', value: backend.baseUrl },
  ];
}

/** Refuses (409) while a deployment or a workflow uses the agent. */
export async function assertAgentUnused(trx: Kysely<DB>, workspaceId: string, id: string): Promise<void> {
  const deployment = await workspaceRepositories(trx, workspaceId).deployments.firstForAgent(id);
  if (deployment) {
    throw conflict(`Agent is used by deployment ${deployment.id}; delete or rebind the deployment first`, {
      deploymentId: deployment.id,
    });
  }
  const workflowIds = (await workflowsRepository(trx, workspaceId).referencing({ agentId: id })).map((workflow) => workflow.id);
  if (workflowIds.length > 0) {
    throw conflict(`Agent is used by workflow ${workflowIds.join(', ')}; route those rules elsewhere first`, { workflowIds });
  }
}

export function agentService(db: Kysely<DB>, secretBox: SecretBox, egress: EgressPolicy) {
  return {
    async create(workspaceId: string, request: ParsedAgentRequest): Promise<Agent> {
      assertTargetsAllowed(egress, backendTargets(request.backend));
      const id = newId('agent');
      const { backend, signingSecret } = sealBackend(secretBox, id, request.backend);
      const record = await workspaceRepositories(db, workspaceId).agents.insert({ ...request, id, backend });
      return toAgent(record, signingSecret);
    },
    async get(workspaceId: string, id: string): Promise<Agent> {
      const agent = await workspaceRepositories(db, workspaceId).agents.get(id);
      if (!agent) throw notFound(AGENT_NOT_FOUND, { id });
      return toAgent(agent);
    },
    async list(workspaceId: string, page: number, pageSize: number): Promise<PaginatedResult<Agent>> {
      const result = await workspaceRepositories(db, workspaceId).agents.list(page, pageSize);
      return { data: result.data.map((record) => toAgent(record)), meta: result.meta };
    },
    async update(workspaceId: string, id: string, patch: ParsedAgentUpdate): Promise<Agent> {
      const repos = workspaceRepositories(db, workspaceId);
      const existing = await repos.agents.get(id);
      if (!existing) throw notFound(AGENT_NOT_FOUND, { id });
      const { id: _ignored, backend: requested, ...changes } = patch;
      assertTargetsAllowed(egress, backendTargets(requested));
      const sealed = requested && sealBackend(secretBox, id, requested, existing.backend);
      const updated = (await repos.agents.update(id, { ...changes, ...(sealed && { backend: sealed.backend }) }))!;
      return toAgent(updated, sealed?.signingSecret);
    },
    delete(workspaceId: string, id: string) {
      return db.transaction().execute(async (trx) => {
        const repos = workspaceRepositories(trx, workspaceId);
        if (!(await repos.agents.get(id))) throw notFound(AGENT_NOT_FOUND, { id });
        await assertAgentUnused(trx, workspaceId, id);
        return repos.agents.delete(id);
      });
    },
  };
}

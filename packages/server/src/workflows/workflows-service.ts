import type { Kysely } from 'kysely';
import type {
  PaginatedResult,
  ParsedWorkflowRequest,
  ParsedWorkflowUpdate,
  Workflow,
  WorkflowDefinition,
  WorkflowTarget,
} from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { workflowsRepository, type WorkflowRecord } from '../store/repositories/workflows.js';
import { conflict, notFound } from '../http/errors.js';
import { withRowLock, type RowLock } from '../store/repositories/row-locks.js';

export const WORKFLOW_NOT_FOUND = 'Workflow not found';
export const CHANNEL_HAS_NO_WORKFLOW = 'Deployment channel has no workflow';
const CHANNEL_NOT_FOUND = 'Deployment channel not found';

export function toWorkflow(record: WorkflowRecord): Workflow {
  return {
    id: record.id,
    name: record.name,
    rules: record.definition.rules,
    fallback: record.definition.fallback,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

/** Each place a definition names an agent or a team, with the field path an error should point at. */
function references(definition: WorkflowDefinition): { field: string; target: WorkflowTarget }[] {
  const named = (path: string, target: WorkflowTarget) => ({ field: `${path}.${'agentId' in target ? 'agentId' : 'teamId'}`, target });
  return [...definition.rules.map((rule, index) => named(`rules.${index}.then`, rule.then)), named('fallback', definition.fallback)];
}

/** Every agent and team a definition routes to must exist in the workspace: 404 naming the first field that does not. */
async function requireTargets(db: Kysely<DB>, workspaceId: string, definition: WorkflowDefinition): Promise<void> {
  const refs = references(definition);
  const agentIds = [...new Set(refs.flatMap(({ target }) => ('agentId' in target ? [target.agentId] : [])))];
  const teamIds = [...new Set(refs.flatMap(({ target }) => ('teamId' in target ? [target.teamId] : [])))];
  const agents = new Set(
    agentIds.length === 0
      ? []
      : (await withRowLock(db, db.selectFrom('agents').select('id').where('workspace_id', '=', workspaceId).where('id', 'in', agentIds), 'share').execute()).map(
          (r) => r.id,
        ),
  );
  const teams = new Set(
    teamIds.length === 0
      ? []
      : (await withRowLock(db, db.selectFrom('teams').select('id').where('workspace_id', '=', workspaceId).where('id', 'in', teamIds), 'share').execute()).map(
          (r) => r.id,
        ),
  );
  for (const { field, target } of refs) {
    if ('agentId' in target && !agents.has(target.agentId)) {
      throw notFound(`${field}: Agent ${target.agentId} not found`, { field, agentId: target.agentId });
    }
    if ('teamId' in target && !teams.has(target.teamId)) {
      throw notFound(`${field}: Team ${target.teamId} not found`, { field, teamId: target.teamId });
    }
  }
}

export function workflowService(db: Kysely<DB>) {
  async function requireWorkflow(executor: Kysely<DB>, workspaceId: string, id: string, field?: string, lock?: RowLock): Promise<WorkflowRecord> {
    const workflow = await workflowsRepository(executor, workspaceId).get(id, lock);
    if (!workflow) throw notFound(WORKFLOW_NOT_FOUND, field ? { field, workflowId: id } : { id });
    return workflow;
  }

  /** The workflow id of a channel of this workspace (null: none); 404 when there is no such channel. */
  async function channelWorkflowId(executor: Kysely<DB>, workspaceId: string, channelId: string, lock?: RowLock): Promise<string | null> {
    const workflowId = await workflowsRepository(executor, workspaceId).channelWorkflowId(channelId, lock);
    if (workflowId === undefined) throw notFound(CHANNEL_NOT_FOUND, { id: channelId });
    return workflowId;
  }

  return {
    create(workspaceId: string, request: ParsedWorkflowRequest): Promise<Workflow> {
      return db.transaction().execute(async (trx) => {
        const definition = { rules: request.rules, fallback: request.fallback };
        await requireTargets(trx, workspaceId, definition);
        return toWorkflow(await workflowsRepository(trx, workspaceId).insert({ name: request.name, definition }));
      });
    },
    async get(workspaceId: string, id: string): Promise<Workflow> {
      return toWorkflow(await requireWorkflow(db, workspaceId, id));
    },
    async list(workspaceId: string, page: number, pageSize: number): Promise<PaginatedResult<Workflow>> {
      const result = await workflowsRepository(db, workspaceId).list(page, pageSize);
      return { data: result.data.map(toWorkflow), meta: result.meta };
    },
    update(workspaceId: string, id: string, patch: ParsedWorkflowUpdate): Promise<Workflow> {
      return db.transaction().execute(async (trx) => {
        const existing = await requireWorkflow(trx, workspaceId, id, undefined, 'update');
        let definition: WorkflowDefinition | undefined;
        if (patch.rules !== undefined || patch.fallback !== undefined) {
          definition = { rules: patch.rules ?? existing.definition.rules, fallback: patch.fallback ?? existing.definition.fallback };
          await requireTargets(trx, workspaceId, definition);
        }
        const updated = await workflowsRepository(trx, workspaceId).update(id, {
          ...(patch.name !== undefined && { name: patch.name }),
          ...(definition && { definition }),
        });
        return toWorkflow(updated!);
      });
    },
    /** Refused while a channel routes by the workflow. */
    delete(workspaceId: string, id: string): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const workflows = workflowsRepository(trx, workspaceId);
        await requireWorkflow(trx, workspaceId, id, undefined, 'update');
        const channelIds = await workflows.channelsOf(id);
        if (channelIds.length > 0) {
          throw conflict(`Workflow is attached to channel ${channelIds.join(', ')}; detach it first`, { channelIds });
        }
        return workflows.delete(id);
      });
    },

    /** The workflow a channel routes by; 404 when the channel has none. */
    async forChannel(workspaceId: string, channelId: string): Promise<Workflow> {
      const workflowId = await channelWorkflowId(db, workspaceId, channelId);
      if (workflowId === null) throw notFound(CHANNEL_HAS_NO_WORKFLOW, { channelId });
      return toWorkflow(await requireWorkflow(db, workspaceId, workflowId));
    },
    /** Attaches a workflow to a channel, replacing the one it had. */
    attach(workspaceId: string, channelId: string, workflowId: string): Promise<Workflow> {
      return db.transaction().execute(async (trx) => {
        await channelWorkflowId(trx, workspaceId, channelId, 'update');
        const workflow = await requireWorkflow(trx, workspaceId, workflowId, 'workflowId', 'share');
        await workflowsRepository(trx, workspaceId).attach(channelId, workflowId);
        return toWorkflow(workflow);
      });
    },
    detach(workspaceId: string, channelId: string): Promise<true> {
      return db.transaction().execute(async (trx) => {
        if ((await channelWorkflowId(trx, workspaceId, channelId, 'update')) === null) throw notFound(CHANNEL_HAS_NO_WORKFLOW, { channelId });
        await workflowsRepository(trx, workspaceId).attach(channelId, null);
        return true as const;
      });
    },
  };
}
export type WorkflowService = ReturnType<typeof workflowService>;

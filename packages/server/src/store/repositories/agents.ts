import { monotonicNow } from '../clock.js';
import type { Kysely, Selectable } from 'kysely';
import type { Agent, AgentBackend, PaginatedResult } from '@switchboard/core';
import type { AgentsTable, DB } from '../schema.js';
import { newId } from '../ids.js';
import { paginate } from './paginate.js';
import { deleteInWorkspace } from './scoped.js';

function toAgent(row: Selectable<AgentsTable>): Agent {
  return {
    id: row.id,
    name: row.name,
    instructions: row.instructions,
    introductionMessage: row.introduction_message,
    backend: JSON.parse(row.backend) as AgentBackend,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface NewAgent {
  id?: string;
  name: string;
  instructions: string;
  introductionMessage: string | null;
  backend: AgentBackend;
}

export function agentsRepository(db: Kysely<DB>, workspaceId: string) {
  const scoped = () => db.selectFrom('agents').where('workspace_id', '=', workspaceId);
  return {
    async insert(agent: NewAgent): Promise<Agent> {
      const now = monotonicNow();
      const row: Selectable<AgentsTable> = {
        id: agent.id ?? newId('agent'),
        workspace_id: workspaceId,
        name: agent.name,
        instructions: agent.instructions,
        introduction_message: agent.introductionMessage,
        backend: JSON.stringify(agent.backend),
        created_at: now,
        updated_at: now,
      };
      await db.insertInto('agents').values(row).execute();
      return toAgent(row);
    },
    async get(id: string): Promise<Agent | undefined> {
      const row = await scoped().selectAll().where('id', '=', id).executeTakeFirst();
      return row && toAgent(row);
    },
    list(page: number, pageSize: number): Promise<PaginatedResult<Agent>> {
      return paginate(scoped(), page, pageSize, (q) => q.selectAll(), toAgent);
    },
    async update(id: string, changes: Partial<Omit<NewAgent, 'id'>>): Promise<Agent | undefined> {
      await db
        .updateTable('agents')
        .set({
          ...(changes.name !== undefined && { name: changes.name }),
          ...(changes.instructions !== undefined && { instructions: changes.instructions }),
          ...(changes.introductionMessage !== undefined && { introduction_message: changes.introductionMessage }),
          ...(changes.backend !== undefined && { backend: JSON.stringify(changes.backend) }),
          updated_at: monotonicNow(),
        })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .execute();
      return this.get(id);
    },
    delete(id: string): Promise<boolean> {
      return deleteInWorkspace(db, 'agents', workspaceId, id);
    },
  };
}

import { monotonicNow } from '../clock.js';
import type { Kysely, Selectable } from 'kysely';
import type { AgentBackendType, PaginatedResult, ParsedOpenAICompatibleBackend, ParsedScriptedBackend } from '@switchboard/core';
import type { AgentsTable, DB } from '../schema.js';
import { newId } from '../ids.js';
import { paginate } from './paginate.js';
import { deleteInWorkspace } from './scoped.js';

/** A secret as stored: sealed by the SecretBox, with its display mask and fingerprint kept beside it. */
export interface SealedSecret {
  /** `v1.<iv>.<tag>.<ciphertext>` (AES-256-GCM under the master key). */
  sealed: string;
  mask: string;
  fingerprint: string;
}

/** The `agents.backend` JSON column: the backend as configured, secrets sealed, never in plain text. */
export type StoredAgentBackend =
  | { type: AgentBackendType.ECHO }
  | ParsedScriptedBackend
  | { type: AgentBackendType.WEBHOOK; url: string; timeoutMs: number; secretSealed: SealedSecret }
  | (Omit<ParsedOpenAICompatibleBackend, 'apiKey'> & { apiKeySealed: SealedSecret | null });

/** An agent as stored (internal): the service maps it to the public `Agent` view. */
export interface AgentRecord {
  id: string;
  name: string;
  instructions: string;
  introductionMessage: string | null;
  backend: StoredAgentBackend;
  createdAt: number;
  updatedAt: number;
}

function toAgentRecord(row: Selectable<AgentsTable>): AgentRecord {
  return {
    id: row.id,
    name: row.name,
    instructions: row.instructions,
    introductionMessage: row.introduction_message,
    backend: JSON.parse(row.backend) as StoredAgentBackend,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface NewAgent {
  id?: string;
  name: string;
  instructions: string;
  introductionMessage: string | null;
  backend: StoredAgentBackend;
}

export function agentsRepository(db: Kysely<DB>, workspaceId: string) {
  const scoped = () => db.selectFrom('agents').where('workspace_id', '=', workspaceId);
  return {
    async insert(agent: NewAgent): Promise<AgentRecord> {
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
      return toAgentRecord(row);
    },
    async get(id: string): Promise<AgentRecord | undefined> {
      const row = await scoped().selectAll().where('id', '=', id).executeTakeFirst();
      return row && toAgentRecord(row);
    },
    list(page: number, pageSize: number): Promise<PaginatedResult<AgentRecord>> {
      return paginate(scoped(), page, pageSize, (q) => q.selectAll(), toAgentRecord);
    },
    async update(id: string, changes: Partial<Omit<NewAgent, 'id'>>): Promise<AgentRecord | undefined> {
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

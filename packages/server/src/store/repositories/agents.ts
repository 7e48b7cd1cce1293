import { monotonicNow } from '../clock.js';
import type { Kysely, Selectable } from 'kysely';
import type {
  AgentBackendType,
  AgentConfigurationProfile,
  InstructionConfigurationProfile,
  PaginatedResult,
  ParsedOpenAICompatibleBackend,
  ParsedScriptedBackend,
} from '@switchboard/core';
import type { AgentsTable, DB } from '../schema.js';
import { newId } from '../ids.js';
import { paginate } from './paginate.js';
import { deleteInWorkspace } from './scoped.js';
import { fixedSql, runFixed } from '../fixed-sql.js';

/** Read for every agent turn: a fixed text (store/fixed-sql.ts). */
const AGENT_BY_ID = fixedSql('select * from "agents" where "workspace_id" = ? and "id" = ?');

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
  /** WIIL agent configuration fields kept as sent (null when none were). */
  agentProfile: AgentConfigurationProfile | null;
  /** WIIL instruction configuration fields kept as sent (null when none were). */
  instructionProfile: InstructionConfigurationProfile | null;
  /** False while an instruction configuration made on its own has no agent configuration yet. */
  isAgentConfiguration: boolean;
  /** True when the instruction configuration was made on its own: it outlives its agent configuration. */
  standaloneInstruction: boolean;
  createdAt: number;
  updatedAt: number;
}

const parseJson = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));
const toJson = (value: object | null): string | null => (value === null ? null : JSON.stringify(value));

function toAgentRecord(row: Selectable<AgentsTable>): AgentRecord {
  return {
    id: row.id,
    name: row.name,
    instructions: row.instructions,
    introductionMessage: row.introduction_message,
    backend: JSON.parse(row.backend) as StoredAgentBackend,
    agentProfile: parseJson<AgentConfigurationProfile>(row.agent_profile),
    instructionProfile: parseJson<InstructionConfigurationProfile>(row.instruction_profile),
    isAgentConfiguration: row.is_agent_configuration === 1,
    standaloneInstruction: row.standalone_instruction === 1,
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
  agentProfile?: AgentConfigurationProfile | null;
  instructionProfile?: InstructionConfigurationProfile | null;
  isAgentConfiguration?: boolean;
  standaloneInstruction?: boolean;
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
        agent_profile: toJson(agent.agentProfile ?? null),
        instruction_profile: toJson(agent.instructionProfile ?? null),
        is_agent_configuration: agent.isAgentConfiguration === false ? 0 : 1,
        standalone_instruction: agent.standaloneInstruction ? 1 : 0,
        created_at: now,
        updated_at: now,
      };
      await db.insertInto('agents').values(row).execute();
      return toAgentRecord(row);
    },
    async get(id: string): Promise<AgentRecord | undefined> {
      const [row] = (await runFixed<Selectable<AgentsTable>>(db, AGENT_BY_ID, [workspaceId, id])).rows;
      return row && toAgentRecord(row);
    },
    /** With `agentConfigurationsOnly`, leaves out instruction configurations that have no agent configuration yet. */
    list(page: number, pageSize: number, filter: { agentConfigurationsOnly?: boolean } = {}): Promise<PaginatedResult<AgentRecord>> {
      const query = filter.agentConfigurationsOnly ? scoped().where('is_agent_configuration', '=', 1) : scoped();
      return paginate(query, page, pageSize, (q) => q.selectAll(), toAgentRecord);
    },
    async update(id: string, changes: Partial<Omit<NewAgent, 'id'>>): Promise<AgentRecord | undefined> {
      await db
        .updateTable('agents')
        .set({
          ...(changes.name !== undefined && { name: changes.name }),
          ...(changes.instructions !== undefined && { instructions: changes.instructions }),
          ...(changes.introductionMessage !== undefined && { introduction_message: changes.introductionMessage }),
          ...(changes.backend !== undefined && { backend: JSON.stringify(changes.backend) }),
          ...(changes.agentProfile !== undefined && { agent_profile: toJson(changes.agentProfile) }),
          ...(changes.instructionProfile !== undefined && { instruction_profile: toJson(changes.instructionProfile) }),
          ...(changes.isAgentConfiguration !== undefined && { is_agent_configuration: changes.isAgentConfiguration ? 1 : 0 }),
          ...(changes.standaloneInstruction !== undefined && { standalone_instruction: changes.standaloneInstruction ? 1 : 0 }),
          updated_at: monotonicNow(),
        })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .execute();
      return this.get(id);
    },
    /**
     * Makes an instruction configuration made on its own an agent configuration; false when
     * another request did so first (or it already was one).
     */
    async claimAgentConfiguration(id: string): Promise<boolean> {
      const result = await db
        .updateTable('agents')
        .set({ is_agent_configuration: 1, updated_at: monotonicNow() })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .where('is_agent_configuration', '=', 0)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    delete(id: string): Promise<boolean> {
      return deleteInWorkspace(db, 'agents', workspaceId, id);
    },
  };
}

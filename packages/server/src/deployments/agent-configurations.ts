import type { Kysely } from 'kysely';
import {
  AGENT_PROFILE_FIELDS,
  AgentBackendType,
  INSTRUCTION_PROFILE_FIELDS,
  type AgentConfiguration,
  type AgentConfigurationProfile,
  type InstructionConfiguration,
  type InstructionConfigurationProfile,
  type PaginatedResult,
  type ParsedAgentConfigurationRequest,
  type ParsedAgentConfigurationUpdate,
  type ParsedInstructionConfigurationRequest,
  type ParsedInstructionConfigurationUpdate,
} from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { workspaceRepositories, type WorkspaceRepositories } from '../store/repositories/index.js';
import type { AgentRecord } from '../store/repositories/agents.js';
import { newId } from '../store/ids.js';
import { conflict, invalidField, notFound } from '../http/errors.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { sealBackend, toBackendView } from '../agents/backend-store.js';
import type { EgressPolicy } from '../egress/policy.js';
import { assertTargetsAllowed } from '../egress/configured-targets.js';
import { assertAgentUnused, backendTargets } from './agents.js';
import { INSTRUCTION_CONFIGURATION_NOT_FOUND } from './deployment-configurations.js';

/*
 * WIIL's agent configurations and instruction configurations are Switchboard agents. One agent
 * is both, under one id. An instruction configuration made on its own
 * (`POST /v1/instruction-configurations`) is an agent that is not yet an agent configuration;
 * the agent configuration that names it (`instructionConfigurationId`) makes it one and keeps its
 * id. Deleting that agent configuration leaves the instruction configuration; deleting an agent
 * configuration created without one deletes the agent.
 */

export const AGENT_CONFIGURATION_NOT_FOUND = 'Agent configuration not found';

/** WIIL's defaults for the fields an agent never had. */
export function toAgentConfiguration(record: AgentRecord, signingSecret?: string): AgentConfiguration {
  const profile = record.agentProfile ?? {};
  return {
    id: record.id,
    name: record.name,
    modelId: profile.modelId ?? null,
    defaultFunctionState: profile.defaultFunctionState ?? 'multi_mode',
    usesWiilSupportModel: profile.usesWiilSupportModel ?? true,
    ...(profile.requiredModelConfig && { requiredModelConfig: profile.requiredModelConfig }),
    instructionConfigurationId: record.id,
    assistantType: profile.assistantType ?? 'general',
    call_transfer_config: profile.call_transfer_config ?? [],
    ...(profile.metadata && { metadata: profile.metadata }),
    backend: toBackendView(record.backend),
    ...(signingSecret !== undefined && { signingSecret }),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

export function toInstructionConfiguration(record: AgentRecord): InstructionConfiguration {
  const profile = record.instructionProfile ?? {};
  return {
    id: record.id,
    instructionName: profile.instructionName ?? record.name,
    role: profile.role ?? '',
    introductionMessage: record.introductionMessage ?? '',
    instructions: record.instructions,
    guardrails: profile.guardrails ?? '',
    ...(profile.requiredSkills && { requiredSkills: profile.requiredSkills }),
    ...(profile.validationRules && { validationRules: profile.validationRules }),
    ...(profile.serviceId && { serviceId: profile.serviceId }),
    supportedServices: profile.supportedServices ?? [],
    ...(profile.tools && { tools: profile.tools }),
    isTemplate: profile.isTemplate ?? false,
    isPrimary: profile.isPrimary ?? false,
    ...(profile.metadata && { metadata: profile.metadata }),
    knowledgeSourceIds: profile.knowledgeSourceIds ?? [],
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

/**
 * The stored profile after applying the fields of `request` named in `fields`: a value replaces,
 * `null` removes, `undefined` leaves alone. Undefined when `request` names none of them.
 */
function mergeProfile<T extends object>(base: T | null, request: object, fields: readonly (keyof T)[]): T | null | undefined {
  const source = request as Record<string, unknown>;
  if (!fields.some((field) => source[field as string] !== undefined)) return undefined;
  const merged: Record<string, unknown> = { ...base };
  for (const field of fields as readonly string[]) {
    const value = source[field];
    if (value === null) delete merged[field];
    else if (value !== undefined) merged[field] = value;
  }
  return Object.keys(merged).length > 0 ? (merged as T) : null;
}

/** An introduction message of WIIL's (a string, '' for none) as the agent keeps it (null for none). */
const greeting = (message: string | undefined) => (message === undefined ? undefined : message === '' ? null : message);

const ECHO = { type: AgentBackendType.ECHO } as const;

export function agentConfigurationService(db: Kysely<DB>, secretBox: SecretBox, egress: EgressPolicy) {
  async function requireAgentConfiguration(repos: WorkspaceRepositories, id: string): Promise<AgentRecord> {
    const record = await repos.agents.get(id);
    if (!record || !record.isAgentConfiguration) throw notFound(AGENT_CONFIGURATION_NOT_FOUND, { id });
    return record;
  }

  async function requireInstructionConfiguration(repos: WorkspaceRepositories, id: string): Promise<AgentRecord> {
    const record = await repos.agents.get(id);
    if (!record) throw notFound(INSTRUCTION_CONFIGURATION_NOT_FOUND, { id });
    return record;
  }

  const agentConfigurations = {
    async create(workspaceId: string, request: ParsedAgentConfigurationRequest): Promise<AgentConfiguration> {
      assertTargetsAllowed(egress, backendTargets(request.backend));
      const agentProfile = mergeProfile<AgentConfigurationProfile>(null, request, AGENT_PROFILE_FIELDS) ?? null;
      const instructionId = request.instructionConfigurationId;
      if (instructionId === undefined) {
        const id = newId('agent');
        const { backend, signingSecret } = sealBackend(secretBox, id, request.backend ?? ECHO);
        const record = await workspaceRepositories(db, workspaceId).agents.insert({
          id,
          name: request.name,
          instructions: '',
          introductionMessage: null,
          backend,
          agentProfile,
        });
        return toAgentConfiguration(record, signingSecret);
      }
      return db.transaction().execute(async (trx) => {
        const repos = workspaceRepositories(trx, workspaceId);
        const instruction = await repos.agents.get(instructionId);
        if (!instruction) throw notFound(INSTRUCTION_CONFIGURATION_NOT_FOUND, { instructionConfigurationId: instructionId });
        if (!(await repos.agents.claimAgentConfiguration(instructionId))) {
          throw conflict(
            `Instruction configuration ${instructionId} already belongs to agent configuration ${instructionId}: ` +
              "on Switchboard an agent's instructions are its own, so create another instruction configuration for this agent",
            { agentConfigurationId: instructionId },
          );
        }
        const sealed = request.backend && sealBackend(secretBox, instructionId, request.backend, instruction.backend);
        const updated = await repos.agents.update(instructionId, {
          name: request.name,
          agentProfile,
          ...(sealed && { backend: sealed.backend }),
        });
        return toAgentConfiguration(updated!, sealed?.signingSecret);
      });
    },
    async get(workspaceId: string, id: string): Promise<AgentConfiguration> {
      return toAgentConfiguration(await requireAgentConfiguration(workspaceRepositories(db, workspaceId), id));
    },
    async list(workspaceId: string, page: number, pageSize: number): Promise<PaginatedResult<AgentConfiguration>> {
      const result = await workspaceRepositories(db, workspaceId).agents.list(page, pageSize, { agentConfigurationsOnly: true });
      return { data: result.data.map((record) => toAgentConfiguration(record)), meta: result.meta };
    },
    async update(workspaceId: string, patch: ParsedAgentConfigurationUpdate): Promise<AgentConfiguration> {
      const { id } = patch;
      if (patch.instructionConfigurationId !== undefined && patch.instructionConfigurationId !== id) {
        throw invalidField(
          'instructionConfigurationId',
          `must be ${id}, the agent's own id: on Switchboard an agent's instructions are its instruction configuration`,
        );
      }
      assertTargetsAllowed(egress, backendTargets(patch.backend));
      return db.transaction().execute(async (trx) => {
        const repos = workspaceRepositories(trx, workspaceId);
        const existing = await requireAgentConfiguration(repos, id);
        const sealed = patch.backend && sealBackend(secretBox, id, patch.backend, existing.backend);
        const agentProfile = mergeProfile(existing.agentProfile, patch, AGENT_PROFILE_FIELDS);
        const updated = await repos.agents.update(id, {
          name: patch.name,
          ...(sealed && { backend: sealed.backend }),
          ...(agentProfile !== undefined && { agentProfile }),
        });
        return toAgentConfiguration(updated!, sealed?.signingSecret);
      });
    },
    /** Refused while a deployment or workflow uses the agent. An instruction configuration made on its own is kept. */
    delete(workspaceId: string, id: string): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const repos = workspaceRepositories(trx, workspaceId);
        const existing = await requireAgentConfiguration(repos, id);
        await assertAgentUnused(trx, workspaceId, id);
        if (!existing.standaloneInstruction) return repos.agents.delete(id);
        await repos.agents.update(id, {
          name: existing.instructionProfile?.instructionName ?? existing.name,
          agentProfile: null,
          isAgentConfiguration: false,
        });
        return true;
      });
    },
  };

  const instructionConfigurations = {
    async create(workspaceId: string, request: ParsedInstructionConfigurationRequest): Promise<InstructionConfiguration> {
      const record = await workspaceRepositories(db, workspaceId).agents.insert({
        name: request.instructionName,
        instructions: request.instructions ?? '',
        introductionMessage: greeting(request.introductionMessage) ?? null,
        backend: ECHO,
        instructionProfile: mergeProfile<InstructionConfigurationProfile>(null, request, INSTRUCTION_PROFILE_FIELDS) ?? null,
        isAgentConfiguration: false,
        standaloneInstruction: true,
      });
      return toInstructionConfiguration(record);
    },
    async get(workspaceId: string, id: string): Promise<InstructionConfiguration> {
      return toInstructionConfiguration(await requireInstructionConfiguration(workspaceRepositories(db, workspaceId), id));
    },
    async list(workspaceId: string, page: number, pageSize: number): Promise<PaginatedResult<InstructionConfiguration>> {
      const result = await workspaceRepositories(db, workspaceId).agents.list(page, pageSize);
      return { data: result.data.map(toInstructionConfiguration), meta: result.meta };
    },
    async update(workspaceId: string, patch: ParsedInstructionConfigurationUpdate): Promise<InstructionConfiguration> {
      return db.transaction().execute(async (trx) => {
        const repos = workspaceRepositories(trx, workspaceId);
        const existing = await requireInstructionConfiguration(repos, patch.id);
        const instructionProfile = mergeProfile(existing.instructionProfile, patch, INSTRUCTION_PROFILE_FIELDS);
        const updated = await repos.agents.update(patch.id, {
          instructions: patch.instructions,
          introductionMessage: greeting(patch.introductionMessage),
          // Until an agent configuration claims it, the agent is named after its instructions.
          ...(!existing.isAgentConfiguration && patch.instructionName !== undefined && { name: patch.instructionName }),
          ...(instructionProfile !== undefined && { instructionProfile }),
        });
        return toInstructionConfiguration(updated!);
      });
    },
    /** Refused while it is an agent configuration's instructions, or a deployment or workflow uses the agent. */
    delete(workspaceId: string, id: string): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const repos = workspaceRepositories(trx, workspaceId);
        const existing = await requireInstructionConfiguration(repos, id);
        if (existing.isAgentConfiguration) {
          throw conflict(`Instruction configuration ${id} holds the instructions of agent configuration ${id}; delete the agent configuration first`, {
            agentConfigurationId: id,
          });
        }
        await assertAgentUnused(trx, workspaceId, id);
        return repos.agents.delete(id);
      });
    },
  };

  return { agentConfigurations, instructionConfigurations };
}

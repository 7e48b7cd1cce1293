import { z } from 'zod';
import { agentBackendSchema, type AgentBackend } from './agent.js';
import { PATTERNS, RULES } from '../validation.js';
import { caseInsensitiveEnum, idSchema, nameSchema } from './common.js';

/*
 * WIIL's agent configurations and instruction configurations, mapped onto Switchboard's agents.
 * One agent is both, under one id: its name, backend and WIIL model fields are the agent
 * configuration; its instructions, introduction message, role and guardrails are the instruction
 * configuration. Fields WIIL has that Switchboard does not use are stored and returned as sent.
 */

/** WIIL's `LLMType`: the agent's default operational mode. */
export const LLM_FUNCTION_STATES = ['sts', 'tts', 'stt', 'transcribe', 'text', 'multi_mode'] as const;
export type LlmFunctionState = (typeof LLM_FUNCTION_STATES)[number];

/** WIIL's `AssistantType`: the channel an agent is specialised for. */
export const ASSISTANT_TYPES = ['phone', 'web', 'email', 'general'] as const;
export type AssistantType = (typeof ASSISTANT_TYPES)[number];

const MAX_RECORD_JSON = 20_000;

/** A free-form JSON object (WIIL's `metadata`, `requiredModelConfig`, `validationRules`), at most 20,000 characters as JSON. */
const jsonRecord = z
  .record(z.string().max(200, 'keys must be at most 200 characters'), z.unknown())
  .refine((value) => JSON.stringify(value).length <= MAX_RECORD_JSON, `must be at most ${MAX_RECORD_JSON} characters as JSON`);

const shortText = z.string().max(200, 'must be at most 200 characters');
const strings = (max: number) => z.array(shortText).max(max, `must have at most ${max} entries`);

/** WIIL's call transfer rule: stored and returned; Switchboard does not transfer calls. */
export const callTransferSchema = z.strictObject({
  transfer_number: z.string().regex(PATTERNS.e164, RULES.e164),
  transfer_type: z.enum(['blind', 'warm'], { error: 'must be one of blind, warm' }).default('blind'),
  transfer_conditions: z.array(z.string().max(500, 'must be at most 500 characters')).max(50, 'must have at most 50 entries'),
});

/** What Switchboard keeps of an agent configuration besides the agent's name and backend. */
export interface AgentConfigurationProfile {
  modelId?: string | null;
  defaultFunctionState?: LlmFunctionState;
  usesWiilSupportModel?: boolean;
  requiredModelConfig?: Record<string, unknown> | null;
  assistantType?: AssistantType;
  call_transfer_config?: z.output<typeof callTransferSchema>[];
  metadata?: Record<string, unknown> | null;
}

const agentProfileFields = {
  modelId: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(200, 'must be at most 200 characters')
    .nullable()
    .optional()
    .describe("WIIL's model id: stored and returned; the agent's `backend` decides who answers"),
  defaultFunctionState: caseInsensitiveEnum(LLM_FUNCTION_STATES).optional(),
  usesWiilSupportModel: z.boolean({ error: 'must be true or false' }).optional(),
  requiredModelConfig: jsonRecord.nullable().optional(),
  assistantType: caseInsensitiveEnum(ASSISTANT_TYPES).optional(),
  call_transfer_config: z.array(callTransferSchema).max(20, 'must have at most 20 entries').optional(),
  metadata: jsonRecord.nullable().optional(),
};

export const AGENT_PROFILE_FIELDS = Object.keys(agentProfileFields) as (keyof AgentConfigurationProfile)[];

/**
 * Creates an agent configuration. With `instructionConfigurationId` (an instruction
 * configuration made on its own), that agent becomes the agent configuration and keeps its id;
 * without, a new agent with empty instructions is created. `backend` (Switchboard's) says who
 * answers; it defaults to `echo`.
 */
export const agentConfigurationRequestSchema = z.strictObject({
  name: nameSchema,
  instructionConfigurationId: idSchema.optional(),
  ...agentProfileFields,
  backend: agentBackendSchema.optional(),
});
export type AgentConfigurationRequest = z.input<typeof agentConfigurationRequestSchema>;
export type ParsedAgentConfigurationRequest = z.output<typeof agentConfigurationRequestSchema>;

/** A partial update, the id in the body. `instructionConfigurationId`, when sent, must be the id. */
export const agentConfigurationUpdateSchema = z.strictObject({
  id: idSchema,
  name: nameSchema.optional(),
  instructionConfigurationId: idSchema.optional(),
  ...agentProfileFields,
  backend: agentBackendSchema.optional(),
});
export type AgentConfigurationUpdateRequest = z.input<typeof agentConfigurationUpdateSchema>;
export type ParsedAgentConfigurationUpdate = z.output<typeof agentConfigurationUpdateSchema>;

/** WIIL's agent configuration, with the Switchboard backend that answers for it. */
export interface AgentConfiguration {
  id: string;
  name: string;
  modelId: string | null;
  defaultFunctionState: LlmFunctionState;
  usesWiilSupportModel: boolean;
  requiredModelConfig?: Record<string, unknown>;
  /** The agent's own id: an agent's instructions are its instruction configuration. */
  instructionConfigurationId: string;
  assistantType: AssistantType;
  call_transfer_config: z.output<typeof callTransferSchema>[];
  metadata?: Record<string, unknown>;
  backend: AgentBackend;
  /** A generated webhook signing secret, only in the one response that generated it. */
  signingSecret?: string;
  createdAt: number;
  updatedAt: number;
}

/** What Switchboard keeps of an instruction configuration besides the agent's instructions and introduction message. */
export interface InstructionConfigurationProfile {
  instructionName?: string;
  role?: string;
  guardrails?: string;
  requiredSkills?: string[] | null;
  validationRules?: Record<string, unknown> | null;
  serviceId?: string | null;
  supportedServices?: string[];
  tools?: string[] | null;
  isTemplate?: boolean;
  isPrimary?: boolean;
  metadata?: Record<string, unknown> | null;
  knowledgeSourceIds?: string[];
}

const instructionProfileFields = {
  role: z.string().max(500, 'must be at most 500 characters').optional(),
  guardrails: z
    .string()
    .max(20_000, 'must be at most 20000 characters')
    .optional()
    .describe("Rules the agent must follow: an openai-compatible backend's system prompt is the instructions, then these"),
  requiredSkills: strings(100).nullable().optional(),
  validationRules: jsonRecord.nullable().optional(),
  serviceId: shortText.nullable().optional(),
  supportedServices: strings(100).optional().describe("WIIL's business services: stored and returned"),
  tools: strings(100).nullable().optional(),
  isTemplate: z.boolean({ error: 'must be true or false' }).optional(),
  isPrimary: z.boolean({ error: 'must be true or false' }).optional(),
  metadata: jsonRecord.nullable().optional(),
  knowledgeSourceIds: z
    .array(idSchema)
    .max(100, 'must have at most 100 entries')
    .optional()
    .describe('Stored and returned; Switchboard has no knowledge sources'),
};

export const INSTRUCTION_PROFILE_FIELDS = ['instructionName', ...Object.keys(instructionProfileFields)] as (keyof InstructionConfigurationProfile)[];

const instructions = z.string().max(100_000, 'must be at most 100000 characters');
const introductionMessage = z.string().max(2_000, 'must be at most 2000 characters');

/**
 * Creates an instruction configuration: a Switchboard agent named `instructionName` whose
 * instructions and introduction message these are. It becomes an agent configuration when
 * `POST /v1/agent-configurations` names it as its `instructionConfigurationId`.
 */
export const instructionConfigurationRequestSchema = z.strictObject({
  instructionName: nameSchema,
  introductionMessage: introductionMessage.optional(),
  instructions: instructions.optional(),
  ...instructionProfileFields,
});
export type InstructionConfigurationRequest = z.input<typeof instructionConfigurationRequestSchema>;
export type ParsedInstructionConfigurationRequest = z.output<typeof instructionConfigurationRequestSchema>;

export const instructionConfigurationUpdateSchema = z.strictObject({
  id: idSchema,
  instructionName: nameSchema.optional(),
  introductionMessage: introductionMessage.optional(),
  instructions: instructions.optional(),
  ...instructionProfileFields,
});
export type InstructionConfigurationUpdateRequest = z.input<typeof instructionConfigurationUpdateSchema>;
export type ParsedInstructionConfigurationUpdate = z.output<typeof instructionConfigurationUpdateSchema>;

/** WIIL's instruction configuration. */
export interface InstructionConfiguration {
  id: string;
  instructionName: string;
  role: string;
  introductionMessage: string;
  instructions: string;
  guardrails: string;
  requiredSkills?: string[];
  validationRules?: Record<string, unknown>;
  serviceId?: string;
  supportedServices: string[];
  tools?: string[];
  isTemplate: boolean;
  isPrimary: boolean;
  metadata?: Record<string, unknown>;
  knowledgeSourceIds: string[];
  createdAt: number;
  updatedAt: number;
}

import { z } from 'zod';
import { AgentBackendType } from '../enums.js';
import { nameSchema } from './common.js';

export const echoBackendSchema = z.strictObject({ type: z.literal(AgentBackendType.ECHO) });

export const agentBackendSchema = z.discriminatedUnion('type', [echoBackendSchema], {
  error: (issue) => (issue.input === undefined ? 'Required' : `backend.type must be one of ${Object.values(AgentBackendType).join(', ')}`),
});
export type AgentBackend = z.output<typeof agentBackendSchema>;

const instructions = z.string().max(100_000, 'must be at most 100000 characters');
const introductionMessage = z.string().max(2_000, 'must be at most 2000 characters');

export const agentRequestSchema = z.strictObject({
  name: nameSchema,
  instructions: instructions.default(''),
  introductionMessage: introductionMessage.nullable().default(null),
  backend: agentBackendSchema.prefault({ type: AgentBackendType.ECHO }),
});
export type AgentRequest = z.input<typeof agentRequestSchema>;
export type ParsedAgentRequest = z.output<typeof agentRequestSchema>;

export const agentUpdateSchema = z.strictObject({
  id: z.string().optional(),
  name: nameSchema.optional(),
  instructions: instructions.optional(),
  introductionMessage: introductionMessage.nullable().optional(),
  backend: agentBackendSchema.optional(),
});
export type AgentUpdateRequest = z.input<typeof agentUpdateSchema>;
export type ParsedAgentUpdate = z.output<typeof agentUpdateSchema>;

export interface Agent {
  id: string;
  name: string;
  instructions: string;
  introductionMessage: string | null;
  backend: AgentBackend;
  createdAt: number;
  updatedAt: number;
}

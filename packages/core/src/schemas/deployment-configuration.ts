import { z } from 'zod';
import { DEPLOYMENT_STATUSES, DeploymentStatus } from '../enums.js';
import { caseInsensitiveEnum, idSchema, nameSchema } from './common.js';
import { deploymentChannelRequestSchema } from './deployment-channel.js';

const initialStatus = caseInsensitiveEnum([DeploymentStatus.PENDING, DeploymentStatus.ACTIVE]).default(DeploymentStatus.PENDING);

export const deploymentConfigurationRequestSchema = z.strictObject({
  deploymentChannelId: idSchema,
  agentId: idSchema,
  deploymentName: nameSchema.optional(),
  instructions: z.string().max(100_000).nullable().optional(),
  status: initialStatus,
});
export type DeploymentConfigurationRequest = z.input<typeof deploymentConfigurationRequestSchema>;
export type ParsedDeploymentConfigurationRequest = z.output<typeof deploymentConfigurationRequestSchema>;

export const deploymentConfigurationUpdateSchema = z.strictObject({
  id: idSchema.optional(),
  deploymentName: nameSchema.optional(),
  agentId: idSchema.optional(),
  instructions: z.string().max(100_000).nullable().optional(),
  status: caseInsensitiveEnum(DEPLOYMENT_STATUSES).optional(),
});
export type DeploymentConfigurationUpdateRequest = z.input<typeof deploymentConfigurationUpdateSchema>;
export type ParsedDeploymentConfigurationUpdate = z.output<typeof deploymentConfigurationUpdateSchema>;

/** Creates a channel and binds it to an agent in one step; nothing is kept if any part fails. */
export const channelSetupRequestSchema = z.strictObject({
  agentId: idSchema,
  deploymentName: nameSchema.optional(),
  instructions: z.string().max(100_000).nullable().optional(),
  status: initialStatus,
  channel: deploymentChannelRequestSchema,
});
export type ChannelSetupRequest = z.input<typeof channelSetupRequestSchema>;
export type ParsedChannelSetupRequest = z.output<typeof channelSetupRequestSchema>;

export interface DeploymentConfiguration {
  id: string;
  deploymentChannelId: string;
  agentId: string;
  deploymentName: string | null;
  instructions: string | null;
  status: DeploymentStatus;
  createdAt: number;
  updatedAt: number;
}

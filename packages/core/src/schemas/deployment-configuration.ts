import { z } from 'zod';
import { DEPLOYMENT_STATUSES, DeploymentStatus } from '../enums.js';
import { caseInsensitiveEnum, idSchema, nameSchema } from './common.js';
import { deploymentChannelRequestSchema } from './deployment-channel.js';

/**
 * How a deployment is provisioned, in WIIL's vocabulary: `direct` (the agent answers) or
 * `chained` (WIIL runs a provisioning chain). Switchboard stores a chain's id and returns it;
 * it runs no chains, so a deployment's agent answers either way.
 */
export enum ProvisioningType {
  DIRECT = 'direct',
  CHAINED = 'chained',
}
export const PROVISIONING_TYPES = Object.values(ProvisioningType) as [ProvisioningType, ...ProvisioningType[]];

const initialStatuses = [DeploymentStatus.PENDING, DeploymentStatus.ACTIVE] as [DeploymentStatus, ...DeploymentStatus[]];
const instructionsSchema = z.string().max(100_000).nullable();

/**
 * `pending` or `active`, documented as defaulting to `pending` but left undefined when not sent,
 * so that a status sent can be told from none (WIIL's `isActive` then decides).
 */
function initialStatusSchema() {
  const schema = caseInsensitiveEnum(initialStatuses);
  z.globalRegistry.add(schema.in, { default: DeploymentStatus.PENDING });
  return schema.optional();
}

/**
 * The agent of a deployment under each of its names: Switchboard's `agentId`, WIIL's
 * `agentConfigurationId`, and WIIL's `instructionConfigurationId` (on Switchboard an agent's
 * instructions are its instruction configuration, so that id is the agent's own id too).
 */
const agentFields = {
  agentId: idSchema.optional(),
  agentConfigurationId: idSchema.optional().describe('WIIL name of `agentId`'),
  instructionConfigurationId: idSchema
    .optional()
    .describe("The agent whose instructions the deployment uses. On Switchboard an agent's instructions are its instruction configuration, so this is the agent's id"),
};

/** WIIL's grouping of deployments. Optional: a deployment created without one is in the workspace's default project, whose id is the workspace id. */
const projectIdSchema = idSchema.describe('Groups deployments (WIIL projects); defaults to the workspace id');

const provisioningFields = {
  provisioningType: caseInsensitiveEnum(PROVISIONING_TYPES)
    .optional()
    .describe('`chained` when `provisioningConfigChainId` is given, else `direct`'),
  provisioningConfigChainId: idSchema
    .nullable()
    .optional()
    .describe('A WIIL provisioning chain: stored and returned; Switchboard runs no chains, the agent answers'),
};

type Ctx = Pick<z.core.$RefinementCtx, 'addIssue'>;

function issue(ctx: Ctx, path: string, message: string): void {
  ctx.addIssue({ code: 'custom', path: [path], message });
}

/** The agent named by any of `agentId`, `agentConfigurationId`, `instructionConfigurationId`; they must agree. */
function resolveAgent(
  value: { agentId?: string | undefined; agentConfigurationId?: string | undefined; instructionConfigurationId?: string | undefined },
  ctx: Ctx,
): string | undefined {
  const { agentId, agentConfigurationId, instructionConfigurationId } = value;
  if (agentId !== undefined && agentConfigurationId !== undefined && agentId !== agentConfigurationId) {
    issue(ctx, 'agentConfigurationId', `must equal agentId (${agentId}): both name the deployment's agent`);
  }
  const agent = agentId ?? agentConfigurationId;
  if (agent !== undefined && instructionConfigurationId !== undefined && instructionConfigurationId !== agent) {
    issue(
      ctx,
      'instructionConfigurationId',
      `must be ${agent}, the agent's own id: on Switchboard an agent's instructions are its instruction configuration`,
    );
  }
  return agent ?? instructionConfigurationId;
}

/** `status` and WIIL's `deploymentStatus` are one field under two names. */
function resolveStatus(value: { status?: DeploymentStatus | undefined; deploymentStatus?: DeploymentStatus | undefined }, ctx: Ctx) {
  const { status, deploymentStatus } = value;
  if (status !== undefined && deploymentStatus !== undefined && status !== deploymentStatus) {
    issue(ctx, 'deploymentStatus', `must equal status (${status}): both name the deployment's status`);
  }
  return status ?? deploymentStatus;
}

/**
 * The status a request asks for once `isActive` (WIIL's switch) is taken into account.
 * `isActive: true` means `active`: it agrees with an explicit `active`, and overrides `pending`
 * (the only status WIIL's SDK lets a caller send). `isActive: false` agrees with any status but
 * `active`; alone, it pauses an active deployment and leaves any other as it is.
 *
 * @param current the deployment's status now; undefined when creating one.
 * @returns undefined when the status does not change.
 */
export function requestedStatus(
  explicit: DeploymentStatus | undefined,
  isActive: boolean | undefined,
  current: DeploymentStatus | undefined,
): DeploymentStatus | undefined | { conflict: string } {
  if (isActive === undefined) return explicit;
  if (isActive) {
    if (explicit === undefined || explicit === DeploymentStatus.PENDING || explicit === DeploymentStatus.ACTIVE) return DeploymentStatus.ACTIVE;
    return { conflict: `true contradicts status ${explicit}` };
  }
  if (explicit === DeploymentStatus.ACTIVE) return { conflict: 'false contradicts status active' };
  if (explicit !== undefined) return explicit;
  if (current === undefined) return DeploymentStatus.PENDING;
  return current === DeploymentStatus.ACTIVE ? DeploymentStatus.PAUSED : undefined;
}

/** `chained` exactly when a chain id is given. */
function checkProvisioning(
  type: ProvisioningType | undefined,
  chainId: string | null | undefined,
  ctx: Ctx,
): { provisioningType: ProvisioningType; provisioningConfigChainId: string | null } {
  const provisioningType = type ?? (chainId ? ProvisioningType.CHAINED : ProvisioningType.DIRECT);
  if (provisioningType === ProvisioningType.CHAINED && !chainId) issue(ctx, 'provisioningConfigChainId', 'Required when provisioningType is chained');
  if (provisioningType === ProvisioningType.DIRECT && chainId) issue(ctx, 'provisioningType', 'must be chained when provisioningConfigChainId is given');
  return { provisioningType, provisioningConfigChainId: chainId ?? null };
}

/** A create request once validated: the agent and status resolved from whichever names were sent. */
export interface DeploymentConfigurationCreation {
  deploymentChannelId: string;
  agentId: string;
  projectId?: string | undefined;
  deploymentName?: string | undefined;
  instructions?: string | null | undefined;
  status: DeploymentStatus;
  provisioningType: ProvisioningType;
  provisioningConfigChainId: string | null;
}

/** An update once validated; `isActive` is resolved against the current status by the server. */
export interface DeploymentConfigurationPatch {
  id?: string | undefined;
  deploymentChannelId?: string | undefined;
  deploymentName?: string | undefined;
  agentId?: string | undefined;
  projectId?: string | undefined;
  instructions?: string | null | undefined;
  status?: DeploymentStatus | undefined;
  isActive?: boolean | undefined;
  provisioningType?: ProvisioningType | undefined;
  provisioningConfigChainId?: string | null | undefined;
}

export const deploymentConfigurationRequestSchema = z
  .strictObject({
    deploymentChannelId: idSchema,
    ...agentFields,
    projectId: projectIdSchema.optional(),
    deploymentName: nameSchema.optional(),
    instructions: instructionsSchema.optional(),
    status: initialStatusSchema().describe('`pending` (the default) or `active`'),
    deploymentStatus: caseInsensitiveEnum(initialStatuses).optional().describe('WIIL name of `status`'),
    isActive: z.boolean({ error: 'must be true or false' }).optional().describe('WIIL: `true` creates the deployment `active`'),
    ...provisioningFields,
  })
  .transform((value, ctx): DeploymentConfigurationCreation => {
    const agentId = resolveAgent(value, ctx);
    if (agentId === undefined) issue(ctx, 'agentId', 'Required (or agentConfigurationId, its WIIL name)');
    const status = requestedStatus(resolveStatus(value, ctx), value.isActive, undefined);
    if (typeof status === 'object') issue(ctx, 'isActive', status.conflict);
    const provisioning = checkProvisioning(value.provisioningType, value.provisioningConfigChainId, ctx);
    return {
      deploymentChannelId: value.deploymentChannelId,
      agentId: agentId ?? '',
      projectId: value.projectId,
      deploymentName: value.deploymentName,
      instructions: value.instructions,
      status: typeof status === 'string' ? status : DeploymentStatus.PENDING,
      ...provisioning,
    };
  });
export type DeploymentConfigurationRequest = z.input<typeof deploymentConfigurationRequestSchema>;
export type ParsedDeploymentConfigurationRequest = z.output<typeof deploymentConfigurationRequestSchema>;

/**
 * A partial update. Besides Switchboard's fields it takes WIIL's: `agentConfigurationId`,
 * `instructionConfigurationId`, `deploymentStatus`, `isActive`, `projectId`, the provisioning
 * fields, and `deploymentChannelId` (which must be the deployment's own channel: a deployment
 * keeps its channel).
 */
export const deploymentConfigurationUpdateSchema = z
  .strictObject({
    id: idSchema.optional(),
    deploymentChannelId: idSchema.optional().describe("The deployment's own channel: a deployment cannot move to another channel"),
    deploymentName: nameSchema.optional(),
    ...agentFields,
    projectId: projectIdSchema.optional(),
    instructions: instructionsSchema.optional(),
    status: caseInsensitiveEnum(DEPLOYMENT_STATUSES).optional(),
    deploymentStatus: caseInsensitiveEnum(DEPLOYMENT_STATUSES).optional().describe('WIIL name of `status`'),
    isActive: z
      .boolean({ error: 'must be true or false' })
      .optional()
      .describe('WIIL: `true` activates the deployment; `false` pauses an active one'),
    ...provisioningFields,
  })
  .transform((value, ctx): DeploymentConfigurationPatch => {
    const agentId = resolveAgent(value, ctx);
    const status = resolveStatus(value, ctx);
    // Whether `isActive` contradicts the status sent does not depend on the current status.
    const conflict = requestedStatus(status, value.isActive, DeploymentStatus.ACTIVE);
    if (typeof conflict === 'object') issue(ctx, 'isActive', conflict.conflict);
    return {
      id: value.id,
      deploymentChannelId: value.deploymentChannelId,
      deploymentName: value.deploymentName,
      agentId,
      projectId: value.projectId,
      instructions: value.instructions,
      status,
      isActive: value.isActive,
      provisioningType: value.provisioningType,
      provisioningConfigChainId: value.provisioningConfigChainId,
    };
  });
export type DeploymentConfigurationUpdateRequest = z.input<typeof deploymentConfigurationUpdateSchema>;
export type ParsedDeploymentConfigurationUpdate = z.output<typeof deploymentConfigurationUpdateSchema>;

/** Creates a channel and binds it to an agent in one step; nothing is kept if any part fails. */
export const channelSetupRequestSchema = z.strictObject({
  agentId: idSchema,
  deploymentName: nameSchema.optional(),
  instructions: instructionsSchema.optional(),
  status: caseInsensitiveEnum(initialStatuses).default(DeploymentStatus.PENDING),
  channel: deploymentChannelRequestSchema,
});
export type ChannelSetupRequest = z.input<typeof channelSetupRequestSchema>;
export type ParsedChannelSetupRequest = z.output<typeof channelSetupRequestSchema>;

/**
 * A deployment configuration, in Switchboard's words and WIIL's: `agentConfigurationId` and
 * `instructionConfigurationId` are `agentId`; `deploymentStatus` is `status`; `isActive` says
 * whether it is `active`.
 */
export interface DeploymentConfiguration {
  id: string;
  projectId: string;
  deploymentChannelId: string;
  agentId: string;
  agentConfigurationId: string;
  instructionConfigurationId: string;
  deploymentName: string | null;
  instructions: string | null;
  status: DeploymentStatus;
  deploymentStatus: DeploymentStatus;
  isActive: boolean;
  provisioningType: ProvisioningType;
  provisioningConfigChainId: string | null;
  createdAt: number;
  updatedAt: number;
}

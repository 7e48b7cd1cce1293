import { z } from 'zod';
import {
  CommunicationType,
  DEPLOYMENT_TYPES,
  DeploymentType,
  MobilePlatform,
  WidgetPosition,
} from '../enums.js';
import { caseInsensitiveEnum, e164Schema, idSchema, nameSchema, reverseDnsSchema, webUrlSchema } from './common.js';

const phoneIdentifier = e164Schema;
const webIdentifier = webUrlSchema;
const mobileIdentifier = reverseDnsSchema;

export const phoneChannelConfigurationSchema = z.strictObject({
  phoneConfigurationId: idSchema,
});

export const widgetConfigurationSchema = z.strictObject({
  position: caseInsensitiveEnum([WidgetPosition.LEFT, WidgetPosition.RIGHT]).default(WidgetPosition.RIGHT),
  customTheme: z
    .record(z.string().max(64), z.string().max(500))
    .refine((theme) => Object.keys(theme).length <= 50, 'must have at most 50 entries')
    .optional(),
});

export const webChannelConfigurationSchema = z.strictObject({
  communicationType: caseInsensitiveEnum([CommunicationType.TEXT, CommunicationType.VOICE, CommunicationType.UNIFIED]).default(
    CommunicationType.UNIFIED,
  ),
  widgetConfiguration: widgetConfigurationSchema.prefault({}),
});

export const mobileChannelConfigurationSchema = z.strictObject({
  packageName: mobileIdentifier.optional(),
  platform: caseInsensitiveEnum([MobilePlatform.IOS, MobilePlatform.ANDROID]),
});

function typeOf<T extends DeploymentType>(type: T, aliases: Record<string, T> = {}) {
  return caseInsensitiveEnum([type], aliases);
}

const common = {
  channelName: nameSchema.optional(),
  recordingEnabled: z.boolean({ error: 'must be true or false' }).default(true),
};

/** Per-type pieces: what the identifier must look like and which configuration applies. */
export const channelTypeRules = {
  [DeploymentType.CALLS]: { identifier: phoneIdentifier, configuration: phoneChannelConfigurationSchema },
  [DeploymentType.SMS]: { identifier: phoneIdentifier, configuration: phoneChannelConfigurationSchema },
  [DeploymentType.WEB]: { identifier: webIdentifier, configuration: webChannelConfigurationSchema.prefault({}) },
  [DeploymentType.MOBILE]: { identifier: mobileIdentifier, configuration: mobileChannelConfigurationSchema },
} as const;

export const callsChannelRequestSchema = z.strictObject({
  deploymentType: typeOf(DeploymentType.CALLS),
  channelIdentifier: phoneIdentifier,
  ...common,
  configuration: phoneChannelConfigurationSchema,
});
export const smsChannelRequestSchema = z.strictObject({
  deploymentType: typeOf(DeploymentType.SMS),
  channelIdentifier: phoneIdentifier,
  ...common,
  configuration: phoneChannelConfigurationSchema,
});
export const webChannelRequestSchema = z.strictObject({
  deploymentType: typeOf(DeploymentType.WEB),
  channelIdentifier: webIdentifier,
  ...common,
  configuration: webChannelConfigurationSchema.prefault({}),
});
export const mobileChannelRequestSchema = z.strictObject({
  deploymentType: typeOf(DeploymentType.MOBILE, { mobile: DeploymentType.MOBILE, MOBILE: DeploymentType.MOBILE }),
  channelIdentifier: mobileIdentifier,
  ...common,
  configuration: mobileChannelConfigurationSchema,
});

export const deploymentChannelRequestSchema = z.discriminatedUnion(
  'deploymentType',
  [callsChannelRequestSchema, smsChannelRequestSchema, webChannelRequestSchema, mobileChannelRequestSchema],
  {
    error: (issue) => {
      const given = typeof issue.input === 'object' && issue.input !== null ? (issue.input as Record<string, unknown>).deploymentType : undefined;
      return given === undefined
        ? `Required: one of ${DEPLOYMENT_TYPES.join(', ')}`
        : `must be one of ${DEPLOYMENT_TYPES.join(', ')}`;
    },
  },
);
export type DeploymentChannelRequest = z.input<typeof deploymentChannelRequestSchema>;
export type ParsedDeploymentChannelRequest = z.output<typeof deploymentChannelRequestSchema>;

/** Partial update. `configuration` and `channelIdentifier` are checked against the channel's own type. */
export const deploymentChannelUpdateSchema = z.strictObject({
  id: idSchema.optional(),
  deploymentType: caseInsensitiveEnum(DEPLOYMENT_TYPES, { mobile: DeploymentType.MOBILE, MOBILE: DeploymentType.MOBILE }).optional(),
  channelIdentifier: z.string().optional(),
  channelName: nameSchema.optional(),
  recordingEnabled: z.boolean({ error: 'must be true or false' }).optional(),
  configuration: z.record(z.string(), z.unknown()).optional(),
});
export type DeploymentChannelUpdateRequest = z.input<typeof deploymentChannelUpdateSchema>;
export type ParsedDeploymentChannelUpdate = z.output<typeof deploymentChannelUpdateSchema>;

export const deleteChannelQuerySchema = z.strictObject({
  deletePhoneConfig: z
    .enum(['true', 'false'], { error: 'deletePhoneConfig must be true or false' })
    .optional()
    .transform((v) => v === 'true'),
});

export const byIdentifierQuerySchema = z.strictObject({
  type: caseInsensitiveEnum(DEPLOYMENT_TYPES, { mobile: DeploymentType.MOBILE, MOBILE: DeploymentType.MOBILE }).optional(),
});

export type PhoneChannelConfiguration = z.output<typeof phoneChannelConfigurationSchema>;
export type WebChannelConfiguration = z.output<typeof webChannelConfigurationSchema>;
export type MobileChannelConfiguration = z.output<typeof mobileChannelConfigurationSchema>;
export type ChannelConfiguration = PhoneChannelConfiguration | WebChannelConfiguration | MobileChannelConfiguration;

export interface DeploymentChannel {
  id: string;
  deploymentType: DeploymentType;
  channelIdentifier: string;
  channelName: string | null;
  recordingEnabled: boolean;
  configuration: ChannelConfiguration;
  createdAt: number;
  updatedAt: number;
}

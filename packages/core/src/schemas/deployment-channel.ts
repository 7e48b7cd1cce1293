import { z } from 'zod';
import {
  CommunicationType,
  DEPLOYMENT_TYPES,
  PROVIDER_CHANNEL_TYPES,
  DeploymentType,
  MobilePlatform,
  WidgetPosition,
} from '../enums.js';
import { caseInsensitiveEnum, e164Schema, idSchema, nameSchema, reverseDnsSchema, webUrlSchema, wireFormat } from './common.js';

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

/**
 * WIIL's defaults: `platform` is `ios`; the server sets a missing `packageName` to the channel's
 * identifier (the package or bundle id the channel is named by).
 */
export const mobileChannelConfigurationSchema = z.strictObject({
  packageName: mobileIdentifier.optional().describe("The app's package or bundle id; the channel identifier when left out"),
  platform: caseInsensitiveEnum([MobilePlatform.IOS, MobilePlatform.ANDROID]).default(MobilePlatform.IOS),
});

function typeOf<T extends DeploymentType>(type: T, aliases: Record<string, T> = {}) {
  return caseInsensitiveEnum([type], aliases);
}

const common = {
  channelName: nameSchema.optional(),
  recordingEnabled: z.boolean({ error: 'must be true or false' }).default(true),
};


const connectionConfiguration = {
  /** The provider connection (`conn_…`) this channel's traffic goes through. */
  connectionId: idSchema,
};

/** Identifier rules of provider channels: what each provider calls the entry point. */
const providerIdentifiers = {
  [DeploymentType.WHATSAPP]: phoneIdentifier,
  [DeploymentType.FACEBOOK]: z.string().regex(/^\d{5,30}$/, 'must be the numeric id of the Facebook page'),
  [DeploymentType.INSTAGRAM]: z.string().regex(/^\d{5,30}$/, 'must be the numeric id of the Instagram account'),
  [DeploymentType.LINE]: z.string().regex(/^[A-Za-z0-9_-]{3,64}$/, 'must be the LINE bot user id (the webhook destination)'),
  [DeploymentType.WECHAT]: z.string().regex(/^[A-Za-z0-9_-]{3,64}$/, 'must be the official account id (gh_…)'),
  [DeploymentType.WECOM]: z.string().regex(/^[A-Za-z0-9_-]{3,64}$/, 'must be the WeCom corp id'),
  [DeploymentType.TELEGRAM]: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{4,31}$/, 'must be the bot username (without @)'),
  // Addresses are compared lower-case: mail arrives with whatever case the sender typed.
  [DeploymentType.EMAIL]: z
    .string()
    .max(254)
    .regex(/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/, 'must be an email address')
    .overwrite((address) => address.toLowerCase()),
  [DeploymentType.WEBHOOK]: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, "must be 1-128 characters: letters, digits, '.', '_', ':' or '-'"),
  [DeploymentType.VOICE_GATEWAY]: z.string().regex(/^[A-Za-z0-9._:+-]{1,128}$/, "must be 1-128 characters: letters, digits, '+', '.', '_', ':' or '-'"),
} as const;

/**
 * A WhatsApp phone number id (WhatsApp → API Setup). Graph node ids are numeric strings in
 * practice, but the Graph API documents them as opaque strings, so any path-safe token is
 * accepted here; the messaging channels API (`createWhatsApp`) checks the id against the
 * Graph API itself before it stores it.
 */
export const whatsappPhoneNumberIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, "must be the WhatsApp phone number id (WhatsApp → API Setup): 1-64 letters, digits, '_' or '-'");

const providerConfigurations = {
  [DeploymentType.WHATSAPP]: z.strictObject({ ...connectionConfiguration, phoneNumberId: whatsappPhoneNumberIdSchema.optional() }),
  [DeploymentType.FACEBOOK]: z.strictObject(connectionConfiguration),
  [DeploymentType.INSTAGRAM]: z.strictObject(connectionConfiguration),
  [DeploymentType.LINE]: z.strictObject(connectionConfiguration),
  [DeploymentType.WECHAT]: z.strictObject(connectionConfiguration),
  [DeploymentType.WECOM]: z.strictObject({ ...connectionConfiguration, agentId: z.string().regex(/^\d{1,20}$/, 'must be the numeric WeCom app (agent) id').optional() }),
  [DeploymentType.TELEGRAM]: z.strictObject(connectionConfiguration),
  [DeploymentType.EMAIL]: z.strictObject({ ...connectionConfiguration, fromName: z.string().max(100).optional() }),
  [DeploymentType.WEBHOOK]: z.strictObject(connectionConfiguration),
  [DeploymentType.VOICE_GATEWAY]: z.strictObject(connectionConfiguration),
} as const;

function providerChannelRequest<T extends (typeof PROVIDER_CHANNEL_TYPES)[number]>(type: T) {
  return z.strictObject({
    deploymentType: typeOf(type),
    channelIdentifier: providerIdentifiers[type],
    ...common,
    configuration: providerConfigurations[type],
  });
}

/** Per-type pieces: what the identifier must look like and which configuration applies. */
export const channelTypeRules = {
  [DeploymentType.CALLS]: { identifier: phoneIdentifier, configuration: phoneChannelConfigurationSchema },
  [DeploymentType.SMS]: { identifier: phoneIdentifier, configuration: phoneChannelConfigurationSchema },
  [DeploymentType.WEB]: { identifier: webIdentifier, configuration: webChannelConfigurationSchema.prefault({}) },
  [DeploymentType.MOBILE]: { identifier: mobileIdentifier, configuration: mobileChannelConfigurationSchema.prefault({}) },
  ...(Object.fromEntries(
    PROVIDER_CHANNEL_TYPES.map((type) => [type, { identifier: providerIdentifiers[type], configuration: providerConfigurations[type] }]),
  ) as { [K in (typeof PROVIDER_CHANNEL_TYPES)[number]]: { identifier: (typeof providerIdentifiers)[K]; configuration: (typeof providerConfigurations)[K] } }),
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
  configuration: mobileChannelConfigurationSchema.prefault({}),
});

export const deploymentChannelRequestSchema = z.discriminatedUnion(
  'deploymentType',
  [
    callsChannelRequestSchema,
    smsChannelRequestSchema,
    webChannelRequestSchema,
    mobileChannelRequestSchema,
    ...PROVIDER_CHANNEL_TYPES.map((type) => providerChannelRequest(type)),
  ],
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
    .transform((v) => v === 'true')
    .register(wireFormat, { input: { type: 'boolean', default: false }, output: { type: 'boolean' } }),
});

export const byIdentifierQuerySchema = z.strictObject({
  type: caseInsensitiveEnum(DEPLOYMENT_TYPES, { mobile: DeploymentType.MOBILE, MOBILE: DeploymentType.MOBILE }).optional(),
});

export type PhoneChannelConfiguration = z.output<typeof phoneChannelConfigurationSchema>;
export type WebChannelConfiguration = z.output<typeof webChannelConfigurationSchema>;
export type MobileChannelConfiguration = z.output<typeof mobileChannelConfigurationSchema>;
export interface ProviderChannelConfiguration {
  connectionId: string;
  [setting: string]: unknown;
}
export type ChannelConfiguration = PhoneChannelConfiguration | WebChannelConfiguration | MobileChannelConfiguration | ProviderChannelConfiguration;

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

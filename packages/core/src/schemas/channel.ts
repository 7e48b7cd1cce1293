/**
 * The messaging channels API (`client.channel`, spec/002): the public product's own shapes,
 * snake_case and without an envelope. A channel here is a deployment channel of one of the
 * eight messaging types, read in the spec's `Channel` shape; a credential is a connection,
 * read as `{ _id, type, name }` and never with a secret.
 *
 * Request bodies are `z.object` (unknown fields are ignored, not refused) so clients written
 * for the public product keep working when they send fields Switchboard does not use.
 */
import { z } from 'zod';
import { idSchema, nameSchema, webUrlSchema } from './common.js';
import { DeploymentType } from '../enums.js';
import { channelTypeRules, whatsappPhoneNumberIdSchema } from './deployment-channel.js';

/** The address rule of email deployment channels (lower-cased). */
const emailSchema = channelTypeRules[DeploymentType.EMAIL].identifier;

export const MESSAGING_CHANNEL_TYPES = ['web', 'facebook', 'whatsapp', 'instagram', 'wechat', 'line', 'email', 'wecom'] as const;
export type MessagingChannelType = (typeof MESSAGING_CHANNEL_TYPES)[number];

export const messagingChannelTypeSchema = z.enum(MESSAGING_CHANNEL_TYPES, { error: `must be one of ${MESSAGING_CHANNEL_TYPES.join(', ')}` });

/** The spec's `Channel`. Extra fields: `identifier`, `credential_id`, `workflow_id`. */
export interface Channel {
  object_name?: 'channel';
  id: string;
  /** The channel name; the identifier when the channel has none. */
  name: string;
  type: MessagingChannelType;
  /** The workspace. */
  organization_id: string;
  business_unit_id?: string | null;
  /** True while the channel's deployment is active, i.e. while an agent answers it. */
  is_active: boolean;
  /** The deployment channel's configuration (`connectionId`, `phoneNumberId`, `widgetConfiguration`…); never holds secrets. */
  config?: Record<string, unknown>;
  /** What the provider calls the entry point: the E.164 number, page id, address, URL… */
  identifier: string;
  /** The connection (credential) carrying the channel's traffic; null for web channels. */
  credential_id: string | null;
  /** The routing workflow attached to the channel. */
  workflow_id: string | null;
  /** ISO 8601. */
  created_at: string;
  /** ISO 8601. */
  updated_at: string;
}

/** The spec's `ChannelCredential`: a connection, never with its secrets. */
export interface ChannelCredential {
  _id: string;
  type?: string;
  name?: string;
  /** The connection's provider (`meta`, `line`, `email`…). */
  provider?: string;
  created_at?: string;
  updated_at?: string;
}

/** A Facebook page the credential's token can manage (Graph `me/accounts`). */
export interface FacebookPage {
  _id: string;
  name: string;
  category: string | null;
}

/** What `getFacebookPages` answers: never empty (a credential that manages no page answers 404). */
export type FacebookPages = [FacebookPage, ...FacebookPage[]];

export interface AssignableTeamMember {
  _id: string;
  name: string;
  email: string;
  role: string | null;
}

export interface AssignableTeam {
  _id: string;
  name: string;
  description: string | null;
  members: AssignableTeamMember[];
  created_at: string;
  updated_at: string;
}

export interface TeamObserverView {
  _id: string;
  team_id: string;
  name: string;
  email: string;
  created_at: string;
}

export interface ChannelCount {
  count: number;
}

export interface ChannelServiceSuccess {
  success: true;
}

const secretValue = z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(10_000, 'must be at most 10000 characters');
const numericId = (what: string) => z.string({ error: `must be the numeric ${what} id as a string` }).regex(/^\d{5,30}$/, `must be the numeric ${what} id`);
const config = z.record(z.string(), z.unknown(), { error: 'must be an object' });

export const listChannelsQuerySchema = z.object({ type: messagingChannelTypeSchema.optional() });
export type ListChannelsParams = z.input<typeof listChannelsQuerySchema>;

export const updateChannelSchema = z.object({
  /** Switches the channel's deployment between active and paused. */
  active: z.boolean({ error: 'must be true or false' }).optional(),
  /** Patch of the channel configuration, merged as `/v1/deployment-channels` merges it (`null` removes a key). */
  config: config.optional(),
  name: nameSchema.optional(),
});
export type UpdateChannelRequest = z.input<typeof updateChannelSchema>;

export const createWebChannelSchema = z.object({
  name: nameSchema,
  /** The website; a stable unique placeholder URL is made up when absent. */
  url: webUrlSchema.optional(),
  config: config.optional(),
});
export type CreateWebChannelRequest = z.input<typeof createWebChannelSchema>;

export const createFacebookChannelSchema = z.object({
  page_id: numericId('Facebook page'),
  credential_id: idSchema,
  name: nameSchema.optional(),
});
export type CreateFacebookChannelRequest = z.input<typeof createFacebookChannelSchema>;

export const updateFacebookChannelSchema = z.object({
  id: idSchema,
  page_id: numericId('Facebook page').optional(),
  credential_id: idSchema.optional(),
  name: nameSchema.optional(),
});
export type UpdateFacebookChannelRequest = z.input<typeof updateFacebookChannelSchema>;

export const createInstagramChannelSchema = z
  .object({
    credential_id: idSchema,
    /** The Instagram professional account id; or give `page_id` and it is read from the page. */
    instagram_account_id: numericId('Instagram account').optional(),
    /** The Facebook page the Instagram account is linked to. */
    page_id: numericId('Facebook page').optional(),
    name: nameSchema.optional(),
  })
  .refine((r) => r.instagram_account_id !== undefined || r.page_id !== undefined, {
    message: 'Required: instagram_account_id, or page_id of the Facebook page the Instagram account is linked to',
    path: ['instagram_account_id'],
  });
export type CreateInstagramChannelRequest = z.input<typeof createInstagramChannelSchema>;

export const createEmailChannelSchema = z.object({
  name: nameSchema,
  email: emailSchema,
  /** An `email` connection to send through; otherwise the workspace's oldest, or a new one. */
  credential_id: idSchema.optional(),
  from_name: z.string().max(100, 'must be at most 100 characters').optional(),
  smtp_host: z.string().min(1).max(255).optional(),
  smtp_port: z.number({ error: 'must be a number' }).int().min(1).max(65_535).optional(),
  smtp_secure: z.boolean({ error: 'must be true or false' }).optional(),
  smtp_user: z.string().min(1).max(320).optional(),
  smtp_password: secretValue.optional(),
});
export type CreateEmailChannelRequest = z.input<typeof createEmailChannelSchema>;

const credentialOr = <T extends z.ZodRawShape>(shape: T, required: (keyof T & string)[], what: string) =>
  z.object({ credential_id: idSchema.optional(), ...shape }).superRefine((request, ctx) => {
    const given = request as Record<string, unknown>;
    if (given.credential_id !== undefined) return;
    for (const field of required) {
      if (given[field] === undefined) {
        ctx.addIssue({ code: 'custom', path: [field], message: `Required (or credential_id of an existing ${what} credential)` });
      }
    }
  });

export const createWechatChannelSchema = credentialOr(
  {
    name: nameSchema.optional(),
    /** The account's original id (原始ID, `gh_…`): the channel identifier. */
    original_id: z.string({ error: 'Required' }).regex(/^[A-Za-z0-9_-]{3,64}$/, 'must be the official account id (gh_…)'),
    app_id: z.string().optional(),
    app_secret: secretValue.optional(),
    token: secretValue.optional(),
    encoding_aes_key: secretValue.optional(),
    mode: z.enum(['plain', 'safe'], { error: 'must be "plain" or "safe"' }).optional(),
  },
  ['app_id', 'app_secret'],
  'wechat',
);
export type CreateWechatChannelRequest = z.input<typeof createWechatChannelSchema>;

export const createLineChannelSchema = credentialOr(
  {
    name: nameSchema.optional(),
    channel_secret: secretValue.optional(),
    channel_access_token: secretValue.optional(),
    /** The bot's user id (`U…`); read from LINE (`/v2/bot/info`) when absent. */
    bot_user_id: z.string().regex(/^U[0-9a-f]{32}$/, 'must be the bot user id: U followed by 32 hex digits').optional(),
  },
  ['channel_secret', 'channel_access_token'],
  'line',
);
export type CreateLineChannelRequest = z.input<typeof createLineChannelSchema>;

export const createWhatsAppChannelSchema = z
  .object({
    phone_number_id: whatsappPhoneNumberIdSchema,
    access_token: secretValue.optional(),
    /** The Meta app secret; inbound webhooks are refused (403) until the connection has one. */
    app_secret: secretValue.optional(),
    /** An existing `meta` credential to use instead of `access_token`. */
    credential_id: idSchema.optional(),
    name: nameSchema.optional(),
  })
  .refine((r) => r.access_token !== undefined || r.credential_id !== undefined, {
    message: 'Required: access_token (or credential_id of a Meta credential)',
    path: ['access_token'],
  });
export type CreateWhatsAppChannelRequest = z.input<typeof createWhatsAppChannelSchema>;

export const updateWhatsAppChannelSchema = z.object({
  id: idSchema,
  phone_number_id: whatsappPhoneNumberIdSchema.optional(),
  access_token: secretValue.optional(),
  app_secret: secretValue.optional(),
  name: nameSchema.optional(),
});
export type UpdateWhatsAppChannelRequest = z.input<typeof updateWhatsAppChannelSchema>;

export const createWecomChannelSchema = credentialOr(
  {
    name: nameSchema.optional(),
    /** The CorpID: the channel identifier. */
    corp_id: z.string({ error: 'Required' }).regex(/^[A-Za-z0-9_-]{3,64}$/, 'must be the WeCom corp id'),
    agent_id: z.union([z.string().regex(/^\d{1,20}$/), z.number().int().nonnegative()], { error: 'must be the numeric AgentId of the app' }).optional(),
    corp_secret: secretValue.optional(),
    encoding_aes_key: secretValue.optional(),
    token: secretValue.optional(),
  },
  ['agent_id', 'corp_secret', 'encoding_aes_key'],
  'wecom',
);
export type CreateWecomChannelRequest = z.input<typeof createWecomChannelSchema>;

/** The per-type request schemas, by channel type (the generic `create` dispatches on `type`). */
export const createChannelSchemas = {
  web: createWebChannelSchema,
  facebook: createFacebookChannelSchema,
  whatsapp: createWhatsAppChannelSchema,
  instagram: createInstagramChannelSchema,
  wechat: createWechatChannelSchema,
  line: createLineChannelSchema,
  email: createEmailChannelSchema,
  wecom: createWecomChannelSchema,
} as const;

export const createChannelSchema = z.looseObject({ type: messagingChannelTypeSchema });
export type CreateChannelRequest =
  | ({ type: 'web' } & CreateWebChannelRequest)
  | ({ type: 'facebook' } & CreateFacebookChannelRequest)
  | ({ type: 'whatsapp' } & CreateWhatsAppChannelRequest)
  | ({ type: 'instagram' } & CreateInstagramChannelRequest)
  | ({ type: 'wechat' } & CreateWechatChannelRequest)
  | ({ type: 'line' } & CreateLineChannelRequest)
  | ({ type: 'email' } & CreateEmailChannelRequest)
  | ({ type: 'wecom' } & CreateWecomChannelRequest);

/**
 * A credential update: `name`, provider `settings` (merged), and credential values by field,
 * snake_case or camelCase (`access_token` / `accessToken`, `app_secret`…). Values are stored as
 * encrypted workspace secrets and never read back.
 */
export const updateCredentialSchema = z
  .object({
    name: nameSchema.optional(),
    settings: config.optional(),
  })
  .catchall(secretValue);
export type UpdateCredentialRequest = { name?: string; settings?: Record<string, unknown> } & { [credential: string]: unknown };

export const updateChannelWorkflowSchema = z.object({ workflow_id: idSchema });

export const listAssignableTeamsQuerySchema = z.object({ channel_id: idSchema.optional() });

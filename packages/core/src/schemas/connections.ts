import { z } from 'zod';
import { idSchema, nameSchema, httpUrlSchema } from './common.js';

export const PROVIDERS = [
  'twilio',
  'meta',
  'line',
  'wechat',
  'wecom',
  'telegram',
  'email',
  'webhook',
  'voice-gateway',
  'zendesk',
  'servicenow',
  'genesys',
] as const;
export type Provider = (typeof PROVIDERS)[number];

/** Which deployment channel types each provider's connections can carry. Helpdesks carry none (they take handoffs). */
export const PROVIDER_CHANNEL_SUPPORT: Readonly<Record<Provider, readonly string[]>> = {
  twilio: ['sms', 'calls', 'whatsapp'],
  meta: ['whatsapp', 'facebook', 'instagram'],
  line: ['line'],
  wechat: ['wechat'],
  wecom: ['wecom'],
  telegram: ['telegram'],
  email: ['email'],
  webhook: ['webhook'],
  'voice-gateway': ['voice-gateway'],
  zendesk: [],
  servicenow: [],
  genesys: [],
};

const secretName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, "must be 1-100 characters: letters, digits, '_', '.' or '-'");
const secretValue = z.string().min(1, 'must not be empty').max(10_000, 'must be at most 10000 characters');

export const secretRequestSchema = z.strictObject({ name: secretName, value: secretValue });
export type SecretRequest = z.input<typeof secretRequestSchema>;

export const secretUpdateSchema = z.strictObject({ id: idSchema.optional(), value: secretValue });
export type SecretUpdateRequest = z.input<typeof secretUpdateSchema>;

/** A secret as every read shows it: never the value. */
export interface Secret {
  id: string;
  name: string;
  /** e.g. `sk-…wxyz`; `••••••` for a value shorter than 16 characters */
  mask: string;
  /** 16 hex characters of an HMAC-SHA256 of the value under a key derived from the master key: tells two values apart without revealing them. */
  fingerprint: string;
  createdAt: number;
  updatedAt: number;
}

export const connectionRequestSchema = z.strictObject({
  provider: z.enum(PROVIDERS, { error: `must be one of ${PROVIDERS.join(', ')}` }),
  name: nameSchema,
  /** Non-secret settings; each provider defines its own (account SID, page id, SMTP host…). */
  settings: z.record(z.string(), z.unknown()).default({}),
  /** Credential field → the id of the workspace secret holding its value. */
  credentials: z.record(z.string(), idSchema).default({}),
  /** Overrides the provider's API base URL (a regional endpoint, a proxy, a local fake in tests). */
  apiBaseUrl: httpUrlSchema.optional(),
});
export type ConnectionRequest = z.input<typeof connectionRequestSchema>;
export type ParsedConnectionRequest = z.output<typeof connectionRequestSchema>;

export const connectionUpdateSchema = z.strictObject({
  id: idSchema.optional(),
  name: nameSchema.optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
  credentials: z.record(z.string(), idSchema).optional(),
  apiBaseUrl: httpUrlSchema.nullable().optional(),
});
export type ConnectionUpdateRequest = z.input<typeof connectionUpdateSchema>;
export type ParsedConnectionUpdate = z.output<typeof connectionUpdateSchema>;

export interface Connection {
  id: string;
  provider: Provider;
  name: string;
  settings: Record<string, unknown>;
  /** Each credential shows which secret holds it, with that secret's mask and fingerprint. */
  credentials: Record<string, { secretId: string; mask: string; fingerprint: string }>;
  apiBaseUrl: string;
  /** Paste this into the provider's console as the webhook URL. */
  inboundUrl: string;
  /** The secret the provider presents or signs with (verify token, secret token, webhook secret…). */
  inboundSecret: string;
  /** What to paste where, for this provider. */
  setup: string;
  createdAt: number;
  updatedAt: number;
}

export const DELIVERY_STATUSES = ['pending', 'sending', 'sent', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** What an outbox row carries: a reply to a contact through its channel, or an event for an operator's webhook subscription. */
export const DELIVERY_KINDS = ['reply', 'event'] as const;
export type DeliveryKind = (typeof DELIVERY_KINDS)[number];

export interface Delivery {
  id: string;
  kind: DeliveryKind;
  /** The connection a reply goes through; for an event, the webhook subscription (`whk_…`). */
  connectionId: string;
  channelId: string;
  conversationId: string;
  messageId: string;
  status: DeliveryStatus;
  attempts: number;
  maxAttempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  providerMessageId: string | null;
  createdAt: number;
  updatedAt: number;
  sentAt: number | null;
}

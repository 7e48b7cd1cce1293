/** The /v1 records the console reads (the fields it uses; the OpenAPI document has them all). */

export const CHANNEL_TYPES = [
  'calls',
  'sms',
  'web',
  'mobile-app',
  'whatsapp',
  'facebook',
  'instagram',
  'line',
  'wechat',
  'wecom',
  'telegram',
  'email',
  'webhook',
  'voice-gateway',
] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export interface Channel {
  id: string;
  deploymentType: ChannelType;
  channelIdentifier: string;
  channelName: string | null;
  recordingEnabled: boolean;
  configuration: Record<string, any>;
  createdAt: number;
  updatedAt: number;
}

export interface PhoneConfiguration {
  id: string;
  phoneNumber: string;
  provider: string;
  friendlyName: string | null;
  status: string;
  createdAt: number;
  updatedAt: number;
}

export interface SecretView {
  mask: string;
  fingerprint: string;
}

export type AgentBackend =
  | { type: 'echo' }
  | { type: 'scripted'; rules: { match: 'keyword' | 'regex'; pattern: string; reply: string; caseSensitive: boolean }[]; fallback: string }
  | { type: 'webhook'; url: string; timeoutMs: number; secret: SecretView }
  | { type: 'openai-compatible'; baseUrl: string; model: string; temperature?: number; maxTokens?: number; timeoutMs: number; apiKey: SecretView | null };

export interface Agent {
  id: string;
  name: string;
  instructions: string;
  introductionMessage: string | null;
  backend: AgentBackend;
  createdAt: number;
  updatedAt: number;
}

export interface WebDeployment {
  id: string;
  agentId: string;
  deploymentChannelId: string;
  deploymentConfigurationId: string;
  name: string | null;
  tokenPrefix: string;
  allowedOrigins: string[];
  theme: Record<string, unknown>;
  lastUsedAt: number | null;
  createdAt: number;
  updatedAt: number;
  revokedAt: number | null;
}

export interface IssuedWebDeployment extends WebDeployment {
  token: string;
  embedSnippet: string;
}

export interface Connection {
  id: string;
  provider: string;
  name: string;
}

export interface InboundEvent {
  id: string;
  outcome: 'accepted' | 'refused';
  reason?: string | null;
  receivedAt: number | string;
}

export interface Conversation {
  id: string;
  handoffState: 'bot' | 'pending_human' | 'human' | 'resolved';
  status: 'open' | 'closed';
}

export interface Delivery {
  id: string;
  status: string;
  lastError: string | null;
  updatedAt: number;
}

import { z } from 'zod';
import {
  agentBackendViewSchema,
  CommunicationType,
  DEPLOYMENT_STATUSES,
  DEPLOYMENT_TYPES,
  MobilePlatform,
  PhoneProvider,
  WidgetPosition,
  PROVIDERS,
  DELIVERY_STATUSES,
} from '@switchboard/core';

/** Shapes of response data, for the OpenAPI document. Timestamps are epoch milliseconds. */
const timestamps = {
  createdAt: z.number().int().describe('Epoch milliseconds'),
  updatedAt: z.number().int().describe('Epoch milliseconds'),
};

const channelConfiguration = z.union([
  z.object({ phoneConfigurationId: z.string() }),
  z.object({
    communicationType: z.enum(Object.values(CommunicationType)),
    widgetConfiguration: z.object({
      position: z.enum(Object.values(WidgetPosition)),
      customTheme: z.record(z.string(), z.string()).optional(),
    }),
  }),
  z.object({ packageName: z.string().optional(), platform: z.enum(Object.values(MobilePlatform)) }),
]);

const deploymentChannel = z.object({
  id: z.string(),
  deploymentType: z.enum(DEPLOYMENT_TYPES),
  channelIdentifier: z.string(),
  channelName: z.string().nullable(),
  recordingEnabled: z.boolean(),
  configuration: channelConfiguration,
  ...timestamps,
});

const phoneConfiguration = z.object({
  id: z.string(),
  phoneNumber: z.string(),
  provider: z.enum(Object.values(PhoneProvider)),
  friendlyName: z.string().nullable(),
  voiceChannelId: z.string().nullable(),
  smsChannelId: z.string().nullable(),
  connectionId: z.string().nullable(),
  ...timestamps,
});

const agent = z.object({
  id: z.string(),
  name: z.string(),
  instructions: z.string(),
  introductionMessage: z.string().nullable(),
  backend: agentBackendViewSchema.describe('Who answers. Secrets never appear: API keys and signing secrets show as {mask, fingerprint}'),
  signingSecret: z
    .string()
    .optional()
    .describe('The generated webhook signing secret (whsec_…), only in the one response that generated it; never shown again'),
  ...timestamps,
});

const deploymentConfiguration = z.object({
  id: z.string(),
  deploymentChannelId: z.string(),
  agentId: z.string(),
  deploymentName: z.string().nullable(),
  instructions: z.string().nullable(),
  status: z.enum(DEPLOYMENT_STATUSES),
  ...timestamps,
});

const resolvedTheme = {
  primaryColor: z.string().optional(),
  launcherColor: z.string().optional(),
  launcherIcon: z.string().optional(),
  position: z.enum(Object.values(WidgetPosition)).optional(),
  greeting: z.string().optional(),
  avatarUrl: z.string().optional(),
  headerTitle: z.string().optional(),
  fontFamily: z.string().optional(),
};

const webDeployment = z.object({
  id: z.string(),
  agentId: z.string(),
  deploymentChannelId: z.string(),
  deploymentConfigurationId: z.string(),
  name: z.string().nullable(),
  tokenPrefix: z.string().describe('The first characters of the current token'),
  allowedOrigins: z.array(z.string()),
  theme: z.object(resolvedTheme),
  lastUsedAt: z.number().int().nullable(),
  revokedAt: z.number().int().nullable(),
  ...timestamps,
});

const message = z.object({
  id: z.string(),
  conversationId: z.string(),
  sessionId: z.string(),
  role: z.enum(['contact', 'agent']),
  text: z.string().nullable().describe('Null when the channel does not record message bodies'),
  clientMessageId: z.string().nullable(),
  fallback: z.boolean(),
  createdAt: z.number().int(),
});

const conversation = z.object({
  id: z.string(),
  channelId: z.string(),
  agentId: z.string(),
  contactId: z.string(),
  webDeploymentId: z.string().nullable(),
  status: z.enum(['open', 'closed']),
  lastMessageAt: z.number().int().nullable(),
  ...timestamps,
});

const secret = z.object({
  id: z.string(),
  name: z.string(),
  mask: z.string().describe('e.g. sk-…wxyz: never the value'),
  fingerprint: z.string().describe('First 16 hex characters of the SHA-256 of the value'),
  ...timestamps,
});

const connection = z.object({
  id: z.string(),
  provider: z.enum(PROVIDERS),
  name: z.string(),
  settings: z.record(z.string(), z.unknown()),
  credentials: z.record(z.string(), z.object({ secretId: z.string(), mask: z.string(), fingerprint: z.string() })),
  apiBaseUrl: z.string(),
  inboundUrl: z.string().describe("Paste into the provider's console as the webhook URL"),
  inboundSecret: z.string().describe('The verify token / secret token / signing secret the provider presents'),
  setup: z.string(),
  ...timestamps,
});

const delivery = z.object({
  id: z.string(),
  connectionId: z.string(),
  channelId: z.string(),
  conversationId: z.string(),
  messageId: z.string(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  nextAttemptAt: z.number().int(),
  lastError: z.string().nullable(),
  providerMessageId: z.string().nullable(),
  sentAt: z.number().int().nullable(),
  ...timestamps,
});

export const schemas = {
  deploymentChannel: { name: 'DeploymentChannel', schema: deploymentChannel },
  phoneConfiguration: { name: 'PhoneConfiguration', schema: phoneConfiguration },
  agent: { name: 'Agent', schema: agent },
  deploymentConfiguration: { name: 'DeploymentConfiguration', schema: deploymentConfiguration },
  webDeployment: { name: 'WebDeployment', schema: webDeployment },
  issuedWebDeployment: {
    name: 'IssuedWebDeployment',
    schema: webDeployment.extend({ token: z.string().describe('cdp_… shown only here'), embedSnippet: z.string() }),
  },
  embedSnippet: { name: 'EmbedSnippet', schema: z.object({ snippet: z.string(), loaderUrl: z.string(), apiUrl: z.string() }) },
  conversation: { name: 'Conversation', schema: conversation },
  message: { name: 'Message', schema: message },
  secret: { name: 'Secret', schema: secret },
  connection: { name: 'Connection', schema: connection },
  delivery: { name: 'Delivery', schema: delivery },
  channelSetup: {
    name: 'ChannelSetupResult',
    schema: z.object({ channel: deploymentChannel, deployment: deploymentConfiguration }),
  },
};

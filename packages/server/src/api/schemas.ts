import { z } from 'zod';
import {
  agentBackendViewSchema,
  ASSISTANT_TYPES,
  LLM_FUNCTION_STATES,
  PHONE_STATUSES,
  PROVISIONING_TYPES,
  callTransferSchema,
  CommunicationType,
  DEPLOYMENT_STATUSES,
  DEPLOYMENT_TYPES,
  MobilePlatform,
  PhoneProvider,
  WidgetPosition,
  PROVIDERS,
  DELIVERY_STATUSES,
  DELIVERY_KINDS,
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_ALL_EVENTS,
  TEAM_MEMBER_ROLES,
  WEEKDAYS,
  WORKSPACE_STATUSES,
  API_KEY_SCOPES,
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
  providerType: z.enum(Object.values(PhoneProvider)).describe('WIIL name of `provider`'),
  friendlyName: z.string().nullable(),
  status: z.enum(PHONE_STATUSES).describe('Which channel types use the number: ACTIVE (calls and sms), CALL_ACTIVE, SMS_ACTIVE or INACTIVE'),
  voiceChannelId: z.string().nullable(),
  smsChannelId: z.string().nullable(),
  connectionId: z.string().nullable(),
  isImported: z.boolean().describe('Always true: Switchboard registers numbers bought elsewhere'),
  isPorted: z.boolean().describe('Always false'),
  markedForRelease: z.boolean().describe('Always false'),
  isUSSMSPermitted: z.boolean().describe('Always false: Switchboard does not track A2P 10DLC registration'),
  providerPhoneNumberId: z.string().nullable().describe('Always null'),
  phoneRequestId: z.string().nullable().describe('Always null: Switchboard buys no numbers'),
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
  projectId: z.string().describe('The project (WIIL) the deployment is in; the workspace id for the default project'),
  deploymentChannelId: z.string(),
  agentId: z.string(),
  agentConfigurationId: z.string().describe('WIIL name of `agentId`'),
  instructionConfigurationId: z.string().describe("`agentId`: an agent's instructions are its instruction configuration"),
  deploymentName: z.string().nullable(),
  instructions: z.string().nullable(),
  status: z.enum(DEPLOYMENT_STATUSES),
  deploymentStatus: z.enum(DEPLOYMENT_STATUSES).describe('WIIL name of `status`'),
  isActive: z.boolean().describe('Whether `status` is `active`'),
  provisioningType: z.enum(PROVISIONING_TYPES),
  provisioningConfigChainId: z.string().nullable(),
  ...timestamps,
});

const agentConfiguration = z.object({
  id: z.string(),
  name: z.string(),
  modelId: z.string().nullable(),
  defaultFunctionState: z.enum(LLM_FUNCTION_STATES),
  usesWiilSupportModel: z.boolean(),
  requiredModelConfig: z.record(z.string(), z.unknown()).optional(),
  instructionConfigurationId: z.string().describe("The agent's own id: an agent's instructions are its instruction configuration"),
  assistantType: z.enum(ASSISTANT_TYPES),
  call_transfer_config: z.array(callTransferSchema),
  metadata: z.record(z.string(), z.unknown()).optional(),
  backend: agentBackendViewSchema.describe('Who answers. Secrets never appear: API keys and signing secrets show as {mask, fingerprint}'),
  signingSecret: z.string().optional().describe('A generated webhook signing secret (whsec_…), only in the one response that generated it'),
  ...timestamps,
});

const instructionConfiguration = z.object({
  id: z.string().describe("The agent's id"),
  instructionName: z.string(),
  role: z.string(),
  introductionMessage: z.string().describe("The agent's greeting; empty for none"),
  instructions: z.string(),
  guardrails: z.string(),
  requiredSkills: z.array(z.string()).optional(),
  validationRules: z.record(z.string(), z.unknown()).optional(),
  serviceId: z.string().optional(),
  supportedServices: z.array(z.string()),
  tools: z.array(z.string()).optional(),
  isTemplate: z.boolean(),
  isPrimary: z.boolean(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  knowledgeSourceIds: z.array(z.string()),
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
  colorScheme: z.enum(['auto', 'light', 'dark']).optional(),
  launcherText: z.string().optional(),
  sound: z.boolean().optional(),
  strings: z
    .record(z.string(), z.record(z.string(), z.union([z.string(), z.record(z.string(), z.string())])))
    .optional()
    .describe('Texts by language tag, replacing the built-in ones'),
};

const preChatForm = z
  .object({
    showBeforeFirstMessage: z.boolean().describe('True: the widget asks before the visitor can write; false: the form is kept but not shown'),
    title: z.string().optional(),
    submitLabel: z.string().optional(),
    fields: z.array(
      z.object({
        key: z.string().describe('`name` (the contact\'s display name), `email`, or a custom contact attribute'),
        label: z.string(),
        type: z.enum(['text', 'email', 'tel', 'select']),
        required: z.boolean(),
        options: z.array(z.string()).optional().describe('The choices of a select field'),
      }),
    ),
  })
  .nullable()
  .describe('What the widget asks before the chat starts; null when nothing');

const webDeployment = z.object({
  id: z.string(),
  agentId: z.string(),
  deploymentChannelId: z.string(),
  deploymentConfigurationId: z.string(),
  name: z.string().nullable(),
  tokenPrefix: z.string().describe('The first characters of the current token'),
  allowedOrigins: z.array(z.string()),
  theme: z.object(resolvedTheme),
  preChatForm,
  lastUsedAt: z.number().int().nullable().describe('Epoch milliseconds of the latest widget request with the token, recorded at most once a minute per server process'),
  revokedAt: z.number().int().nullable(),
  ...timestamps,
});

const message = z.object({
  id: z.string(),
  conversationId: z.string(),
  sessionId: z.string(),
  role: z.enum(['contact', 'agent', 'human']),
  authorId: z.string().nullable().optional(),
  text: z.string().nullable().describe('Null when the channel does not record message bodies'),
  clientMessageId: z.string().nullable(),
  fallback: z.boolean(),
  quickReplies: z
    .array(z.string())
    .optional()
    .describe("Suggested replies offered with an agent or human message (absent when none); choosing one sends its label as the contact's message"),
  attachments: z
    .array(
      z.object({
        id: z.string(),
        name: z.string(),
        contentType: z.string(),
        size: z.number().int(),
        url: z.string().optional().describe('Signed download address, valid until urlExpiresAt (15 minutes)'),
        urlExpiresAt: z.number().int().optional(),
      }),
    )
    .optional()
    .describe('Files the message carries (absent when none); readers get freshly signed addresses'),
  createdAt: z.number().int(),
});

const conversation = z.object({
  id: z.string(),
  channelId: z.string(),
  agentId: z.string(),
  contactId: z.string(),
  webDeploymentId: z.string().nullable(),
  status: z.enum(['open', 'closed']),
  handoffState: z.enum(['bot', 'pending_human', 'human', 'resolved']),
  assignedTeamId: z.string().nullable(),
  assignedMemberId: z.string().nullable(),
  lastMessageAt: z.number().int().nullable(),
  /** When the inbox last marked the conversation read (POST /v1/conversations/{id}/read); per conversation, not per member. */
  lastReadAt: z.number().int().nullable().optional(),
  /** In lists and GET: the first 140 characters of the last message (null when none, or not recorded). */
  lastMessagePreview: z.string().nullable().optional(),
  /** In lists and GET: contact messages after the last reply (agent or person) and after lastReadAt. */
  unreadCount: z.number().int().optional(),
  ...timestamps,
});

const secret = z.object({
  id: z.string(),
  name: z.string(),
  mask: z.string().describe('e.g. sk-…wxyz; •••••• for a value shorter than 16 characters: never the value'),
  fingerprint: z.string().describe('16 hex characters of an HMAC-SHA256 of the value under a key derived from the master key'),
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
  kind: z.enum(DELIVERY_KINDS).describe("'reply' to a contact through its channel; 'event' to a webhook subscription"),
  connectionId: z.string().describe('The connection a reply goes through; for an event, the webhook subscription (whk_…)'),
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

const inboundActivity = z.object({
  id: z.string().describe('evt_…'),
  outcome: z.enum(['accepted', 'refused']),
  status: z.enum(['pending', 'processing', 'processed', 'failed']).optional().describe('accepted: where processing stands'),
  providerEventId: z.string().optional().describe("accepted: the provider's own id of the event"),
  error: z.string().nullable().optional().describe('accepted: why processing failed, if it did'),
  httpStatus: z.number().int().optional().describe('refused: the status Switchboard answered'),
  reason: z.string().optional().describe('refused: why (bad signature, replay, malformed body…)'),
  receivedAt: z.number().int().describe('Epoch milliseconds'),
});

const webhookSubscription = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.enum([...WEBHOOK_EVENT_TYPES, WEBHOOK_ALL_EVENTS])).describe("The event types it receives; ['*'] for all"),
  description: z.string().nullable(),
  active: z.boolean(),
  secretMask: z.string().describe('e.g. whsec_…abcd: never the secret'),
  secretFingerprint: z.string().describe('16 hex characters of an HMAC-SHA256 of the signing secret under a key derived from the master key'),
  ...timestamps,
});

const teamMember = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string().describe('Lower-case'),
  role: z.enum(TEAM_MEMBER_ROLES),
  memberId: z.string().nullable().describe('The workspace member (mem_…) this person signs in as, when linked'),
});

const teamObserver = z.object({ id: z.string(), name: z.string(), email: z.string().describe('Lower-case') });

const team = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  helpdeskConnectionId: z.string().nullable().describe('The zendesk, servicenow, genesys or webhook connection that takes the team\'s handoffs'),
  members: z.array(teamMember).describe('Oldest first'),
  observers: z.array(teamObserver).describe('Oldest first'),
  ...timestamps,
});

const workflowTarget = z.union([z.object({ agentId: z.string() }), z.object({ teamId: z.string() })]);

const workflowRule = z.object({
  name: z.string().optional(),
  when: z.object({
    businessHours: z
      .object({
        timeZone: z.string(),
        days: z.array(z.enum(WEEKDAYS)),
        start: z.string().describe('HH:MM, included'),
        end: z.string().describe('HH:MM, excluded; earlier than start: the span crosses midnight'),
        inside: z.boolean(),
      })
      .optional(),
    keywords: z.array(z.string()).optional(),
    regex: z.string().optional(),
    languages: z.array(z.string()).optional(),
    attribute: z.object({ name: z.string(), equals: z.string() }).optional(),
  }),
  then: workflowTarget,
});

const workflow = z.object({
  id: z.string(),
  name: z.string(),
  rules: z.array(workflowRule).describe('Tried in order; the first whose conditions all hold chooses'),
  fallback: workflowTarget.describe('Chooses when no rule matches'),
  ...timestamps,
});

const workspace = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(WORKSPACE_STATUSES).describe("'suspended': its API keys and widget tokens answer 403"),
  ...timestamps,
});

const apiKey = z.object({
  id: z.string().describe('key_…'),
  workspaceId: z.string(),
  name: z.string(),
  prefix: z.string().describe('sbk_ and the first 6 random characters of a generated key; empty for a key chosen through SWITCHBOARD_API_KEY'),
  scope: z.enum(API_KEY_SCOPES).describe("'admin': every method; 'read': GET and HEAD only"),
  instanceAdmin: z.boolean().describe('May manage every workspace through /v1/workspaces'),
  createdAt: z.number().int().describe('Epoch milliseconds'),
  lastUsedAt: z.number().int().nullable().describe('Epoch milliseconds of the latest request with the key, recorded at most once a minute per server process'),
  revokedAt: z.number().int().nullable(),
});

const issuedApiKey = apiKey.extend({ key: z.string().describe('The whole key (sbk_…), shown only in this answer: store it now') });

export const schemas = {
  deploymentChannel: { name: 'DeploymentChannel', schema: deploymentChannel },
  phoneConfiguration: { name: 'PhoneConfiguration', schema: phoneConfiguration },
  agent: { name: 'Agent', schema: agent },
  deploymentConfiguration: { name: 'DeploymentConfiguration', schema: deploymentConfiguration },
  agentConfiguration: { name: 'AgentConfiguration', schema: agentConfiguration },
  instructionConfiguration: { name: 'InstructionConfiguration', schema: instructionConfiguration },
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
  inboundActivity: { name: 'InboundActivity', schema: inboundActivity },
  team: { name: 'Team', schema: team },
  teamList: { name: 'TeamList', schema: z.array(team) },
  teamMember: { name: 'TeamMember', schema: teamMember },
  teamObserver: { name: 'TeamObserver', schema: teamObserver },
  workflow: { name: 'Workflow', schema: workflow },
  webhookSubscription: { name: 'WebhookSubscription', schema: webhookSubscription },
  issuedWebhookSubscription: {
    name: 'IssuedWebhookSubscription',
    schema: webhookSubscription.extend({
      secret: z.string().describe('The Standard Webhooks signing secret (whsec_…), shown only in this answer: verify deliveries with it'),
    }),
  },
  webhookTestResult: {
    name: 'WebhookTestResult',
    schema: z.object({
      eventId: z.string().describe('wev_…: the webhook-id the endpoint receives'),
      deliveryId: z.string().describe('dlv_…: follow it with GET /v1/deliveries/{id}'),
    }),
  },
  workspace: { name: 'Workspace', schema: workspace },
  createdWorkspace: {
    name: 'CreatedWorkspace',
    schema: workspace.extend({ apiKey: issuedApiKey.describe("The workspace's first admin key, shown only in this answer") }),
  },
  apiKey: { name: 'ApiKey', schema: apiKey },
  issuedApiKey: { name: 'IssuedApiKey', schema: issuedApiKey },
  channelSetup: {
    name: 'ChannelSetupResult',
    schema: z.object({ channel: deploymentChannel, deployment: deploymentConfiguration }),
  },
};

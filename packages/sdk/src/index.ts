export { SwitchboardClient } from './client.js';
export { DEFAULT_BASE_URL, DEFAULT_TIMEOUT_MS, type FetchFunction, type SwitchboardClientOptions } from './config.js';
export {
  APIError,
  AuthenticationError,
  ConfigurationError,
  ConflictError,
  NetworkError,
  NotFoundError,
  SwitchboardError,
  ValidationError,
  type APIErrorInit,
} from './errors.js';
export { INVALID_RESPONSE } from './http.js';
export type { ChannelListParams, PaginationParams } from './pagination.js';
export { AgentsResource, type AgentBackendRequest, type CreateAgentRequest, type UpdateAgentRequest } from './resources/agents.js';
export { ChannelResource, type ConversationCount } from './resources/channel.js';
export { ConnectionsResource } from './resources/connections.js';
export { ContactsResource, type Contact, type ContactEvent } from './resources/contacts.js';
export {
  ConversationsResource,
  type AgentMessageRequest,
  type AttachmentUpload,
  type HandoffRequest,
  type HumanMessageRequest,
  type PostMessageRequest,
} from './resources/conversations.js';
export { DeliveriesResource, type DeliveryListParams } from './resources/deliveries.js';
export {
  DeploymentChannelsResource,
  type DeleteDeploymentChannelOptions,
  type DeploymentTypeValue,
  type UpdateDeploymentChannelRequest,
} from './resources/deployment-channels.js';
export {
  DeploymentConfigurationsResource,
  type ChannelSetupResult,
  type UpdateDeploymentConfigurationRequest,
} from './resources/deployment-configurations.js';
export { PhoneConfigurationsResource, type UpdatePhoneConfigurationRequest } from './resources/phone-configurations.js';
export { SecretsResource } from './resources/secrets.js';
export { TeamsResource } from './resources/teams.js';
export { WebDeploymentsResource, type IdentitySecretStatus, type IssuedIdentitySecret } from './resources/web-deployments.js';
export { userHash } from './identity.js';
export { WebhooksResource } from './resources/webhooks.js';
export { WorkflowsResource } from './resources/workflows.js';
export { WorkspacesResource } from './resources/workspaces.js';

export {
  AgentBackendType,
  CommunicationType,
  DELIVERY_STATUSES,
  DeploymentStatus,
  DeploymentType,
  ErrorCode,
  MAX_QUICK_REPLIES,
  MAX_QUICK_REPLY_LENGTH,
  MESSAGING_CHANNEL_TYPES,
  MobilePlatform,
  PhoneProvider,
  PROVIDERS,
  WidgetPosition,
} from '@switchboard/core';
export type {
  AssignableTeam,
  AssignableTeamMember,
  Channel,
  ChannelCount,
  ChannelCredential,
  ChannelServiceSuccess,
  CreateChannelRequest,
  CreateEmailChannelRequest,
  CreateFacebookChannelRequest,
  CreateInstagramChannelRequest,
  CreateLineChannelRequest,
  CreateWebChannelRequest,
  CreateWechatChannelRequest,
  CreateWecomChannelRequest,
  CreateWhatsAppChannelRequest,
  FacebookPage,
  FacebookPages,
  ListChannelsParams,
  MessagingChannelType,
  TeamObserverView,
  UpdateChannelRequest,
  UpdateCredentialRequest,
  UpdateFacebookChannelRequest,
  UpdateWhatsAppChannelRequest,
  Agent,
  AgentBackend,
  AgentBackendInput,
  AgentBackendView,
  AgentRequest,
  AgentUpdateRequest,
  ChannelConfiguration,
  ChannelSetupRequest,
  Connection,
  ConnectionRequest,
  ConnectionUpdateRequest,
  Conversation,
  ConversationMessageRequest,
  Delivery,
  DeliveryStatus,
  DeploymentChannel,
  DeploymentChannelRequest,
  DeploymentChannelUpdateRequest,
  DeploymentConfiguration,
  DeploymentConfigurationRequest,
  DeploymentConfigurationUpdateRequest,
  EchoBackendInput,
  EchoBackendView,
  EmbedSnippet,
  ErrorBody,
  FieldIssue,
  IssuedWebDeployment,
  Message,
  MessageRole,
  MobileChannelConfiguration,
  OpenAICompatibleBackendInput,
  OpenAICompatibleBackendView,
  PaginatedResult,
  PaginationMeta,
  PhoneChannelConfiguration,
  PhoneConfiguration,
  PhoneConfigurationRequest,
  PhoneConfigurationUpdateRequest,
  PreChatField,
  PreChatFieldType,
  PreChatForm,
  PreChatFormRequest,
  PreChatSubmission,
  Provider,
  ScriptedBackendInput,
  ScriptedBackendView,
  ScriptedMatchKind,
  ScriptedRuleInput,
  Secret,
  SecretRequest,
  SecretUpdateRequest,
  SecretView,
  WebChannelConfiguration,
  WebDeployment,
  WebDeploymentRequest,
  WebDeploymentUpdateRequest,
  WebhookBackendInput,
  WebhookBackendView,
  WidgetTheme,
} from '@switchboard/core';

// Teams, workflows, webhook subscriptions and handoff.
export {
  HANDOFF_STATES,
  HELPDESK_PROVIDERS,
  MAX_CHANNEL_TEAMS,
  MAX_WORKFLOW_RULES,
  TEAM_MEMBER_ROLES,
  WEBHOOK_ALL_EVENTS,
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_TEST_EVENT,
  WEEKDAYS,
} from '@switchboard/core';
export type {
  BusinessHours,
  ChannelTeamsRequest,
  ChannelWorkflowRequest,
  HandoffState,
  HelpdeskProvider,
  IssuedWebhookSubscription,
  Team,
  TeamMember,
  TeamMemberRequest,
  TeamMemberRole,
  TeamObserver,
  TeamObserverRequest,
  TeamRequest,
  TeamUpdateRequest,
  WebhookEvent,
  WebhookEventFilter,
  WebhookEventType,
  WebhookSubscription,
  WebhookSubscriptionRequest,
  WebhookSubscriptionUpdateRequest,
  WebhookTestResult,
  Weekday,
  Workflow,
  WorkflowConditions,
  WorkflowDefinition,
  WorkflowRequest,
  WorkflowRule,
  WorkflowRuleInput,
  WorkflowTarget,
  WorkflowUpdateRequest,
} from '@switchboard/core';

// Workspaces and API keys.
export { API_KEY_SCOPES, WORKSPACE_STATUSES } from '@switchboard/core';
export type {
  ApiKey,
  ApiKeyRequest,
  ApiKeyScope,
  CreatedWorkspace,
  IssuedApiKey,
  Workspace,
  WorkspaceRequest,
  WorkspaceStatus,
  WorkspaceUpdateRequest,
} from '@switchboard/core';

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
export type { PaginationParams } from './pagination.js';
export { AgentsResource, type AgentBackendRequest, type CreateAgentRequest, type UpdateAgentRequest } from './resources/agents.js';
export { ConnectionsResource } from './resources/connections.js';
export { ConversationsResource } from './resources/conversations.js';
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
export { WebDeploymentsResource } from './resources/web-deployments.js';

export {
  AgentBackendType,
  CommunicationType,
  DELIVERY_STATUSES,
  DeploymentStatus,
  DeploymentType,
  ErrorCode,
  MobilePlatform,
  PhoneProvider,
  PROVIDERS,
  WidgetPosition,
} from '@switchboard/core';
export type {
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

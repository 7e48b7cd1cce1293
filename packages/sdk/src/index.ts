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
export { AgentsResource, type UpdateAgentRequest } from './resources/agents.js';
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

export {
  AgentBackendType,
  CommunicationType,
  DeploymentStatus,
  DeploymentType,
  ErrorCode,
  MobilePlatform,
  PhoneProvider,
  WidgetPosition,
} from '@switchboard/core';
export type {
  Agent,
  AgentBackend,
  AgentRequest,
  AgentUpdateRequest,
  ChannelConfiguration,
  ChannelSetupRequest,
  DeploymentChannel,
  DeploymentChannelRequest,
  DeploymentChannelUpdateRequest,
  DeploymentConfiguration,
  DeploymentConfigurationRequest,
  DeploymentConfigurationUpdateRequest,
  ErrorBody,
  FieldIssue,
  MobileChannelConfiguration,
  PaginatedResult,
  PaginationMeta,
  PhoneChannelConfiguration,
  PhoneConfiguration,
  PhoneConfigurationRequest,
  PhoneConfigurationUpdateRequest,
  WebChannelConfiguration,
} from '@switchboard/core';

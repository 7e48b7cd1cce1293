export { buildApp, BODY_LIMIT_BYTES, type App, type AppOptions } from './app.js';
export { startServer, type RunningServer } from './server.js';
export { listeningUrls } from './listen-addresses.js';
export { loadConfig, type Config } from './config.js';
export { egressPolicy, parseEgressAllow, EgressRefusedError, type EgressPolicy, type EgressPolicyOptions } from './egress/policy.js';
export { createEgressFetch, resolveAllowed } from './egress/fetch.js';
export { openDatabase, isPostgresUrl, type Database, type Engine } from './store/database.js';
export { isDatabaseFault, databaseUnavailable, DATABASE_RETRY_AFTER_SECONDS } from './store/faults.js';
export { bootstrapWorkspace, DEFAULT_WORKSPACE_ID } from './workspaces/bootstrap.js';
export { issueApiKey, hashApiKey, legacyApiKeyHash, generateApiKey, shownPrefix } from './workspaces/api-keys.js';
export { workspacesService, type WorkspacesService } from './workspaces/workspaces-service.js';
export { workspaceRoutes } from './api/workspaces.js';
export { refreshSecretViews, STALE_FINGERPRINT } from './secrets/stored-views.js';
export { workspaceRepositories, workspacesRepository, apiKeysRepository } from './store/repositories/index.js';
export type { DB } from './store/schema.js';
export {
  SecretBox,
  SecretBoxError,
  loadMasterKey,
  parseMasterKey,
  MASTER_KEY_ENV,
  MASTER_KEY_FILE,
  type MasterKey,
  type MasterKeyLogger,
} from './secrets/secret-box.js';
export {
  createAgentRunner,
  DEFAULT_FALLBACK_TEXT,
  DEFAULT_RUNNER_TIMEOUT_MS,
  BackendTimeoutError,
  type AgentRunnerOptions,
  type RunnerLogger,
} from './agents/runner.js';
export { loadOpenedAgent, generateWebhookSecret, type OpenedAgent, type OpenedAgentBackend } from './agents/backend-store.js';
export { signWebhook, type WebhookTurnPayload } from './agents/webhook.js';
export { SseDecoder } from './agents/sse.js';
export type { AgentRunner, AgentOutcome, AgentTurnInput, TranscriptTurn } from './agents/types.js';
export type { AgentRecord, StoredAgentBackend, SealedSecret } from './store/repositories/agents.js';
export { emitEvent, queueTestEvent, eventReferences, WEBHOOK_EVENT_MAX_ATTEMPTS, type WebhookEventPayload, type EmitOptions } from './webhooks/events.js';
export { webhookRoutes } from './api/webhooks.js';
export { teamRoutes } from './api/teams.js';
export { workflowRoutes } from './api/workflows.js';
export { teamService, type TeamService } from './teams/teams-service.js';
export { workflowService, type WorkflowService } from './workflows/workflows-service.js';
export { evaluateWorkflow, matchesConditions, isOpen, localTime, type RoutingDecision, type RoutingInput } from './workflows/evaluate.js';
export { workflowForChannel, type ChannelWorkflow } from './workflows/channel-workflow.js';

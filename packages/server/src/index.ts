export { buildApp, BODY_LIMIT_BYTES, type App, type AppOptions } from './app.js';
export { startServer, type RunningServer } from './server.js';
export { loadConfig, type Config } from './config.js';
export { openDatabase, isPostgresUrl, type Database, type Engine } from './store/database.js';
export { bootstrapWorkspace, DEFAULT_WORKSPACE_ID } from './workspaces/bootstrap.js';
export { issueApiKey, hashApiKey, generateApiKey } from './workspaces/api-keys.js';
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

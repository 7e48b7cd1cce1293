export { buildApp, BODY_LIMIT_BYTES, type App, type AppOptions } from './app.js';
export { startServer, type RunningServer } from './server.js';
export { loadConfig, type Config } from './config.js';
export { openDatabase, isPostgresUrl, type Database, type Engine } from './store/database.js';
export { bootstrapWorkspace, DEFAULT_WORKSPACE_ID } from './workspaces/bootstrap.js';
export { issueApiKey, hashApiKey, generateApiKey } from './workspaces/api-keys.js';
export { workspaceRepositories, workspacesRepository, apiKeysRepository } from './store/repositories/index.js';
export type { DB } from './store/schema.js';

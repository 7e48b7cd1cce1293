/**
 * What the commands that work on the database directly (keys, workspaces, members) share: the
 * configuration, the database opened for one command, the master key's box and the first
 * workspace. Loaded only when such a command runs, so that the commands that call the API, and
 * --help, do not load the storage layer.
 */
import { InvalidArgumentError } from 'commander';
import { loadConfig, type Config } from '../config.js';
import { openDatabase, type Database } from '../store/database.js';
import { relayCredentialChanges } from './credential-relay.js';
import { workspacesRepository } from '../store/repositories/index.js';
import { bootstrapWorkspace, type BootstrapResult } from '../workspaces/bootstrap.js';
import { firstStartText } from '../workspaces/first-start-secrets.js';
import { SecretBox, loadMasterKey } from '../secrets/secret-box.js';
import { membersService } from '../members/members-service.js';
import { memoryFailureCounter } from '../members/throttle.js';

export { loadConfig, type Config };
export { apiKeysRepository, workspacesRepository, type ApiKeyRecord } from '../store/repositories/index.js';
export { memberView, membersRepository } from '../store/repositories/members.js';
export { issueApiKey } from '../workspaces/api-keys.js';
export { workspacesService } from '../workspaces/workspaces-service.js';
export { bootstrapWorkspace };

export function announceGeneratedKey(bootstrap: BootstrapResult): void {
  const text = firstStartText(bootstrap);
  if (text !== undefined) process.stdout.write(text);
}

export async function withDatabase<T>(config: Config, work: (db: Database) => Promise<T>): Promise<T> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const relay = await relayCredentialChanges(config, database.db);
    try {
      return await work(database);
    } finally {
      await relay?.close();
    }
  } finally {
    await database.close();
  }
}

/** The box of the master key the server uses (same SWITCHBOARD_SECRET_KEY or key file): keys are stored by a hash under it. */
export const secretBoxOf = (config: Config) => new SecretBox(loadMasterKey(config).key);

export async function resolveWorkspaceId(config: Config, database: Database, box: SecretBox, requested?: string) {
  const bootstrap = await bootstrapWorkspace(database.db, box, config.adminApiKey, config.publicUrl);
  announceGeneratedKey(bootstrap);
  if (!requested) return bootstrap.workspace.id;
  const workspace = await workspacesRepository(database.db).get(requested);
  if (!workspace) throw new InvalidArgumentError(`Workspace ${requested} does not exist`);
  return workspace.id;
}

/** The members service as the server builds it; the CLI never signs anyone in, so its throttle is local. */
export const membersOf = (config: Config, db: Database['db']) =>
  membersService(db, {
    publicUrl: config.publicUrl,
    throttle: { perAccount: memoryFailureCounter(1, 1), perAddress: memoryFailureCounter(1, 1) },
  });

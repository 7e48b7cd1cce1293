import type { Kysely } from 'kysely';
import type {
  ApiKey,
  CreatedWorkspace,
  IssuedApiKey,
  PaginatedResult,
  ParsedApiKeyRequest,
  ParsedWorkspaceUpdate,
  Workspace,
} from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { apiKeysRepository, workspacesRepository, type ApiKeyRecord } from '../store/repositories/index.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { conflict, notFound } from '../http/errors.js';
import { issueApiKey } from './api-keys.js';

export const WORKSPACE_NOT_FOUND = 'Workspace not found';
export const API_KEY_NOT_FOUND = 'API key not found';

const toApiKey = (record: ApiKeyRecord): ApiKey => ({ ...record });

/** Workspaces and their keys, as the instance administrator manages them (API and CLI). */
export function workspacesService(db: Kysely<DB>, box: SecretBox) {
  async function requireWorkspace(id: string, executor: Kysely<DB> = db): Promise<Workspace> {
    const workspace = await workspacesRepository(executor).get(id);
    if (!workspace) throw notFound(WORKSPACE_NOT_FOUND, { id });
    return workspace;
  }

  return {
    /** Creates a workspace and its first admin key, in one transaction; the key is in the answer only. */
    create(name: string): Promise<CreatedWorkspace> {
      return db.transaction().execute(async (trx) => {
        const workspace = await workspacesRepository(trx).create(name);
        const { key, record } = await issueApiKey(trx, box, workspace.id, 'admin', { scope: 'admin' });
        return { ...workspace, apiKey: { ...toApiKey(record), key } };
      });
    },
    list(page: number, pageSize: number): Promise<PaginatedResult<Workspace>> {
      return workspacesRepository(db).page(page, pageSize);
    },
    get: (id: string) => requireWorkspace(id),
    /**
     * Renames, suspends or resumes a workspace. `callerWorkspaceId` is the workspace of the key
     * asking: suspending it would lock that key out of resuming it, so it is refused.
     */
    async update(id: string, patch: ParsedWorkspaceUpdate, callerWorkspaceId?: string): Promise<Workspace> {
      await requireWorkspace(id);
      if (patch.status === 'suspended' && id === callerWorkspaceId) {
        throw conflict(`Workspace ${id} is the workspace of this API key: suspend it with another workspace's instance administrator key, or with "switchboard workspaces suspend"`);
      }
      return (await workspacesRepository(db).update(id, patch))!;
    },
    async createKey(workspaceId: string, request: ParsedApiKeyRequest): Promise<IssuedApiKey> {
      await requireWorkspace(workspaceId);
      const { key, record } = await issueApiKey(db, box, workspaceId, request.name, { scope: request.scope });
      return { ...toApiKey(record), key };
    },
    async listKeys(workspaceId: string, page: number, pageSize: number): Promise<PaginatedResult<ApiKey>> {
      await requireWorkspace(workspaceId);
      const result = await apiKeysRepository(db).page(workspaceId, page, pageSize);
      return { data: result.data.map(toApiKey), meta: result.meta };
    },
    async revokeKey(workspaceId: string, keyId: string): Promise<ApiKey> {
      await requireWorkspace(workspaceId);
      const keys = apiKeysRepository(db);
      const record = await keys.get(keyId);
      if (!record || record.workspaceId !== workspaceId) throw notFound(API_KEY_NOT_FOUND, { id: keyId });
      await keys.revoke(keyId);
      return toApiKey((await keys.get(keyId))!);
    },
  };
}
export type WorkspacesService = ReturnType<typeof workspacesService>;

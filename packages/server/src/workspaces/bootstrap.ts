import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.js';
import { isUniqueViolation } from '../store/database.js';
import { workspacesRepository, type Workspace } from '../store/repositories/index.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { providedKeyProblem } from '../config.js';
import { issueApiKey } from './api-keys.js';
import { inviteFirstOwner, type IssuedInvitation } from '../members/members-service.js';

export const DEFAULT_WORKSPACE_ID = 'ws_default';

export interface BootstrapResult {
  workspace: Workspace;
  /** Set only on the very first start, when the admin key was generated here and must be shown once. */
  generatedAdminKey?: string;
  /** True when this start created the workspace. */
  created: boolean;
  /** With the generated admin key: the link that creates the workspace owner (shown once). */
  ownerInvitation?: IssuedInvitation;
}

/**
 * Creates the default workspace and its admin key on first start: that key is also the
 * instance administrator (it manages workspaces through /v1/workspaces). `providedKey`
 * (SWITCHBOARD_API_KEY) becomes the admin key instead of a generated one. Safe when several
 * processes start at once: the fixed workspace id lets exactly one win. With a generated key it
 * also invites the workspace owner (a pending member whose email the invitation form asks for).
 */
export async function bootstrapWorkspace(db: Kysely<DB>, box: SecretBox, providedKey?: string, publicUrl = 'http://localhost:8787'): Promise<BootstrapResult> {
  const problem = providedKey === undefined ? undefined : providedKeyProblem(providedKey);
  if (problem) throw new Error(problem);
  const workspaces = workspacesRepository(db);
  const existing = await workspaces.first();
  if (existing) return { workspace: existing, created: false };
  try {
    return await db.transaction().execute(async (trx) => {
      const workspace = await workspacesRepository(trx).create('Default workspace', DEFAULT_WORKSPACE_ID);
      const { key } = await issueApiKey(trx, box, workspace.id, 'admin', {
        instanceAdmin: true,
        ...(providedKey !== undefined && { key: providedKey }),
      });
      if (providedKey !== undefined) return { workspace, created: true };
      return { workspace, created: true, generatedAdminKey: key, ownerInvitation: await inviteFirstOwner(trx, publicUrl, workspace.id) };
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const winner = await workspaces.get(DEFAULT_WORKSPACE_ID);
    if (!winner) throw error;
    return { workspace: winner, created: false };
  }
}

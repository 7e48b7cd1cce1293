/**
 * Masks and fingerprints are kept beside sealed values (the `secrets` table, agents' backend
 * JSON) so that reads need not decrypt. Migration 0006 marks every stored one stale: a
 * fingerprint of '' and the fixed mask, since the earlier forms (a bare SHA-256, a mask showing
 * characters of short values) gave too much away. Only a process holding the master key can
 * compute the new ones: `refreshSecretViews` does, at start-up, for the rows still marked.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.js';
import { SecretBox } from './secret-box.js';

/** The fingerprint of a stored secret whose fingerprint is still to be computed. */
export const STALE_FINGERPRINT = '';

interface StoredView {
  sealed: string;
  mask: string;
  fingerprint: string;
}

export interface RefreshResult {
  refreshed: number;
  /** Values that did not open under this master key: left marked, their fingerprint stays ''. */
  failed: number;
}

/** Recomputes the masks and fingerprints migration 0006 marked stale. Idempotent; cheap once done. */
export async function refreshSecretViews(db: Kysely<DB>, box: SecretBox): Promise<RefreshResult> {
  const result: RefreshResult = { refreshed: 0, failed: 0 };
  const open = (sealed: string, context: string): string | undefined => {
    try {
      return box.decrypt(sealed, context);
    } catch {
      result.failed++;
      return undefined;
    }
  };

  const secrets = await db.selectFrom('secrets').select(['id', 'sealed']).where('fingerprint', '=', STALE_FINGERPRINT).execute();
  for (const row of secrets) {
    // The sealing contexts of connections/secrets-service.ts and agents/backend-store.ts.
    const value = open(row.sealed, `secret:${row.id}`);
    if (value === undefined) continue;
    await db
      .updateTable('secrets')
      .set({ mask: SecretBox.mask(value), fingerprint: box.fingerprint(value) })
      .where('id', '=', row.id)
      .where('fingerprint', '=', STALE_FINGERPRINT)
      .execute();
    result.refreshed++;
  }

  const agents = await db.selectFrom('agents').select(['id', 'backend']).where('backend', 'like', '%"fingerprint":""%').execute();
  for (const row of agents) {
    const backend = JSON.parse(row.backend) as { secretSealed?: StoredView; apiKeySealed?: StoredView | null };
    let changed = false;
    for (const [field, view] of [
      ['secret', backend.secretSealed],
      ['apiKey', backend.apiKeySealed],
    ] as const) {
      if (!view || view.fingerprint !== STALE_FINGERPRINT) continue;
      const value = open(view.sealed, `agent:${row.id}:${field}`);
      if (value === undefined) continue;
      view.mask = SecretBox.mask(value);
      view.fingerprint = box.fingerprint(value);
      changed = true;
    }
    if (!changed) continue;
    await db.updateTable('agents').set({ backend: JSON.stringify(backend) }).where('id', '=', row.id).where('backend', '=', row.backend).execute();
    result.refreshed++;
  }
  return result;
}

/** Marks every stored mask and fingerprint stale (migration 0006). */
export async function markSecretViewsStale(db: Kysely<any>, fixedMask: string): Promise<void> {
  await db.updateTable('secrets').set({ fingerprint: STALE_FINGERPRINT, mask: fixedMask }).execute();
  const agents = (await db.selectFrom('agents').select(['id', 'backend']).where('backend', 'like', '%"fingerprint"%').execute()) as {
    id: string;
    backend: string;
  }[];
  for (const row of agents) {
    const backend = JSON.parse(row.backend) as { secretSealed?: StoredView; apiKeySealed?: StoredView | null };
    for (const view of [backend.secretSealed, backend.apiKeySealed]) {
      if (view) Object.assign(view, { mask: fixedMask, fingerprint: STALE_FINGERPRINT });
    }
    await db.updateTable('agents').set({ backend: JSON.stringify(backend) }).where('id', '=', row.id).execute();
  }
}

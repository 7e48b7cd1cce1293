/**
 * A web deployment's identity secret: the key a site signs its user ids with (`userHash`, hex
 * HMAC-SHA256 of the user id), so a visitor can be linked to a user only when the site vouches
 * for it. Generated here, sealed under the master key, shown once when issued.
 */
import { createHmac } from 'node:crypto';
import { safeEqual } from '../channels/safe-equal.js';
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.js';
import { monotonicNow } from '../store/clock.js';
import { randomBase62 } from '../store/ids.js';
import type { SecretBox } from '../secrets/secret-box.js';

const IDENTITY_SECRET_PREFIX = 'idsec_';

export interface IdentitySecretStatus {
  /** True when identify() needs a valid `userHash`. */
  enabled: boolean;
  createdAt: number | null;
  /** Tells two secrets apart without revealing them (HMAC under a key derived from the master key). */
  fingerprint: string | null;
}

const context = (deploymentId: string) => `webDeployment:${deploymentId}:identitySecret`;

/** True when `userHash` (64 hex digits) is the HMAC-SHA256 of `userId` under `secret`; compared in constant time over the raw bytes. */
export function userHashMatches(secret: string, userId: string, userHash: string): boolean {
  return safeEqual(Buffer.from(userHash, 'hex'), createHmac('sha256', secret).update(userId, 'utf8').digest());
}

export function identitySecrets(db: Kysely<DB>, box: SecretBox) {
  const table = 'web_deployment_identity_secrets' as const;
  return {
    async status(deploymentId: string): Promise<IdentitySecretStatus> {
      const row = await db.selectFrom(table).select(['created_at', 'fingerprint']).where('deployment_id', '=', deploymentId).executeTakeFirst();
      return row ? { enabled: true, createdAt: Number(row.created_at), fingerprint: row.fingerprint } : { enabled: false, createdAt: null, fingerprint: null };
    },
    /** The secret in clear, or undefined when the deployment verifies no identities. */
    async open(deploymentId: string): Promise<string | undefined> {
      const row = await db.selectFrom(table).select('sealed').where('deployment_id', '=', deploymentId).executeTakeFirst();
      return row ? box.decrypt(row.sealed, context(deploymentId)) : undefined;
    },
    /**
     * Issues a new secret (replacing any other) and unlinks every browser that was linked under
     * the old one: their visitors must identify again, with a hash made with the new secret.
     */
    async issue(workspaceId: string, deploymentId: string): Promise<{ identitySecret: string } & IdentitySecretStatus> {
      const secret = IDENTITY_SECRET_PREFIX + randomBase62(43);
      const createdAt = monotonicNow();
      const row = { sealed: box.encrypt(secret, context(deploymentId)), fingerprint: box.fingerprint(secret), created_at: createdAt };
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom(table).where('deployment_id', '=', deploymentId).execute();
        await trx.insertInto(table).values({ deployment_id: deploymentId, workspace_id: workspaceId, ...row }).execute();
        await trx.deleteFrom('contact_visitor_tokens').where('web_deployment_id', '=', deploymentId).execute();
      });
      return { identitySecret: secret, enabled: true, createdAt, fingerprint: row.fingerprint };
    },
    /** Stops verifying identities; browsers linked to a user are unlinked. */
    async remove(deploymentId: string): Promise<IdentitySecretStatus> {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom(table).where('deployment_id', '=', deploymentId).execute();
        await trx.deleteFrom('contact_visitor_tokens').where('web_deployment_id', '=', deploymentId).execute();
      });
      return { enabled: false, createdAt: null, fingerprint: null };
    },
  };
}
export type IdentitySecrets = ReturnType<typeof identitySecrets>;

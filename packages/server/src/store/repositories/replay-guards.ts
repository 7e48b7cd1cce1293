import type { Kysely } from 'kysely';
import type { DB } from '../schema.js';


const PURGE_INTERVAL_MS = 10 * 60_000;

/**
 * Single-use keys kept in the database, so that a restart or another node refuses a replay too.
 * The first claim inserts the row; a conflicting insert means the key was used already.
 */
export function replayGuardsRepository(db: Kysely<DB>) {
  let lastPurge = 0;
  return {
    /** True when this call is the first use of the key within its validity; false for a replay. */
    async claim(entry: { scope: string; key: string; expiresAt: number }, now = Date.now()): Promise<boolean> {
      if (now - lastPurge > PURGE_INTERVAL_MS) {
        lastPurge = now;
        await db.deleteFrom('replay_guards').where('expires_at', '<', now).execute();
      }
      const result = await db
        .insertInto('replay_guards')
        .values({ scope: entry.scope, key: entry.key, expires_at: entry.expiresAt })
        // A row left over past its expiry (not purged yet) does not count as a use.
        .onConflict((oc) =>
          oc
            .columns(['scope', 'key'])
            .doUpdateSet({ expires_at: entry.expiresAt })
            .where('replay_guards.expires_at', '<', now),
        )
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
  };
}

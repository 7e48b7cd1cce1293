/**
 * The commands that write the database directly (keys revoke, workspaces suspend…) announce
 * their credential changes to the servers through Redis, as a server node would, so no node
 * keeps serving a revoked key from its cache. Without Redis there is nothing to tell: embedded
 * SQLite servers notice another process's commits themselves, and PostgreSQL servers without
 * Redis cache no credentials.
 */
import type { Config } from '../config.js';
import type { Database } from '../store/database.js';
import { onCredentialChange } from '../store/credential-changes.js';

export interface CredentialRelay {
  /** Sends what is still queued, then disconnects. */
  close(): Promise<void>;
}

export async function relayCredentialChanges(config: Config, db: Database['db']): Promise<CredentialRelay | undefined> {
  if (!config.redisUrl) return undefined;
  const [{ createRedisBus }, { publishCredentialChange }] = await Promise.all([import('../bus/redis-bus.js'), import('../bus/invalidations.js')]);
  const bus = await createRedisBus(config.redisUrl, { prefix: config.redisPrefix });
  let warned = false;
  const stop = onCredentialChange(db, (change) => {
    if (bus.degraded && !warned) {
      warned = true;
      process.stderr.write(
        'warning: Redis (REDIS_URL) cannot be reached, so running servers are not told of this change; they apply it within half a second.\n',
      );
    }
    publishCredentialChange(bus, change);
  });
  return {
    async close() {
      stop();
      await bus.close();
    },
  };
}

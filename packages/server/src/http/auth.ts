import type { IncomingHttpHeaders } from 'node:http';
import type { Kysely } from 'kysely';
import type { ApiKeyScope } from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { apiKeysRepository, type ApiKeyForAuth } from '../store/repositories/index.js';
import { createCredentialCache, type CredentialCaching } from './credential-cache.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { hashApiKey, legacyApiKeyHash, shownPrefix } from '../workspaces/api-keys.js';
import { forbidden, unauthorized } from './errors.js';

const TOUCH_INTERVAL_MS = 60_000;
const READ_METHODS = new Set(['GET', 'HEAD']);

export type MemberRole = 'owner' | 'admin' | 'agent';

export interface Principal {
  workspaceId: string;
  /** How the caller proved who it is: an API key header, or the console's session cookie. */
  via: 'apiKey' | 'session';
  apiKeyId?: string;
  /** The signed-in member (`mem_…`), for sessions. */
  memberId?: string;
  role?: MemberRole;
  /** A session's is 'admin': what it may do is decided by its role. */
  scope: ApiKeyScope;
  /** May manage every workspace (/v1/workspaces). */
  instanceAdmin: boolean;
}

/** Reads the key from `Authorization: Bearer`, `X-Api-Key` or `X-Wiil-Api-Key`. */
export function presentedApiKey(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match) return match[1];
  }
  for (const name of ['x-api-key', 'x-wiil-api-key'] as const) {
    const value = headers[name];
    if (typeof value === 'string' && value.trim()) return value.trim();
  }
  return undefined;
}

/**
 * Resolves API keys to their workspace. A key is looked up by its HMAC under a key derived
 * from the master key: one index lookup on a digest, joined to the workspace, so a revoked key
 * or a suspended workspace is refused on every node at once. A key stored before keyed hashing
 * (a bare SHA-256) is found on a second lookup and its row upgraded.
 *
 * `method` is the request's: a `read` key may only GET (and HEAD).
 *
 * With `caching`, a usable key's lookup is kept for a moment (http/credential-cache.ts):
 * revoking it or suspending its workspace drops it on every node.
 */
export function apiKeyAuthenticator(db: Kysely<DB>, box: SecretBox, caching?: CredentialCaching) {
  const keys = apiKeysRepository(db);
  const lastTouched = new Map<string, number>();
  const cache =
    caching &&
    createCredentialCache<ApiKeyForAuth>({
      ...caching,
      concerns: (record, change) =>
        (change.kind === 'apiKey' && change.id === record.id) || (change.kind === 'workspace' && change.id === record.workspaceId),
      keepable: (record) => record.revokedAt === null && record.workspaceStatus !== 'suspended',
    });

  async function lookUp(key: string, keyHash: string): Promise<ApiKeyForAuth | undefined> {
    const record = await keys.findForAuth(keyHash);
    if (record) return record;
    const legacy = await keys.findForAuth(legacyApiKeyHash(key));
    if (legacy) await keys.rehash(legacy.id, legacy.keyHash, keyHash, shownPrefix(key));
    return legacy;
  }

  return async function authenticate(headers: IncomingHttpHeaders, method: string): Promise<Principal> {
    const key = presentedApiKey(headers);
    if (!key) {
      throw unauthorized('Missing API key: send it as "Authorization: Bearer <key>", "X-Api-Key" or "X-Wiil-Api-Key"');
    }
    const keyHash = hashApiKey(box, key);
    const record = cache ? await cache.get(keyHash, () => lookUp(key, keyHash)) : await lookUp(key, keyHash);
    if (!record) throw unauthorized('Unknown API key');
    if (record.revokedAt !== null) {
      throw unauthorized(`API key ${record.id} was revoked on ${new Date(record.revokedAt).toISOString()}`);
    }
    if (record.workspaceStatus === 'suspended') throw forbidden(`Workspace ${record.workspaceId} is suspended`);
    if (record.scope === 'read' && !READ_METHODS.has(method.toUpperCase())) {
      throw forbidden(`This API key has the read scope: it can only read (GET), not ${method.toUpperCase()}`);
    }
    const now = Date.now();
    if (now - (lastTouched.get(record.id) ?? 0) > TOUCH_INTERVAL_MS) {
      lastTouched.set(record.id, now);
      await keys.touch(record.id, now);
    }
    return { workspaceId: record.workspaceId, via: 'apiKey', apiKeyId: record.id, scope: record.scope, instanceAdmin: record.instanceAdmin };
  };
}

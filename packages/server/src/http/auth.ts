import type { IncomingHttpHeaders } from 'node:http';
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.js';
import { apiKeysRepository } from '../store/repositories/index.js';
import { hashApiKey } from '../workspaces/api-keys.js';
import { unauthorized } from './errors.js';

const TOUCH_INTERVAL_MS = 60_000;

export interface Principal {
  workspaceId: string;
  apiKeyId: string;
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
 * Resolves API keys to their workspace. Keys are looked up by SHA-256, so the comparison
 * is an index lookup on a digest rather than a string compare of the secret itself.
 */
export function apiKeyAuthenticator(db: Kysely<DB>) {
  const keys = apiKeysRepository(db);
  const lastTouched = new Map<string, number>();

  return async function authenticate(headers: IncomingHttpHeaders): Promise<Principal> {
    const key = presentedApiKey(headers);
    if (!key) {
      throw unauthorized('Missing API key: send it as "Authorization: Bearer <key>", "X-Api-Key" or "X-Wiil-Api-Key"');
    }
    const record = await keys.findByHash(hashApiKey(key));
    if (!record) throw unauthorized('Unknown API key');
    if (record.revokedAt !== null) {
      throw unauthorized(`API key ${record.prefix}… was revoked on ${new Date(record.revokedAt).toISOString()}`);
    }
    const now = Date.now();
    if (now - (lastTouched.get(record.id) ?? 0) > TOUCH_INTERVAL_MS) {
      lastTouched.set(record.id, now);
      await keys.touch(record.id, now);
    }
    return { workspaceId: record.workspaceId, apiKeyId: record.id };
  };
}

import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.js';
import { randomBase62 } from '../store/ids.js';
import { apiKeysRepository, type ApiKeyRecord } from '../store/repositories/index.js';

export const API_KEY_PREFIX = 'sbk_';
const SHOWN_PREFIX_LENGTH = API_KEY_PREFIX.length + 6;

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new random key: `sbk_` + 40 base62 characters (about 238 bits). */
export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBase62(40);
}

export interface IssuedKey {
  /** The whole key: shown once, never stored. */
  key: string;
  record: ApiKeyRecord;
}

/** Stores the hash of a key (a generated one unless `key` is given) and returns the key once. */
export async function issueApiKey(db: Kysely<DB>, workspaceId: string, name: string, key = generateApiKey()): Promise<IssuedKey> {
  const record = await apiKeysRepository(db).insert({
    workspaceId,
    name,
    prefix: key.slice(0, SHOWN_PREFIX_LENGTH),
    keyHash: hashApiKey(key),
  });
  return { key, record };
}

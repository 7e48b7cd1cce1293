import type { Kysely } from 'kysely';
import type { ApiKeyScope } from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { randomBase62 } from '../store/ids.js';
import { apiKeysRepository, type ApiKeyRecord } from '../store/repositories/index.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { sha256Hex } from '../secrets/digest.js';

export const API_KEY_PREFIX = 'sbk_';
const RANDOM_LENGTH = 40;
const SHOWN_RANDOM_CHARACTERS = 6;
const GENERATED_KEY = new RegExp(`^${API_KEY_PREFIX}[0-9A-Za-z]{${RANDOM_LENGTH}}$`);

/** What is stored and looked up for a key: an HMAC-SHA256 under a key derived from the master key. */
export function hashApiKey(box: SecretBox, key: string): string {
  return box.credentialHash(key);
}

/** How keys were stored before: a bare SHA-256. Still accepted, and replaced on the key's next use. */
export function legacyApiKeyHash(key: string): string {
  return sha256Hex(key);
}

/** A new random key: `sbk_` + 40 base62 characters (about 238 bits). */
export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBase62(RANDOM_LENGTH);
}

/**
 * What listings show of a key: `sbk_` and the first 6 of its 40 random characters for a
 * generated key; nothing of a key an operator chose (SWITCHBOARD_API_KEY), which may be short
 * on randomness or reused elsewhere.
 */
export function shownPrefix(key: string): string {
  return GENERATED_KEY.test(key) ? key.slice(0, API_KEY_PREFIX.length + SHOWN_RANDOM_CHARACTERS) : '';
}

export interface IssuedKey {
  /** The whole key: shown once, never stored. */
  key: string;
  record: ApiKeyRecord;
}

export interface IssueOptions {
  scope?: ApiKeyScope;
  instanceAdmin?: boolean;
  /** A key chosen by the operator (SWITCHBOARD_API_KEY) instead of a generated one. */
  key?: string;
}

/** Stores the keyed hash of a key (a generated one unless `options.key` is given) and returns the key once. */
export async function issueApiKey(db: Kysely<DB>, box: SecretBox, workspaceId: string, name: string, options: IssueOptions = {}): Promise<IssuedKey> {
  const key = options.key ?? generateApiKey();
  const record = await apiKeysRepository(db).insert({
    workspaceId,
    name,
    prefix: shownPrefix(key),
    keyHash: hashApiKey(box, key),
    scope: options.scope ?? 'admin',
    instanceAdmin: options.instanceAdmin ?? false,
  });
  return { key, record };
}

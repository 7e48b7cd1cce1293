import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir, PRIVATE_FILE_MODE, restrictFile } from './private-files.js';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const MASTER_KEY_BYTES = 32;
export const MASTER_KEY_ENV = 'SWITCHBOARD_SECRET_KEY';
export const MASTER_KEY_FILE = 'secret.key';

/** A sealed value that cannot be opened: malformed, tampered with, sealed under another key or context. */
export class SecretBoxError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SecretBoxError';
  }
}

/** Prefixes that identify a kind of secret without revealing any of it: shown whole by `mask`. */
const PUBLIC_PREFIXES = ['whsec_'];

/** Values shorter than this show no character at all: a third of a short value is too much of it. */
export const MASK_MIN_REVEAL_LENGTH = 16;
/** The mask of a short value: fixed, so it does not tell the length either. */
export const FIXED_MASK = '••••••';

/** HKDF `info` labels: one key per purpose, each independent of the sealing key and of the other. */
const FINGERPRINT_KEY_INFO = 'switchboard:secret-fingerprint:v1';
const CREDENTIAL_HASH_KEY_INFO = 'switchboard:credential-hash:v1';

function deriveKey(master: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, 32));
}

/**
 * Seals secrets for storage with AES-256-GCM under the master key.
 *
 * Sealed form: `v1.<iv>.<tag>.<ciphertext>`, each part base64url, with a random 12-byte IV
 * per value. An optional context string (e.g. `agent:agent_…:apiKey`) is bound as additional
 * authenticated data: a sealed value copied to another record or field does not open.
 */
export class SecretBox {
  readonly #key: Buffer;
  readonly #fingerprintKey: Buffer;
  /** A KeyObject: an HMAC under it skips copying the key in, and every API request computes one. */
  readonly #credentialKey: KeyObject;

  constructor(key: Uint8Array) {
    if (key.length !== MASTER_KEY_BYTES) throw new Error(`SecretBox needs a ${MASTER_KEY_BYTES}-byte key, got ${key.length} bytes`);
    this.#key = Buffer.from(key);
    this.#fingerprintKey = deriveKey(this.#key, FINGERPRINT_KEY_INFO);
    this.#credentialKey = createSecretKey(deriveKey(this.#key, CREDENTIAL_HASH_KEY_INFO));
  }

  /** A box with a fresh random key: for tests and throwaway apps; what it seals does not survive a restart. */
  static random(): SecretBox {
    return new SecretBox(randomBytes(MASTER_KEY_BYTES));
  }

  encrypt(plain: string, context?: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    if (context) cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, iv.toString('base64url'), tag.toString('base64url'), ciphertext.toString('base64url')].join('.');
  }

  /** Opens a sealed value; throws SecretBoxError when it is malformed, tampered with, or sealed under another key or context. */
  decrypt(sealed: string, context?: string): string {
    const parts = typeof sealed === 'string' ? sealed.split('.') : [];
    const [version, ivText, tagText, dataText] = parts;
    if (parts.length !== 4 || version !== VERSION || ivText === undefined || tagText === undefined || dataText === undefined) {
      throw new SecretBoxError('Sealed secret is malformed: expected v1.<iv>.<tag>.<ciphertext>');
    }
    const iv = Buffer.from(ivText, 'base64url');
    const tag = Buffer.from(tagText, 'base64url');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
      throw new SecretBoxError(`Sealed secret is malformed: expected a ${IV_BYTES}-byte IV and a ${TAG_BYTES}-byte tag`);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
      if (context) decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(Buffer.from(dataText, 'base64url')), decipher.final()]).toString('utf8');
    } catch (error) {
      throw new SecretBoxError(
        'Sealed secret could not be opened: it was tampered with, or sealed under another master key or context ' +
          `(is ${MASTER_KEY_ENV} the key the data was written with?)`,
        { cause: error },
      );
    }
  }

  /**
   * A display form. A value shorter than 16 characters shows none of them: `••••••`, whatever
   * its length. A longer one reveals at most the first 3 and last 4 characters, and never more
   * than a third of it: `sk-…wxyz`. A well-known non-secret prefix (`whsec_`) is shown whole,
   * followed by the last characters only: `whsec_…abcd`.
   */
  static mask(value: string): string {
    if (value.length < MASK_MIN_REVEAL_LENGTH) return FIXED_MASK;
    const prefix = PUBLIC_PREFIXES.find((p) => value.startsWith(p) && value.length > p.length) ?? '';
    const rest = value.slice(prefix.length);
    const budget = Math.floor(rest.length / 3);
    const head = prefix ? 0 : Math.min(3, Math.floor(budget / 2));
    const tail = Math.min(4, budget - head);
    return `${prefix}${rest.slice(0, head)}…${tail > 0 ? rest.slice(-tail) : ''}`;
  }

  /**
   * 16 hex digits of an HMAC-SHA256 of the value under a key derived from the master key: tells
   * two values apart without revealing them. Unlike a bare hash, it cannot be looked up or
   * brute-forced by someone who has the database but not the master key.
   */
  fingerprint(value: string): string {
    return createHmac('sha256', this.#fingerprintKey).update(value, 'utf8').digest('hex').slice(0, 16);
  }

  /**
   * HMAC-SHA256 (hex) of a bearer credential under its own derived key: what is stored, and
   * looked up, in place of an API key. A chosen key of low entropy cannot be guessed offline
   * from the database without the master key.
   */
  credentialHash(value: string): string {
    return createHmac('sha256', this.#credentialKey).update(value, 'utf8').digest('hex');
  }
}

// ── master key ──────────────────────────────────────────────────────────────

export interface MasterKeyLogger {
  warn(obj: object, msg?: string): void;
}

export interface MasterKey {
  key: Buffer;
  /** `env`: SWITCHBOARD_SECRET_KEY; `file`: an existing key file; `generated`: a key file written just now. */
  source: 'env' | 'file' | 'generated';
  /** The key file, when the key lives in one. */
  path?: string;
}

const ACCEPTED_FORMS =
  `${MASTER_KEY_BYTES} bytes written as base64 (44 characters, e.g. \`openssl rand -base64 32\`) ` +
  `or as hex (64 characters, e.g. \`openssl rand -hex 32\`)`;

/** Parses a 32-byte key written as hex or base64 (standard or URL-safe, padding optional); undefined otherwise. */
export function parseMasterKey(text: string): Buffer | undefined {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) {
    const key = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length === MASTER_KEY_BYTES) return key;
  }
  return undefined;
}

const stderrLogger: MasterKeyLogger = {
  warn: (_obj, msg) => process.stderr.write(`warning: ${msg ?? ''}\n`),
};

/**
 * The master key secrets are sealed under:
 * 1. `SWITCHBOARD_SECRET_KEY` (config.secretKey), base64 or hex of 32 bytes; anything else is a
 *    startup error naming the variable and the accepted forms;
 * 2. else `<dataDir>/secret.key`, reused when it exists (when other users may read it, it is
 *    made 0600 again and a warning is logged) or generated with mode 0600, in a data directory
 *    created with mode 0700.
 * With PostgreSQL (several nodes share the data) a warning recommends setting the variable,
 * since every node must seal and open with the same key.
 */
export function loadMasterKey(
  config: { secretKey?: string | undefined; dataDir: string; databaseUrl?: string | undefined },
  options: { logger?: MasterKeyLogger } = {},
): MasterKey {
  const logger = options.logger ?? stderrLogger;
  if (config.secretKey !== undefined && config.secretKey.trim() !== '') {
    const key = parseMasterKey(config.secretKey);
    if (!key) {
      throw new Error(`${MASTER_KEY_ENV} must be ${ACCEPTED_FORMS}; got a value of ${config.secretKey.trim().length} characters that is neither`);
    }
    return { key, source: 'env' };
  }

  const path = join(config.dataDir, MASTER_KEY_FILE);
  let result: MasterKey;
  const generated = randomBytes(MASTER_KEY_BYTES);
  ensurePrivateDir(config.dataDir);
  try {
    // `wx`: never overwrite a key another process wrote first.
    writeFileSync(path, `${generated.toString('base64')}\n`, { mode: PRIVATE_FILE_MODE, flag: 'wx' });
    restrictFile(path);
    result = { key: generated, source: 'generated', path };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const key = parseMasterKey(readFileSync(path, 'utf8'));
    if (!key) throw new Error(`${path} must hold the master key as ${ACCEPTED_FORMS}; restore the original file or set ${MASTER_KEY_ENV}`);
    if (process.platform !== 'win32') {
      const mode = statSync(path).mode & 0o777;
      if ((mode & 0o077) !== 0) {
        chmodSync(path, PRIVATE_FILE_MODE);
        logger.warn(
          { path, mode: `0${mode.toString(8)}` },
          `${path} was accessible to other users (mode 0${mode.toString(8)}); its mode is now 0600 (chmod 600)`,
        );
      }
    }
    result = { key, source: 'file', path };
  }
  if (config.databaseUrl && /^postgres(ql)?:\/\//i.test(config.databaseUrl)) {
    logger.warn(
      { path },
      `${MASTER_KEY_ENV} is not set: secrets are sealed with the key in ${path}; set ${MASTER_KEY_ENV} to the same value on every node that shares this database`,
    );
  }
  return result;
}

/**
 * Short-lived download addresses for attachments: `/v1/public/attachments/<id>?expires=<s>&signature=<…>`
 * where the signature is an HMAC-SHA256 of the id and expiry under a key derived from the master
 * key, so every node signs and checks alike and nothing is stored per URL. The same route serves
 * both storage backends: the bucket is never public and visitors never need to reach it.
 */
import { createHmac } from 'node:crypto';
import { safeEqual } from '../channels/safe-equal.js';
import type { SecretBox } from '../secrets/secret-box.js';

export const ATTACHMENT_ROUTE = '/v1/public/attachments';
/** How long a signed address works: 15 minutes. Readers get fresh ones with every history or event. */
const DEFAULT_URL_TTL_MS = 15 * 60_000;
/** No signature, however made, is honoured further ahead than this. */
const MAX_URL_TTL_MS = 24 * 60 * 60_000;
const KEY_LABEL = 'switchboard:attachment-url-key:v1';

type UrlCheck = { ok: true } | { ok: false; reason: 'SIGNATURE_INVALID' | 'URL_EXPIRED'; message: string };

export interface UrlSigner {
  /** The absolute signed address of an attachment and when it expires. */
  sign(id: string, now?: number): { url: string; expiresAt: number };
  /** Whether `expires` and `signature` (as the query carried them) admit the attachment `id` now. */
  check(id: string, expires: unknown, signature: unknown, now?: number): UrlCheck;
}

export function urlSigner(box: SecretBox, publicUrl: string, ttlMs = DEFAULT_URL_TTL_MS): UrlSigner {
  // A key of its own: an HMAC under the credential key of a fixed label, never used for anything else.
  const key = Buffer.from(box.credentialHash(KEY_LABEL), 'hex');
  const mac = (id: string, expires: number) => createHmac('sha256', key).update(`${id}\n${expires}`, 'utf8').digest();
  const base = publicUrl.replace(/\/+$/, '');

  return {
    sign(id, now = Date.now()) {
      const expires = Math.ceil((now + ttlMs) / 1000);
      const signature = mac(id, expires).toString('base64url');
      return { url: `${base}${ATTACHMENT_ROUTE}/${encodeURIComponent(id)}?expires=${expires}&signature=${signature}`, expiresAt: expires * 1000 };
    },
    check(id, expires, signature, now = Date.now()) {
      const invalid = { ok: false as const, reason: 'SIGNATURE_INVALID' as const, message: 'The download link is not valid' };
      if (typeof expires !== 'string' || !/^\d{1,12}$/.test(expires) || typeof signature !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(signature)) return invalid;
      if (!safeEqual(Buffer.from(signature, 'base64url'), mac(id, Number(expires)))) return invalid;
      const expiresAt = Number(expires) * 1000;
      if (expiresAt <= now) return { ok: false, reason: 'URL_EXPIRED', message: 'The download link has expired: reload the conversation for a fresh one' };
      if (expiresAt > now + MAX_URL_TTL_MS) return invalid;
      return { ok: true };
    },
  };
}

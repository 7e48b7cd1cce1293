/**
 * Calling the WeChat / WeCom server APIs: both answer errors as HTTP 200 with `errcode` ≠ 0, and
 * both need an access token fetched with the app's secret and cached until it expires (7200 s).
 * Shared by the `wechat` and `wecom` adapters.
 */
import { createHash } from 'node:crypto';
import { DeliveryError, deliveryErrorFrom } from '../adapter.js';

/** A WeChat / WeCom API answer: `errcode` 0 (or absent) is success. */
export interface WeixinAnswer {
  errcode?: number;
  errmsg?: string;
  [field: string]: unknown;
}

/** Busy and rate-limit codes: retrying later can succeed. */
export const RETRYABLE_ERRCODES = new Set([
  -1, // system busy
  45009, // API call frequency / daily quota reached
  45011, // API minute quota reached
  45033, // WeCom: too many concurrent calls
  45047, // OA customer-service: too many messages without a user reply
]);

/** The access token is invalid or expired: fetch a new one and try once more. */
export const TOKEN_ERRCODES = new Set([
  40001, // invalid credential / access_token not the latest
  40014, // invalid access_token
  42001, // access_token expired
]);

/** Maps an `errcode` answer to a DeliveryError: busy and rate limits retry, everything else does not. */
export function errcodeError(what: string, answer: WeixinAnswer): DeliveryError {
  const code = Number(answer.errcode);
  const retryable = RETRYABLE_ERRCODES.has(code) || TOKEN_ERRCODES.has(code);
  return new DeliveryError(`${what} answered errcode ${code}: ${String(answer.errmsg ?? '').slice(0, 200)}`, {
    retryable,
    ...(RETRYABLE_ERRCODES.has(code) && code !== -1 && { retryAfterMs: 60_000 }),
  });
}

/**
 * One API call: network failures and HTTP 429/5xx retry, other HTTP errors do not, and the JSON
 * body is returned as is (the caller reads `errcode`). `label` names the call in errors; the URL is
 * never put in an error message (it carries the access token or the app secret).
 */
export async function callWeixin(fetchImpl: typeof fetch, url: string, init: RequestInit, label: string): Promise<WeixinAnswer> {
  let response: Response;
  try {
    response = await fetchImpl(url, { ...init, signal: init.signal ?? AbortSignal.timeout(15_000) });
  } catch (error) {
    throw new DeliveryError(`${label} could not be reached: ${(error as Error).message}`, { retryable: true });
  }
  if (!response.ok) throw await deliveryErrorFrom(response, label);
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as unknown;
    if (body !== null && typeof body === 'object' && !Array.isArray(body)) return body as WeixinAnswer;
  } catch {
    // fall through
  }
  throw new DeliveryError(`${label} answered ${response.status} with a body that is not a JSON object`, {
    retryable: true,
    status: response.status,
  });
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

/**
 * Access tokens per (API base, app id, secret), cached until shortly before they expire, with one
 * fetch in flight per key. In-process only: several Switchboard nodes each hold their own token.
 * (A new OA token from `/cgi-bin/token` leaves the previous one valid for 5 more minutes, and a
 * send answered 40001/42001 refreshes once, so nodes do not lock each other out.)
 */
export class AccessTokenCache {
  private readonly tokens = new Map<string, CachedToken>();
  private readonly pending = new Map<string, Promise<CachedToken>>();

  constructor(private readonly now: () => number = Date.now) {}

  static key(apiBaseUrl: string, appId: string, secret: string): string {
    return `${apiBaseUrl}\u0000${appId}\u0000${createHash('sha256').update(secret).digest('hex')}`;
  }

  async get(key: string, fetchToken: () => Promise<{ token: string; expiresInSeconds: number }>): Promise<string> {
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt > this.now()) return cached.token;
    let inFlight = this.pending.get(key);
    if (!inFlight) {
      inFlight = fetchToken()
        .then(({ token, expiresInSeconds }) => {
          // Refresh five minutes early (never cache for less than a minute).
          const lifetime = Math.max(60, (Number.isFinite(expiresInSeconds) ? expiresInSeconds : 7200) - 300);
          const entry = { token, expiresAt: this.now() + lifetime * 1000 };
          this.tokens.set(key, entry);
          return entry;
        })
        .finally(() => this.pending.delete(key));
      this.pending.set(key, inFlight);
    }
    return (await inFlight).token;
  }

  /** Drops `token` if it is still the cached one (another caller may have refreshed it already). */
  invalidate(key: string, token: string): void {
    if (this.tokens.get(key)?.token === token) this.tokens.delete(key);
  }

  clear(): void {
    this.tokens.clear();
  }
}

/** Reads `{access_token, expires_in}` from a token endpoint's answer, or throws the mapped error. */
export function tokenFrom(answer: WeixinAnswer, label: string): { token: string; expiresInSeconds: number } {
  const code = Number(answer.errcode ?? 0);
  if (code !== 0) {
    // On the token endpoints 40001/40013/40125… mean a wrong id or secret: only "busy" retries.
    const retryable = RETRYABLE_ERRCODES.has(code);
    throw new DeliveryError(
      `${label} refused the credentials: errcode ${code}: ${String(answer.errmsg ?? '').slice(0, 200)}`,
      { retryable, ...(retryable && code !== -1 && { retryAfterMs: 60_000 }) },
    );
  }
  if (typeof answer.access_token !== 'string' || answer.access_token === '') {
    throw new DeliveryError(`${label} answered without an access_token`, { retryable: true });
  }
  return { token: answer.access_token, expiresInSeconds: Number(answer.expires_in ?? 7200) };
}

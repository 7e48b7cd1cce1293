import { createHmac } from 'node:crypto';
import { DeliveryError, retryAfterMs, type ConnectionContext } from '../adapter.js';
import { shortReason } from '../../egress/short-reason.js';

/** How long one Graph API call may take before it counts as a (retryable) network failure. */
export const GRAPH_TIMEOUT_MS = 15_000;

/**
 * Graph error codes that mean "slow down / try again later" even when the HTTP status is 400:
 * 1 unknown error, 2 service temporarily unavailable, 4 app rate limit, 17 user rate limit,
 * 32 page rate limit, 341 application limit, 613 calls-per-time limit, 80007 WhatsApp/IG
 * rate limit, 130429 Cloud API throughput limit, 131056 pair rate limit.
 */
const TRANSIENT_CODES = new Set([1, 2, 4, 17, 32, 341, 613, 80007, 130429, 131056]);

/** `appsecret_proof` = hex HMAC-SHA256(appSecret, accessToken): required by apps with "Require App Secret" on, accepted by all. */
export function appSecretProof(appSecret: string, accessToken: string): string {
  return createHmac('sha256', appSecret).update(accessToken).digest('hex');
}

export function accessTokenOf(connection: ConnectionContext, what: string): string {
  const token = connection.secrets.accessToken;
  if (!token) throw new DeliveryError(`${what}: the connection has no accessToken credential`, { retryable: false });
  return token;
}

/** Query parameters that authenticate a Graph call by URL (`access_token`, `appsecret_proof`). */
export function authQuery(connection: ConnectionContext, accessToken: string, includeToken: boolean): URLSearchParams {
  const query = new URLSearchParams();
  if (includeToken) query.set('access_token', accessToken);
  const appSecret = connection.secrets.appSecret;
  if (appSecret) query.set('appsecret_proof', appSecretProof(appSecret, accessToken));
  return query;
}

/** Maps a failed Graph response to a DeliveryError, reading Graph's `{error:{message,code,is_transient}}` body. */
export async function graphError(response: Response, what: string): Promise<DeliveryError> {
  const body = await response.text().catch(() => '');
  let message = shortReason(body) || 'no error message';
  let transient = false;
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown; code?: unknown; error_subcode?: unknown; is_transient?: unknown } };
    const error = parsed.error;
    if (error && typeof error === 'object') {
      const code = typeof error.code === 'number' ? error.code : undefined;
      transient = error.is_transient === true || (code !== undefined && TRANSIENT_CODES.has(code));
      message = `${typeof error.message === 'string' ? error.message : 'error'}${code !== undefined ? ` (code ${code}${typeof error.error_subcode === 'number' ? `/${error.error_subcode}` : ''})` : ''}`;
    }
  } catch {
    // not JSON: keep the text
  }
  const status = response.status;
  const retryable = transient || status === 408 || status === 429 || status >= 500;
  const wait = retryAfterMs(response.headers.get('retry-after'));
  return new DeliveryError(`${what} answered ${status}: ${message}`, {
    retryable,
    status,
    ...(wait !== undefined && { retryAfterMs: wait }),
  });
}

/** One Graph call: network failures and timeouts become retryable DeliveryErrors (never leaking the URL and its token). */
export async function graphFetch(fetchImpl: typeof fetch, url: string, init: RequestInit, what: string): Promise<Response> {
  try {
    return await fetchImpl(url, { ...init, signal: AbortSignal.timeout(GRAPH_TIMEOUT_MS) });
  } catch (error) {
    const reason = error instanceof Error ? (error.name === 'TimeoutError' ? `no answer within ${GRAPH_TIMEOUT_MS} ms` : error.message) : String(error);
    throw new DeliveryError(`${what} failed: ${reason}`, { retryable: true });
  }
}

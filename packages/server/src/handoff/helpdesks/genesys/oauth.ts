/**
 * Genesys Cloud OAuth client credentials: `POST {login}/oauth/token` with
 * `Authorization: Basic base64(clientId:clientSecret)` and `grant_type=client_credentials`
 * → `{ access_token, token_type: 'bearer', expires_in }`.
 *
 * Tokens are cached in memory per login server and client until a minute before they expire;
 * a 401 from the API drops the cached token so the next call fetches a fresh one.
 */
import { DeliveryError } from '../../../channels/adapter.js';
import { basicAuth, helpdeskRequest, stableHash } from '../http.js';
import { isObject, text } from '../inbound.js';

const cache = new Map<string, { token: string; expiresAt: number }>();
const EARLY_MS = 60_000;

export interface GenesysClient {
  loginRoot: string;
  clientId: string;
  clientSecret: string;
}

const keyOf = (client: GenesysClient) => stableHash(client.loginRoot, client.clientId, client.clientSecret);

export async function genesysAccessToken(client: GenesysClient, fetchImpl: typeof fetch, now = Date.now()): Promise<string> {
  const key = keyOf(client);
  const cached = cache.get(key);
  if (cached && cached.expiresAt > now) return cached.token;
  const what = 'Genesys Cloud OAuth (client credentials)';
  const answer = await helpdeskRequest(fetchImpl, what, {
    method: 'POST',
    url: `${client.loginRoot}/oauth/token`,
    headers: { authorization: basicAuth(client.clientId, client.clientSecret) },
    form: { grant_type: 'client_credentials' },
  });
  const token = isObject(answer.json) ? text(answer.json.access_token) : undefined;
  if (!token) throw new DeliveryError(`${what} answered ${answer.status} without an access_token`, { retryable: false, status: answer.status });
  const seconds = isObject(answer.json) && typeof answer.json.expires_in === 'number' ? answer.json.expires_in : 3600;
  cache.set(key, { token, expiresAt: now + Math.max(0, seconds * 1000 - EARLY_MS) });
  return token;
}

/** Forgets the client's cached token (after the API refused it). */
export function forgetGenesysToken(client: GenesysClient): void {
  cache.delete(keyOf(client));
}

/** Forgets every cached token (tests). */
export function clearGenesysTokenCache(): void {
  cache.clear();
}

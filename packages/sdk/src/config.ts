import { ConfigurationError } from './errors.js';

export const DEFAULT_BASE_URL = 'http://localhost:8787';
export const DEFAULT_TIMEOUT_MS = 30_000;
const API_VERSION_SEGMENT = '/v1';
/** Largest delay setTimeout accepts; anything above fires immediately. */
const MAX_TIMEOUT_MS = 2_147_483_647;

export type FetchFunction = typeof globalThis.fetch;

export interface SwitchboardClientOptions {
  /** Workspace API key, sent as `Authorization: Bearer <apiKey>`. Required. */
  apiKey: string;
  /** Server root, e.g. `https://switchboard.example.com`. `/v1` is appended unless already there. Default `http://localhost:8787`. */
  baseUrl?: string;
  /** Per-request timeout in milliseconds. Default 30000. */
  timeout?: number;
  /** fetch implementation to use instead of the global one (tests, proxies, older runtimes). */
  fetch?: FetchFunction;
  /** Extra headers sent with every request. They cannot replace the Authorization header. */
  headers?: Record<string, string>;
}

/** Options after validation and defaults: what the HTTP layer needs. */
export interface ResolvedClientConfig {
  /** Absolute API root ending in `/v1`, without a trailing slash. */
  apiUrl: string;
  apiKey: string;
  timeout: number;
  fetch: FetchFunction;
  headers: Record<string, string>;
}

export function resolveClientConfig(options: SwitchboardClientOptions | undefined): ResolvedClientConfig {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError('SwitchboardClient needs an options object: new SwitchboardClient({ apiKey: "…" })');
  }
  return {
    apiKey: resolveApiKey(options.apiKey),
    apiUrl: resolveApiUrl(options.baseUrl),
    timeout: resolveTimeout(options.timeout),
    fetch: resolveFetch(options.fetch),
    headers: resolveHeaders(options.headers),
  };
}

function resolveApiKey(apiKey: unknown): string {
  if (typeof apiKey !== 'string' || apiKey.trim() === '') {
    throw new ConfigurationError('apiKey is required: new SwitchboardClient({ apiKey: "…" }) with a workspace API key');
  }
  const trimmed = apiKey.trim();
  if (!isSendableHeaderValue(`Bearer ${trimmed}`)) {
    throw new ConfigurationError('apiKey contains characters that cannot be sent in an HTTP header');
  }
  return trimmed;
}

/** Turns the server root into the API root: validates it, strips trailing slashes and appends `/v1` once. */
export function resolveApiUrl(baseUrl: unknown = DEFAULT_BASE_URL): string {
  if (typeof baseUrl !== 'string' || baseUrl.trim() === '') {
    throw new ConfigurationError(`baseUrl must be a URL such as ${DEFAULT_BASE_URL}`);
  }
  let url: URL;
  try {
    url = new URL(baseUrl.trim());
  } catch {
    throw new ConfigurationError(`baseUrl is not a valid URL: "${baseUrl}" (expected something like ${DEFAULT_BASE_URL})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigurationError(`baseUrl must be an http:// or https:// URL, got "${baseUrl}"`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new ConfigurationError('baseUrl must not contain credentials; pass the API key as apiKey');
  }
  if (url.search !== '' || url.hash !== '') {
    throw new ConfigurationError(`baseUrl must not contain a query string or fragment, got "${baseUrl}"`);
  }
  const root = url.origin + url.pathname.replace(/\/+$/, '');
  return root.endsWith(API_VERSION_SEGMENT) ? root : root + API_VERSION_SEGMENT;
}

function resolveTimeout(timeout: unknown): number {
  if (timeout === undefined) return DEFAULT_TIMEOUT_MS;
  if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0 || timeout > MAX_TIMEOUT_MS) {
    throw new ConfigurationError(`timeout must be a positive number of milliseconds up to ${MAX_TIMEOUT_MS}, got ${String(timeout)}`);
  }
  return timeout;
}

function resolveFetch(fetchOption: unknown): FetchFunction {
  if (fetchOption !== undefined) {
    if (typeof fetchOption !== 'function') throw new ConfigurationError('fetch must be a function compatible with the global fetch');
    return fetchOption as FetchFunction;
  }
  if (typeof globalThis.fetch !== 'function') {
    throw new ConfigurationError('No global fetch is available in this runtime; pass one as the fetch option');
  }
  // Looked up on every call, so a fetch installed or stubbed later is honoured,
  // and always called on globalThis (browsers throw "Illegal invocation" otherwise).
  return (input, init) => globalThis.fetch(input, init);
}

function resolveHeaders(headers: unknown): Record<string, string> {
  if (headers === undefined) return {};
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
    throw new ConfigurationError('headers must be an object of header names to string values');
  }
  const resolved: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string') throw new ConfigurationError(`header "${name}" must have a string value`);
    try {
      new Headers([[name, value]]);
    } catch {
      throw new ConfigurationError(`header "${name}" is not a valid HTTP header`);
    }
    resolved[name.toLowerCase()] = value;
  }
  return resolved;
}

function isSendableHeaderValue(value: string): boolean {
  try {
    new Headers([['authorization', value]]);
    return true;
  } catch {
    return false;
  }
}

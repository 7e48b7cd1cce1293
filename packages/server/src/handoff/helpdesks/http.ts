/**
 * Outbound calls to helpdesk APIs, shared by the connectors: one JSON request with a deadline,
 * failures mapped to DeliveryError the way channel adapters map them — network errors, timeouts,
 * 408, 429 and 5xx retry (Retry-After honoured), redirects and other 4xx do not. Error messages
 * name the call, never the credentials.
 */
import { createHash } from 'node:crypto';
import type { ZodType } from 'zod';
import { DeliveryError, deliveryErrorFrom, type ConnectionContext } from '../../channels/adapter.js';

/** How long one helpdesk API call may take before it counts as a (retryable) network failure. */
export const HELPDESK_TIMEOUT_MS = 15_000;

export interface HelpdeskCall {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  url: string;
  headers?: Record<string, string>;
  /** Sent as JSON (content-type application/json) unless `form` is given. */
  json?: unknown;
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, string>;
  /** Sent byte for byte as JSON (a body that was signed must not be re-serialized). */
  rawJson?: string;
  /** Statuses (besides 2xx) handed back to the caller instead of thrown, e.g. 409 for "already exists". */
  allow?: readonly number[];
}

export interface HelpdeskAnswer {
  status: number;
  headers: Headers;
  /** The parsed JSON body, or undefined when the body is empty or not JSON. */
  json: unknown;
}

/** `Basic base64(user:password)`. */
export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

/** Performs one call; 2xx (and `allow`ed statuses) resolve, anything else throws DeliveryError. */
export async function helpdeskRequest(fetchImpl: typeof fetch, what: string, call: HelpdeskCall): Promise<HelpdeskAnswer> {
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'Switchboard-Handoff/1', ...call.headers };
  let body: string | undefined;
  if (call.rawJson !== undefined) {
    headers['content-type'] = 'application/json';
    body = call.rawJson;
  } else if (call.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(call.form).toString();
  } else if (call.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(call.json);
  }
  let response: Response;
  try {
    response = await fetchImpl(call.url, {
      method: call.method,
      headers,
      ...(body !== undefined && { body }),
      redirect: 'manual',
      signal: AbortSignal.timeout(HELPDESK_TIMEOUT_MS),
    });
  } catch (error) {
    const reason =
      error instanceof Error ? (error.name === 'TimeoutError' ? `no answer within ${HELPDESK_TIMEOUT_MS} ms` : `${error.name}: ${error.message}`) : String(error);
    throw new DeliveryError(`${what} could not be reached: ${reason}`, { retryable: true });
  }
  const ok = response.status >= 200 && response.status < 300;
  if (!ok && !call.allow?.includes(response.status)) {
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel().catch(() => undefined);
      throw new DeliveryError(`${what} answered ${response.status} (a redirect): check the connection's API base URL`, {
        retryable: false,
        status: response.status,
      });
    }
    throw await deliveryErrorFrom(response, what);
  }
  const text = await response.text().catch(() => '');
  let json: unknown;
  if (text.length > 0) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  return { status: response.status, headers: response.headers, json };
}

/** A credential the call cannot go without: a missing one is a configuration error, not retried. */
export function requireSecret(connection: ConnectionContext, name: string, what: string): string {
  const value = connection.secrets[name];
  if (!value) throw new DeliveryError(`${what}: the connection has no ${name} credential`, { retryable: false });
  return value;
}

/** Reads the connection's settings through the connector's schema (defaults applied); bad settings are not retried. */
export function settingsOf<T>(schema: ZodType<T>, connection: ConnectionContext, what: string): T {
  const parsed = schema.safeParse(connection.settings ?? {});
  if (!parsed.success) {
    const detail = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || 'settings'}: ${issue.message}`).join('; ');
    throw new DeliveryError(`${what}: the connection's settings are not valid (${detail})`, { retryable: false });
  }
  return parsed.data;
}

/** True when the connection's API base URL was set explicitly (not empty, not a `{placeholder}` template). */
export function hasExplicitApiBase(connection: ConnectionContext): boolean {
  const configured = connection.apiBaseUrl?.trim() ?? '';
  return configured.length > 0 && !configured.includes('{');
}

/**
 * The API root of a connection, without a trailing slash: its `apiBaseUrl` when one is set
 * explicitly (tests point it at a fake), else what `derive` builds from the settings.
 */
export function apiRoot(connection: ConnectionContext, derive: () => string): string {
  return (hasExplicitApiBase(connection) ? connection.apiBaseUrl.trim() : derive()).replace(/\/+$/, '');
}

/** Splits text into pieces of at most `max` characters, at line breaks where it can. */
export function chunkText(text: string, max: number): string[] {
  const chunks: string[] = [];
  let current = '';
  const push = () => {
    if (current.length > 0) chunks.push(current);
    current = '';
  };
  for (const line of text.split('\n')) {
    let rest = line;
    while (rest.length > max) {
      push();
      chunks.push(rest.slice(0, max));
      rest = rest.slice(max);
    }
    if (current.length === 0) current = rest;
    else if (current.length + 1 + rest.length <= max) current = `${current}\n${rest}`;
    else {
      push();
      current = rest;
    }
  }
  push();
  return chunks.length > 0 ? chunks : [''];
}

/** Hex SHA-256 of the parts joined by U+001F: stable ids derived from what a request is about. */
export function stableHash(...parts: (string | number)[]): string {
  return createHash('sha256').update(parts.map(String).join('\u001f'), 'utf8').digest('hex');
}

/** A UUID-shaped id derived from `stableHash(parts)` (for APIs that want a UUID). */
export function stableUuid(...parts: (string | number)[]): string {
  const hex = stableHash(...parts);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

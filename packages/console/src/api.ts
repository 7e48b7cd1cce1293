/**
 * The one client every page uses for the public /v1 API: cookie session, CSRF header on writes,
 * the envelope unwrapped, and errors turned into ApiFailure with per-field messages.
 */

export interface PageMeta {
  page: number;
  pageSize: number;
  totalCount: number;
  totalPages: number;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

export interface Page<T> {
  data: T[];
  meta: PageMeta;
}

export type Role = 'owner' | 'admin' | 'agent';

export interface Member {
  id: string;
  email: string;
  name: string;
  role: Role;
  status: string;
}

export interface SessionInfo {
  member: Member;
  workspace: { id: string; name: string };
  csrfToken: string;
  expiresAt: number | string;
}

export interface FieldError {
  field: string;
  message: string;
}

/** A refused or failed request, with the API's code, message and per-field errors. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Record<string, string> = {},
    /** The error body's meta (e.g. the deployment that binds a channel). */
    readonly meta: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
let onUnauthorized: (() => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called on any 401 (except the session probe itself): the app sends the person to sign in. */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

function toFields(details: unknown): Record<string, string> {
  const fields: Record<string, string> = {};
  if (Array.isArray(details)) {
    for (const detail of details as FieldError[]) {
      if (detail && typeof detail.field === 'string' && !(detail.field in fields)) fields[detail.field] = String(detail.message);
    }
  }
  return fields;
}

interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined | null>;
  /** Do not send the person to sign in on 401 (the session probe, the sign-in form). */
  quiet401?: boolean;
  signal?: AbortSignal;
}

async function send(method: string, path: string, options: RequestOptions, retried: boolean): Promise<unknown> {
  let url = path.startsWith('/') ? path : `/v1/${path}`;
  if (options.query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(options.query)) if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
    const text = params.toString();
    if (text) url += (url.includes('?') ? '&' : '?') + text;
  }
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      credentials: 'same-origin',
      ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
      ...(options.signal && { signal: options.signal }),
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiFailure(0, 'NETWORK', 'The server could not be reached. Check your connection and try again.');
  }
  let body: any = null;
  const text = await response.text();
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (response.ok) return body && typeof body === 'object' && 'data' in body ? body.data : body;
  const error = body?.error ?? {};
  const code = String(error.code ?? body?.code ?? `HTTP_${response.status}`);
  if (response.status === 403 && code === 'CSRF_TOKEN_INVALID' && !retried) {
    await refreshSession();
    return send(method, path, options, true);
  }
  if (response.status === 401 && !options.quiet401) onUnauthorized?.();
  const message = String(error.message ?? body?.message ?? `The server answered ${response.status}.`);
  throw new ApiFailure(response.status, code, message, toFields(error.details ?? body?.meta?.details), body?.meta && typeof body.meta === 'object' ? body.meta : {});
}

export const api = {
  get: <T>(path: string, options: RequestOptions = {}) => send('GET', path, options, false) as Promise<T>,
  post: <T>(path: string, body?: unknown, options: RequestOptions = {}) => send('POST', path, { ...options, body: body ?? {} }, false) as Promise<T>,
  patch: <T>(path: string, body: unknown, options: RequestOptions = {}) => send('PATCH', path, { ...options, body }, false) as Promise<T>,
  put: <T>(path: string, body: unknown, options: RequestOptions = {}) => send('PUT', path, { ...options, body }, false) as Promise<T>,
  delete: <T>(path: string, options: RequestOptions = {}) => send('DELETE', path, options, false) as Promise<T>,
};

/** GET /v1/session, keeping the CSRF token; null when signed out. */
export async function refreshSession(): Promise<SessionInfo | null> {
  try {
    const session = await api.get<SessionInfo>('session', { quiet401: true });
    setCsrfToken(session.csrfToken);
    return session;
  } catch (error) {
    if (error instanceof ApiFailure && error.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw error;
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

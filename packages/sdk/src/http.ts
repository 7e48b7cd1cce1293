import type { PaginatedResult, PaginationMeta } from '@switchboard/core';
import type { ResolvedClientConfig } from './config.js';
import { APIError, NetworkError, createAPIError } from './errors.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type QueryValue = string | number | boolean | undefined;

export interface ApiRequest {
  method: HttpMethod;
  /** Path below `/v1`, starting with '/'; build it with {@link apiPath} so ids are encoded. */
  path: string;
  /** Query parameters; undefined values are left out. */
  query?: Record<string, QueryValue>;
  /** JSON body; left out (with its Content-Type) when undefined. */
  body?: unknown;
  /** A file sent as the raw body with its own Content-Type, instead of `body`. */
  file?: RawBody;
}

/** Bytes sent as they are (an attachment). */
export interface RawBody {
  data: Uint8Array | ArrayBuffer | Blob;
  contentType: string;
}

/**
 * A request to a path outside `/v1`, answered with plain JSON (no envelope): the channel
 * service's `/channel-service/…` paths.
 */
export interface PlainRequest {
  method: HttpMethod;
  /** Path from the server root, starting with '/'; build it with {@link apiPath}. */
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
}

/** Code used when the server's answer is not the documented JSON envelope. */
export const INVALID_RESPONSE = 'INVALID_RESPONSE';

const EXCERPT_LENGTH = 200;

/** Tagged template that percent-encodes every interpolated value: apiPath`/agents/${id}`. */
export function apiPath(strings: TemplateStringsArray, ...values: string[]): string {
  return strings.reduce((path, part, i) => path + part + (i < values.length ? encodeURIComponent(values[i] ?? '') : ''), '');
}

interface SuccessBody {
  data: unknown;
  meta?: unknown;
}

interface RawResponse {
  status: number;
  statusText: string;
  text: string;
}

/** Sends authenticated JSON requests to the API and unwraps the response envelope. */
export class HttpClient {
  readonly #config: ResolvedClientConfig;

  constructor(config: ResolvedClientConfig) {
    this.#config = config;
  }

  /** Sends the request and returns the envelope's `data`. */
  async request<T>(request: ApiRequest): Promise<T> {
    const body = await this.#send(request);
    return body.data as T;
  }

  /**
   * Sends a list request and returns the page `{ data, meta }`. The server nests the page in the
   * envelope's `data` (`{"success": true, "data": {"data": [...], "meta": {...}}}`); servers from
   * before that change answered `{"data": [...], "meta": {...}}`, which is read too.
   */
  async requestPage<T>(request: ApiRequest): Promise<PaginatedResult<T>> {
    const body = await this.#send(request);
    const page = isRecord(body.data) ? body.data : { data: body.data, meta: body.meta };
    if (!Array.isArray(page.data) || !isPaginationMeta(page.meta)) {
      throw new APIError({
        statusCode: 200,
        code: INVALID_RESPONSE,
        message: `Expected a paginated list ({ data: { data: [...], meta } }) from ${request.method} ${request.path}`,
      });
    }
    return { data: page.data as T[], meta: page.meta };
  }

  /**
   * Sends a request to a path from the server root (not `/v1`) that answers plain JSON, with the
   * key as `x-api-key` (the channel service's convention), and returns the parsed body.
   */
  async requestPlain<T>(request: PlainRequest): Promise<T> {
    const root = this.#config.apiUrl.replace(/\/v1$/, '');
    const url = root + request.path + queryString(request.query);
    const payload = request.body === undefined ? undefined : JSON.stringify(request.body);
    const raw = await this.#fetchText(request.method, url, payload, 'x-api-key');
    return interpretPlainResponse(raw, `${request.method} ${request.path}`) as T;
  }

  async #send(request: ApiRequest): Promise<SuccessBody> {
    const url = this.#url(request);
    const payload = request.file ?? (request.body === undefined ? undefined : JSON.stringify(request.body));
    const raw = await this.#fetchText(request.method, url, payload);
    return interpretResponse(raw, `${request.method} ${request.path}`);
  }

  #url(request: ApiRequest): string {
    return this.#config.apiUrl + request.path + queryString(request.query);
  }

  #headers(body: string | RawBody | undefined, auth: 'bearer' | 'x-api-key'): Record<string, string> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...(body !== undefined ? { 'content-type': typeof body === 'string' ? 'application/json' : body.contentType } : {}),
      ...this.#config.headers,
    };
    if (auth === 'x-api-key') {
      delete headers.authorization;
      headers['x-api-key'] = this.#config.apiKey;
    } else {
      headers.authorization = `Bearer ${this.#config.apiKey}`;
    }
    return headers;
  }

  /** Performs the fetch under the timeout; the body is read before the timer is cleared. */
  async #fetchText(method: HttpMethod, url: string, payload: string | RawBody | undefined, auth: 'bearer' | 'x-api-key' = 'bearer'): Promise<RawResponse> {
    const { timeout, fetch } = this.#config;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeout);
    try {
      const init: RequestInit = { method, headers: this.#headers(payload, auth), signal: controller.signal };
      if (payload !== undefined) init.body = typeof payload === 'string' ? payload : (payload.data as BodyInit);
      const response = await fetch(url, init);
      const text = await response.text();
      return { status: response.status, statusText: response.statusText, text };
    } catch (error) {
      if (timedOut) {
        throw new NetworkError(`${method} ${url} timed out after ${timeout} ms`, { cause: error, timeout: true });
      }
      throw new NetworkError(`${method} ${url} failed: ${describeFailure(error)}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }
}

function queryString(query: Record<string, QueryValue> | undefined): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined) params.append(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** A plain JSON answer: the parsed body, or the matching APIError (`{ error: { code, message, details } }`). */
function interpretPlainResponse(raw: RawResponse, requestLabel: string): unknown {
  const json = parseJson(raw.text);
  if (raw.status < 200 || raw.status >= 300) throw errorFromResponse(raw, json);
  if (raw.text.trim() === '') return undefined;
  if (json === undefined) {
    throw new APIError({ statusCode: raw.status, code: INVALID_RESPONSE, message: `Expected JSON from ${requestLabel}, got: ${excerpt(raw.text)}` });
  }
  return json;
}

/** Maps a raw response to the envelope's contents, or throws the matching APIError. */
function interpretResponse(raw: RawResponse, requestLabel: string): SuccessBody {
  const json = parseJson(raw.text);
  const ok = raw.status >= 200 && raw.status < 300;

  if (!ok || (isRecord(json) && json.success === false)) {
    throw errorFromResponse(raw, json);
  }
  if (raw.text.trim() === '') return { data: undefined };
  if (isRecord(json) && json.success === true && 'data' in json) {
    return { data: json.data, meta: json.meta };
  }
  throw new APIError({
    statusCode: raw.status,
    code: INVALID_RESPONSE,
    message: `Expected a JSON envelope from ${requestLabel}, got: ${excerpt(raw.text)}`,
  });
}

function errorFromResponse(raw: RawResponse, json: unknown): APIError {
  if (isRecord(json)) {
    const nested = isRecord(json.error) ? json.error : {};
    const statusCode = raw.status >= 400 ? raw.status : typeof json.status === 'number' ? json.status : raw.status;
    return createAPIError({
      statusCode,
      code: stringOr(json.code, stringOr(nested.code, codeForStatus(statusCode))),
      message: stringOr(json.message, stringOr(nested.message, statusLine(raw))),
      details: 'details' in nested ? nested.details : json.details,
      meta: isRecord(json.meta) ? json.meta : isRecord(nested.meta) ? nested.meta : {},
    });
  }
  const text = excerpt(raw.text);
  return createAPIError({
    statusCode: raw.status,
    code: codeForStatus(raw.status),
    message: text ? `${statusLine(raw)}: ${text}` : statusLine(raw),
  });
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'VALIDATION_ERROR',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  500: 'INTERNAL',
};

/** The wire code a status normally carries; `HTTP_<status>` for others (e.g. a proxy's 502). */
function codeForStatus(status: number): string {
  return CODE_BY_STATUS[status] ?? `HTTP_${status}`;
}

function statusLine(raw: RawResponse): string {
  return raw.statusText ? `HTTP ${raw.status} ${raw.statusText}` : `HTTP ${raw.status}`;
}

function describeFailure(error: unknown): string {
  if (error instanceof Error) {
    const cause: unknown = error.cause;
    if (cause instanceof Error && cause.message) return cause.message;
    return error.message || error.name;
  }
  return String(error);
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT_LENGTH ? `${flat.slice(0, EXCERPT_LENGTH)}…` : flat;
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPaginationMeta(value: unknown): value is PaginationMeta {
  return isRecord(value) && typeof value.page === 'number' && typeof value.pageSize === 'number' && typeof value.totalCount === 'number';
}

import type { ErrorBody, PaginatedResult } from '@switchboard/core';
import type { ApiError } from './errors.js';

export const API_VERSION = 'v1';

/** What a route handler hands back; the envelope is added in one place. */
export interface RouteResult {
  status?: number;
  data: unknown;
  /** Extra facts about the outcome (a kept phone configuration, …); never pagination. */
  meta?: Record<string, unknown>;
}

export const item = (data: unknown, status = 200): RouteResult => ({ status, data });
/**
 * One page of a list. The page sits inside the envelope's `data`, as WIIL's SDK reads it:
 * `{"success": true, "data": {"data": [...], "meta": {page, pageSize, …}}, "metadata": {…}}`.
 */
export const page = (result: PaginatedResult<unknown>): RouteResult => ({ data: { data: result.data, meta: { ...result.meta } } });
export const withMeta = (data: unknown, meta: Record<string, unknown>): RouteResult => ({ data, meta });

export function successBody(result: RouteResult) {
  return {
    success: true as const,
    data: result.data,
    ...(result.meta && Object.keys(result.meta).length > 0 && { meta: result.meta }),
    metadata: { timestamp: Date.now(), version: API_VERSION },
  };
}

/**
 * WIIL's SDK hands an error body's `meta` to its callers (as the error's `details`) and never
 * reads `error.details`, so field-level details are repeated there as `meta.details`.
 */
function errorMeta(error: ApiError): Record<string, unknown> {
  if (error.details === null || error.details === undefined) return error.meta;
  return { details: error.details, ...error.meta };
}

export function errorBody(error: ApiError): ErrorBody {
  return {
    success: false,
    status: error.status,
    code: error.code,
    message: error.message,
    meta: errorMeta(error),
    timestamp: Date.now(),
    error: { code: error.code, message: error.message, details: error.details },
  };
}

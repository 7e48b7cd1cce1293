import type { ErrorBody, PaginatedResult } from '@switchboard/core';
import type { ApiError } from './errors.js';

export const API_VERSION = 'v1';

/** What a route handler hands back; the envelope is added in one place. */
export interface RouteResult {
  status?: number;
  data: unknown;
  /** Pagination for lists; extra facts about the outcome otherwise. */
  meta?: Record<string, unknown>;
}

export const item = (data: unknown, status = 200): RouteResult => ({ status, data });
export const page = (result: PaginatedResult<unknown>): RouteResult => ({ data: result.data, meta: { ...result.meta } });
export const withMeta = (data: unknown, meta: Record<string, unknown>): RouteResult => ({ data, meta });

export function successBody(result: RouteResult) {
  return {
    success: true as const,
    data: result.data,
    ...(result.meta && Object.keys(result.meta).length > 0 && { meta: result.meta }),
    metadata: { timestamp: Date.now(), version: API_VERSION },
  };
}

export function errorBody(error: ApiError): ErrorBody {
  return {
    success: false,
    status: error.status,
    code: error.code,
    message: error.message,
    meta: error.meta,
    timestamp: Date.now(),
    error: { code: error.code, message: error.message, details: error.details },
  };
}

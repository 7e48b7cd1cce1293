import { paginationQuerySchema } from '@switchboard/core';
import { assertValid } from './validation.js';

/** Page selection for list methods. Pages start at 1; the server defaults to page 1 of 20. */
export interface PaginationParams {
  page?: number;
  pageSize?: number;
}

/** Validates pagination parameters and returns them as query values (only those given). */
export function paginationQuery(params: PaginationParams | undefined): Record<string, string | undefined> {
  const query: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(params ?? {})) {
    if (value !== undefined) query[name] = String(value);
  }
  assertValid(paginationQuerySchema, query);
  return query;
}

import { paginationQuerySchema, type channelListQuerySchema } from '@switchboard/core';
import { assertValid } from './validation.js';

/** Page selection for list methods. Pages start at 1; the server defaults to page 1 of 20. */
export interface PaginationParams {
  page?: number;
  pageSize?: number;
}

/** A page of channels, with `search` keeping those whose name or identifier contains it (any case). */
export interface ChannelListParams extends PaginationParams {
  search?: string;
}

/** Validates pagination parameters (and any filters `schema` allows) and returns them as query values (only those given). */
export function paginationQuery(
  params: PaginationParams | undefined,
  schema: typeof paginationQuerySchema | typeof channelListQuerySchema = paginationQuerySchema,
): Record<string, string | undefined> {
  const query: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(params ?? {})) {
    if (value !== undefined) query[name] = String(value);
  }
  assertValid(schema, query);
  return query;
}

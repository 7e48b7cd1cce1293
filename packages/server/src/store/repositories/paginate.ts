import type { SelectQueryBuilder } from 'kysely';
import { paginationMeta, type PaginatedResult } from '@switchboard/core';
import type { DB } from '../schema.js';

/**
 * Runs a filtered query twice: once counted, once for the requested page ordered by
 * creation time then id (stable across equal timestamps).
 */
export async function paginate<TB extends keyof DB, Row, Out>(
  query: SelectQueryBuilder<DB, TB, object>,
  page: number,
  pageSize: number,
  select: (q: SelectQueryBuilder<DB, TB, object>) => SelectQueryBuilder<DB, TB, Row>,
  toDomain: (row: Row) => Out,
): Promise<PaginatedResult<Out>> {
  const [{ count } = { count: 0 }] = await query
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .execute();
  const rows = await select(query)
    .orderBy('created_at' as never)
    .orderBy('id' as never)
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .execute();
  return { data: rows.map(toDomain), meta: paginationMeta(page, pageSize, Number(count)) };
}

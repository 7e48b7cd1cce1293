import type { SelectQueryBuilder } from 'kysely';
import { paginationMeta, type PaginatedResult } from '@switchboard/core';
import type { DB } from '../schema.js';

/**
 * Runs a filtered query for the requested page, ordered by creation time then id, and
 * counts the matches: with `count` when the caller keeps a cheaper total, else COUNT(*).
 */
export async function paginate<TB extends keyof DB, Row, Out>(
  query: SelectQueryBuilder<DB, TB, object>,
  page: number,
  pageSize: number,
  select: (q: SelectQueryBuilder<DB, TB, object>) => SelectQueryBuilder<DB, TB, Row>,
  toDomain: (row: Row) => Out,
  count?: () => Promise<number>,
): Promise<PaginatedResult<Out>> {
  const total = count
    ? await count()
    : Number((await query.select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirst())?.count ?? 0);
  const rows = await select(query)
    .orderBy('created_at' as never)
    .orderBy('id' as never)
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .execute();
  return { data: rows.map(toDomain), meta: paginationMeta(page, pageSize, total) };
}

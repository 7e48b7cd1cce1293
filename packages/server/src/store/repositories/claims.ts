/**
 * How leased work (inbound events, deliveries) is claimed: in two walks, each following its
 * status's index in order and stopping at its limit, rows whose lease ran out (their node died)
 * first, then pending ones. One statement with an OR read and sorted every pending row of a
 * backlog on each claim. On PostgreSQL each walk locks what it takes FOR UPDATE SKIP LOCKED, so
 * concurrent claimers never take the same row.
 */
import type { Kysely, SelectQueryBuilder } from 'kysely';
import { isPostgres } from '../fixed-sql.js';

export type ClaimWalk = 'expired' | 'pending';

/** Up to `limit` rows: what `walk('expired', …)` takes, then what `walk('pending', …)` takes for the rest. */
export async function claimExpiredThenPending<T>(limit: number, walk: (which: ClaimWalk, max: number) => Promise<T[]>): Promise<T[]> {
  const expired = await walk('expired', limit);
  return expired.length < limit ? [...expired, ...(await walk('pending', limit - expired.length))] : expired;
}

/** The ids a walk claims, locked on PostgreSQL so that another claimer skips them. */
export function skippingLocked<DB, TB extends keyof DB, O>(db: Kysely<DB>, due: SelectQueryBuilder<DB, TB, O>): SelectQueryBuilder<DB, TB, O> {
  return isPostgres(db) ? due.forUpdate().skipLocked() : due;
}

import type { Kysely } from 'kysely';
import { paginationMeta, type PaginatedResult } from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { inboundEventsRepository } from '../store/repositories/inbound-events.js';
import { inboundRefusalsRepository, REFUSALS_KEPT_PER_CONNECTION } from '../store/repositories/inbound-refusals.js';

/** How far back the activity of a connection reaches: its newest accepted events and refusals, this many of each. */
export const ACTIVITY_DEPTH = REFUSALS_KEPT_PER_CONNECTION;

/** One webhook a connection received: accepted (recorded, then processed) or refused before it was recorded. */
export type InboundActivity =
  | { id: string; outcome: 'accepted'; status: 'pending' | 'processing' | 'processed' | 'failed'; providerEventId: string; error: string | null; receivedAt: number }
  | { id: string; outcome: 'refused'; httpStatus: number; reason: string; receivedAt: number };

/** The newest inbound webhooks of a connection, accepted and refused together, newest first. */
export async function connectionActivity(
  db: Kysely<DB>,
  workspaceId: string,
  connectionId: string,
  page: number,
  pageSize: number,
): Promise<PaginatedResult<InboundActivity>> {
  const [accepted, refused] = await Promise.all([
    inboundEventsRepository(db).recent(workspaceId, connectionId, ACTIVITY_DEPTH),
    inboundRefusalsRepository(db).recent(workspaceId, connectionId, ACTIVITY_DEPTH),
  ]);
  const all: InboundActivity[] = [
    ...accepted.map((event) => ({
      id: event.id,
      outcome: 'accepted' as const,
      status: event.status,
      providerEventId: event.providerEventId,
      error: event.lastError,
      receivedAt: event.receivedAt,
    })),
    ...refused.map((refusal) => ({ id: refusal.id, outcome: 'refused' as const, httpStatus: refusal.httpStatus, reason: refusal.reason, receivedAt: refusal.receivedAt })),
  ].sort((a, b) => b.receivedAt - a.receivedAt || (a.id < b.id ? 1 : -1));
  const start = (page - 1) * pageSize;
  return { data: all.slice(start, start + pageSize), meta: paginationMeta(page, pageSize, all.length) };
}

import { sql, type Kysely } from 'kysely';
import { claimExpiredThenPending, skippingLocked } from './claims.js';
import type { DB } from '../schema.js';
import { newId } from '../ids.js';

export interface StoredInboundEvent {
  id: string;
  workspaceId: string;
  connectionId: string;
  providerEventId: string;
  event: unknown;
  attempts: number;
  receivedAt: number;
  /** When this claim's lease runs out; it also tells this claim apart from a later one by another node. */
  leaseUntil: number;
}

export interface RecentInboundEvent {
  id: string;
  providerEventId: string;
  status: 'pending' | 'processing' | 'processed' | 'failed';
  lastError: string | null;
  receivedAt: number;
}

export interface NewInboundEvent {
  workspaceId: string;
  connectionId: string;
  providerEventId: string;
  event: unknown;
  receivedAt: number;
  /** The caller applies the event itself (helpdesk callbacks), so the inbox must not pick it up. */
  processed?: boolean;
}

const toRow = (input: NewInboundEvent) => ({
  id: newId('inboundEvent'),
  workspace_id: input.workspaceId,
  connection_id: input.connectionId,
  provider_event_id: input.providerEventId,
  event: JSON.stringify(input.event),
  status: input.processed ? 'processed' : 'pending',
  attempts: 0,
  last_error: null,
  received_at: input.receivedAt,
  processed_at: input.processed ? input.receivedAt : null,
});

/** Verified webhook events: recorded before they are acknowledged, processed after. */
export function inboundEventsRepository(db: Kysely<DB>) {
  return {
    /** Records an event once per (connection, provider event id); false when it was a redelivery. */
    async record(input: NewInboundEvent): Promise<boolean> {
      const result = await db
        .insertInto('inbound_events')
        .values(toRow(input))
        .onConflict((oc) => oc.columns(['connection_id', 'provider_event_id']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },

    /** Records several events in one statement (so one commit); redeliveries among them are dropped. */
    async recordAll(inputs: readonly NewInboundEvent[]): Promise<void> {
      if (inputs.length === 0) return;
      await db
        .insertInto('inbound_events')
        .values(inputs.map(toRow))
        .onConflict((oc) => oc.columns(['connection_id', 'provider_event_id']).doNothing())
        .execute();
    },

    /** Claims events whose processing node died (stuck past the lease), then pending ones, oldest first (claims.ts). */
    async claim(limit: number, leaseMs: number, now = Date.now()): Promise<StoredInboundEvent[]> {
      const rows = await claimExpiredThenPending(limit, (which, max) => {
        // While processing, processed_at holds the lease deadline.
        let due = db.selectFrom('inbound_events').select('id');
        due = which === 'expired' ? due.where('status', '=', 'processing').where('processed_at', '<', now) : due.where('status', '=', 'pending');
        return db
          .updateTable('inbound_events')
          .set({ status: 'processing', processed_at: now + leaseMs, attempts: sql`attempts + 1` })
          .where('id', 'in', skippingLocked(db, due.orderBy('received_at').limit(max)))
          .returningAll()
          .execute();
      });
      return rows.map((row) => ({
        id: row.id,
        workspaceId: row.workspace_id,
        connectionId: row.connection_id,
        providerEventId: row.provider_event_id,
        event: JSON.parse(row.event) as unknown,
        attempts: row.attempts,
        receivedAt: row.received_at,
        leaseUntil: now + leaseMs,
      }));
    },

    /** Extends a claim that is still this one (same lease deadline, still processing) to `until`; false when it was lost or finished. */
    async renew(id: string, leaseUntil: number, until: number): Promise<boolean> {
      const result = await db
        .updateTable('inbound_events')
        .set({ processed_at: until })
        .where('id', '=', id)
        .where('status', '=', 'processing')
        .where('processed_at', '=', leaseUntil)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    /** Gives an unfinished claim back at once (this node is shutting down), without counting the attempt. */
    async release(id: string, leaseUntil: number): Promise<boolean> {
      const result = await db
        .updateTable('inbound_events')
        .set({ status: 'pending', processed_at: null, attempts: sql`attempts - 1` })
        .where('id', '=', id)
        .where('status', '=', 'processing')
        .where('processed_at', '=', leaseUntil)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    /** Done: the event keeps its ids but loses its body (the transcript holds it where recording is on). */
    async markProcessed(id: string): Promise<void> {
      await db.updateTable('inbound_events').set({ status: 'processed', processed_at: Date.now(), event: '{}' }).where('id', '=', id).execute();
    },

    /** The newest events of one connection, without their bodies. */
    async recent(workspaceId: string, connectionId: string, limit: number): Promise<RecentInboundEvent[]> {
      const rows = await db
        .selectFrom('inbound_events')
        .select(['id', 'provider_event_id', 'status', 'last_error', 'received_at', 'processed_at'])
        .where('workspace_id', '=', workspaceId)
        .where('connection_id', '=', connectionId)
        .orderBy('received_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map((row) => ({
        id: row.id,
        providerEventId: row.provider_event_id,
        status: row.status as RecentInboundEvent['status'],
        lastError: row.last_error,
        receivedAt: Number(row.received_at),
      }));
    },

    async markFailed(id: string, error: string, giveUp: boolean): Promise<void> {
      await db
        .updateTable('inbound_events')
        .set({ status: giveUp ? 'failed' : 'pending', last_error: error.slice(0, 2000), ...(giveUp && { event: '{}' }) })
        .where('id', '=', id)
        .execute();
    },
  };
}

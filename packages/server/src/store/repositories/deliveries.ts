import { sql, type Kysely, type Selectable } from 'kysely';
import { claimExpiredThenPending, skippingLocked } from './claims.js';
import type { Delivery, DeliveryKind, DeliveryStatus, PaginatedResult } from '@switchboard/core';
import type { DB, DeliveriesTable } from '../schema.js';
import { monotonicNow } from '../clock.js';
import { newId } from '../ids.js';
import { paginate } from './paginate.js';

export interface DeliveryRecord extends Delivery {
  workspaceId: string;
  payload: unknown;
  lockedBy: string | null;
}

function toDelivery(row: Selectable<DeliveriesTable>, payload: unknown = JSON.parse(row.payload)): DeliveryRecord {
  return {
    id: row.id,
    kind: row.kind as DeliveryKind,
    workspaceId: row.workspace_id,
    connectionId: row.connection_id,
    channelId: row.channel_id,
    conversationId: row.conversation_id,
    messageId: row.message_id,
    payload,
    status: row.status as DeliveryStatus,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    providerMessageId: row.provider_message_id,
    lockedBy: row.locked_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    sentAt: row.sent_at,
  };
}

export function publicDelivery({ workspaceId: _w, payload: _p, lockedBy: _l, ...delivery }: DeliveryRecord): Delivery {
  return delivery;
}

export interface NewDelivery {
  workspaceId: string;
  connectionId: string;
  channelId: string;
  conversationId: string;
  messageId: string;
  payload: unknown;
  maxAttempts: number;
  /** 'reply' unless given; an 'event' row names a webhook subscription as its connectionId. */
  kind?: DeliveryKind;
}

/** A node's hold on a row it sends: until `lockedUntil` (epoch ms) no other node takes it. */
export interface DeliveryClaim {
  node: string;
  lockedUntil: number;
}

/** A send the provider accepted, with the id it gave the message (if any). */
export interface SentDelivery {
  id: string;
  providerMessageId: string | null;
}

export interface DeliveryListFilter {
  status?: DeliveryStatus;
  /** Where the deliveries go: a provider connection's replies, or a webhook subscription's events. */
  target?: { kind: DeliveryKind; id: string };
}

/** The outbox. Rows move pending → sending → sent, or back to pending with a later attempt time, or to dead. */
export function deliveriesRepository(db: Kysely<DB>) {
  return {
    async insert(input: NewDelivery): Promise<string> {
      return (await this.insertRecord(input)).id;
    },

    /**
     * Writes an outbox row and answers it as a claim would. With `claimedBy`, the row is written
     * already claimed by that node (status sending, its first attempt under way) so that node sends
     * it without a claim of its own; if the node dies first, the lease runs out and another takes it.
     */
    async insertRecord(input: NewDelivery, claimedBy?: DeliveryClaim): Promise<DeliveryRecord> {
      const now = monotonicNow();
      const row: Selectable<DeliveriesTable> = {
        id: newId('delivery'),
        workspace_id: input.workspaceId,
        connection_id: input.connectionId,
        channel_id: input.channelId,
        conversation_id: input.conversationId,
        message_id: input.messageId,
        payload: JSON.stringify(input.payload),
        status: claimedBy ? 'sending' : 'pending',
        attempts: claimedBy ? 1 : 0,
        max_attempts: input.maxAttempts,
        next_attempt_at: now,
        locked_until: claimedBy?.lockedUntil ?? null,
        locked_by: claimedBy?.node ?? null,
        last_error: null,
        provider_message_id: null,
        created_at: now,
        updated_at: now,
        sent_at: null,
        kind: input.kind ?? 'reply',
      };
      await db.insertInto('deliveries').values(row).execute();
      return toDelivery(row, input.payload);
    },

    /**
     * Claims up to `limit` due rows for this node: sending ones whose lease ran out (their node
     * died mid-send), then pending ones whose time has come, oldest first (claims.ts).
     */
    async claim(node: string, limit: number, leaseMs: number, now = Date.now()): Promise<DeliveryRecord[]> {
      const rows = await claimExpiredThenPending(limit, (which, max) => {
        let due = db.selectFrom('deliveries').select('id');
        due = which === 'expired' ? due.where('status', '=', 'sending').where('locked_until', '<', now) : due.where('status', '=', 'pending').where('next_attempt_at', '<=', now);
        return db
          .updateTable('deliveries')
          .set({ status: 'sending', locked_by: node, locked_until: now + leaseMs, attempts: sql`attempts + 1`, updated_at: now })
          .where('id', 'in', skippingLocked(db, due.orderBy('next_attempt_at').limit(max)))
          .returningAll()
          .execute();
      });
      return rows.map((row) => toDelivery(row));
    },

    /** Extends this node's lease on rows it is still sending (the heartbeat); the ids it still holds. */
    async renew(node: string, ids: readonly string[], leaseMs: number, now = Date.now()): Promise<string[]> {
      if (ids.length === 0) return [];
      const rows = await db
        .updateTable('deliveries')
        .set({ locked_until: now + leaseMs })
        .where('id', 'in', [...ids])
        .where('locked_by', '=', node)
        .where('status', '=', 'sending')
        .returning('id')
        .execute();
      return rows.map((row) => row.id);
    },

    /**
     * Gives rows this node claimed but will not finish (it is shutting down) back at once, due now,
     * without counting the attempt: another node takes them on its next pass instead of after the lease.
     */
    async release(node: string, ids: readonly string[], now = Date.now()): Promise<number> {
      if (ids.length === 0) return 0;
      const result = await db
        .updateTable('deliveries')
        .set({ status: 'pending', locked_by: null, locked_until: null, next_attempt_at: now, attempts: sql`attempts - 1`, updated_at: now })
        .where('id', 'in', [...ids])
        .where('locked_by', '=', node)
        .where('status', '=', 'sending')
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    /**
     * Records sends as succeeded, in one statement however many there are, but only the rows this
     * node still holds (a lease that ran out lost them): answers the ids it recorded.
     */
    async markSent(node: string, sent: readonly SentDelivery[]): Promise<Set<string>> {
      if (sent.length === 0) return new Set();
      const now = Date.now();
      const rows = await db
        .updateTable('deliveries')
        .set((eb) => {
          const named = sent.filter((delivery) => delivery.providerMessageId !== null);
          let providerMessageId = named.length > 0 ? eb.case().when('id', '=', named[0]!.id).then(named[0]!.providerMessageId) : undefined;
          for (const delivery of named.slice(1)) providerMessageId = providerMessageId!.when('id', '=', delivery.id).then(delivery.providerMessageId);
          return {
            status: 'sent',
            sent_at: now,
            provider_message_id: providerMessageId ? providerMessageId.else(null).end() : null,
            locked_until: null,
            last_error: null,
            updated_at: now,
          };
        })
        .where('id', 'in', sent.map((delivery) => delivery.id))
        .where('locked_by', '=', node)
        .where('status', '=', 'sending')
        .returning('id')
        .execute();
      return new Set(rows.map((row) => row.id));
    },

    /** False when this node no longer holds the row (nothing was changed). */
    async markFailed(id: string, node: string, error: string, next: { dead: true } | { dead: false; at: number }): Promise<boolean> {
      const now = Date.now();
      const result = await db
        .updateTable('deliveries')
        .set({
          status: next.dead ? 'dead' : 'pending',
          ...(next.dead ? {} : { next_attempt_at: next.at }),
          last_error: error.slice(0, 2000),
          locked_until: null,
          updated_at: now,
        })
        .where('id', '=', id)
        .where('locked_by', '=', node)
        .where('status', '=', 'sending')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async get(workspaceId: string, id: string): Promise<DeliveryRecord | undefined> {
      const row = await db.selectFrom('deliveries').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      return row && toDelivery(row);
    },

    list(workspaceId: string, page: number, pageSize: number, filter: DeliveryListFilter = {}): Promise<PaginatedResult<DeliveryRecord>> {
      let query = db.selectFrom('deliveries').where('workspace_id', '=', workspaceId);
      if (filter.status) query = query.where('status', '=', filter.status);
      if (filter.target) query = query.where('kind', '=', filter.target.kind).where('connection_id', '=', filter.target.id);
      return paginate(query, page, pageSize, (q) => q.selectAll(), (row) => toDelivery(row));
    },

    /** Gives a dead delivery a fresh set of attempts, due now. */
    async revive(workspaceId: string, id: string): Promise<boolean> {
      const now = Date.now();
      const result = await db
        .updateTable('deliveries')
        .set({ status: 'pending', attempts: 0, next_attempt_at: now, locked_by: null, locked_until: null, updated_at: now })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .where('status', '=', 'dead')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async nextDueAt(): Promise<number | undefined> {
      const row = await db
        .selectFrom('deliveries')
        .select((eb) => eb.fn.min('next_attempt_at').as('at'))
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return row?.at === null || row?.at === undefined ? undefined : Number(row.at);
    },
  };
}

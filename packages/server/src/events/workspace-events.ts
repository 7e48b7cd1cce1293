/**
 * The operator event log of each workspace (`workspace_events`): what GET /v1/events streams
 * and replays. An event is written inside the transaction of the change it describes, so it
 * exists exactly when the change does.
 *
 * Order: a stream reads `seq > last sent`, so within one workspace events must become visible in
 * seq order. On PostgreSQL two transactions could take sequence numbers in one order and commit
 * in the other; a transaction-scoped advisory lock per workspace, taken just before the insert
 * and held until commit, rules that out (SQLite has a single writer already).
 */
import type { Kysely } from 'kysely';
import type { WebhookEventType } from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { fixedSql, isPostgres, multiRowInsert, runFixed } from '../store/fixed-sql.js';

/** Events of the operator stream: every webhook event type, and the ones only the stream carries. */
export type OperatorEventType = WebhookEventType | 'conversation.updated' | 'delivery.retried';

/** Events are kept at least this long for replay; older ones are pruned. */
export const WORKSPACE_EVENT_RETENTION_MS = 24 * 60 * 60_000;
/** Namespace of the advisory locks (the first key of pg_advisory_xact_lock(int, int)). */
const LOCK_CLASS = 0x5345; // 'SE'

export interface WorkspaceEvent {
  id: number;
  type: string;
  createdAt: number;
  data: unknown;
}

// Every message writes its events: fixed texts (store/fixed-sql.ts).
const EVENTS_INSERT = multiRowInsert('workspace_events', ['workspace_id', 'type', 'payload', 'created_at']);
const EVENT_INSERT_RETURNING = fixedSql('insert into "workspace_events" ("workspace_id", "type", "payload", "created_at") values (?, ?, ?, ?) returning "seq"');
const WORKSPACE_LOCK = fixedSql('SELECT pg_advisory_xact_lock(?, hashtext(?))');

export function workspaceEventsRepository(db: Kysely<DB>) {
  return {
    /** Appends an event; run it inside the transaction of the change it describes. */
    async append(workspaceId: string, type: OperatorEventType, data: object, createdAt = Date.now()): Promise<number> {
      if (isPostgres(db)) await runFixed(db, WORKSPACE_LOCK, [LOCK_CLASS, workspaceId]);
      const { rows } = await runFixed<{ seq: number | string }>(db, EVENT_INSERT_RETURNING, [workspaceId, type, JSON.stringify(data), createdAt]);
      return Number(rows[0]!.seq);
    },

    /** Appends several events of one workspace (in order) with one INSERT, under one lock; inside the transaction of their change. */
    async appendMany(workspaceId: string, events: readonly { type: OperatorEventType; data: object }[], createdAt = Date.now()): Promise<void> {
      if (isPostgres(db)) await runFixed(db, WORKSPACE_LOCK, [LOCK_CLASS, workspaceId]);
      await runFixed(db, EVENTS_INSERT(events.length), events.flatMap(({ type, data }) => [workspaceId, type, JSON.stringify(data), createdAt]));
    },

    async after(workspaceId: string, afterSeq: number, limit = 500): Promise<WorkspaceEvent[]> {
      const rows = await db
        .selectFrom('workspace_events')
        .select(['seq', 'type', 'payload', 'created_at'])
        .where('workspace_id', '=', workspaceId)
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ id: Number(r.seq), type: r.type, createdAt: Number(r.created_at), data: JSON.parse(r.payload) as unknown }));
    },

    /** The newest seq of the workspace (0 when it has none): where a stream without Last-Event-ID starts. */
    async latest(workspaceId: string): Promise<number> {
      const row = await db
        .selectFrom('workspace_events')
        .select('seq')
        .where('workspace_id', '=', workspaceId)
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row ? Number(row.seq) : 0;
    },

    /** Whether the workspace still holds the event `seq`: replay from it is exact only then. */
    async holds(workspaceId: string, seq: number): Promise<boolean> {
      const row = await db.selectFrom('workspace_events').select('seq').where('workspace_id', '=', workspaceId).where('seq', '=', seq).executeTakeFirst();
      return row !== undefined;
    },

    async prune(olderThan: number): Promise<number> {
      const result = await db.deleteFrom('workspace_events').where('created_at', '<', olderThan).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

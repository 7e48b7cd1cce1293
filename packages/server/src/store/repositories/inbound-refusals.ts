import type { Kysely } from 'kysely';
import type { DB } from '../schema.js';
import { newId } from '../ids.js';

/** How many refusals each connection keeps: enough to diagnose, bounded under a flood of bad calls. */
export const REFUSALS_KEPT_PER_CONNECTION = 50;

export interface InboundRefusal {
  id: string;
  httpStatus: number;
  reason: string;
  receivedAt: number;
}

/** Webhooks refused before they were recorded, the newest REFUSALS_KEPT_PER_CONNECTION per connection. */
export function inboundRefusalsRepository(db: Kysely<DB>) {
  return {
    async record(input: { workspaceId: string; connectionId: string; httpStatus: number; reason: string; receivedAt: number }): Promise<void> {
      await db
        .insertInto('inbound_refusals')
        .values({
          id: newId('inboundEvent'),
          workspace_id: input.workspaceId,
          connection_id: input.connectionId,
          http_status: input.httpStatus,
          reason: input.reason.slice(0, 500),
          received_at: input.receivedAt,
        })
        .execute();
      const kept = db
        .selectFrom('inbound_refusals')
        .select('id')
        .where('connection_id', '=', input.connectionId)
        .orderBy('received_at', 'desc')
        .orderBy('id', 'desc')
        .limit(REFUSALS_KEPT_PER_CONNECTION);
      await db.deleteFrom('inbound_refusals').where('connection_id', '=', input.connectionId).where('id', 'not in', kept).execute();
    },

    async recent(workspaceId: string, connectionId: string, limit: number): Promise<InboundRefusal[]> {
      const rows = await db
        .selectFrom('inbound_refusals')
        .select(['id', 'http_status', 'reason', 'received_at'])
        .where('workspace_id', '=', workspaceId)
        .where('connection_id', '=', connectionId)
        .orderBy('received_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map((row) => ({ id: row.id, httpStatus: Number(row.http_status), reason: row.reason, receivedAt: Number(row.received_at) }));
    },
  };
}

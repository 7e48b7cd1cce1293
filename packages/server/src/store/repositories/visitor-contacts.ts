/** What the widget's identify and track calls write about a visitor's contact. */
import type { Kysely } from 'kysely';
import type { PaginatedResult } from '@switchboard/core';
import type { DB } from '../schema.js';
import { monotonicNow } from '../clock.js';
import { randomBase62 } from '../ids.js';
import { paginate } from './paginate.js';

/** The newest events kept per contact: older ones are dropped as new ones arrive. */
export const CONTACT_EVENTS_KEPT = 1000;
/** Browsers linked per verified user: a new one past this unlinks the one linked longest ago. */
const VISITOR_TOKENS_KEPT = 50;

export interface ContactEvent {
  id: string;
  contactId: string;
  webDeploymentId: string | null;
  name: string;
  data: Record<string, string | number | boolean | null> | null;
  createdAt: number;
}

export function visitorContactsRepository(db: Kysely<DB>, workspaceId: string) {
  return {
    async externalIdOf(contactId: string): Promise<string | null | undefined> {
      const row = await db.selectFrom('contacts').select('external_id').where('workspace_id', '=', workspaceId).where('id', '=', contactId).executeTakeFirst();
      return row?.external_id;
    },
    /** Another browser of a verified user: its visitor token names the user's contact. */
    async addVisitorToken(tokenHash: string, contactId: string, webDeploymentId: string): Promise<void> {
      await db.insertInto('contact_visitor_tokens').values({ token_hash: tokenHash, contact_id: contactId, web_deployment_id: webDeploymentId, created_at: monotonicNow() }).execute();
      // A browser that keeps no storage identifies anew on every page: its old tokens must not pile up.
      const oldest = await db
        .selectFrom('contact_visitor_tokens')
        .select('created_at')
        .where('contact_id', '=', contactId)
        .orderBy('created_at', 'desc')
        .limit(1)
        .offset(VISITOR_TOKENS_KEPT)
        .executeTakeFirst();
      if (oldest) await db.deleteFrom('contact_visitor_tokens').where('contact_id', '=', contactId).where('created_at', '<=', oldest.created_at).execute();
    },
    /** Hands a conversation to another contact (an anonymous visitor's chat, once they identify). */
    async moveConversation(conversationId: string, contactId: string): Promise<void> {
      await db.updateTable('conversations').set({ contact_id: contactId, updated_at: monotonicNow() }).where('workspace_id', '=', workspaceId).where('id', '=', conversationId).execute();
    },
    /** Sets the display name and merges attributes (null removes one). */
    async setDetails(contactId: string, details: { displayName?: string | undefined; attributes?: Record<string, string | null> }): Promise<void> {
      const row = await db.selectFrom('contacts').select('attributes').where('workspace_id', '=', workspaceId).where('id', '=', contactId).executeTakeFirst();
      if (!row) return;
      const merged: Record<string, string> = row.attributes ? (JSON.parse(row.attributes) as Record<string, string>) : {};
      for (const [name, value] of Object.entries(details.attributes ?? {})) {
        if (value === null) delete merged[name];
        else merged[name] = value;
      }
      await db
        .updateTable('contacts')
        .set({ attributes: JSON.stringify(merged), last_seen_at: Date.now(), ...(details.displayName !== undefined && { display_name: details.displayName }) })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', contactId)
        .execute();
    },
    async addEvent(contactId: string, webDeploymentId: string | null, name: string, data: ContactEvent['data']): Promise<ContactEvent> {
      const event: ContactEvent = { id: `cev_${randomBase62(16)}`, contactId, webDeploymentId, name, data, createdAt: monotonicNow() };
      await db
        .insertInto('contact_events')
        .values({
          id: event.id,
          workspace_id: workspaceId,
          contact_id: contactId,
          web_deployment_id: webDeploymentId,
          name,
          data: data ? JSON.stringify(data) : null,
          created_at: event.createdAt,
        })
        .execute();
      const oldest = await db
        .selectFrom('contact_events')
        .select('created_at')
        .where('contact_id', '=', contactId)
        .orderBy('created_at', 'desc')
        .limit(1)
        .offset(CONTACT_EVENTS_KEPT)
        .executeTakeFirst();
      if (oldest) await db.deleteFrom('contact_events').where('contact_id', '=', contactId).where('created_at', '<=', oldest.created_at).execute();
      return event;
    },
    listEvents(contactId: string, page: number, pageSize: number): Promise<PaginatedResult<ContactEvent>> {
      const query = db.selectFrom('contact_events').where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId);
      return paginate(
        query,
        page,
        pageSize,
        (q) => q.selectAll(),
        (row) => ({
          id: row.id,
          contactId: row.contact_id,
          webDeploymentId: row.web_deployment_id,
          name: row.name,
          data: row.data ? (JSON.parse(row.data) as ContactEvent['data']) : null,
          createdAt: Number(row.created_at),
        }),
      );
    },
  };
}

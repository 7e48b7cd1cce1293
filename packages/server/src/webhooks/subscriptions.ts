/**
 * Webhook subscriptions: where a workspace wants its events POSTed, and which ones.
 *
 * The signing secret (`whsec_` + base64 of 32 random bytes) is sealed with the SecretBox under
 * the context `webhook:<id>`, so a sealed value copied into another row does not open. It is shown
 * once, in the answer that issued it (create, rotate-secret); every read shows a mask and a
 * fingerprint, computed by opening it.
 *
 * Storage of `events` (the table has no description column, and this module adds no migration):
 * a JSON array of event types, e.g. `["message.created"]` or `["*"]`; when the subscription has a
 * description, a JSON object `{"events": [...], "description": "..."}`. Both forms are read.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import {
  WEBHOOK_ALL_EVENTS,
  type IssuedWebhookSubscription,
  type PaginatedResult,
  type ParsedWebhookSubscriptionRequest,
  type ParsedWebhookSubscriptionUpdate,
  type WebhookEventFilter,
  type WebhookSubscription,
} from '@switchboard/core';
import type { DB, WebhookSubscriptionsTable } from '../store/schema.js';
import { monotonicNow } from '../store/clock.js';
import { newId } from '../store/ids.js';
import { paginate } from '../store/repositories/paginate.js';
import { SecretBox } from '../secrets/secret-box.js';
import { notFound } from '../http/errors.js';
import type { EgressPolicy } from '../egress/policy.js';
import { assertTargetsAllowed } from '../egress/configured-targets.js';

export const WEBHOOK_SUBSCRIPTION_NOT_FOUND = 'Webhook subscription not found';

/** The sealing context of a subscription's signing secret. */
export const webhookSecretContext = (id: string) => `webhook:${id}`;

/** A new Standard Webhooks signing secret: `whsec_` + base64 of 32 random bytes. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** A subscription as stored, its secret still sealed. */
export interface WebhookSubscriptionRecord {
  id: string;
  workspaceId: string;
  url: string;
  events: WebhookEventFilter[];
  description: string | null;
  active: boolean;
  secretSealed: string;
  createdAt: number;
  updatedAt: number;
}

/** The `events` column: see the module comment. */
export function encodeSubscriptionEvents(events: WebhookEventFilter[], description: string | null): string {
  return description ? JSON.stringify({ events, description }) : JSON.stringify(events);
}

export function decodeSubscriptionEvents(text: string): { events: WebhookEventFilter[]; description: string | null } {
  const parsed = JSON.parse(text) as unknown;
  if (Array.isArray(parsed)) return { events: parsed as WebhookEventFilter[], description: null };
  const object = (parsed ?? {}) as { events?: unknown; description?: unknown };
  return {
    events: Array.isArray(object.events) ? (object.events as WebhookEventFilter[]) : [],
    description: typeof object.description === 'string' ? object.description : null,
  };
}

/** Whether a subscription listening to `events` receives an event of `type`. */
export function listensTo(events: readonly string[], type: string): boolean {
  return events.includes(WEBHOOK_ALL_EVENTS) || events.includes(type);
}

export function toSubscriptionRecord(row: Selectable<WebhookSubscriptionsTable>): WebhookSubscriptionRecord {
  const { events, description } = decodeSubscriptionEvents(row.events);
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    url: row.url,
    events,
    description,
    active: Number(row.active) === 1,
    secretSealed: row.secret_sealed,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** Looks a subscription up by id alone (the dispatcher knows the workspace from the outbox row, and checks it). */
export async function findWebhookSubscription(db: Kysely<DB>, id: string): Promise<WebhookSubscriptionRecord | undefined> {
  const row = await db.selectFrom('webhook_subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toSubscriptionRecord(row);
}

/** Opens the signing secret of a subscription. Throws SecretBoxError when it cannot be opened. */
export function openWebhookSecret(box: SecretBox, record: Pick<WebhookSubscriptionRecord, 'id' | 'secretSealed'>): string {
  return box.decrypt(record.secretSealed, webhookSecretContext(record.id));
}

/** Subscriptions of one workspace; no id of another workspace resolves. */
export function webhookSubscriptionsService(db: Kysely<DB>, box: SecretBox, egress: EgressPolicy) {
  const scoped = (workspaceId: string, executor: Kysely<DB> = db) =>
    executor.selectFrom('webhook_subscriptions').where('workspace_id', '=', workspaceId);

  function view(record: WebhookSubscriptionRecord): WebhookSubscription {
    const secret = openWebhookSecret(box, record);
    return {
      id: record.id,
      url: record.url,
      events: record.events,
      description: record.description,
      active: record.active,
      secretMask: SecretBox.mask(secret),
      secretFingerprint: box.fingerprint(secret),
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
    };
  }

  function issued(record: WebhookSubscriptionRecord, secret: string): IssuedWebhookSubscription {
    return { ...view(record), secret };
  }

  async function requireRecord(workspaceId: string, id: string, executor: Kysely<DB> = db): Promise<WebhookSubscriptionRecord> {
    const row = await scoped(workspaceId, executor).selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound(WEBHOOK_SUBSCRIPTION_NOT_FOUND, { id });
    return toSubscriptionRecord(row);
  }

  return {
    view,
    requireRecord,

    /** Creates an active subscription; the answer is the only one that shows its secret. */
    async create(workspaceId: string, request: ParsedWebhookSubscriptionRequest): Promise<IssuedWebhookSubscription> {
      assertTargetsAllowed(egress, [{ field: 'url', value: request.url }]);
      const id = newId('webhookSubscription');
      const secret = newWebhookSecret();
      const now = monotonicNow();
      const row: Selectable<WebhookSubscriptionsTable> = {
        id,
        workspace_id: workspaceId,
        url: request.url,
        events: encodeSubscriptionEvents(request.events, request.description || null),
        secret_sealed: box.encrypt(secret, webhookSecretContext(id)),
        active: 1,
        created_at: now,
        updated_at: now,
      };
      await db.insertInto('webhook_subscriptions').values(row).execute();
      return issued(toSubscriptionRecord(row), secret);
    },

    async get(workspaceId: string, id: string): Promise<WebhookSubscription> {
      return view(await requireRecord(workspaceId, id));
    },

    async list(workspaceId: string, page: number, pageSize: number): Promise<PaginatedResult<WebhookSubscription>> {
      return paginate(scoped(workspaceId), page, pageSize, (q) => q.selectAll(), (row) => view(toSubscriptionRecord(row)));
    },

    async update(workspaceId: string, id: string, patch: ParsedWebhookSubscriptionUpdate): Promise<WebhookSubscription> {
      assertTargetsAllowed(egress, [{ field: 'url', value: patch.url }]);
      const record = await requireRecord(workspaceId, id);
      const events = patch.events ?? record.events;
      const description = patch.description === undefined ? record.description : patch.description || null;
      const updated: WebhookSubscriptionRecord = {
        ...record,
        url: patch.url ?? record.url,
        events,
        description,
        active: patch.active ?? record.active,
        updatedAt: Math.max(monotonicNow(), record.updatedAt),
      };
      await db
        .updateTable('webhook_subscriptions')
        .set({
          url: updated.url,
          events: encodeSubscriptionEvents(events, description),
          active: updated.active ? 1 : 0,
          updated_at: updated.updatedAt,
        })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .execute();
      return view(updated);
    },

    /** Issues a new signing secret, shown in this answer only; the old one stops signing at once (queued retries use the new one). */
    async rotateSecret(workspaceId: string, id: string): Promise<IssuedWebhookSubscription> {
      const record = await requireRecord(workspaceId, id);
      const secret = newWebhookSecret();
      const updated: WebhookSubscriptionRecord = {
        ...record,
        secretSealed: box.encrypt(secret, webhookSecretContext(id)),
        updatedAt: Math.max(monotonicNow(), record.updatedAt),
      };
      await db
        .updateTable('webhook_subscriptions')
        .set({ secret_sealed: updated.secretSealed, updated_at: updated.updatedAt })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .execute();
      return issued(updated, secret);
    },

    /** Deletes the subscription; events still queued for it fail without being sent. */
    async delete(workspaceId: string, id: string): Promise<true> {
      const result = await db.deleteFrom('webhook_subscriptions').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) throw notFound(WEBHOOK_SUBSCRIPTION_NOT_FOUND, { id });
      return true;
    },
  };
}
export type WebhookSubscriptionsService = ReturnType<typeof webhookSubscriptionsService>;

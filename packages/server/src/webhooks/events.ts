/**
 * Emitting events for operators' webhook subscriptions, through the outbox.
 *
 * `emitEvent` runs inside the caller's transaction: the outbox rows commit with the change they
 * describe, or not at all (a rolled-back transaction emits nothing). One event gets one id
 * (`wev_…`), and each subscription that listens to its type gets one outbox row of kind 'event'
 * whose payload carries that id: it is the `webhook-id` of every attempt to every receiver, so a
 * receiver drops the duplicates a retry (or a lost acknowledgement) produces.
 *
 * What a subscription receives (see sender.ts):
 *
 *   POST <url>
 *   webhook-id: wev_…   webhook-timestamp: <unix s>   webhook-signature: v1,<base64>
 *   { "id": "wev_…", "type": "message.created", "createdAt": <epoch ms>, "data": { … } }
 */
import type { Kysely } from 'kysely';
import { WEBHOOK_EVENT_TYPES, WEBHOOK_TEST_EVENT, type WebhookEventType } from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { newId } from '../store/ids.js';
import { fixedSql, runFixed } from '../store/fixed-sql.js';
import { deliveriesRepository } from '../store/repositories/deliveries.js';
import { decodeSubscriptionEvents, listensTo } from './subscriptions.js';
import { workspaceEventsRepository, type OperatorEventType } from '../events/workspace-events.js';

/** Attempts of one event delivery before it is dead-lettered (the outbox default). */
export const WEBHOOK_EVENT_MAX_ATTEMPTS = 8;

/** The payload of an outbox row of kind 'event'. */
export interface WebhookEventPayload {
  subscriptionId: string;
  eventId: string;
  type: WebhookEventType | typeof WEBHOOK_TEST_EVENT;
  /** Epoch ms: the body's `createdAt`. */
  occurredAt: number;
  data: object;
}

export interface EmitOptions {
  /** Attempts before a delivery is dead-lettered; WEBHOOK_EVENT_MAX_ATTEMPTS unless given. */
  maxAttempts?: number;
  /** When the event happened (epoch ms); now unless given. */
  occurredAt?: number;
}

const text = (...values: unknown[]): string => (values.find((v) => typeof v === 'string' && v.length > 0) as string | undefined) ?? '';

/**
 * The channel, conversation and message an event is about, for the outbox row's columns: from
 * `channelId` / `conversationId` / `messageId` in `data`, or from its `conversation`, `message`
 * or `delivery` object; '' when absent.
 */
export function eventReferences(data: object): { channelId: string; conversationId: string; messageId: string } {
  const d = data as Record<string, unknown>;
  const nested = (key: string) => (d[key] !== null && typeof d[key] === 'object' ? (d[key] as Record<string, unknown>) : {});
  const conversation = nested('conversation');
  const message = nested('message');
  const delivery = nested('delivery');
  return {
    channelId: text(d.channelId, conversation.channelId, message.channelId, delivery.channelId),
    conversationId: text(d.conversationId, conversation.id, message.conversationId, delivery.conversationId),
    messageId: text(d.messageId, message.id, delivery.messageId),
  };
}

async function queue(
  trx: Kysely<DB>,
  workspaceId: string,
  subscriptionIds: string[],
  event: Omit<WebhookEventPayload, 'subscriptionId'>,
  maxAttempts: number,
): Promise<string[]> {
  const refs = eventReferences(event.data);
  const outbox = deliveriesRepository(trx);
  const ids: string[] = [];
  for (const subscriptionId of subscriptionIds) {
    const payload: WebhookEventPayload = { subscriptionId, ...event };
    ids.push(
      await outbox.insert({
        kind: 'event',
        workspaceId,
        connectionId: subscriptionId,
        channelId: refs.channelId,
        conversationId: refs.conversationId,
        messageId: refs.messageId,
        payload,
        maxAttempts,
      }),
    );
  }
  return ids;
}

/**
 * Records one event in the workspace's event log (GET /v1/events), and queues it for every
 * active subscription of the workspace that listens to `type` (or to '*'), inside the caller's
 * transaction `trx`. Types only the event stream carries (conversation.updated, …) go to no
 * subscription. Returns how many deliveries were queued (0 when nobody listens). After the
 * transaction commits, kick the dispatcher to send them at once (otherwise its next poll does)
 * and wake the workspace's event streams.
 */
export async function emitEvent(
  trx: Kysely<DB>,
  workspaceId: string,
  type: OperatorEventType,
  data: object,
  options: EmitOptions = {},
): Promise<number> {
  const occurredAt = options.occurredAt ?? Date.now();
  await workspaceEventsRepository(trx).append(workspaceId, type, data, occurredAt);
  return queueForSubscribers(trx, workspaceId, [{ type, data }], occurredAt, options);
}

/** `emitEvent` for several events of one workspace, in order: one insert into the log, one read of the subscriptions. */
export async function emitEvents(
  trx: Kysely<DB>,
  workspaceId: string,
  events: readonly { type: OperatorEventType; data: object }[],
  options: EmitOptions = {},
): Promise<number> {
  const occurredAt = options.occurredAt ?? Date.now();
  await workspaceEventsRepository(trx).appendMany(workspaceId, events, occurredAt);
  return queueForSubscribers(trx, workspaceId, events, occurredAt, options);
}

/** Read for every message's events: a fixed text (store/fixed-sql.ts). */
const ACTIVE_SUBSCRIPTIONS = fixedSql('select "id", "events" from "webhook_subscriptions" where "workspace_id" = ? and "active" = ? order by "created_at", "id"');

async function queueForSubscribers(
  trx: Kysely<DB>,
  workspaceId: string,
  events: readonly { type: OperatorEventType; data: object }[],
  occurredAt: number,
  options: EmitOptions,
): Promise<number> {
  const webhookEvents = events.filter((e) => (WEBHOOK_EVENT_TYPES as readonly string[]).includes(e.type));
  if (webhookEvents.length === 0) return 0;
  const { rows: subscriptions } = await runFixed<{ id: string; events: string }>(trx, ACTIVE_SUBSCRIPTIONS, [workspaceId, 1]);
  let queued = 0;
  for (const { type, data } of webhookEvents) {
    const listening = subscriptions.filter((s) => listensTo(decodeSubscriptionEvents(s.events).events, type as WebhookEventType)).map((s) => s.id);
    if (listening.length === 0) continue;
    const event = { eventId: newId('webhookEvent'), type: type as WebhookEventType, occurredAt, data };
    await queue(trx, workspaceId, listening, event, options.maxAttempts ?? WEBHOOK_EVENT_MAX_ATTEMPTS);
    queued += listening.length;
  }
  return queued;
}

/** Queues a `webhook.test` event for one subscription only (whatever it listens to). */
export async function queueTestEvent(
  trx: Kysely<DB>,
  workspaceId: string,
  subscriptionId: string,
  options: EmitOptions = {},
): Promise<{ eventId: string; deliveryId: string }> {
  const eventId = newId('webhookEvent');
  const occurredAt = options.occurredAt ?? Date.now();
  const data = { subscriptionId, message: 'A test event from Switchboard: your endpoint receives and verifies webhooks.' };
  const [deliveryId] = await queue(trx, workspaceId, [subscriptionId], { eventId, type: WEBHOOK_TEST_EVENT, occurredAt, data }, options.maxAttempts ?? WEBHOOK_EVENT_MAX_ATTEMPTS);
  return { eventId, deliveryId: deliveryId! };
}

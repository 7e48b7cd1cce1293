import { z } from 'zod';
import { httpUrlSchema } from './common.js';

/**
 * Events for operators' systems: webhook subscriptions receive these, signed with Standard
 * Webhooks, through the outbox (with retries). Every attempt of one event, to every
 * subscription, carries the same `webhook-id` (the event id, `wev_…`): receivers drop duplicates on it.
 */
export const WEBHOOK_EVENT_TYPES = ['conversation.created', 'message.created', 'handoff.requested', 'handoff.accepted', 'delivery.failed'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Subscribes to every event type, present and future. Listed alone. */
export const WEBHOOK_ALL_EVENTS = '*';
/** Sent by `POST /v1/webhooks/{id}/test` to one subscription only; nobody subscribes to it. */
export const WEBHOOK_TEST_EVENT = 'webhook.test';

export type WebhookEventFilter = WebhookEventType | typeof WEBHOOK_ALL_EVENTS;

const EVENT_RULE = `must be one of ${WEBHOOK_EVENT_TYPES.join(', ')}, or '*' for all`;

const webhookEvents = z
  .array(z.enum([...WEBHOOK_EVENT_TYPES, WEBHOOK_ALL_EVENTS], { error: (issue) => (issue.input === undefined ? 'Required' : EVENT_RULE) }), {
    error: (issue) => (issue.input === undefined ? 'Required' : `must be an array of event types: ${WEBHOOK_EVENT_TYPES.join(', ')}, or ['*']`),
  })
  .min(1, `must list at least one event type (${WEBHOOK_EVENT_TYPES.join(', ')}), or '*' for all`)
  .max(WEBHOOK_EVENT_TYPES.length + 1)
  .superRefine((events, ctx) => {
    if (events.includes(WEBHOOK_ALL_EVENTS) && events.length > 1) {
      ctx.addIssue({ code: 'custom', message: "'*' already subscribes to every event: list it alone" });
    }
  })
  /** Each type once, in the order given. */
  .transform((events): WebhookEventFilter[] => [...new Set(events)]);

const description = z.string().trim().max(500, 'must be at most 500 characters');

export const webhookSubscriptionRequestSchema = z.strictObject({
  url: httpUrlSchema,
  events: webhookEvents,
  description: description.optional(),
});
export type WebhookSubscriptionRequest = z.input<typeof webhookSubscriptionRequestSchema>;
export type ParsedWebhookSubscriptionRequest = z.output<typeof webhookSubscriptionRequestSchema>;

export const webhookSubscriptionUpdateSchema = z.strictObject({
  url: httpUrlSchema.optional(),
  events: webhookEvents.optional(),
  /** An inactive subscription receives nothing; events already queued for it fail. */
  active: z.boolean({ error: 'must be true or false' }).optional(),
  /** null clears it. */
  description: description.nullable().optional(),
});
export type WebhookSubscriptionUpdateRequest = z.input<typeof webhookSubscriptionUpdateSchema>;
export type ParsedWebhookSubscriptionUpdate = z.output<typeof webhookSubscriptionUpdateSchema>;

/** A subscription as every read shows it: the signing secret only as a mask and a fingerprint. */
export interface WebhookSubscription {
  id: string;
  url: string;
  events: WebhookEventFilter[];
  description: string | null;
  active: boolean;
  /** e.g. `whsec_…abcd` */
  secretMask: string;
  /** 16 hex characters of an HMAC-SHA256 of the secret under a key derived from the master key. */
  secretFingerprint: string;
  createdAt: number;
  updatedAt: number;
}

/** The answer of create and rotate-secret: the only time the signing secret is shown. */
export interface IssuedWebhookSubscription extends WebhookSubscription {
  /** `whsec_…`: verify deliveries with it (any Standard Webhooks library). Never shown again. */
  secret: string;
}

/** The JSON body POSTed to a subscription. `id` is also the `webhook-id` header. */
export interface WebhookEvent<T = Record<string, unknown>> {
  /** `wev_…`: the same on every attempt and for every subscription that receives this event. */
  id: string;
  type: WebhookEventType | typeof WEBHOOK_TEST_EVENT;
  /** When the event happened (epoch ms), not when this attempt was made. */
  createdAt: number;
  data: T;
}

/** The answer of `POST /v1/webhooks/{id}/test`. */
export interface WebhookTestResult {
  eventId: string;
  deliveryId: string;
}

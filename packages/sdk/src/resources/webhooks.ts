import {
  webhookSubscriptionRequestSchema,
  webhookSubscriptionUpdateSchema,
  type IssuedWebhookSubscription,
  type PaginatedResult,
  type WebhookSubscription,
  type WebhookSubscriptionRequest,
  type WebhookSubscriptionUpdateRequest,
  type WebhookTestResult,
} from '@switchboard/core';
import { apiPath, type HttpClient } from '../http.js';
import { paginationQuery, type PaginationParams } from '../pagination.js';
import { assertValid, requireId } from '../validation.js';

/**
 * Webhook subscriptions: URLs of your systems that receive the workspace's events
 * (`conversation.created`, `message.created`, `handoff.requested`, `handoff.accepted`,
 * `delivery.failed`, or `['*']` for all). Each event is POSTed as JSON `{ id, type, createdAt, data }`,
 * signed with Standard Webhooks, and retried with backoff; `webhook-id` is the event id, the same
 * on every retry, so drop duplicates on it.
 */
export class WebhooksResource {
  readonly #http: HttpClient;

  constructor(http: HttpClient) {
    this.#http = http;
  }

  /**
   * Subscribes `url` to `events`. The result's `secret` (`whsec_…`) verifies the deliveries with
   * any Standard Webhooks library. It is shown **only in this response**: store it now. Later
   * reads show only `secretMask` and `secretFingerprint`; a lost secret can only be replaced
   * with {@link rotateSecret}.
   * @throws ValidationError before sending when a rule is broken (a relative URL, an unknown event type, `'*'` with others…).
   */
  async create(request: WebhookSubscriptionRequest): Promise<IssuedWebhookSubscription> {
    assertValid(webhookSubscriptionRequestSchema, request);
    return this.#http.request({ method: 'POST', path: '/webhooks', body: request });
  }

  /** Lists subscriptions one page at a time (secrets masked). */
  async list(params?: PaginationParams): Promise<PaginatedResult<WebhookSubscription>> {
    return this.#http.requestPage({ method: 'GET', path: '/webhooks', query: paginationQuery(params) });
  }

  /** Fetches a subscription by id (secret masked). @throws NotFoundError when it does not exist. */
  async get(id: string): Promise<WebhookSubscription> {
    requireId(id);
    return this.#http.request({ method: 'GET', path: apiPath`/webhooks/${id}` });
  }

  /**
   * Changes the URL, events, description or `active` flag of subscription `id`; fields left out
   * keep their values, and `description: null` clears it. Retries of events already queued go to
   * the new URL. `active: false` pauses it: events queued for it then fail without being sent.
   * The secret stays: use {@link rotateSecret} to change it.
   * @throws ValidationError before sending when a rule is broken.
   * @throws NotFoundError when the subscription does not exist.
   */
  async update(id: string, request: WebhookSubscriptionUpdateRequest): Promise<WebhookSubscription> {
    requireId(id);
    assertValid(webhookSubscriptionUpdateSchema, request);
    return this.#http.request({ method: 'PATCH', path: apiPath`/webhooks/${id}`, body: request });
  }

  /** Deletes a subscription; events still queued for it fail without being sent. @returns true once deleted. */
  async delete(id: string): Promise<boolean> {
    requireId(id);
    const deleted = await this.#http.request<boolean | undefined>({ method: 'DELETE', path: apiPath`/webhooks/${id}` });
    return deleted !== false;
  }

  /**
   * Issues a new signing secret for subscription `id`. Like {@link create}, the result's `secret`
   * is shown **only in this response**. The old secret stops signing at once, retries of queued
   * events included: update the receiver right after.
   * @throws NotFoundError when the subscription does not exist.
   */
  async rotateSecret(id: string): Promise<IssuedWebhookSubscription> {
    requireId(id);
    return this.#http.request({ method: 'POST', path: apiPath`/webhooks/${id}/rotate-secret` });
  }

  /**
   * Queues a `webhook.test` event for subscription `id` only, whatever events it listens to, and
   * delivers it like any other. Follow it with `client.deliveries.get(result.deliveryId)`.
   * @throws NotFoundError when the subscription does not exist.
   * @throws ConflictError when the subscription is inactive.
   */
  async test(id: string): Promise<WebhookTestResult> {
    requireId(id);
    return this.#http.request({ method: 'POST', path: apiPath`/webhooks/${id}/test` });
  }
}

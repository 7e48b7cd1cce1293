import { DELIVERY_STATUSES, ID_RULE, isWellFormedId, type Delivery, type DeliveryStatus, type FieldIssue, type PaginatedResult } from '@switchboard/core';
import { ValidationError } from '../errors.js';
import { apiPath, type HttpClient } from '../http.js';
import { paginationQuery, type PaginationParams } from '../pagination.js';
import { requireId } from '../validation.js';

/** Page selection for {@link DeliveriesResource.list}, optionally narrowed to one status and one target. */
export interface DeliveryListParams extends PaginationParams {
  /** `pending`, `sending`, `sent` or `dead`; `dead` gives the dead-letter list. */
  status?: DeliveryStatus;
  /** Only this webhook subscription's event deliveries (`whk_…`). Not with `connectionId`. */
  subscriptionId?: string;
  /** Only the replies sent through this provider connection (`conn_…`). Not with `subscriptionId`. */
  connectionId?: string;
}

/** The rules the server applies to the list's filters, checked before sending. */
function filterIssues(params: Pick<DeliveryListParams, 'status' | 'subscriptionId' | 'connectionId'>): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (params.status !== undefined && !(DELIVERY_STATUSES as readonly unknown[]).includes(params.status)) {
    issues.push({ field: 'status', message: `status must be one of ${DELIVERY_STATUSES.join(', ')}` });
  }
  for (const field of ['subscriptionId', 'connectionId'] as const) {
    const value: unknown = params[field];
    if (value !== undefined && !(typeof value === 'string' && isWellFormedId(value))) issues.push({ field, message: ID_RULE });
  }
  if (params.subscriptionId !== undefined && params.connectionId !== undefined) {
    issues.push({ field: 'connectionId', message: 'cannot be combined with subscriptionId: a delivery goes to a webhook subscription or to a provider connection' });
  }
  return issues;
}

/**
 * Deliveries: the outbound messages Switchboard sends, agent replies through a connection's
 * provider and events to webhook subscriptions, each retried with backoff until it is `sent` or,
 * after its last attempt, `dead`.
 */
export class DeliveriesResource {
  readonly #http: HttpClient;

  constructor(http: HttpClient) {
    this.#http = http;
  }

  /**
   * Lists deliveries one page at a time, optionally only those with `status`, and only one
   * webhook subscription's (`subscriptionId`) or one connection's (`connectionId`); the page's
   * `totalCount` counts what the filters let through.
   * `list({ status: 'dead' })` is the dead-letter list: deliveries that failed every attempt,
   * each with its `lastError`.
   * @throws ValidationError before sending when a filter or the page selection is not valid.
   */
  async list(params: DeliveryListParams = {}): Promise<PaginatedResult<Delivery>> {
    const { status, subscriptionId, connectionId, ...pagination } = params;
    const issues = filterIssues({ status, subscriptionId, connectionId });
    if (issues.length > 0) throw new ValidationError(issues);
    return this.#http.requestPage({
      method: 'GET',
      path: '/deliveries',
      query: { ...paginationQuery(pagination), status, subscriptionId, connectionId },
    });
  }

  /** Fetches a delivery by id. @throws NotFoundError when it does not exist. */
  async get(id: string): Promise<Delivery> {
    requireId(id);
    return this.#http.request({ method: 'GET', path: apiPath`/deliveries/${id}` });
  }

  /**
   * Sends a dead delivery again, with a fresh set of attempts starting now. The result is the
   * delivery as it stands right after: usually `pending`, possibly already `sending` or `sent`.
   * @throws NotFoundError when the delivery does not exist.
   * @throws ConflictError when it is not dead: only dead deliveries can be retried.
   */
  async retry(id: string): Promise<Delivery> {
    requireId(id);
    return this.#http.request({ method: 'POST', path: apiPath`/deliveries/${id}/retry` });
  }
}

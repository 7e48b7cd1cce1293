import { DELIVERY_STATUSES, type Delivery, type DeliveryStatus, type PaginatedResult } from '@switchboard/core';
import { ValidationError } from '../errors.js';
import { apiPath, type HttpClient } from '../http.js';
import { paginationQuery, type PaginationParams } from '../pagination.js';
import { requireId } from '../validation.js';

/** Page selection for {@link DeliveriesResource.list}, optionally narrowed to one status. */
export interface DeliveryListParams extends PaginationParams {
  /** `pending`, `sending`, `sent` or `dead`; `dead` gives the dead-letter list. */
  status?: DeliveryStatus;
}

/**
 * Deliveries: the outbound messages (agent replies) Switchboard sends through a connection's
 * provider, each retried with backoff until it is `sent` or, after its last attempt, `dead`.
 */
export class DeliveriesResource {
  readonly #http: HttpClient;

  constructor(http: HttpClient) {
    this.#http = http;
  }

  /**
   * Lists deliveries one page at a time, optionally only those with `status`.
   * `list({ status: 'dead' })` is the dead-letter list: deliveries that failed every attempt,
   * each with its `lastError`.
   * @throws ValidationError before sending when `status` or the page selection is not valid.
   */
  async list(params: DeliveryListParams = {}): Promise<PaginatedResult<Delivery>> {
    const { status, ...pagination } = params;
    if (status !== undefined && !(DELIVERY_STATUSES as readonly unknown[]).includes(status)) {
      throw new ValidationError([{ field: 'status', message: `status must be one of ${DELIVERY_STATUSES.join(', ')}` }]);
    }
    return this.#http.requestPage({
      method: 'GET',
      path: '/deliveries',
      query: { ...paginationQuery(pagination), status },
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

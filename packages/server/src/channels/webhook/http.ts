/**
 * One outbound POST with a deadline, mapped to DeliveryError: network failures and timeouts retry,
 * 429/408/5xx retry (honouring Retry-After), other 4xx do not. Shared by the custom webhook and
 * voice gateway adapters, which both deliver to a URL the operator configured.
 */
import { DeliveryError, deliveryErrorFrom } from '../adapter.js';

export const DELIVERY_TIMEOUT_MS = 15_000;

export function requireHttpUrl(value: unknown, setting: string): URL {
  if (typeof value !== 'string' || value.length === 0) {
    throw new DeliveryError(`The connection has no ${setting} setting: nowhere to deliver`, { retryable: false });
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new DeliveryError(`The connection's ${setting} '${value.slice(0, 200)}' is not a URL`, { retryable: false });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DeliveryError(`The connection's ${setting} must be an http(s) URL`, { retryable: false });
  }
  return url;
}

export async function postForDelivery(
  fetchImpl: typeof fetch,
  url: URL,
  headers: Record<string, string>,
  body: string,
  what: string,
): Promise<Response> {
  let response: Response;
  try {
    response = await fetchImpl(url, {
      method: 'POST',
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new DeliveryError(`${what} could not be reached: ${reason}`, { retryable: true });
  }
  if (response.status >= 200 && response.status < 300) return response;
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel().catch(() => undefined);
    throw new DeliveryError(`${what} answered ${response.status} (a redirect): configure the final URL`, {
      retryable: false,
      status: response.status,
    });
  }
  throw await deliveryErrorFrom(response, what);
}

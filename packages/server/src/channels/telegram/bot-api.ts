/**
 * One request to the Bot API. Its URLs carry the bot token, so a failure never names the URL:
 * it says what was called and why it failed.
 */
import { DeliveryError } from '../adapter.js';

/** How long one Bot API call may take before it counts as a (retryable) network failure. */
export const TELEGRAM_TIMEOUT_MS = 15_000;

export interface BotApiAnswer {
  ok?: boolean;
  result?: Record<string, unknown>;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: unknown; migrate_to_chat_id?: unknown };
}

/** The response, or a retryable DeliveryError naming `what` when no answer came (within `timeoutMs`). */
export async function botApiFetch(fetchImpl: typeof fetch, url: string, init: RequestInit, what: string, timeoutMs = TELEGRAM_TIMEOUT_MS): Promise<Response> {
  try {
    return await fetchImpl(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const reason = error instanceof Error ? (error.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : error.message) : String(error);
    throw new DeliveryError(`${what} failed: ${reason}`, { retryable: true });
  }
}

/** The JSON answer of a Bot API method; a body that is not JSON becomes an answer that says so. */
export async function botApiAnswer(response: Response): Promise<BotApiAnswer> {
  const text = await response.text().catch(() => '');
  try {
    return JSON.parse(text) as BotApiAnswer;
  } catch {
    return { description: 'the answer is not JSON' };
  }
}

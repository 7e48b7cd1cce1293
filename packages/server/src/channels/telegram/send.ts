/**
 * Replies through the Bot API: `POST {apiBaseUrl}/bot{botToken}/sendMessage {chat_id, text}`.
 *
 * The Bot API accepts no idempotency key, so `message.idempotencyKey` cannot be passed on:
 * exactly-once rests on the outbox's claim protocol, and only an attempt whose answer is lost
 * in transit can be repeated.
 */
import { DeliveryError, retryAfterMs, type ConnectionContext, type DeliveryReceipt, type OutboundMessage } from '../adapter.js';
import { telegramApiRoot } from './settings.js';
import { botApiAnswer, botApiFetch, type BotApiAnswer } from './bot-api.js';

type ChatId = number | string;

function chatIdOf(message: OutboundMessage): ChatId {
  const fromContext = message.replyContext?.chatId;
  if (typeof fromContext === 'number' && Number.isSafeInteger(fromContext)) return fromContext;
  if (typeof fromContext === 'string' && fromContext.length > 0) return fromContext;
  return message.to.externalId;
}

async function call(fetchImpl: typeof fetch, url: string, payload: unknown, what: string): Promise<{ response: Response; answer: BotApiAnswer }> {
  const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) };
  const response = await botApiFetch(fetchImpl, url, init, what);
  return { response, answer: await botApiAnswer(response) };
}

function failure(response: Response, answer: BotApiAnswer, what: string): DeliveryError {
  const status = response.ok ? (answer.error_code ?? 502) : response.status;
  const retryable = status === 408 || status === 429 || status >= 500;
  const seconds = Number(answer.parameters?.retry_after);
  const wait = Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : retryAfterMs(response.headers.get('retry-after'));
  return new DeliveryError(`${what} answered ${status}: ${answer.description ?? 'no description'}`, {
    retryable,
    status,
    ...(wait !== undefined && { retryAfterMs: wait }),
  });
}

/**
 * Quick replies as a one-time reply keyboard, one button a row: a tap sends the label as the
 * user's own message (an inline keyboard would send a callback query instead, which is not a
 * message in the chat), and the keyboard folds away once used.
 */
function replyKeyboard(quickReplies: readonly string[] | undefined) {
  if (!quickReplies || quickReplies.length === 0) return undefined;
  return { keyboard: quickReplies.map((text) => [{ text }]), one_time_keyboard: true, resize_keyboard: true };
}

export async function sendTelegramMessage(
  message: OutboundMessage,
  connection: ConnectionContext,
  fetchImpl: typeof fetch = fetch,
): Promise<DeliveryReceipt> {
  const what = 'Telegram Bot API sendMessage';
  const token = connection.secrets.botToken;
  if (!token) throw new DeliveryError(`${what}: the connection has no botToken credential`, { retryable: false });
  const url = `${telegramApiRoot(connection)}/bot${token}/sendMessage`;
  let chatId = chatIdOf(message);
  const markup = replyKeyboard(message.quickReplies);
  const payload = (chat: ChatId) => ({ chat_id: chat, text: message.text, ...(markup && { reply_markup: markup }) });
  let { response, answer } = await call(fetchImpl, url, payload(chatId), what);
  // A group upgraded to a supergroup has a new id; the failed call sent nothing, so resend once to it.
  const migrated = answer.parameters?.migrate_to_chat_id;
  if (!response.ok && (typeof migrated === 'number' || typeof migrated === 'string') && migrated !== chatId) {
    chatId = migrated;
    ({ response, answer } = await call(fetchImpl, url, payload(chatId), what));
  }
  if (!response.ok || answer.ok === false) throw failure(response, answer, what);
  const id = answer.result?.message_id;
  return typeof id === 'number' || (typeof id === 'string' && id.length > 0) ? { providerMessageId: String(id) } : {};
}

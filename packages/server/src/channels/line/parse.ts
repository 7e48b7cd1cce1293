/**
 * LINE webhook bodies → InboundEvents: `{"destination", "events": [...]}`. Only text message
 * events in active mode become events; follow/unfollow/postback/unsend…, other message types,
 * and standby-mode events (another module channel has chat control) yield none, as does the
 * console's verify request (`"events": []`).
 *
 * - providerEventId = `webhookEventId` (stable across redeliveries)
 * - channelIdentifier = `destination` (the bot's user id, U + 32 hex)
 * - contact.externalId = where a reply must go: `source.userId` in a 1:1 chat, the `groupId` or
 *   `roomId` in a group chat or multi-person chat (push accepts all three)
 * - replyContext = `{ replyToken, isRedelivery, sourceType, userId?, quoteToken?, messageId }`
 */
import { InboundFormatError, type InboundEvent, type RawInbound } from '../adapter.js';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function parseLine(raw: RawInbound): InboundEvent[] {
  let payload: unknown;
  try {
    payload = JSON.parse(raw.body.toString('utf8'));
  } catch {
    throw new InboundFormatError('LINE webhook: the body is not JSON');
  }
  if (!isObject(payload)) throw new InboundFormatError('LINE webhook: the body must be a JSON object');
  if (!Array.isArray(payload.events)) throw new InboundFormatError('LINE webhook: "events" must be an array');
  const destination = str(payload.destination);
  if (payload.events.length === 0) return []; // the console's Verify request
  if (!destination) throw new InboundFormatError('LINE webhook: "destination" (the bot user id) is missing');

  const events: InboundEvent[] = [];
  for (const [index, event] of payload.events.entries()) {
    if (!isObject(event)) throw new InboundFormatError(`LINE webhook: events[${index}] is not an object`);
    if (event.type !== 'message' || event.mode === 'standby') continue;
    const message = event.message;
    if (!isObject(message)) throw new InboundFormatError(`LINE webhook: events[${index}].message is missing`);
    // An image sent through LINE (not an external URL) is fetched from the content endpoint by message id.
    const image = message.type === 'image' && (!isObject(message.contentProvider) || message.contentProvider.type === 'line');
    if (message.type !== 'text' && !image) continue;
    if (!image && typeof message.text !== 'string') throw new InboundFormatError(`LINE webhook: events[${index}].message.text is missing`);
    const source = isObject(event.source) ? event.source : {};
    const sourceType = str(source.type) ?? 'user';
    const userId = str(source.userId);
    const to = sourceType === 'group' ? str(source.groupId) : sourceType === 'room' ? str(source.roomId) : userId;
    if (!to) throw new InboundFormatError(`LINE webhook: events[${index}].source has no ${sourceType === 'user' ? 'userId' : `${sourceType}Id`}`);
    const messageId = str(message.id) ?? (typeof message.id === 'number' ? String(message.id) : undefined);
    const providerEventId = str(event.webhookEventId) ?? (messageId && `message:${messageId}`);
    if (!providerEventId) throw new InboundFormatError(`LINE webhook: events[${index}] has neither webhookEventId nor message.id`);
    const delivery = isObject(event.deliveryContext) ? event.deliveryContext : {};
    const replyToken = str(event.replyToken);
    const quoteToken = str(message.quoteToken);
    if (image && !messageId) throw new InboundFormatError(`LINE webhook: events[${index}].message.id is missing`);
    const imageName = image ? `image-${messageId!.replace(/[^A-Za-z0-9_-]/g, '')}.jpg` : undefined;
    events.push({
      providerEventId,
      channelIdentifier: destination,
      contact: { externalId: to },
      text: imageName ?? (message.text as string),
      ...(imageName && { media: [{ ref: messageId!, name: imageName, contentType: 'image/jpeg' }] }),
      replyContext: {
        ...(replyToken && { replyToken }),
        isRedelivery: delivery.isRedelivery === true,
        sourceType,
        ...(userId && { userId }),
        ...(quoteToken && { quoteToken }),
        ...(messageId && { messageId }),
        ...(typeof event.timestamp === 'number' && { timestamp: event.timestamp }),
      },
    });
  }
  return events;
}

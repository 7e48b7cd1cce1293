import { InboundFormatError, type InboundEvent, type RawInbound } from '../adapter.js';
import { param, requestParams, type TwilioParams } from './params.js';

export const WHATSAPP_PREFIX = 'whatsapp:';

/** Statuses of outbound messages (status callbacks); inbound ones are `receiving`/`received`. */
const OUTBOUND_STATUSES = new Set([
  'accepted',
  'scheduled',
  'canceled',
  'queued',
  'sending',
  'sent',
  'failed',
  'delivered',
  'undelivered',
  'partially_delivered',
  'read',
]);

/** `whatsapp:+15551234567` → `+15551234567`; other addresses unchanged. */
export function stripWhatsApp(address: string): string {
  return address.toLowerCase().startsWith(WHATSAPP_PREFIX) ? address.slice(WHATSAPP_PREFIX.length) : address;
}

export function isWhatsAppAddress(address: string | undefined): boolean {
  return typeof address === 'string' && address.toLowerCase().startsWith(WHATSAPP_PREFIX);
}

/** What Twilio puts in `replyContext` of an inbound message. */
export interface TwilioReplyContext {
  /** Deployment channel type the message belongs to. */
  channelType: 'sms' | 'whatsapp';
  /** `From` and `To` exactly as Twilio sent them (WhatsApp ones keep their `whatsapp:` prefix). */
  from: string;
  to: string;
  messageSid: string;
  accountSid?: string;
  messagingServiceSid?: string;
  /** WhatsApp id of the sender (digits of its number). */
  waId?: string;
  media?: { url: string; contentType?: string }[];
  location?: { latitude: string; longitude: string; address?: string; label?: string };
}

function mediaOf(params: TwilioParams): { url: string; contentType?: string }[] {
  const count = Number(param(params, 'NumMedia') ?? '0');
  const media: { url: string; contentType?: string }[] = [];
  for (let index = 0; Number.isInteger(count) && index < Math.min(count, 20); index += 1) {
    const url = param(params, `MediaUrl${index}`);
    if (!url) continue;
    const contentType = param(params, `MediaContentType${index}`);
    media.push({ url, ...(contentType && { contentType }) });
  }
  return media;
}

/**
 * Normalizes a Twilio Messaging webhook (SMS, MMS, WhatsApp).
 *
 * - Inbound message (has `Body`): one event. providerEventId = `MessageSid`; channelIdentifier = `To` as E.164
 *   (WhatsApp's `whatsapp:` prefix removed); contact = `From` likewise, `ProfileName` as displayName (WhatsApp).
 * - Status callbacks (`MessageStatus`, no `Body`) and Voice webhooks (`CallSid`, no `MessageSid`): no events —
 *   voice is answered synchronously with TwiML, see `voice.ts`.
 */
export function parseTwilioMessage(raw: RawInbound): InboundEvent[] {
  const params = requestParams(raw);
  const messageSid = param(params, 'MessageSid') ?? param(params, 'SmsMessageSid') ?? param(params, 'SmsSid');
  if (!messageSid) {
    if (param(params, 'CallSid')) return [];
    throw new InboundFormatError('Not a Twilio Messaging webhook: MessageSid is missing');
  }
  const body = param(params, 'Body');
  const status = param(params, 'MessageStatus') ?? param(params, 'SmsStatus');
  // Delivery receipts carry an outbound status and no Body; either one marks them.
  if (body === undefined || (status !== undefined && OUTBOUND_STATUSES.has(status))) return [];

  const from = param(params, 'From');
  const to = param(params, 'To');
  if (!from || !to) throw new InboundFormatError('Twilio message webhook without From or To');

  const whatsapp = isWhatsAppAddress(to) || isWhatsAppAddress(from);
  const media = mediaOf(params);
  const latitude = param(params, 'Latitude');
  const longitude = param(params, 'Longitude');
  let location: TwilioReplyContext['location'];
  if (latitude && longitude) {
    location = { latitude, longitude };
    const address = param(params, 'Address');
    const label = param(params, 'Label');
    if (address) location.address = address;
    if (label) location.label = label;
  }

  let text = body;
  if (text.trim() === '') {
    if (media.length > 0) text = media.map((item) => `[attachment: ${item.contentType ?? 'file'}] ${item.url}`).join('\n');
    else if (location) text = `[location: ${location.latitude},${location.longitude}${location.label ? ` ${location.label}` : ''}]`;
  }

  const replyContext: TwilioReplyContext = {
    channelType: whatsapp ? 'whatsapp' : 'sms',
    from,
    to,
    messageSid,
  };
  const accountSid = param(params, 'AccountSid');
  const messagingServiceSid = param(params, 'MessagingServiceSid');
  const waId = param(params, 'WaId');
  if (accountSid) replyContext.accountSid = accountSid;
  if (messagingServiceSid) replyContext.messagingServiceSid = messagingServiceSid;
  if (waId) replyContext.waId = waId;
  if (media.length > 0) replyContext.media = media;
  if (location) replyContext.location = location;

  const profileName = whatsapp ? param(params, 'ProfileName')?.trim() : undefined;
  return [
    {
      providerEventId: messageSid,
      channelIdentifier: stripWhatsApp(to),
      contact: { externalId: stripWhatsApp(from), ...(profileName && { displayName: profileName }) },
      text,
      replyContext: replyContext as unknown as Record<string, unknown>,
    },
  ];
}

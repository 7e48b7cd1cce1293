/**
 * WeChat Official Account messages → InboundEvents. Only text messages become events
 * (`MsgType` text); images, voice, locations, links and events (subscribe, menu clicks…) yield
 * none. providerEventId = MsgId (WeChat retries a message three times with the same MsgId),
 * channelIdentifier = ToUserName (the account's original id, gh_…), contact = FromUserName
 * (the user's OpenID).
 */
import { InboundFormatError, type ConnectionContext, type InboundEvent, type RawInbound } from '../adapter.js';
import { decodeAesKey, openMessage } from './crypto.js';
import { wechatSettings } from './settings.js';
import { parseXmlFields, XmlError } from './xml.js';

/** Parses XML fields, turning XML errors into InboundFormatError. */
export function xmlFields(xml: string, label: string): Record<string, string> {
  try {
    return parseXmlFields(xml);
  } catch (error) {
    if (error instanceof XmlError) throw new InboundFormatError(`${label}: the body is not valid WeChat XML: ${error.message}`);
    throw error;
  }
}

/** Decrypts an `<Encrypt>` payload into its message fields (InboundFormatError on failure). */
export function decryptedFields(encrypted: string, encodingAESKey: string | undefined, receiverId: string, label: string): Record<string, string> {
  if (!encodingAESKey) throw new InboundFormatError(`${label}: the message is encrypted but the connection has no encodingAESKey credential`);
  let xml: string;
  try {
    xml = openMessage(decodeAesKey(encodingAESKey), encrypted, receiverId);
  } catch (error) {
    throw new InboundFormatError(`${label}: the encrypted message could not be opened: ${(error as Error).message}`);
  }
  return xmlFields(xml, label);
}

/**
 * A text message's event, or undefined for anything else. Shared with WeCom (its messages have
 * the same fields, plus AgentID).
 */
export function textEvent(fields: Record<string, string>, label: string, replyContext: Record<string, unknown> = {}): InboundEvent | undefined {
  const type = fields.MsgType;
  if (type === undefined) throw new InboundFormatError(`${label}: the message has no <MsgType>`);
  if (type !== 'text') return undefined;
  const missing = ['ToUserName', 'FromUserName', 'MsgId', 'Content'].filter((name) => fields[name] === undefined || (name !== 'Content' && fields[name] === ''));
  if (missing.length > 0) throw new InboundFormatError(`${label}: the text message has no ${missing.map((n) => `<${n}>`).join(', ')}`);
  const createTime = Number(fields.CreateTime);
  return {
    providerEventId: fields.MsgId!,
    channelIdentifier: fields.ToUserName!,
    contact: { externalId: fields.FromUserName! },
    text: fields.Content!,
    replyContext: {
      ...(Number.isFinite(createTime) && fields.CreateTime !== '' && { createTime }),
      ...replyContext,
    },
  };
}

export function parseWeChat(raw: RawInbound, connection: ConnectionContext): InboundEvent[] {
  const label = 'WeChat message';
  const settings = wechatSettings(connection);
  let fields = xmlFields(raw.body.toString('utf8'), label);
  if (fields.Encrypt !== undefined) {
    fields = decryptedFields(fields.Encrypt, connection.secrets.encodingAESKey, settings.appId, label);
  } else if (settings.mode === 'safe') {
    throw new InboundFormatError(`${label}: the connection is in safe mode but the body is not encrypted`);
  }
  const event = textEvent(fields, label);
  return event ? [event] : [];
}

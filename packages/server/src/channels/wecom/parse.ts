/**
 * WeCom app messages → InboundEvents, after decryption. Text messages only:
 * providerEventId = MsgId, channelIdentifier = ToUserName (the corpId), contact = FromUserName
 * (the member's UserID), replyContext.agentId = AgentID. Events (enter_agent, subscribe…) and
 * other message types yield none.
 */
import { InboundFormatError, type ConnectionContext, type InboundEvent, type RawInbound } from '../adapter.js';
import { decryptedFields, textEvent, xmlFields } from '../wechat/parse.js';
import { wecomSettings } from './settings.js';

export function parseWeCom(raw: RawInbound, connection: ConnectionContext): InboundEvent[] {
  const label = 'WeCom message';
  const settings = wecomSettings(connection);
  const outer = xmlFields(raw.body.toString('utf8'), label);
  if (outer.Encrypt === undefined) throw new InboundFormatError(`${label}: the body has no <Encrypt> element`);
  const fields = decryptedFields(outer.Encrypt, connection.secrets.encodingAESKey, settings.corpId, label);
  const agentId = fields.AgentID ?? outer.AgentID;
  const event = textEvent(fields, label, agentId ? { agentId } : {});
  return event ? [event] : [];
}

/**
 * Authenticating WeCom callbacks. WeCom always encrypts, with the WeChat message crypto
 * (`../wechat/crypto.ts`): `msg_signature = sha1(sort([token, timestamp, nonce, Encrypt]))`,
 * AES-256-CBC under base64decode(EncodingAESKey + "="), plaintext ending with the corpId.
 */
import { InboundAuthError, type ConnectionContext, type HttpReply, type RawInbound } from '../adapter.js';
import { restorePlus } from '../wechat/crypto.js';
import { aesKeyOf, checkSignature, checkTimestamp, openOrRefuse, requireQuery, xmlFieldsOrUndefined } from '../wechat/verify.js';
import { callbackToken } from '../wechat/settings.js';
import { wecomSettings } from './settings.js';

function tokenOf(connection: ConnectionContext, label: string): string {
  const token = callbackToken(connection);
  if (!token) throw new InboundAuthError(403, `${label} refused: the connection has no token credential or inbound secret to check signatures with`);
  return token;
}

/**
 * The URL check WeCom sends when the callback URL is saved:
 * `GET ?msg_signature&timestamp&nonce&echostr` (echostr encrypted). Answers the decrypted echostr.
 */
export function wecomHandshake(raw: RawInbound, connection: ConnectionContext): HttpReply | undefined {
  if (raw.method !== 'GET' || raw.query.echostr === undefined) return undefined;
  const label = 'WeCom URL verification';
  const settings = wecomSettings(connection);
  const token = tokenOf(connection, label);
  const q = requireQuery(raw, ['msg_signature', 'timestamp', 'nonce', 'echostr'], label);
  const echostr = restorePlus(q.echostr!);
  checkTimestamp(q.timestamp!, raw.receivedAt, label);
  checkSignature(q.msg_signature!, [token, q.timestamp!, q.nonce!, echostr], label, 'msg_signature');
  const plain = openOrRefuse(aesKeyOf(connection, label), echostr, settings.corpId, label);
  return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' }, body: plain };
}

export function verifyWeCom(raw: RawInbound, connection: ConnectionContext): void {
  const label = 'WeCom webhook';
  const settings = wecomSettings(connection);
  const token = tokenOf(connection, label);
  const q = requireQuery(raw, ['msg_signature', 'timestamp', 'nonce'], label);
  checkTimestamp(q.timestamp!, raw.receivedAt, label);
  const encrypted = xmlFieldsOrUndefined(raw.body)?.Encrypt;
  if (!encrypted) throw new InboundAuthError(401, `${label} refused: the body has no <Encrypt> element to check msg_signature against`);
  checkSignature(q.msg_signature!, [token, q.timestamp!, q.nonce!, encrypted], label, 'msg_signature');
  openOrRefuse(aesKeyOf(connection, label), encrypted, settings.corpId, label);
}

/**
 * Passive replies: the XML a WeChat (or WeCom) callback may answer with inside its 5-second
 * window instead of `success`. Switchboard acknowledges with `success` and replies
 * asynchronously; these builders exist for a synchronous path (a fast agent answering in time).
 */
import { randomBytes } from 'node:crypto';
import { decodeAesKey, encryptMessage, sha1Signature } from './crypto.js';
import { buildXml } from './xml.js';

/** A text reply to `inbound`: ToUserName and FromUserName swapped, strings in CDATA (`]]>` split safely). */
export function passiveTextReply(
  inbound: { ToUserName: string; FromUserName: string },
  content: string,
  createTime: number = Math.floor(Date.now() / 1000),
): string {
  return buildXml({
    ToUserName: inbound.FromUserName,
    FromUserName: inbound.ToUserName,
    CreateTime: createTime,
    MsgType: 'text',
    Content: content,
  });
}

/**
 * The encrypted envelope of a passive reply for safe mode and WeCom:
 * `<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>`, with
 * MsgSignature = sha1(sort([token, timestamp, nonce, Encrypt])).
 */
export function encryptedReply(
  replyXml: string,
  options: { token: string; encodingAESKey: string; receiverId: string; timestamp?: number; nonce?: string; random?: Buffer },
): string {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = options.nonce ?? String(randomBytes(4).readUInt32BE(0));
  const encrypted = encryptMessage(decodeAesKey(options.encodingAESKey), replyXml, options.receiverId, options.random);
  return buildXml({
    Encrypt: encrypted,
    MsgSignature: sha1Signature([options.token, timestamp, nonce, encrypted]),
    TimeStamp: Number(timestamp),
    Nonce: nonce,
  });
}

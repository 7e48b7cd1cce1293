/**
 * Authenticating WeChat Official Account callbacks (and, through the shared helpers, WeCom's).
 *
 * - Plain mode: `signature = sha1(sort([token, timestamp, nonce]).join(''))`. It does not cover
 *   the body: anyone who saw one signed URL could post another body with it inside the replay
 *   window. Safe mode is recommended.
 * - Safe / compatible mode: `msg_signature = sha1(sort([token, timestamp, nonce, Encrypt]))`,
 *   then the Encrypt payload is decrypted and must end with the connection's appId.
 * - The signed timestamp must lie within ±5 minutes of the receive time.
 */
import { InboundAuthError, type ConnectionContext, type HttpReply, type RawInbound } from '../adapter.js';
import { decodeAesKey, openMessage, restorePlus, sha1Signature, WeChatCryptoError } from './crypto.js';
import { callbackToken, REPLAY_WINDOW_MS, wechatSettings } from './settings.js';
import { parseXmlFields, XmlError } from './xml.js';
import { safeEqual } from '../safe-equal.js';

const TEXT_PLAIN = { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' };

/** The named query parameters, or a 401 naming the first one missing. */
export function requireQuery(raw: RawInbound, names: readonly string[], label: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of names) {
    const value = raw.query[name];
    if (value === undefined || value === '') throw new InboundAuthError(401, `${label} refused: the "${name}" query parameter is missing`);
    values[name] = value;
  }
  return values;
}

/** Refuses a signed timestamp (unix seconds) outside ±5 minutes of the receive time. */
export function checkTimestamp(timestamp: string, receivedAt: number, label: string): void {
  if (!/^\d{1,12}$/.test(timestamp)) throw new InboundAuthError(401, `${label} refused: timestamp must be unix seconds`);
  const skew = Math.abs(receivedAt - Number(timestamp) * 1000);
  if (skew > REPLAY_WINDOW_MS) {
    throw new InboundAuthError(
      401,
      `${label} refused: the signed timestamp is ${Math.round(skew / 1000)} s away from now (more than ${REPLAY_WINDOW_MS / 60_000} minutes: a replay, or a wrong clock)`,
    );
  }
}

/** Checks a sorted-SHA-1 signature in constant time. */
export function checkSignature(given: string, parts: readonly string[], label: string, param: string): void {
  if (!safeEqual(given, sha1Signature(parts))) {
    throw new InboundAuthError(403, `${label} refused: ${param} does not match (check the Token configured in the console)`);
  }
}

/** The AES key from the `encodingAESKey` credential, or a 403 saying what is wrong. */
export function aesKeyOf(connection: ConnectionContext, label: string): Buffer {
  const value = connection.secrets.encodingAESKey;
  if (!value) throw new InboundAuthError(403, `${label} refused: the connection has no encodingAESKey credential to decrypt with`);
  try {
    return decodeAesKey(value);
  } catch (error) {
    throw new InboundAuthError(403, `${label} refused: the encodingAESKey credential is unusable: ${(error as Error).message}`);
  }
}

/** Decrypts an Encrypt / echostr value for `receiverId`: 401 when it does not decrypt, 403 when it is for another account. */
export function openOrRefuse(key: Buffer, encrypted: string, receiverId: string, label: string): string {
  try {
    return openMessage(key, encrypted, receiverId);
  } catch (error) {
    if (error instanceof WeChatCryptoError) {
      const other = /^the message is for /.test(error.message);
      throw new InboundAuthError(other ? 403 : 401, `${label} refused: ${error.message}`);
    }
    throw error;
  }
}

/** The top-level fields of an XML body, or undefined when it is not WeChat XML. */
export function xmlFieldsOrUndefined(body: Buffer): Record<string, string> | undefined {
  try {
    return parseXmlFields(body.toString('utf8'));
  } catch (error) {
    if (error instanceof XmlError) return undefined;
    throw error;
  }
}

function tokenOf(connection: ConnectionContext, label: string): string {
  const token = callbackToken(connection);
  if (!token) throw new InboundAuthError(403, `${label} refused: the connection has no token credential or inbound secret to check signatures with`);
  return token;
}

/**
 * The URL check WeChat sends when the server URL is saved: `GET ?signature&timestamp&nonce&echostr`
 * answered with echostr. When the check carries `msg_signature` (encrypted echostr, as WeCom and
 * the official crypto sample do), echostr is verified over its ciphertext, decrypted, and the
 * plaintext is answered. Requests without echostr are not handshakes.
 */
export function wechatHandshake(raw: RawInbound, connection: ConnectionContext): HttpReply | undefined {
  if (raw.method !== 'GET' || raw.query.echostr === undefined) return undefined;
  const label = 'WeChat URL verification';
  const settings = wechatSettings(connection);
  const token = tokenOf(connection, label);
  if (raw.query.msg_signature !== undefined) {
    const q = requireQuery(raw, ['msg_signature', 'timestamp', 'nonce', 'echostr'], label);
    const echostr = restorePlus(q.echostr!);
    checkTimestamp(q.timestamp!, raw.receivedAt, label);
    checkSignature(q.msg_signature!, [token, q.timestamp!, q.nonce!, echostr], label, 'msg_signature');
    const plain = openOrRefuse(aesKeyOf(connection, label), echostr, settings.appId, label);
    return { status: 200, headers: TEXT_PLAIN, body: plain };
  }
  const q = requireQuery(raw, ['signature', 'timestamp', 'nonce', 'echostr'], label);
  checkTimestamp(q.timestamp!, raw.receivedAt, label);
  checkSignature(q.signature!, [token, q.timestamp!, q.nonce!], label, 'signature');
  return { status: 200, headers: TEXT_PLAIN, body: q.echostr! };
}

/**
 * Authenticates a message POST. An encrypted body (`<Encrypt>`) is always checked with
 * msg_signature and must decrypt for the connection's appId; a plaintext body is accepted only
 * in plain mode, with the plain signature.
 */
export function verifyWeChat(raw: RawInbound, connection: ConnectionContext): void {
  const label = 'WeChat webhook';
  const settings = wechatSettings(connection);
  const token = tokenOf(connection, label);
  const q = requireQuery(raw, ['timestamp', 'nonce'], label);
  checkTimestamp(q.timestamp!, raw.receivedAt, label);
  const fields = xmlFieldsOrUndefined(raw.body);
  const encrypted = fields?.Encrypt;
  if (encrypted !== undefined) {
    const { msg_signature: given } = requireQuery(raw, ['msg_signature'], label);
    checkSignature(given!, [token, q.timestamp!, q.nonce!, encrypted], label, 'msg_signature');
    openOrRefuse(aesKeyOf(connection, label), encrypted, settings.appId, label);
    return;
  }
  if (settings.mode === 'safe') {
    throw new InboundAuthError(
      401,
      `${label} refused: the connection is in safe mode but the body has no <Encrypt> element (set the console's message encryption mode to safe, or the connection's mode to plain)`,
    );
  }
  const { signature } = requireQuery(raw, ['signature'], label);
  checkSignature(signature!, [token, q.timestamp!, q.nonce!], label, 'signature');
}

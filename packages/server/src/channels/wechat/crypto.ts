/**
 * The WeChat message crypto ("WXBizMsgCrypt"), shared by WeChat Official Accounts (safe and
 * compatible modes) and WeCom (always encrypted):
 *
 * - signatures: hex SHA-1 of the sorted, concatenated strings (`[token, timestamp, nonce]` in plain
 *   mode, `[token, timestamp, nonce, Encrypt]` for `msg_signature`);
 * - key = base64decode(EncodingAESKey + "=") (32 bytes), AES-256-CBC, IV = key[0..16], PKCS#7
 *   padding to 32-byte blocks (not 16: WeChat pads to the key size);
 * - plaintext = 16 random bytes ‖ 4-byte big-endian message length ‖ message ‖ receiver id (the
 *   Official Account's appId, or the WeCom corpId).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { safeEqual } from '../safe-equal.js';

/** A crypto failure: bad key, bad ciphertext, bad padding or lengths. Callers map it to 401/400. */
export class WeChatCryptoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WeChatCryptoError';
  }
}

const BLOCK = 32;

/** hex SHA-1 of the strings sorted (by code unit, like the official samples) and concatenated. */
export function sha1Signature(parts: readonly string[]): string {
  return createHash('sha1').update([...parts].sort().join('')).digest('hex');
}

/** The AES key: base64decode(EncodingAESKey + "="). EncodingAESKey is 43 characters of base64. */
export function decodeAesKey(encodingAESKey: string): Buffer {
  const trimmed = encodingAESKey.trim();
  if (!/^[A-Za-z0-9+/]{43}$/.test(trimmed)) {
    throw new WeChatCryptoError('EncodingAESKey must be 43 characters of letters and digits (as shown in the console)');
  }
  const key = Buffer.from(`${trimmed}=`, 'base64');
  if (key.length !== 32) throw new WeChatCryptoError('EncodingAESKey does not decode to a 32-byte key');
  return key;
}

/**
 * A base64 query parameter (the encrypted `echostr`) as sent: a form-style query parser turns an
 * unescaped '+' into a space, and base64 never holds a space. Use before signing and decrypting.
 */
export function restorePlus(value: string): string {
  return value.replace(/ /g, '+');
}

export interface DecryptedMessage {
  /** The message: the XML of a message, or the echostr of a URL check. */
  message: string;
  /** The receiver id at the end of the plaintext (appId or corpId). */
  receiverId: string;
}

/** Decrypts one `Encrypt` (or encrypted `echostr`) value. Does not check the receiver id: see `openMessage`. */
export function decryptMessage(key: Buffer, encrypted: string): DecryptedMessage {
  const compact = restorePlus(encrypted).replace(/[\r\n\t]/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) throw new WeChatCryptoError('the ciphertext is not base64');
  const data = Buffer.from(compact, 'base64');
  if (data.length === 0 || data.length % 16 !== 0) throw new WeChatCryptoError('the ciphertext is not a whole number of AES blocks');
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    decipher.setAutoPadding(false);
    plain = Buffer.concat([decipher.update(data), decipher.final()]);
  } catch (error) {
    throw new WeChatCryptoError(`AES decryption failed: ${(error as Error).message}`);
  }
  const pad = plain[plain.length - 1]!;
  if (pad < 1 || pad > BLOCK || pad > plain.length) throw new WeChatCryptoError('bad padding (wrong EncodingAESKey?)');
  for (let i = plain.length - pad; i < plain.length; i++) {
    if (plain[i] !== pad) throw new WeChatCryptoError('bad padding (wrong EncodingAESKey?)');
  }
  const content = plain.subarray(0, plain.length - pad);
  if (content.length < 20) throw new WeChatCryptoError('the plaintext is too short');
  const length = content.readUInt32BE(16);
  if (20 + length > content.length) throw new WeChatCryptoError('the message length does not fit the plaintext (wrong EncodingAESKey?)');
  return {
    message: content.subarray(20, 20 + length).toString('utf8'),
    receiverId: content.subarray(20 + length).toString('utf8'),
  };
}

/** Decrypts and checks that the plaintext ends with the expected appId / corpId (constant time). */
export function openMessage(key: Buffer, encrypted: string, expectedReceiverId: string): string {
  const { message, receiverId } = decryptMessage(key, encrypted);
  if (!safeEqual(receiverId, expectedReceiverId)) {
    throw new WeChatCryptoError(`the message is for ${JSON.stringify(receiverId)}, not ${JSON.stringify(expectedReceiverId)}`);
  }
  return message;
}

/** Encrypts a message for `receiverId` (used for encrypted passive replies, and by tests and fakes). */
export function encryptMessage(key: Buffer, message: string, receiverId: string, random: Buffer = randomBytes(16)): string {
  if (random.length !== 16) throw new WeChatCryptoError('the random prefix must be 16 bytes');
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length, 0);
  const unpadded = Buffer.concat([random, length, body, Buffer.from(receiverId, 'utf8')]);
  const pad = BLOCK - (unpadded.length % BLOCK);
  const padded = Buffer.concat([unpadded, Buffer.alloc(pad, pad)]);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64');
}

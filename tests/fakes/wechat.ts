/**
 * Fake WeChat Official Account and WeCom server APIs on 127.0.0.1, speaking their real shapes:
 * errors as HTTP 200 with `errcode` ≠ 0, access tokens in the query string.
 *
 * WeChat OA (`startFakeWeChat`): `GET /cgi-bin/token?grant_type=client_credential&appid&secret`
 * and `POST /cgi-bin/message/custom/send?access_token` `{touser, msgtype:"text", text:{content}}`.
 * WeCom (`startFakeWeCom`): `GET /cgi-bin/gettoken?corpid&corpsecret` and
 * `POST /cgi-bin/message/send?access_token` `{touser, msgtype:"text", agentid, text:{content}}`.
 *
 * Tokens are issued per call (earlier ones stay valid, as WeChat keeps the previous token for five
 * minutes) and can be expired on demand (`expireTokens`: 42001). `failNext(status)` answers an
 * HTTP failure, `failNextErrcode(code)` an errcode answer. Neither API takes an idempotency key,
 * so there is nothing to deduplicate on: `delivered` lists every accepted message.
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WeixinRecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  body: string;
  json: unknown;
}

export interface WeixinDelivery {
  touser: string;
  content: string;
  accessToken: string;
  agentid?: number;
  msgid?: string;
}

interface Failure {
  path?: string;
  status?: number;
  retryAfter?: string;
  errcode?: number;
  errmsg?: string;
}

export interface FakeWeixin {
  url: string;
  requests: WeixinRecordedRequest[];
  delivered: WeixinDelivery[];
  /** How many tokens the token endpoint issued. */
  tokensIssued(): number;
  /** Every token issued so far now answers 42001 (access_token expired). */
  expireTokens(): void;
  failNext(status: number, options?: { retryAfter?: string; path?: string }): void;
  failNextErrcode(errcode: number, errmsg?: string, options?: { path?: string }): void;
  close(): Promise<void>;
}

interface Flavor {
  tokenPath: string;
  sendPath: string;
  checkCredentials(query: Record<string, string>): { errcode: number; errmsg: string } | undefined;
  checkMessage(json: Record<string, unknown>): { errcode: number; errmsg: string; [k: string]: unknown } | undefined;
  success(delivery: WeixinDelivery): Record<string, unknown>;
}

async function startFake(flavor: Flavor): Promise<FakeWeixin> {
  const requests: WeixinRecordedRequest[] = [];
  const delivered: WeixinDelivery[] = [];
  const tokens = new Map<string, 'valid' | 'expired'>();
  const failures: Failure[] = [];

  const answer = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://fake');
      const query = Object.fromEntries(url.searchParams);
      let json: unknown;
      try {
        json = body ? JSON.parse(body) : undefined;
      } catch {
        json = undefined;
      }
      requests.push({ method: req.method ?? 'GET', path: url.pathname, query, headers: req.headers, body, json });

      const index = failures.findIndex((f) => f.path === undefined || f.path === url.pathname);
      const failure = index >= 0 ? failures.splice(index, 1)[0] : undefined;
      if (failure?.status !== undefined) {
        return answer(res, failure.status, { errcode: -1, errmsg: 'system error' }, failure.retryAfter ? { 'retry-after': failure.retryAfter } : {});
      }
      if (failure?.errcode !== undefined) return answer(res, 200, { errcode: failure.errcode, errmsg: failure.errmsg ?? 'error' });

      if (req.method === 'GET' && url.pathname === flavor.tokenPath) {
        const refused = flavor.checkCredentials(query);
        if (refused) return answer(res, 200, refused);
        const token = `ACCESS_TOKEN_${randomBytes(12).toString('hex')}`;
        tokens.set(token, 'valid');
        return answer(res, 200, { ...(flavor.tokenPath === '/cgi-bin/gettoken' && { errcode: 0, errmsg: 'ok' }), access_token: token, expires_in: 7200 });
      }
      if (req.method === 'POST' && url.pathname === flavor.sendPath) {
        const token = query.access_token;
        if (!token) return answer(res, 200, { errcode: 41001, errmsg: 'access_token missing' });
        const state = tokens.get(token);
        if (state === undefined) return answer(res, 200, { errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' });
        if (state === 'expired') return answer(res, 200, { errcode: 42001, errmsg: 'access_token expired' });
        if (json === null || typeof json !== 'object' || Array.isArray(json)) return answer(res, 200, { errcode: 47001, errmsg: 'data format error' });
        const refused = flavor.checkMessage(json as Record<string, unknown>);
        if (refused) return answer(res, 200, refused);
        const message = json as { touser: string; agentid?: number; text: { content: string } };
        const delivery: WeixinDelivery = {
          touser: message.touser,
          content: message.text.content,
          accessToken: token,
          ...(message.agentid !== undefined && { agentid: message.agentid }),
        };
        const success = flavor.success(delivery);
        delivered.push(delivery);
        return answer(res, 200, success);
      }
      return answer(res, 404, { errcode: 404, errmsg: 'not found' });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    delivered,
    tokensIssued: () => tokens.size,
    expireTokens() {
      for (const token of tokens.keys()) tokens.set(token, 'expired');
    },
    failNext(status, options = {}) {
      failures.push({ status, ...options });
    },
    failNextErrcode(errcode, errmsg, options = {}) {
      failures.push({ errcode, ...(errmsg !== undefined && { errmsg }), ...options });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function textMessageProblem(json: Record<string, unknown>): { errcode: number; errmsg: string } | undefined {
  if (typeof json.touser !== 'string' || json.touser === '') return { errcode: 40003, errmsg: 'invalid openid' };
  if (json.msgtype !== 'text') return { errcode: 40008, errmsg: 'invalid message type' };
  const text = json.text as { content?: unknown } | undefined;
  if (typeof text?.content !== 'string' || text.content === '') return { errcode: 44003, errmsg: 'empty content' };
  return undefined;
}

/** A fake Official Account API for one account. */
export function startFakeWeChat(account: { appId: string; appSecret: string }): Promise<FakeWeixin> {
  return startFake({
    tokenPath: '/cgi-bin/token',
    sendPath: '/cgi-bin/message/custom/send',
    checkCredentials(query) {
      if (query.grant_type !== 'client_credential') return { errcode: 40002, errmsg: 'invalid grant_type' };
      if (query.appid !== account.appId) return { errcode: 40013, errmsg: 'invalid appid' };
      if (query.secret !== account.appSecret) return { errcode: 40125, errmsg: 'invalid appsecret' };
      return undefined;
    },
    checkMessage: textMessageProblem,
    success: () => ({ errcode: 0, errmsg: 'ok' }),
  });
}

/** A fake WeCom API for one corp and one app. `unknownUsers` are answered as invalid recipients (81013). */
export function startFakeWeCom(corp: { corpId: string; corpSecret: string; agentId: number; unknownUsers?: string[] }): Promise<FakeWeixin> {
  let nextMsgId = 1;
  return startFake({
    tokenPath: '/cgi-bin/gettoken',
    sendPath: '/cgi-bin/message/send',
    checkCredentials(query) {
      if (query.corpid !== corp.corpId) return { errcode: 40013, errmsg: 'invalid corpid' };
      if (query.corpsecret !== corp.corpSecret) return { errcode: 40001, errmsg: 'invalid secret' };
      return undefined;
    },
    checkMessage(json) {
      const problem = textMessageProblem(json);
      if (problem) return problem;
      if (typeof json.agentid !== 'number') return { errcode: 40056, errmsg: 'invalid agentid' };
      if (json.agentid !== corp.agentId) return { errcode: 301002, errmsg: 'not allow operate another agent with this accesstoken.' };
      if (corp.unknownUsers?.includes(json.touser as string)) {
        return { errcode: 81013, errmsg: 'user & party & tag all invalid', invaliduser: json.touser };
      }
      return undefined;
    },
    success(delivery) {
      delivery.msgid = `msgid_${nextMsgId++}`;
      return { errcode: 0, errmsg: 'ok', invaliduser: '', msgid: delivery.msgid };
    },
  });
}

// ───────────── callbacks as the WeChat / WeCom servers send them (WXBizMsgCrypt) ─────────────
// Written from the protocol description, independently of the adapter's crypto module.

/** hex SHA-1 of the parts sorted and concatenated: `signature` and `msg_signature`. */
export function weixinSignature(parts: string[]): string {
  return createHash('sha1').update([...parts].sort().join('')).digest('hex');
}

/**
 * Encrypts a message for `receiverId` (the appId or corpId): AES-256-CBC with
 * key = base64(EncodingAESKey + "="), IV = key[0..16], plaintext = 16 random bytes ‖ 4-byte
 * big-endian length ‖ message ‖ receiverId, PKCS#7-padded to 32-byte blocks.
 */
export function weixinEncrypt(encodingAESKey: string, message: string, receiverId: string): string {
  const key = Buffer.from(`${encodingAESKey}=`, 'base64');
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length, 0);
  const plain = Buffer.concat([randomBytes(16), length, body, Buffer.from(receiverId, 'utf8')]);
  const pad = 32 - (plain.length % 32);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
}

/** The XML of a text message as WeChat / WeCom put it inside `<Encrypt>` (WeCom adds AgentID). */
export function weixinTextXml(message: { to: string; from: string; content: string; msgId: string; agentId?: string; createTime?: number }): string {
  return [
    '<xml>',
    `<ToUserName><![CDATA[${message.to}]]></ToUserName>`,
    `<FromUserName><![CDATA[${message.from}]]></FromUserName>`,
    `<CreateTime>${message.createTime ?? Math.floor(Date.now() / 1000)}</CreateTime>`,
    '<MsgType><![CDATA[text]]></MsgType>',
    `<Content><![CDATA[${message.content}]]></Content>`,
    `<MsgId>${message.msgId}</MsgId>`,
    ...(message.agentId !== undefined ? [`<AgentID>${message.agentId}</AgentID>`] : []),
    '</xml>',
  ].join('\n');
}

export interface WeixinCallback {
  query: Record<string, string>;
  body: string;
}

/**
 * An encrypted message callback: WeChat Official Account safe mode (`flavor: 'wechat'`: the query
 * carries signature, timestamp, nonce, openid, encrypt_type=aes, msg_signature) or WeCom
 * (`'wecom'`: msg_signature, timestamp, nonce). `msg_signature` = sha1(sort([token, timestamp,
 * nonce, Encrypt])). A fresh timestamp and nonce each call, as each real delivery attempt has.
 */
export function encryptedCallback(options: {
  flavor: 'wechat' | 'wecom';
  token: string;
  encodingAESKey: string;
  receiverId: string;
  xml: string;
  toUserName: string;
  openid?: string;
  agentId?: string;
  timestamp?: string;
}): WeixinCallback {
  const timestamp = options.timestamp ?? String(Math.floor(Date.now() / 1000));
  const nonce = String(randomBytes(4).readUInt32BE(0));
  const encrypted = weixinEncrypt(options.encodingAESKey, options.xml, options.receiverId);
  const msgSignature = weixinSignature([options.token, timestamp, nonce, encrypted]);
  const query: Record<string, string> =
    options.flavor === 'wechat'
      ? {
          signature: weixinSignature([options.token, timestamp, nonce]),
          timestamp,
          nonce,
          ...(options.openid !== undefined && { openid: options.openid }),
          encrypt_type: 'aes',
          msg_signature: msgSignature,
        }
      : { msg_signature: msgSignature, timestamp, nonce };
  const body = [
    '<xml>',
    `<ToUserName><![CDATA[${options.toUserName}]]></ToUserName>`,
    ...(options.agentId !== undefined ? [`<AgentID><![CDATA[${options.agentId}]]></AgentID>`] : []),
    `<Encrypt><![CDATA[${encrypted}]]></Encrypt>`,
    '</xml>',
  ].join('\n');
  return { query, body };
}

/**
 * The GET URL check sent when the callback URL is saved. Plain (`encodingAESKey` absent):
 * `signature` over [token, timestamp, nonce] and a random echostr to answer as is. Encrypted:
 * echostr encrypted for `receiverId`, `msg_signature` over [token, timestamp, nonce, echostr];
 * the plaintext must be answered. `expected` is what a correct server answers.
 */
export function urlCheck(options: { token: string; encodingAESKey?: string; receiverId?: string }): { query: Record<string, string>; expected: string } {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = String(randomBytes(4).readUInt32BE(0));
  const expected = String(randomBytes(8).readBigUInt64BE(0));
  if (options.encodingAESKey === undefined) {
    return { query: { signature: weixinSignature([options.token, timestamp, nonce]), timestamp, nonce, echostr: expected }, expected };
  }
  const echostr = weixinEncrypt(options.encodingAESKey, expected, options.receiverId ?? '');
  return { query: { msg_signature: weixinSignature([options.token, timestamp, nonce, echostr]), timestamp, nonce, echostr }, expected };
}

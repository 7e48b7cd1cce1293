import { channelTypeRules } from '@switchboard/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  InboundFormatError,
  type ConnectionContext,
  type OutboundMessage,
  type RawInbound,
} from '../../packages/server/src/channels/adapter.js';
import {
  decodeAesKey,
  decryptMessage,
  encryptMessage,
  openMessage,
  sha1Signature,
  WeChatCryptoError,
} from '../../packages/server/src/channels/wechat/crypto.js';
import { encryptedReply, passiveTextReply, wechatAdapter, wechatProvider, wechatTokens } from '../../packages/server/src/channels/wechat/index.js';
import { parseXml, parseXmlFields, XmlError } from '../../packages/server/src/channels/wechat/xml.js';
import { startFakeWeChat, type FakeWeixin } from '../fakes/wechat.js';
import { connectionContext, expectAuthError, expectDeliveryError, inboundUrl, rawInbound, WXBIZMSGCRYPT_SAMPLE } from './support.js';

// The official WXBizMsgCrypt sample (providers.md); in WeChat its receiver id is the appId.
const SAMPLE = { ...WXBIZMSGCRYPT_SAMPLE, id: WXBIZMSGCRYPT_SAMPLE.receiverId };

const APP_ID = 'wx1234567890abcdef';
const TOKEN = 'SwitchboardToken42';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const ACCOUNT = 'gh_3f6a1b2c4d5e';
const OPENID = 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o';

function connection(overrides: Partial<ConnectionContext> = {}, settings: Record<string, unknown> = { appId: APP_ID, mode: 'plain' }): ConnectionContext {
  return connectionContext(
    {
      id: 'conn_wechat',
      workspaceId: 'ws_1',
      provider: 'wechat',
      settings,
      secrets: { appSecret: 'app-secret', token: TOKEN, encodingAESKey: AES_KEY },
      inboundSecret: 'InboundSecret123',
      apiBaseUrl: 'https://api.weixin.qq.com',
    },
    overrides,
  );
}

const safeConnection = (overrides: Partial<ConnectionContext> = {}) => connection(overrides, { appId: APP_ID, mode: 'safe' });

function request(method: 'GET' | 'POST', query: Record<string, string>, body = '', receivedAt = Date.now()): RawInbound {
  return rawInbound({ method, publicUrl: inboundUrl('wechat', 'conn_wechat', { query }), query, headers: { 'content-type': 'text/xml' }, body, receivedAt });
}

const now = () => String(Math.floor(Date.now() / 1000));

function textXml(fields: { content?: string; msgId?: string; to?: string; from?: string } = {}): string {
  return `<xml>
  <ToUserName><![CDATA[${fields.to ?? ACCOUNT}]]></ToUserName>
  <FromUserName><![CDATA[${fields.from ?? OPENID}]]></FromUserName>
  <CreateTime>1718000000</CreateTime>
  <MsgType><![CDATA[text]]></MsgType>
  <Content><![CDATA[${fields.content ?? '你好，我想查询订单'}]]></Content>
  <MsgId>${fields.msgId ?? '24602915461939722'}</MsgId>
</xml>`;
}

/** A plain-mode POST, signed like WeChat does. */
function plainPost(body: string, options: { token?: string; timestamp?: string } = {}): RawInbound {
  const timestamp = options.timestamp ?? now();
  const nonce = '1415926535';
  const signature = sha1Signature([options.token ?? TOKEN, timestamp, nonce]);
  return request('POST', { signature, timestamp, nonce, openid: OPENID }, body);
}

/** A safe-mode POST: the message encrypted for `appId`, msg_signature over the ciphertext. */
function safePost(xml: string, options: { appId?: string; token?: string; timestamp?: string; key?: string } = {}): RawInbound {
  const timestamp = options.timestamp ?? now();
  const nonce = '2718281828';
  const encrypted = encryptMessage(decodeAesKey(options.key ?? AES_KEY), xml, options.appId ?? APP_ID);
  const token = options.token ?? TOKEN;
  const query = {
    signature: sha1Signature([token, timestamp, nonce]),
    timestamp,
    nonce,
    openid: OPENID,
    encrypt_type: 'aes',
    msg_signature: sha1Signature([token, timestamp, nonce, encrypted]),
  };
  return request('POST', query, `<xml>\n<ToUserName><![CDATA[${ACCOUNT}]]></ToUserName>\n<Encrypt><![CDATA[${encrypted}]]></Encrypt>\n</xml>`);
}

describe('WeChat crypto (official sample)', () => {
  it('computes the official URL-check msg_signature and decrypts echostr to 1616140317555161061', () => {
    const { msg_signature, timestamp, nonce, echostr } = SAMPLE.url;
    expect(sha1Signature([SAMPLE.token, timestamp, nonce, echostr])).toBe(msg_signature);
    const key = decodeAesKey(SAMPLE.encodingAESKey);
    expect(key).toHaveLength(32);
    expect(decryptMessage(key, echostr)).toEqual({ message: '1616140317555161061', receiverId: SAMPLE.id });
    expect(openMessage(key, echostr, SAMPLE.id)).toBe('1616140317555161061');
  });

  it("decrypts the official message sample and checks its receiver id", () => {
    const { msg_signature, timestamp, nonce, encrypt } = SAMPLE.message;
    expect(sha1Signature([SAMPLE.token, timestamp, nonce, encrypt])).toBe(msg_signature);
    const key = decodeAesKey(SAMPLE.encodingAESKey);
    const fields = parseXmlFields(openMessage(key, encrypt, SAMPLE.id));
    expect(fields).toMatchObject({ ToUserName: SAMPLE.id, FromUserName: 'mycreate', MsgType: 'text', Content: 'hello', MsgId: '4561255354251345929' });
    expect(() => openMessage(key, encrypt, 'wx0000000000000000')).toThrow(WeChatCryptoError);
  });

  it('round-trips with PKCS#7 padding to 32-byte blocks', () => {
    const key = decodeAesKey(AES_KEY);
    for (const message of ['', 'a', 'x'.repeat(12), '中文消息 🎉', '<xml>…</xml>'.repeat(40)]) {
      const encrypted = encryptMessage(key, message, APP_ID);
      expect(Buffer.from(encrypted, 'base64').length % 32).toBe(0);
      expect(decryptMessage(key, encrypted)).toEqual({ message, receiverId: APP_ID });
    }
    // A plaintext of exactly 32 bytes gets a whole block of padding (32 × 0x20).
    const random = Buffer.alloc(16, 7);
    const exact = encryptMessage(key, 'abcdefghijkl', '', random); // 16 + 4 + 12 = 32
    expect(Buffer.from(exact, 'base64')).toHaveLength(64);
  });

  it('rejects a wrong key, a short EncodingAESKey and non-base64 ciphertext', () => {
    const encrypted = encryptMessage(decodeAesKey(AES_KEY), 'hello', APP_ID);
    expect(() => openMessage(decodeAesKey(SAMPLE.encodingAESKey), encrypted, APP_ID)).toThrow(WeChatCryptoError);
    expect(() => decodeAesKey('tooshort')).toThrow(/43 characters/);
    expect(() => decryptMessage(decodeAesKey(AES_KEY), 'not base64!')).toThrow(/not base64/);
  });
});

describe('WeChat XML', () => {
  it('reads flat fields with CDATA, entities and nested elements', () => {
    const fields = parseXmlFields(
      '<?xml version="1.0"?><xml><A><![CDATA[x]]]]><![CDATA[>y]]></A><B>1 &lt; 2 &amp; &#x4F60;&#22909;</B><C><D>nested</D></C><!-- c --></xml>',
    );
    expect(fields).toEqual({ A: 'x]]>y', B: '1 < 2 & 你好', C: '' });
  });

  it('refuses DOCTYPE, entity declarations, unknown entities and malformed documents', () => {
    expect(() => parseXml('<!DOCTYPE xml [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><A>&e;</A></xml>')).toThrow(/DOCTYPE/);
    expect(() => parseXml('<xml><!ENTITY e "x"><A/></xml>')).toThrow(/entity declarations/);
    expect(() => parseXml('<xml><A>&e;</A></xml>')).toThrow(/not allowed/);
    expect(() => parseXml('<xml><A>x</B></xml>')).toThrow(XmlError);
    expect(() => parseXml('<xml><A>x</A>')).toThrow(/not closed/);
    expect(() => parseXml('<xml/><xml/>')).toThrow(/after the root/);
    expect(() => parseXml('<xml><?pi x?></xml>')).toThrow(/processing instructions/);
    expect(() => parseXmlFields('<root><A/></root>')).toThrow(/<xml>/);
    expect(() => parseXmlFields('<xml><MsgId>1</MsgId><MsgId>2</MsgId></xml>')).toThrow(/twice/);
  });
});

describe('WeChat URL verification (handshake)', () => {
  it('echoes echostr for a plain signature', () => {
    const timestamp = now();
    const nonce = '123456';
    const reply = wechatAdapter.handshake!(
      request('GET', { signature: sha1Signature([TOKEN, timestamp, nonce]), timestamp, nonce, echostr: '5837397520665436492' }),
      connection(),
    );
    expect(reply).toEqual({ status: 200, headers: expect.objectContaining({ 'content-type': 'text/plain; charset=utf-8' }), body: '5837397520665436492' });
  });

  it("uses the connection's inbound secret as the Token when no token credential is set", () => {
    const timestamp = now();
    const conn = connection({ secrets: { appSecret: 's' } });
    const query = { signature: sha1Signature(['InboundSecret123', timestamp, '1']), timestamp, nonce: '1', echostr: 'e' };
    expect(wechatAdapter.handshake!(request('GET', query), conn)?.body).toBe('e');
  });

  it('decrypts an encrypted echostr (official sample) and answers 1616140317555161061', () => {
    const conn = connection(
      { secrets: { appSecret: 's', token: SAMPLE.token, encodingAESKey: SAMPLE.encodingAESKey } },
      { appId: SAMPLE.id, mode: 'safe' },
    );
    const reply = wechatAdapter.handshake!(request('GET', SAMPLE.url, '', 1409659589_000), conn);
    expect(reply?.status).toBe(200);
    expect(reply?.body).toBe('1616140317555161061');
    // A query parser that turned '+' into ' ' does not break it.
    const spaced = { ...SAMPLE.url, echostr: SAMPLE.url.echostr.replace(/\+/g, ' ') };
    expect(wechatAdapter.handshake!(request('GET', spaced, '', 1409659589_000), conn)?.body).toBe('1616140317555161061');
    // Another appId: refused.
    const other = connection({ secrets: conn.secrets }, { appId: 'wx0000000000000000', mode: 'safe' });
    expect(expectAuthError(() => wechatAdapter.handshake!(request('GET', SAMPLE.url, '', 1409659589_000), other)).status).toBe(403);
    // The same sample now: stale.
    expect(expectAuthError(() => wechatAdapter.handshake!(request('GET', SAMPLE.url), conn)).message).toMatch(/timestamp/);
  });

  it('refuses a wrong signature (403), a missing one (401) and a stale timestamp (401)', () => {
    const timestamp = now();
    const wrong = expectAuthError(() =>
      wechatAdapter.handshake!(request('GET', { signature: sha1Signature(['other', timestamp, '1']), timestamp, nonce: '1', echostr: 'e' }), connection()),
    );
    expect(wrong.status).toBe(403);
    expect(wrong.message).toMatch(/signature does not match/);
    const missing = expectAuthError(() => wechatAdapter.handshake!(request('GET', { timestamp, nonce: '1', echostr: 'e' }), connection()));
    expect(missing.status).toBe(401);
    expect(missing.message).toMatch(/"signature"/);
    const old = String(Math.floor(Date.now() / 1000) - 600);
    const stale = expectAuthError(() =>
      wechatAdapter.handshake!(request('GET', { signature: sha1Signature([TOKEN, old, '1']), timestamp: old, nonce: '1', echostr: 'e' }), connection()),
    );
    expect(stale.status).toBe(401);
    expect(stale.message).toMatch(/60[01] s away/);
  });

  it('is not a handshake without echostr, or on POST', () => {
    expect(wechatAdapter.handshake!(request('GET', {}), connection())).toBeUndefined();
    expect(wechatAdapter.handshake!(plainPost(textXml()), connection())).toBeUndefined();
  });
});

describe('WeChat verify', () => {
  it('accepts a plain-mode message signed with the Token', () => {
    expect(() => wechatAdapter.verify(plainPost(textXml()), connection())).not.toThrow();
  });

  it('refuses plain-mode failures: wrong token, missing signature, missing timestamp, stale timestamp', () => {
    expect(expectAuthError(() => wechatAdapter.verify(plainPost(textXml(), { token: 'wrong' }), connection())).status).toBe(403);
    const raw = plainPost(textXml());
    const { signature: _s, ...noSignature } = raw.query;
    expect(expectAuthError(() => wechatAdapter.verify({ ...raw, query: noSignature }, connection())).status).toBe(401);
    const { timestamp: _t, ...noTimestamp } = raw.query;
    expect(expectAuthError(() => wechatAdapter.verify({ ...raw, query: noTimestamp }, connection())).message).toMatch(/"timestamp"/);
    const stale = expectAuthError(() => wechatAdapter.verify(plainPost(textXml(), { timestamp: String(Math.floor(Date.now() / 1000) - 3600) }), connection()));
    expect(stale.status).toBe(401);
    expect(stale.message).toMatch(/replay/);
  });

  it('accepts a safe-mode message with msg_signature over the ciphertext', () => {
    expect(() => wechatAdapter.verify(safePost(textXml()), safeConnection())).not.toThrow();
    // A plain-mode connection also accepts an encrypted body (it is verified more strongly).
    expect(() => wechatAdapter.verify(safePost(textXml()), connection())).not.toThrow();
  });

  it('verifies the official encrypted message sample', () => {
    const conn = connection({ secrets: { appSecret: 's', token: SAMPLE.token, encodingAESKey: SAMPLE.encodingAESKey } }, { appId: SAMPLE.id, mode: 'safe' });
    const { msg_signature, timestamp, nonce, encrypt } = SAMPLE.message;
    const raw = request('POST', { msg_signature, timestamp, nonce, encrypt_type: 'aes' }, `<xml><ToUserName><![CDATA[${SAMPLE.id}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`, 1409659813_000);
    expect(() => wechatAdapter.verify(raw, conn)).not.toThrow();
    expect(wechatAdapter.parse(raw, conn)).toEqual([
      { providerEventId: '4561255354251345929', channelIdentifier: SAMPLE.id, contact: { externalId: 'mycreate' }, text: 'hello', replyContext: { createTime: 1409659813 } },
    ]);
  });

  it('refuses safe-mode failures: tampered ciphertext, wrong msg_signature, missing msg_signature, other appId, plaintext body', () => {
    const raw = safePost(textXml());
    const body = raw.body.toString('utf8');
    const tampered = { ...raw, body: Buffer.from(body.replace(/<Encrypt><!\[CDATA\[([A-Za-z0-9+/])/, (_m, c: string) => `<Encrypt><![CDATA[${c === 'A' ? 'B' : 'A'}`)) };
    expect(tampered.body.toString()).not.toBe(body);
    expect(expectAuthError(() => wechatAdapter.verify(tampered, safeConnection())).status).toBe(403);

    expect(expectAuthError(() => wechatAdapter.verify({ ...raw, query: { ...raw.query, msg_signature: '0'.repeat(40) } }, safeConnection())).status).toBe(403);
    const { msg_signature: _m, ...noMsgSignature } = raw.query;
    const missing = expectAuthError(() => wechatAdapter.verify({ ...raw, query: noMsgSignature }, safeConnection()));
    expect(missing.status).toBe(401);
    expect(missing.message).toMatch(/msg_signature/);

    const forOther = expectAuthError(() => wechatAdapter.verify(safePost(textXml(), { appId: 'wx0000000000000000' }), safeConnection()));
    expect(forOther.status).toBe(403);
    expect(forOther.message).toMatch(/wx0000000000000000/);

    const wrongKey = expectAuthError(() => wechatAdapter.verify(safePost(textXml(), { key: SAMPLE.encodingAESKey }), safeConnection()));
    expect(wrongKey.message).toMatch(/WeChat webhook refused/);

    const plaintext = expectAuthError(() => wechatAdapter.verify(plainPost(textXml()), safeConnection()));
    expect(plaintext.status).toBe(401);
    expect(plaintext.message).toMatch(/safe mode/);

    const noKey = expectAuthError(() => wechatAdapter.verify(raw, safeConnection({ secrets: { appSecret: 's', token: TOKEN } })));
    expect(noKey.message).toMatch(/encodingAESKey/);
  });

  it('refuses invalid connection settings', () => {
    expect(expectAuthError(() => wechatAdapter.verify(plainPost(textXml()), connection({}, { appId: 'nope' }))).message).toMatch(/appId/);
  });
});

describe('WeChat parse', () => {
  it('turns a plain text message into one event', () => {
    const events = wechatAdapter.parse(plainPost(textXml()), connection());
    expect(events).toEqual([
      { providerEventId: '24602915461939722', channelIdentifier: ACCOUNT, contact: { externalId: OPENID }, text: '你好，我想查询订单', replyContext: { createTime: 1718000000 } },
    ]);
    expect(channelTypeRules.wechat.identifier.safeParse(events[0]!.channelIdentifier).success).toBe(true);
  });

  it('decrypts safe-mode messages, and prefers the ciphertext in compatible mode', () => {
    expect(wechatAdapter.parse(safePost(textXml({ content: 'secret <text> & more' })), safeConnection())[0]!.text).toBe('secret <text> & more');
    const encrypted = safePost(textXml({ content: 'from ciphertext' }));
    const outer = encrypted.body.toString('utf8').replace('</xml>', '<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[from plaintext]]></Content><MsgId>1</MsgId></xml>');
    expect(wechatAdapter.parse({ ...encrypted, body: Buffer.from(outer) }, safeConnection())[0]!.text).toBe('from ciphertext');
  });

  it('yields no events for other message types and for events', () => {
    const image = `<xml><ToUserName><![CDATA[${ACCOUNT}]]></ToUserName><FromUserName><![CDATA[${OPENID}]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://mmbiz.qpic.cn/x]]></PicUrl><MediaId><![CDATA[m]]></MediaId><MsgId>2</MsgId></xml>`;
    const subscribe = `<xml><ToUserName><![CDATA[${ACCOUNT}]]></ToUserName><FromUserName><![CDATA[${OPENID}]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event></xml>`;
    const scan = `<xml><ToUserName><![CDATA[${ACCOUNT}]]></ToUserName><FromUserName><![CDATA[${OPENID}]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[scancode_push]]></Event><EventKey><![CDATA[k]]></EventKey><ScanCodeInfo><ScanType><![CDATA[qrcode]]></ScanType><ScanResult><![CDATA[1]]></ScanResult></ScanCodeInfo></xml>`;
    for (const xml of [image, subscribe, scan]) expect(wechatAdapter.parse(plainPost(xml), connection())).toEqual([]);
  });

  it('refuses garbage, DOCTYPE bodies and incomplete text messages with InboundFormatError', () => {
    expect(() => wechatAdapter.parse(plainPost('not xml'), connection())).toThrow(InboundFormatError);
    expect(() => wechatAdapter.parse(plainPost(`<!DOCTYPE x [<!ENTITY a "b">]>${textXml()}`), connection())).toThrow(/DOCTYPE/);
    expect(() => wechatAdapter.parse(plainPost('<xml><ToUserName>a</ToUserName></xml>'), connection())).toThrow(/MsgType/);
    expect(() => wechatAdapter.parse(plainPost(textXml().replace(/<MsgId>.*<\/MsgId>/, '')), connection())).toThrow(/<MsgId>/);
  });
});

describe('WeChat acknowledge, passive replies and definition', () => {
  it('acknowledges with "success"', () => {
    const raw = plainPost(textXml());
    const reply = wechatAdapter.acknowledge(wechatAdapter.parse(raw, connection()), raw, connection());
    expect(reply).toEqual({ status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'success' });
  });

  it('builds a passive text reply with To/From swapped and ]]> escaped', () => {
    const xml = passiveTextReply({ ToUserName: ACCOUNT, FromUserName: OPENID }, 'a ]]> b <c> & 你好', 1718000001);
    expect(xml).toBe(
      `<xml><ToUserName><![CDATA[${OPENID}]]></ToUserName><FromUserName><![CDATA[${ACCOUNT}]]></FromUserName><CreateTime>1718000001</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[a ]]]]><![CDATA[> b <c> & 你好]]></Content></xml>`,
    );
    expect(parseXmlFields(xml)).toEqual({ ToUserName: OPENID, FromUserName: ACCOUNT, CreateTime: '1718000001', MsgType: 'text', Content: 'a ]]> b <c> & 你好' });
  });

  it('wraps a passive reply in the encrypted envelope for safe mode', () => {
    const inner = passiveTextReply({ ToUserName: ACCOUNT, FromUserName: OPENID }, 'hi', 1);
    const envelope = parseXmlFields(encryptedReply(inner, { token: TOKEN, encodingAESKey: AES_KEY, receiverId: APP_ID, timestamp: 1718000002, nonce: '99' }));
    expect(envelope.MsgSignature).toBe(sha1Signature([TOKEN, '1718000002', '99', envelope.Encrypt!]));
    expect(envelope.TimeStamp).toBe('1718000002');
    expect(openMessage(decodeAesKey(AES_KEY), envelope.Encrypt!, APP_ID)).toBe(inner);
  });

  it('declares its settings, credentials and setup', () => {
    expect(wechatProvider.adapter.defaultApiBaseUrl).toBe('https://api.weixin.qq.com');
    expect(wechatProvider.channelTypes).toEqual(['wechat']);
    expect(wechatProvider.credentials.map((c) => [c.name, c.required])).toEqual([
      ['appSecret', true],
      ['token', false],
      ['encodingAESKey', false],
    ]);
    expect(wechatProvider.settings.parse({ appId: APP_ID })).toEqual({ appId: APP_ID, mode: 'safe' });
    expect(wechatProvider.settings.safeParse({ appId: APP_ID, mode: 'compat' }).success).toBe(false);
    expect(wechatProvider.settings.safeParse({ appId: APP_ID, extra: 1 }).success).toBe(false);
    expect(wechatProvider.settings.safeParse({ appId: 'gh_123' }).success).toBe(false);
    expect(wechatProvider.setup).toContain('{inboundUrl}');
    expect(wechatProvider.setup).toContain('{inboundSecret}');
  });
});

describe('WeChat send (customer-service API)', () => {
  let fake: FakeWeixin;
  let conn: ConnectionContext;

  beforeEach(async () => {
    wechatTokens.clear();
    fake = await startFakeWeChat({ appId: APP_ID, appSecret: 'app-secret' });
    conn = connection({ apiBaseUrl: fake.url });
  });
  afterEach(async () => {
    await fake.close();
  });

  function outbound(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
    return {
      idempotencyKey: 'dlv_1',
      channelIdentifier: ACCOUNT,
      channelConfiguration: { connectionId: 'conn_wechat' },
      to: { externalId: OPENID },
      text: '您好！请问有什么可以帮您？',
      ...overrides,
    };
  }

  it('fetches an access token once, caches it, and sends the customer-service text message', async () => {
    await wechatAdapter.send(outbound(), conn);
    await wechatAdapter.send(outbound({ idempotencyKey: 'dlv_2', text: 'second' }), conn);
    expect(fake.tokensIssued()).toBe(1);
    const [tokenRequest, first] = fake.requests;
    expect(tokenRequest).toMatchObject({ method: 'GET', path: '/cgi-bin/token', query: { grant_type: 'client_credential', appid: APP_ID, secret: 'app-secret' } });
    expect(first!.method).toBe('POST');
    expect(first!.path).toBe('/cgi-bin/message/custom/send');
    expect(first!.query.access_token).toMatch(/^ACCESS_TOKEN_/);
    expect(first!.headers['content-type']).toMatch(/^application\/json/);
    expect(first!.json).toEqual({ touser: OPENID, msgtype: 'text', text: { content: '您好！请问有什么可以帮您？' } });
    expect(first!.body).toContain('您好'); // UTF-8, not \u escapes
    expect(fake.delivered.map((d) => d.content)).toEqual(['您好！请问有什么可以帮您？', 'second']);
  });

  it('refreshes an expired token once (42001) and delivers exactly once', async () => {
    await wechatAdapter.send(outbound(), conn);
    fake.expireTokens();
    await wechatAdapter.send(outbound({ idempotencyKey: 'dlv_2', text: 'after expiry' }), conn);
    expect(fake.tokensIssued()).toBe(2);
    expect(fake.delivered.map((d) => d.content)).toEqual(['您好！请问有什么可以帮您？', 'after expiry']);
    expect(fake.requests.map((r) => r.path)).toEqual([
      '/cgi-bin/token',
      '/cgi-bin/message/custom/send',
      '/cgi-bin/message/custom/send',
      '/cgi-bin/token',
      '/cgi-bin/message/custom/send',
    ]);
  });

  it('refreshes only once: a second token error is a retryable failure', async () => {
    fake.failNextErrcode(40001, 'invalid credential', { path: '/cgi-bin/message/custom/send' });
    fake.failNextErrcode(40001, 'invalid credential', { path: '/cgi-bin/message/custom/send' });
    const error = await expectDeliveryError(wechatAdapter.send(outbound(), conn));
    expect(error.options.retryable).toBe(true);
    expect(error.message).toMatch(/errcode 40001/);
    expect(fake.tokensIssued()).toBe(2);
    expect(fake.delivered).toHaveLength(0);
  });

  it('maps busy (-1) and rate limits (45009, 45047) to retryable, other errcodes to permanent', async () => {
    for (const code of [-1, 45009, 45047]) {
      fake.failNextErrcode(code, 'limited', { path: '/cgi-bin/message/custom/send' });
      expect((await expectDeliveryError(wechatAdapter.send(outbound(), conn))).options.retryable).toBe(true);
    }
    for (const code of [45015, 40003, 48001]) {
      fake.failNextErrcode(code, 'no', { path: '/cgi-bin/message/custom/send' });
      const error = await expectDeliveryError(wechatAdapter.send(outbound(), conn));
      expect(error.options.retryable).toBe(false);
      expect(error.message).toContain(`errcode ${code}`);
    }
    expect(fake.delivered).toHaveLength(0);
  });

  it('HTTP 429 with Retry-After is retryable with retryAfterMs; 400 is not; 5xx is', async () => {
    await wechatAdapter.send(outbound(), conn); // token cached
    fake.failNext(429, { retryAfter: '3' });
    expect((await expectDeliveryError(wechatAdapter.send(outbound(), conn))).options).toEqual({ retryable: true, status: 429, retryAfterMs: 3000 });
    fake.failNext(400);
    expect((await expectDeliveryError(wechatAdapter.send(outbound(), conn))).options).toMatchObject({ retryable: false, status: 400 });
    fake.failNext(502);
    expect((await expectDeliveryError(wechatAdapter.send(outbound(), conn))).options).toMatchObject({ retryable: true, status: 502 });
  });

  it('a wrong app secret fails for good, without leaking it or the token', async () => {
    const error = await expectDeliveryError(wechatAdapter.send(outbound(), { ...conn, secrets: { ...conn.secrets, appSecret: 'wrong-secret' } }));
    expect(error.options.retryable).toBe(false);
    expect(error.message).toMatch(/errcode 40125/);
    expect(error.message).not.toContain('wrong-secret');
    fake.failNextErrcode(45015, 'response out of time limit', { path: '/cgi-bin/message/custom/send' });
    const late = await expectDeliveryError(wechatAdapter.send(outbound(), conn));
    expect(late.message).not.toMatch(/ACCESS_TOKEN_/);
  });

  it('refuses to send without an app secret, a recipient or text', async () => {
    expect((await expectDeliveryError(wechatAdapter.send(outbound(), { ...conn, secrets: { token: TOKEN } }))).options.retryable).toBe(false);
    expect((await expectDeliveryError(wechatAdapter.send(outbound({ to: { externalId: '' } }), conn))).options.retryable).toBe(false);
    expect((await expectDeliveryError(wechatAdapter.send(outbound({ text: '' }), conn))).options.retryable).toBe(false);
    expect(fake.requests).toHaveLength(0);
  });

  it('a network failure is retryable', async () => {
    await fake.close();
    expect((await expectDeliveryError(wechatAdapter.send(outbound(), conn))).options.retryable).toBe(true);
    fake = await startFakeWeChat({ appId: APP_ID, appSecret: 'app-secret' });
  });
});

import { channelTypeRules } from '@switchboard/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  InboundFormatError,
  type ConnectionContext,
  type OutboundMessage,
  type RawInbound,
} from '../../packages/server/src/channels/adapter.js';
import { decodeAesKey, encryptMessage, sha1Signature } from '../../packages/server/src/channels/wechat/crypto.js';
import { wecomAdapter, wecomProvider, wecomTokens } from '../../packages/server/src/channels/wecom/index.js';
import { startFakeWeCom, type FakeWeixin } from '../fakes/wechat.js';
import { connectionContext, expectAuthError, expectDeliveryError, inboundUrl, rawInbound, WXBIZMSGCRYPT_SAMPLE } from './support.js';

// The official WXBizMsgCrypt (WeCom) sample: URL check and a message callback; in WeCom its receiver id is the corpId.
const SAMPLE = { ...WXBIZMSGCRYPT_SAMPLE, corpId: WXBIZMSGCRYPT_SAMPLE.receiverId };

const CORP_ID = 'ww1a2b3c4d5e6f7a8b';
const AGENT_ID = 1000002;
const TOKEN = 'WeComToken2024';
const AES_KEY = 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut';
const USER = 'ZhangSan';

function connection(overrides: Partial<ConnectionContext> = {}, settings: Record<string, unknown> = { corpId: CORP_ID, agentId: String(AGENT_ID) }): ConnectionContext {
  return connectionContext(
    {
      id: 'conn_wecom',
      workspaceId: 'ws_1',
      provider: 'wecom',
      settings,
      secrets: { corpSecret: 'corp-secret', token: TOKEN, encodingAESKey: AES_KEY },
      inboundSecret: 'InboundSecret123',
      apiBaseUrl: 'https://qyapi.weixin.qq.com',
    },
    overrides,
  );
}

const sampleConnection = () =>
  connection({ secrets: { corpSecret: 's', token: SAMPLE.token, encodingAESKey: SAMPLE.encodingAESKey } }, { corpId: SAMPLE.corpId, agentId: '218' });

function request(method: 'GET' | 'POST', query: Record<string, string>, body = '', receivedAt = Date.now()): RawInbound {
  return rawInbound({ method, publicUrl: inboundUrl('wecom', 'conn_wecom', { query }), query, headers: { 'content-type': 'text/xml' }, body, receivedAt });
}

function messageXml(fields: { type?: string; content?: string; msgId?: string; extra?: string } = {}): string {
  return `<xml><ToUserName><![CDATA[${CORP_ID}]]></ToUserName><FromUserName><![CDATA[${USER}]]></FromUserName><CreateTime>1718000000</CreateTime><MsgType><![CDATA[${fields.type ?? 'text'}]]></MsgType>${
    fields.type && fields.type !== 'text' ? '' : `<Content><![CDATA[${fields.content ?? '报销流程是什么？'}]]></Content>`
  }${fields.extra ?? ''}<MsgId>${fields.msgId ?? '7392834012345678901'}</MsgId><AgentID>${AGENT_ID}</AgentID></xml>`;
}

/** A callback as WeCom posts it: encrypted for `corpId`, msg_signature over the ciphertext. */
function post(xml: string, options: { corpId?: string; token?: string; timestamp?: string } = {}): RawInbound {
  const timestamp = options.timestamp ?? String(Math.floor(Date.now() / 1000));
  const nonce = '1234567890';
  const encrypted = encryptMessage(decodeAesKey(AES_KEY), xml, options.corpId ?? CORP_ID);
  const msg_signature = sha1Signature([options.token ?? TOKEN, timestamp, nonce, encrypted]);
  return request(
    'POST',
    { msg_signature, timestamp, nonce },
    `<xml><ToUserName><![CDATA[${CORP_ID}]]></ToUserName><Encrypt><![CDATA[${encrypted}]]></Encrypt><AgentID><![CDATA[${AGENT_ID}]]></AgentID></xml>`,
  );
}

describe('WeCom URL verification', () => {
  it('answers the official sample with 1616140317555161061', () => {
    const reply = wecomAdapter.handshake!(request('GET', SAMPLE.url, '', 1409659589_000), sampleConnection());
    expect(reply).toEqual({ status: 200, headers: expect.objectContaining({ 'content-type': 'text/plain; charset=utf-8' }), body: '1616140317555161061' });
  });

  it('refuses another corp, a wrong or missing msg_signature, and a stale timestamp', () => {
    const other = connection({ secrets: sampleConnection().secrets }, { corpId: 'ww0000000000000000', agentId: '1' });
    const forOther = expectAuthError(() => wecomAdapter.handshake!(request('GET', SAMPLE.url, '', 1409659589_000), other));
    expect(forOther.status).toBe(403);
    expect(forOther.message).toMatch(/ww0000000000000000/);

    const wrong = expectAuthError(() => wecomAdapter.handshake!(request('GET', { ...SAMPLE.url, msg_signature: 'f'.repeat(40) }, '', 1409659589_000), sampleConnection()));
    expect(wrong.status).toBe(403);
    expect(wrong.message).toMatch(/msg_signature does not match/);

    const { msg_signature: _m, ...unsigned } = SAMPLE.url;
    const missing = expectAuthError(() => wecomAdapter.handshake!(request('GET', unsigned, '', 1409659589_000), sampleConnection()));
    expect(missing.status).toBe(401);

    const stale = expectAuthError(() => wecomAdapter.handshake!(request('GET', SAMPLE.url), sampleConnection()));
    expect(stale.status).toBe(401);
    expect(stale.message).toMatch(/replay/);
  });

  it('is not a handshake without echostr', () => {
    expect(wecomAdapter.handshake!(request('GET', {}), connection())).toBeUndefined();
  });
});

describe('WeCom verify and parse', () => {
  it('verifies and parses the official message sample', () => {
    const { msg_signature, timestamp, nonce, encrypt } = SAMPLE.message;
    const raw = request(
      'POST',
      { msg_signature, timestamp, nonce },
      `<xml>\n<ToUserName><![CDATA[${SAMPLE.corpId}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt>\n<AgentID><![CDATA[218]]></AgentID>\n</xml>`,
      1409659813_000,
    );
    expect(() => wecomAdapter.verify(raw, sampleConnection())).not.toThrow();
    expect(wecomAdapter.parse(raw, sampleConnection())).toEqual([
      {
        providerEventId: '4561255354251345929',
        channelIdentifier: SAMPLE.corpId,
        contact: { externalId: 'mycreate' },
        text: 'hello',
        replyContext: { createTime: 1409659813, agentId: '218' },
      },
    ]);
  });

  it('parses a text message into an event identified by the corp id', () => {
    const raw = post(messageXml());
    expect(() => wecomAdapter.verify(raw, connection())).not.toThrow();
    const events = wecomAdapter.parse(raw, connection());
    expect(events).toEqual([
      {
        providerEventId: '7392834012345678901',
        channelIdentifier: CORP_ID,
        contact: { externalId: USER },
        text: '报销流程是什么？',
        replyContext: { createTime: 1718000000, agentId: String(AGENT_ID) },
      },
    ]);
    expect(channelTypeRules.wecom.identifier.safeParse(events[0]!.channelIdentifier).success).toBe(true);
  });

  it('yields no events for events and non-text messages', () => {
    const enter = `<xml><ToUserName><![CDATA[${CORP_ID}]]></ToUserName><FromUserName><![CDATA[${USER}]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[event]]></MsgType><AgentID>${AGENT_ID}</AgentID><Event><![CDATA[enter_agent]]></Event><EventKey><![CDATA[]]></EventKey></xml>`;
    expect(wecomAdapter.parse(post(enter), connection())).toEqual([]);
    expect(wecomAdapter.parse(post(messageXml({ type: 'image', extra: '<PicUrl><![CDATA[https://p]]></PicUrl><MediaId><![CDATA[m]]></MediaId>' })), connection())).toEqual([]);
  });

  it('refuses a missing Encrypt, tampering, a wrong token, another corp, missing parameters and stale timestamps', () => {
    const raw = post(messageXml());
    const noEncrypt = expectAuthError(() => wecomAdapter.verify({ ...raw, body: Buffer.from(messageXml()) }, connection()));
    expect(noEncrypt.status).toBe(401);
    expect(noEncrypt.message).toMatch(/<Encrypt>/);

    const body = raw.body.toString('utf8');
    const tampered = body.replace(/<Encrypt><!\[CDATA\[(.)/, (_m, c: string) => `<Encrypt><![CDATA[${c === 'A' ? 'B' : 'A'}`);
    expect(tampered).not.toBe(body);
    expect(expectAuthError(() => wecomAdapter.verify({ ...raw, body: Buffer.from(tampered) }, connection())).status).toBe(403);

    expect(expectAuthError(() => wecomAdapter.verify(post(messageXml(), { token: 'another' }), connection())).status).toBe(403);
    expect(expectAuthError(() => wecomAdapter.verify(post(messageXml(), { corpId: 'ww9999999999999999' }), connection())).status).toBe(403);

    for (const name of ['msg_signature', 'timestamp', 'nonce']) {
      const query = { ...raw.query };
      delete query[name];
      const error = expectAuthError(() => wecomAdapter.verify({ ...raw, query }, connection()));
      expect(error.status).toBe(401);
      expect(error.message).toContain(`"${name}"`);
    }

    const stale = expectAuthError(() => wecomAdapter.verify(post(messageXml(), { timestamp: String(Math.floor(Date.now() / 1000) + 900) }), connection()));
    expect(stale.status).toBe(401);

    const noKey = expectAuthError(() => wecomAdapter.verify(raw, connection({ secrets: { corpSecret: 's', token: TOKEN } })));
    expect(noKey.status).toBe(403);
    expect(noKey.message).toMatch(/encodingAESKey/);
  });

  it('refuses unparseable bodies in parse with InboundFormatError', () => {
    expect(() => wecomAdapter.parse(request('POST', {}, 'garbage'), connection())).toThrow(InboundFormatError);
    expect(() => wecomAdapter.parse(request('POST', {}, '<xml><ToUserName>x</ToUserName></xml>'), connection())).toThrow(/<Encrypt>/);
  });
});

describe('WeCom acknowledge and definition', () => {
  it('acknowledges with an empty 200', () => {
    const raw = post(messageXml());
    expect(wecomAdapter.acknowledge(wecomAdapter.parse(raw, connection()), raw, connection())).toEqual({ status: 200, body: '' });
  });

  it('declares its settings, credentials and setup', () => {
    expect(wecomProvider.adapter.defaultApiBaseUrl).toBe('https://qyapi.weixin.qq.com');
    expect(wecomProvider.channelTypes).toEqual(['wecom']);
    expect(wecomProvider.credentials.map((c) => [c.name, c.required])).toEqual([
      ['corpSecret', true],
      ['token', false],
      ['encodingAESKey', true],
    ]);
    expect(wecomProvider.settings.parse({ corpId: CORP_ID, agentId: AGENT_ID })).toEqual({ corpId: CORP_ID, agentId: '1000002' });
    expect(wecomProvider.settings.safeParse({ corpId: CORP_ID }).success).toBe(false);
    expect(wecomProvider.settings.safeParse({ corpId: CORP_ID, agentId: 'abc' }).success).toBe(false);
    expect(wecomProvider.settings.safeParse({ corpId: CORP_ID, agentId: '1', more: true }).success).toBe(false);
    expect(wecomProvider.setup).toContain('{inboundUrl}');
    expect(wecomProvider.setup).toContain('{inboundSecret}');
  });
});

describe('WeCom send (app message API)', () => {
  let fake: FakeWeixin;
  let conn: ConnectionContext;

  beforeEach(async () => {
    wecomTokens.clear();
    fake = await startFakeWeCom({ corpId: CORP_ID, corpSecret: 'corp-secret', agentId: AGENT_ID, unknownUsers: ['Nobody'] });
    conn = connection({ apiBaseUrl: fake.url });
  });
  afterEach(async () => {
    await fake.close();
  });

  function outbound(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
    return {
      idempotencyKey: 'dlv_1',
      channelIdentifier: CORP_ID,
      channelConfiguration: { connectionId: 'conn_wecom' },
      to: { externalId: USER },
      text: '请在OA系统中提交报销单。',
      replyContext: { agentId: String(AGENT_ID) },
      ...overrides,
    };
  }

  it('fetches a token with corpid and corpsecret, caches it, and sends the text message', async () => {
    const receipt = await wecomAdapter.send(outbound(), conn);
    await wecomAdapter.send(outbound({ idempotencyKey: 'dlv_2', text: 'again' }), conn);
    expect(fake.tokensIssued()).toBe(1);
    const [tokenRequest, send] = fake.requests;
    expect(tokenRequest).toMatchObject({ method: 'GET', path: '/cgi-bin/gettoken', query: { corpid: CORP_ID, corpsecret: 'corp-secret' } });
    expect(send!.method).toBe('POST');
    expect(send!.path).toBe('/cgi-bin/message/send');
    expect(send!.query.access_token).toMatch(/^ACCESS_TOKEN_/);
    expect(send!.json).toEqual({ touser: USER, msgtype: 'text', agentid: AGENT_ID, text: { content: '请在OA系统中提交报销单。' } });
    expect(receipt).toEqual({ providerMessageId: fake.delivered[0]!.msgid });
    expect(fake.delivered.map((d) => d.content)).toEqual(['请在OA系统中提交报销单。', 'again']);
  });

  it("uses the channel's agentId configuration over the connection's", async () => {
    const error = await expectDeliveryError(wecomAdapter.send(outbound({ channelConfiguration: { connectionId: 'conn_wecom', agentId: '1000003' } }), conn));
    expect((fake.requests.at(-1)!.json as { agentid: number }).agentid).toBe(1000003);
    expect(error.options.retryable).toBe(false);
    expect(error.message).toMatch(/errcode 301002/);
  });

  it('refreshes an expired token once and delivers exactly once', async () => {
    await wecomAdapter.send(outbound(), conn);
    fake.expireTokens();
    await wecomAdapter.send(outbound({ idempotencyKey: 'dlv_2', text: 'after expiry' }), conn);
    expect(fake.tokensIssued()).toBe(2);
    expect(fake.delivered.map((d) => d.content)).toEqual(['请在OA系统中提交报销单。', 'after expiry']);
  });

  it('an invalid recipient fails for good', async () => {
    const error = await expectDeliveryError(wecomAdapter.send(outbound({ to: { externalId: 'Nobody' } }), conn));
    expect(error.options.retryable).toBe(false);
    expect(error.message).toMatch(/81013/);
  });

  it('maps errcodes and HTTP failures: busy and limits retry, 429 honours Retry-After, 400 does not retry, 5xx does', async () => {
    for (const code of [-1, 45009, 45033]) {
      fake.failNextErrcode(code, 'busy', { path: '/cgi-bin/message/send' });
      expect((await expectDeliveryError(wecomAdapter.send(outbound(), conn))).options.retryable).toBe(true);
    }
    fake.failNextErrcode(60020, 'not allow to access from your ip', { path: '/cgi-bin/message/send' });
    expect((await expectDeliveryError(wecomAdapter.send(outbound(), conn))).options.retryable).toBe(false);
    fake.failNext(429, { retryAfter: '2' });
    expect((await expectDeliveryError(wecomAdapter.send(outbound(), conn))).options).toEqual({ retryable: true, status: 429, retryAfterMs: 2000 });
    fake.failNext(400);
    expect((await expectDeliveryError(wecomAdapter.send(outbound(), conn))).options).toMatchObject({ retryable: false, status: 400 });
    fake.failNext(500);
    expect((await expectDeliveryError(wecomAdapter.send(outbound(), conn))).options).toMatchObject({ retryable: true, status: 500 });
    expect(fake.delivered).toHaveLength(0);
  });

  it('a wrong corp secret fails for good', async () => {
    const error = await expectDeliveryError(wecomAdapter.send(outbound(), { ...conn, secrets: { ...conn.secrets, corpSecret: 'nope' } }));
    expect(error.options.retryable).toBe(false);
    expect(error.message).toMatch(/gettoken refused the credentials: errcode 40001/);
  });

  it('refuses to send without a corp secret, with bad settings, or without text', async () => {
    expect((await expectDeliveryError(wecomAdapter.send(outbound(), { ...conn, secrets: {} }))).options.retryable).toBe(false);
    expect((await expectDeliveryError(wecomAdapter.send(outbound(), { ...conn, settings: { corpId: CORP_ID } }))).message).toMatch(/agentId/);
    expect((await expectDeliveryError(wecomAdapter.send(outbound({ text: ' ' }), conn))).options.retryable).toBe(false);
    expect(fake.requests).toHaveLength(0);
  });
});

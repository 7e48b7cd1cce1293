import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { waitUntil } from '../helpers/wait.js';
import { encryptedCallback, startFakeWeChat, urlCheck, weixinSignature, weixinTextXml, type FakeWeixin } from '../fakes/wechat.js';
import {
  contactMessages,
  countRows,
  createConnection,
  createSecret,
  deployEcho,
  inboundEvents,
  refusal,
  settled,
  startProviderHarness,
  type ProviderHarness,
  weixinInbound,
} from './harness.js';

// The account of the official WXBizMsgCrypt sample (its Token, EncodingAESKey and AppID); the
// sample's own timestamps are years old, so each request is encrypted afresh in the same style.
const TOKEN = 'QDG6eK';
const ENCODING_AES_KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const APP_ID = 'wx5823bf96d3bd56c7';
const APP_SECRET = 'e2e0wechat0app0secret0000000000a';
/** The Official Account's original id (ToUserName): the WeChat channel's identifier. */
const ACCOUNT = 'gh_3f6a1b2c4d5e';
const OPENID = 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o';

describe.each(ENGINES)('WeChat Official Account (safe mode) end to end on %s', (engine) => {
  let h: ProviderHarness;
  let wechat: FakeWeixin;
  let connectionId: string;

  const { url, post } = weixinInbound('wechat', () => ({ h, connectionId }));
  const callback = (content: string, msgId: string, options: { token?: string } = {}) =>
    encryptedCallback({
      flavor: 'wechat',
      token: options.token ?? TOKEN,
      encodingAESKey: ENCODING_AES_KEY,
      receiverId: APP_ID,
      xml: weixinTextXml({ to: ACCOUNT, from: OPENID, content, msgId }),
      toUserName: ACCOUNT,
      openid: OPENID,
    });

  beforeAll(async () => {
    wechat = await startFakeWeChat({ appId: APP_ID, appSecret: APP_SECRET });
    h = await startProviderHarness(engine);
    const connection = await createConnection(h.api, {
      provider: 'wechat',
      name: 'WeChat OA',
      settings: { appId: APP_ID, mode: 'safe' },
      credentials: {
        appSecret: await createSecret(h.api, 'wechat-app-secret', APP_SECRET),
        token: await createSecret(h.api, 'wechat-token', TOKEN),
        encodingAESKey: await createSecret(h.api, 'wechat-aes-key', ENCODING_AES_KEY),
      },
      apiBaseUrl: wechat.url,
    });
    connectionId = connection.id;
    await deployEcho(h.api, { deploymentType: 'wechat', channelIdentifier: ACCOUNT, configuration: { connectionId } });
  });
  afterAll(async () => {
    await h?.close();
    await wechat?.close();
  });

  it('answers the URL check with echostr (plain and encrypted), and refuses a wrong signature', async () => {
    const plain = urlCheck({ token: TOKEN });
    const ok = await fetch(url(plain.query));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toContain('text/plain');
    expect(await ok.text()).toBe(plain.expected);

    const encrypted = urlCheck({ token: TOKEN, encodingAESKey: ENCODING_AES_KEY, receiverId: APP_ID });
    const opened = await fetch(url(encrypted.query));
    expect(opened.status).toBe(200);
    expect(await opened.text()).toBe(encrypted.expected);

    const forged = await refusal(await fetch(url(urlCheck({ token: 'SomeoneElse' }).query)));
    expect(forged.status).toBe(403);
    expect(forged.message).toMatch(/signature does not match/);
  });

  it('acknowledges an encrypted message with "success" and replies through the customer-service API with a fetched token', async () => {
    const response = await post(callback('你好，我想查询订单', '24602915461939001'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(await response.text()).toBe('success');

    const sent = await waitUntil(() => wechat.delivered.find((d) => d.content === '你好，我想查询订单'), 5000, 'the reply at the fake WeChat API');
    expect(sent.touser).toBe(OPENID);
    const tokenRequest = wechat.requests.find((r) => r.path === '/cgi-bin/token')!;
    expect(tokenRequest.method).toBe('GET');
    expect(tokenRequest.query).toEqual({ grant_type: 'client_credential', appid: APP_ID, secret: APP_SECRET });
    const request = wechat.requests.find((r) => r.path === '/cgi-bin/message/custom/send' && (r.json as any)?.text?.content === '你好，我想查询订单')!;
    expect(request.method).toBe('POST');
    expect(request.query).toEqual({ access_token: sent.accessToken });
    expect(sent.accessToken).toMatch(/^ACCESS_TOKEN_/);
    expect(request.headers['content-type']).toContain('application/json');
    expect(request.json).toEqual({ touser: OPENID, msgtype: 'text', text: { content: '你好，我想查询订单' } });

    const [stored] = await contactMessages(h.server, '24602915461939001');
    expect(stored?.text).toBe('你好，我想查询订单');
    await waitUntil(async () => (await h.api('GET', '/v1/deliveries?status=sent')).body.data.data.length > 0, 5000, 'the delivery marked sent');
  });

  it('stores one message and sends one reply when WeChat retries the same MsgId', async () => {
    // WeChat retries three times, each attempt signed and encrypted afresh but with the same MsgId.
    for (let i = 0; i < 3; i++) {
      const response = await post(callback('只回复一次', '24602915461939002'));
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('success');
    }
    await waitUntil(() => wechat.delivered.some((d) => d.content === '只回复一次'), 5000, 'the reply');
    await settled(h.server);
    expect(wechat.delivered.filter((d) => d.content === '只回复一次')).toHaveLength(1);
    expect(await contactMessages(h.server, '24602915461939002')).toHaveLength(1);
    expect(await inboundEvents(h.server, '24602915461939002')).toHaveLength(1);
    // The cached access token is reused: one token fetch for both replies.
    expect(wechat.tokensIssued()).toBe(1);
  });

  it('refuses a wrong or missing msg_signature, and a plaintext body in safe mode, storing nothing', async () => {
    const before = await countRows(h.server, 'inbound_events');
    const forged = await refusal(await post(callback('Forged', '24602915461939003', { token: 'NotTheToken' })));
    expect(forged.status).toBe(403);
    expect(forged.message).toMatch(/msg_signature does not match/);

    const unsigned = callback('Unsigned', '24602915461939004');
    delete unsigned.query.msg_signature;
    const missing = await refusal(await post(unsigned));
    expect(missing.status).toBe(401);
    expect(missing.message).toMatch(/"msg_signature" query parameter is missing/);

    const timestamp = String(Math.floor(Date.now() / 1000));
    const plaintext = await refusal(
      await post({
        query: { signature: weixinSignature([TOKEN, timestamp, '42']), timestamp, nonce: '42', openid: OPENID },
        body: weixinTextXml({ to: ACCOUNT, from: OPENID, content: 'Plaintext', msgId: '24602915461939005' }),
      }),
    );
    expect(plaintext.status).toBe(401);
    expect(plaintext.message).toMatch(/safe mode but the body has no <Encrypt> element/);

    expect(await countRows(h.server, 'inbound_events')).toBe(before);
    expect(wechat.delivered.some((d) => ['Forged', 'Unsigned', 'Plaintext'].includes(d.content))).toBe(false);
  });
});

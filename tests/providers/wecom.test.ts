import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { waitUntil } from '../helpers/wait.js';
import { encryptedCallback, startFakeWeCom, urlCheck, weixinTextXml, type FakeWeixin } from '../fakes/wechat.js';
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

const CORP_ID = 'ww1a2b3c4d5e6f7a8b';
const CORP_SECRET = 'e2e-wecom-app-secret-0000000000000000000';
const AGENT_ID = 1000002;
const ENCODING_AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const MEMBER = 'ZhangSan';

describe.each(ENGINES)('WeCom end to end on %s', (engine) => {
  let h: ProviderHarness;
  let wecom: FakeWeixin;
  let connectionId: string;
  /** No `token` credential: the operator typed the connection's inbound secret as the Token. */
  let token: string;

  const { url, post } = weixinInbound('wecom', () => ({ h, connectionId }));
  const callback = (content: string, msgId: string, options: { token?: string } = {}) =>
    encryptedCallback({
      flavor: 'wecom',
      token: options.token ?? token,
      encodingAESKey: ENCODING_AES_KEY,
      receiverId: CORP_ID,
      xml: weixinTextXml({ to: CORP_ID, from: MEMBER, content, msgId, agentId: String(AGENT_ID) }),
      toUserName: CORP_ID,
      agentId: String(AGENT_ID),
    });

  beforeAll(async () => {
    wecom = await startFakeWeCom({ corpId: CORP_ID, corpSecret: CORP_SECRET, agentId: AGENT_ID });
    h = await startProviderHarness(engine);
    const connection = await createConnection(h.api, {
      provider: 'wecom',
      name: 'WeCom app',
      settings: { corpId: CORP_ID, agentId: AGENT_ID },
      credentials: {
        corpSecret: await createSecret(h.api, 'wecom-corp-secret', CORP_SECRET),
        encodingAESKey: await createSecret(h.api, 'wecom-aes-key', ENCODING_AES_KEY),
      },
      apiBaseUrl: wecom.url,
    });
    connectionId = connection.id;
    token = connection.inboundSecret;
    await deployEcho(h.api, { deploymentType: 'wecom', channelIdentifier: CORP_ID, configuration: { connectionId } });
  });
  afterAll(async () => {
    await h?.close();
    await wecom?.close();
  });

  it('answers the URL check with the decrypted echostr, and refuses a wrong msg_signature', async () => {
    const check = urlCheck({ token, encodingAESKey: ENCODING_AES_KEY, receiverId: CORP_ID });
    const ok = await fetch(url(check.query));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toContain('text/plain');
    expect(await ok.text()).toBe(check.expected);

    const forged = await refusal(await fetch(url(urlCheck({ token: 'NotTheToken', encodingAESKey: ENCODING_AES_KEY, receiverId: CORP_ID }).query)));
    expect(forged.status).toBe(403);
    expect(forged.message).toMatch(/msg_signature does not match/);
  });

  it('acknowledges an encrypted message with an empty 200 and replies through message/send with a fetched token', async () => {
    const response = await post(callback('请帮我重置密码', '7390000000000000001'));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');

    const sent = await waitUntil(() => wecom.delivered.find((d) => d.content === '请帮我重置密码'), 5000, 'the reply at the fake WeCom API');
    expect(sent).toMatchObject({ touser: MEMBER, agentid: AGENT_ID });
    const tokenRequest = wecom.requests.find((r) => r.path === '/cgi-bin/gettoken')!;
    expect(tokenRequest.method).toBe('GET');
    expect(tokenRequest.query).toEqual({ corpid: CORP_ID, corpsecret: CORP_SECRET });
    const request = wecom.requests.find((r) => r.path === '/cgi-bin/message/send' && (r.json as any)?.text?.content === '请帮我重置密码')!;
    expect(request.method).toBe('POST');
    expect(request.query).toEqual({ access_token: sent.accessToken });
    expect(request.headers['content-type']).toContain('application/json');
    expect(request.json).toEqual({ touser: MEMBER, msgtype: 'text', agentid: AGENT_ID, text: { content: '请帮我重置密码' } });

    const [stored] = await contactMessages(h.server, '7390000000000000001');
    expect(stored?.text).toBe('请帮我重置密码');
    const delivery = await waitUntil(async () =>
      (await h.api('GET', '/v1/deliveries?status=sent')).body.data.data.find((d: any) => d.providerMessageId === sent.msgid),
    );
    expect(delivery).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('stores one message and sends one reply when WeCom retries the same MsgId', async () => {
    for (let i = 0; i < 3; i++) expect((await post(callback('只要一次', '7390000000000000002'))).status).toBe(200);
    await waitUntil(() => wecom.delivered.some((d) => d.content === '只要一次'), 5000, 'the reply');
    await settled(h.server);
    expect(wecom.delivered.filter((d) => d.content === '只要一次')).toHaveLength(1);
    expect(await contactMessages(h.server, '7390000000000000002')).toHaveLength(1);
    expect(await inboundEvents(h.server, '7390000000000000002')).toHaveLength(1);
  });

  it('refuses a wrong or missing msg_signature and stores nothing', async () => {
    const before = await countRows(h.server, 'inbound_events');
    const forged = await refusal(await post(callback('Forged', '7390000000000000003', { token: 'NotTheToken' })));
    expect(forged.status).toBe(403);
    expect(forged.message).toMatch(/WeCom webhook refused: msg_signature does not match/);

    const unsigned = callback('Unsigned', '7390000000000000004');
    delete unsigned.query.msg_signature;
    const missing = await refusal(await post(unsigned));
    expect(missing.status).toBe(401);
    expect(missing.message).toMatch(/"msg_signature" query parameter is missing/);

    expect(await countRows(h.server, 'inbound_events')).toBe(before);
    expect(wecom.delivered.some((d) => d.content === 'Forged' || d.content === 'Unsigned')).toBe(false);
  });
});

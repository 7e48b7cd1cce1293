/**
 * Quick replies through each adapter's send, checked at the fakes: Instagram quick_replies, a
 * WhatsApp list, LINE quickReply items on the last message; numbered text on WeChat, WeCom, email
 * and webhook channels; WhatsApp's fallbacks; and the pure helpers (numbered text, which channels
 * answer by number).
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionContext, OutboundMessage } from '../../packages/server/src/channels/adapter.js';
import { lineAdapter } from '../../packages/server/src/channels/line/index.js';
import { wechatAdapter } from '../../packages/server/src/channels/wechat/index.js';
import { wecomAdapter } from '../../packages/server/src/channels/wecom/index.js';
import { webhookAdapter } from '../../packages/server/src/channels/webhook/index.js';
import { whatsappContent } from '../../packages/server/src/channels/meta/send.js';
import { answersByNumber, numberedText } from '../../packages/server/src/channels/quick-replies.js';
import { builtInProviders } from '../../packages/server/src/channels/registry.js';
import { startFakeLine, type FakeLine } from '../fakes/line.js';
import { startFakeWeChat, startFakeWeCom, type FakeWeixin } from '../fakes/wechat.js';
import { startWebhookReceiver, type FakeWebhookReceiver } from '../fakes/webhook-receiver.js';
import { startFakeSmtp, type FakeSmtp } from '../fakes/smtp.js';
import { emailAdapter } from '../../packages/server/src/channels/email/index.js';
import { metaAdapter } from '../../packages/server/src/channels/meta/index.js';
import { startFakeGraph, type FakeGraph } from '../fakes/graph.js';
import { connectionContext, expectDeliveryError } from './support.js';

const LABELS = ['Track my order', 'Talk to a person'];
const NUMBERED = 'How can I help?\n\n1. Track my order\n2. Talk to a person';

const outbound = (overrides: Partial<OutboundMessage> = {}): OutboundMessage => ({
  idempotencyKey: 'dlv_qr1',
  channelIdentifier: 'channel',
  channelConfiguration: {},
  to: { externalId: 'contact' },
  text: 'How can I help?',
  quickReplies: LABELS,
  ...overrides,
});

describe('numbered quick replies', () => {
  it('lists the labels numbered under the text, and leaves a text without any as it is', () => {
    expect(numberedText('How can I help?', LABELS)).toBe(NUMBERED);
    expect(numberedText('Hello', [])).toBe('Hello');
    expect(numberedText('Hello', undefined)).toBe('Hello');
  });

  it('are what SMS, email, WeChat, WeCom, webhook and helpdesk channels use; native providers and voice do not', () => {
    const adapter = (provider: string) => builtInProviders.get(provider)?.adapter;
    for (const [provider, type] of [['twilio', 'sms'], ['twilio', 'whatsapp'], ['email', 'email'], ['wechat', 'wechat'], ['wecom', 'wecom'], ['webhook', 'webhook'], ['zendesk', 'webhook']]) {
      expect(answersByNumber(adapter(provider!), type!), `${provider} ${type}`).toBe(true);
    }
    for (const [provider, type] of [['meta', 'whatsapp'], ['meta', 'facebook'], ['meta', 'instagram'], ['line', 'line'], ['telegram', 'telegram'], ['twilio', 'calls'], ['voice-gateway', 'calls']]) {
      expect(answersByNumber(adapter(provider!), type!), `${provider} ${type}`).toBe(false);
    }
  });
});

describe('WhatsApp content', () => {
  it('is plain text without quick replies, buttons up to 3, a list up to 10', () => {
    expect(whatsappContent('Hi')).toEqual({ type: 'text', text: { body: 'Hi' } });
    expect((whatsappContent('Hi', ['a', 'b', 'c']).interactive as any).type).toBe('button');
    expect((whatsappContent('Hi', ['a', 'b', 'c', 'd']).interactive as any).type).toBe('list');
    const ten = Array.from({ length: 10 }, (_, i) => `Option ${i + 1}`);
    expect((whatsappContent('Hi', ten).interactive as any).action.sections[0].rows).toHaveLength(10);
  });

  it('falls back to numbered text when the body is longer than an interactive message takes (1024 characters)', () => {
    const long = 'é'.repeat(1025);
    expect(whatsappContent(long, ['Yes', 'No'])).toEqual({ type: 'text', text: { body: `${long}\n\n1. Yes\n2. No` } });
    expect(whatsappContent('é'.repeat(1024), ['Yes', 'No']).type).toBe('interactive');
  });
});

describe('Instagram and WhatsApp through the Graph API (against the fake)', () => {
  let graph: FakeGraph;
  let conn: ConnectionContext;
  const IG_ACCOUNT = '17841400000000000';
  beforeAll(async () => {
    graph = await startFakeGraph({ accessToken: 'EAAtoken', appSecret: 'a3f0c9d1e2b4567890abcdef12345678', requireAppSecretProof: true, phoneNumberIds: ['106540352242922'], pageIds: [IG_ACCOUNT] });
    conn = connectionContext({
      id: 'conn_meta',
      provider: 'meta',
      settings: { graphVersion: 'v21.0' },
      secrets: { appSecret: 'a3f0c9d1e2b4567890abcdef12345678', accessToken: 'EAAtoken' },
      inboundSecret: 'x',
      apiBaseUrl: graph.url,
    });
  });
  afterAll(async () => {
    await graph.close();
  });

  it('Instagram gets quick_replies like Messenger', async () => {
    await metaAdapter.send(outbound({ channelIdentifier: IG_ACCOUNT, to: { externalId: '912345' }, replyContext: { channelType: 'instagram', pageId: IG_ACCOUNT } }), conn);
    expect((graph.requests.at(-1)!.json as any).message).toEqual({
      text: 'How can I help?',
      quick_replies: LABELS.map((title) => ({ content_type: 'text', title, payload: title })),
    });
    expect(graph.messages.at(-1)!.quickReplies).toEqual(LABELS);
  });

  it('the fake refuses what WhatsApp would: a 4th reply button', async () => {
    const body = { messaging_product: 'whatsapp', to: '16505551234', type: 'interactive', interactive: { type: 'button', body: { text: 'Hi' }, action: { buttons: ['a', 'b', 'c', 'd'].map((t, i) => ({ type: 'reply', reply: { id: `q${i}`, title: t } })) } } };
    const proof = createHmac('sha256', 'a3f0c9d1e2b4567890abcdef12345678').update('EAAtoken').digest('hex');
    const response = await fetch(`${graph.url}/v21.0/106540352242922/messages?appsecret_proof=${proof}`, {
      method: 'POST',
      headers: { authorization: 'Bearer EAAtoken', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).error.message).toMatch(/buttons must have 1 to 3 items/);
  });

  it('WhatsApp with 10 labels: a list the fake accepts', async () => {
    const ten = Array.from({ length: 10 }, (_, i) => `Option ${i + 1}`);
    await metaAdapter.send(outbound({ channelIdentifier: '+12025550123', channelConfiguration: { phoneNumberId: '106540352242922' }, to: { externalId: '16505551234' }, quickReplies: ten }), conn);
    expect(graph.messages.at(-1)).toMatchObject({ channel: 'whatsapp', interactive: 'list', quickReplies: ten });
  });
});

describe('LINE quickReply (against the fake Messaging API)', () => {
  let fake: FakeLine;
  let conn: ConnectionContext;
  beforeAll(async () => {
    fake = await startFakeLine();
    conn = connectionContext({ id: 'conn_line', provider: 'line', secrets: { channelSecret: 's', channelAccessToken: fake.accessToken }, inboundSecret: 'x', apiBaseUrl: fake.url });
  });
  afterAll(async () => {
    await fake.close();
  });

  it('puts message-action items on the last message, each sending its label', async () => {
    const replyToken = fake.issueReplyToken('U4af4980629abcdef0123456789abcdef');
    await lineAdapter.send(outbound({ to: { externalId: 'U4af4980629abcdef0123456789abcdef' }, replyContext: { replyToken }, inboundReceivedAt: Date.now() }), conn);
    expect(fake.requests.at(-1)!.json).toEqual({
      replyToken,
      messages: [
        {
          type: 'text',
          text: 'How can I help?',
          quickReply: {
            items: [
              { type: 'action', action: { type: 'message', label: 'Track my order', text: 'Track my order' } },
              { type: 'action', action: { type: 'message', label: 'Talk to a person', text: 'Talk to a person' } },
            ],
          },
        },
      ],
    });
    expect(fake.delivered.at(-1)!.via).toBe('reply');
  });

  it('only on the last of several messages of a long reply', async () => {
    const text = `${'a'.repeat(5000)}tail`;
    await lineAdapter.send(outbound({ idempotencyKey: 'dlv_qr_long', to: { externalId: 'U4af4980629abcdef0123456789abcdef' }, text }), conn);
    const messages = (fake.requests.at(-1)!.json as any).messages;
    expect(messages.map((m: any) => [m.text.length, m.quickReply?.items.length])).toEqual([
      [5000, undefined],
      [4, 2],
    ]);
  });
});

describe('numbered text on WeChat, WeCom and webhook channels (against their fakes)', () => {
  let wechat: FakeWeixin;
  let wecom: FakeWeixin;
  let receiver: FakeWebhookReceiver;
  let smtp: FakeSmtp;
  const OUTBOUND_SECRET = 'whsec_' + Buffer.from('outbound-secret-key-fedcba9876543210').toString('base64');
  beforeAll(async () => {
    [wechat, wecom, receiver] = await Promise.all([
      startFakeWeChat({ appId: 'wx1234567890abcdef', appSecret: 'app-secret' }),
      startFakeWeCom({ corpId: 'ww1234567890abcdef', corpSecret: 'corp-secret', agentId: 1000002 }),
      startWebhookReceiver({ secret: OUTBOUND_SECRET }),
    ]);
    smtp = await startFakeSmtp();
  });
  afterAll(async () => {
    await Promise.all([wechat.close(), wecom.close(), receiver.close(), smtp.close()]);
  });

  /** A WeChat or WeCom connection (same token and AES key) to its fake at `apiBaseUrl`. */
  const weixinConnection = (provider: 'wechat' | 'wecom', settings: Record<string, unknown>, secrets: Record<string, string>, apiBaseUrl: string) =>
    connectionContext({
      id: `conn_${provider}`,
      provider,
      settings,
      secrets: { ...secrets, token: 't', encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' },
      inboundSecret: 'x',
      apiBaseUrl,
    });

  it('WeChat customer-service text', async () => {
    const conn = weixinConnection('wechat', { appId: 'wx1234567890abcdef', mode: 'plain' }, { appSecret: 'app-secret' }, wechat.url);
    await wechatAdapter.send(outbound({ to: { externalId: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' } }), conn);
    expect(wechat.requests.at(-1)!.json).toEqual({ touser: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o', msgtype: 'text', text: { content: NUMBERED } });
  });

  it('WeCom app text', async () => {
    const conn = weixinConnection('wecom', { corpId: 'ww1234567890abcdef', agentId: '1000002' }, { corpSecret: 'corp-secret' }, wecom.url);
    await wecomAdapter.send(outbound({ to: { externalId: 'ZhangSan' } }), conn);
    expect(wecom.requests.at(-1)!.json).toEqual({ touser: 'ZhangSan', msgtype: 'text', agentid: 1000002, text: { content: NUMBERED } });
  });

  it('webhook channel message', async () => {
    const conn = connectionContext({ id: 'conn_hook', provider: 'webhook', settings: { outboundUrl: receiver.url }, secrets: { outboundSecret: OUTBOUND_SECRET }, inboundSecret: 'x' });
    await webhookAdapter.send(outbound({ channelIdentifier: 'support-desk', to: { externalId: 'user-42' } }), conn);
    const request = receiver.requests.at(-1)!;
    expect(request.verified).toBe(true);
    expect(JSON.parse(request.body)).toEqual({ type: 'message', channel: 'support-desk', contact: { id: 'user-42' }, text: NUMBERED });
  });

  it('email text body', async () => {
    const conn = connectionContext({ id: 'conn_mail', provider: 'email', settings: { smtpHost: '127.0.0.1', smtpPort: smtp.port, smtpSecure: false }, inboundSecret: 'x' });
    await emailAdapter.send(outbound({ idempotencyKey: 'dlv_qr_mail', channelIdentifier: 'support@acme.test', to: { externalId: 'ada@example.com' } }), conn);
    const mail = smtp.messages.find((m) => m.messageId === '<dlv_qr_mail@switchboard>');
    expect(mail?.parsed.text?.trim()).toBe(NUMBERED);
  });

  it('a provider refusal still surfaces as a DeliveryError (the labels change nothing there)', async () => {
    const conn = connectionContext({ id: 'conn_line_bad', provider: 'line', secrets: {}, inboundSecret: 'x', apiBaseUrl: 'http://127.0.0.1:9' });
    expect((await expectDeliveryError(lineAdapter.send(outbound(), conn))).options.retryable).toBe(false);
  });
});

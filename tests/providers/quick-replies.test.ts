/**
 * Quick replies on provider channels, end to end: a scripted agent's suggestions reach each fake
 * provider in its native form (WhatsApp reply buttons or a list, Messenger quick_replies, a
 * Telegram one-time keyboard) or as numbered text (Twilio SMS), and the contact's choice comes back
 * as their message (a WhatsApp button reply's title, a bare number on SMS).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { waitUntil } from '../helpers/wait.js';
import { signedMetaWebhook, startFakeGraph, type FakeGraph } from '../fakes/graph.js';
import { startFakeTelegram, telegramUpdateRequest, type FakeTelegram } from '../fakes/telegram.js';
import { inboundSmsParams, signedTwilioWebhook, startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import { setUpTwilioSms } from '../helpers/twilio-sms.js';
import { whatsappWebhook } from '../fakes/whatsapp-payloads.js';
import { contactMessages, inboundPath, PUBLIC_URL, startProviderHarness, type Api, type ProviderHarness } from './harness.js';
import {
  createMetaConnection,
  createTelegramConnection,
  TELEGRAM_BOT_TOKEN,
  META_ACCESS_TOKEN as ACCESS_TOKEN,
  META_APP_SECRET as APP_SECRET,
  PAGE_ID,
  PHONE_NUMBER_ID,
  PSID,
  WA_USER,
  WHATSAPP_NUMBER,
} from './connections.js';

const BOT_USERNAME = 'switchboard_qr_bot';

const DISHES = ['Margherita', 'Funghi', 'Quattro formaggi', 'Marinara', 'Diavola'];
const BACKEND = {
  type: 'scripted',
  rules: [
    { match: 'keyword', pattern: 'book', reply: 'Shall I book a table for tonight?', quickReplies: ['Yes', 'No'] },
    { match: 'keyword', pattern: 'menu', reply: 'Which pizza would you like?', quickReplies: DISHES },
  ],
  fallback: 'Noted.',
};

/** A deployment channel answered by the scripted agent above. */
async function deployScripted(api: Api, channel: Record<string, unknown>): Promise<void> {
  const created = await api('POST', '/v1/deployment-channels', channel);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const agent = await api('POST', '/v1/agents', { name: 'Pizzeria', backend: BACKEND });
  expect(agent.status, JSON.stringify(agent.body)).toBe(201);
  const deployment = await api('POST', '/v1/deployment-configurations', { deploymentChannelId: created.body.data.id, agentId: agent.body.data.id, status: 'active' });
  expect(deployment.status, JSON.stringify(deployment.body)).toBe(201);
}

const whatsappMessage = (wamid: string, message: Record<string, unknown>) => whatsappWebhook({ id: wamid, ...message }, { phoneNumberId: PHONE_NUMBER_ID });

describe.each(ENGINES)('quick replies on provider channels on %s', (engine) => {
  let h: ProviderHarness;
  let graph: FakeGraph;
  let telegram: FakeTelegram;
  let twilio: FakeTwilio;
  let metaId: string;
  let telegramId: string;
  let telegramSecret: string;
  let smsPath: string;
  let sequence = 0;

  const postMeta = (payload: unknown) => {
    const { body, headers } = signedMetaWebhook(APP_SECRET, payload);
    return fetch(`${h.server.baseUrl}${inboundPath('meta', metaId)}`, { method: 'POST', headers, body });
  };
  const whatsappFrom = (text: string) => postMeta(whatsappMessage(`wamid.QR${++sequence}`, { type: 'text', text: { body: text } }));
  const lastRequest = (predicate: (json: any) => boolean) => waitUntil(() => graph.requests.find((r) => predicate(r.json)), 5000, 'the reply at the fake Graph API');
  const sms = (body: string) => {
    const params = inboundSmsParams({ MessageSid: `SMqr${String(++sequence).padStart(30, '0')}`, Body: body });
    const { headers, body: form } = signedTwilioWebhook(twilio.authToken, `${PUBLIC_URL}${smsPath}`, params);
    return fetch(`${h.server.baseUrl}${smsPath}`, { method: 'POST', headers, body: form });
  };

  beforeAll(async () => {
    [graph, telegram, twilio] = await Promise.all([
      startFakeGraph({ accessToken: ACCESS_TOKEN, appSecret: APP_SECRET, requireAppSecretProof: true, phoneNumberIds: [PHONE_NUMBER_ID], pageIds: [PAGE_ID] }),
      startFakeTelegram({ botToken: TELEGRAM_BOT_TOKEN, botUsername: BOT_USERNAME }),
      startFakeTwilio(),
    ]);
    h = await startProviderHarness(engine);
    metaId = (await createMetaConnection(h.api, graph.url)).id;
    await deployScripted(h.api, { deploymentType: 'whatsapp', channelIdentifier: WHATSAPP_NUMBER, configuration: { connectionId: metaId, phoneNumberId: PHONE_NUMBER_ID } });
    await deployScripted(h.api, { deploymentType: 'facebook', channelIdentifier: PAGE_ID, configuration: { connectionId: metaId } });

    const tg = await createTelegramConnection(h.api, telegram.url, BOT_USERNAME, 'Telegram');
    telegramId = tg.id;
    telegramSecret = tg.inboundSecret;
    await deployScripted(h.api, { deploymentType: 'telegram', channelIdentifier: BOT_USERNAME, configuration: { connectionId: telegramId } });

    const agent = await h.api('POST', '/v1/agents', { name: 'Pizzeria SMS', backend: BACKEND });
    const set = await setUpTwilioSms(h.api, twilio, agent.body.data.id);
    expect(set.deployed.status).toBe(201);
    smsPath = set.path;
  });
  afterAll(async () => {
    await h?.close();
    await Promise.all([graph?.close(), telegram?.close(), twilio?.close()]);
  });

  it('WhatsApp: up to 3 become reply buttons, and a tapped button comes back as the contact’s message', async () => {
    expect((await whatsappFrom('I want to book')).status).toBe(200);
    const request = await lastRequest((json) => json?.interactive?.body?.text === 'Shall I book a table for tonight?');
    expect(request.json).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: WA_USER,
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: 'Shall I book a table for tonight?' },
        action: {
          buttons: [
            { type: 'reply', reply: { id: 'qr_1', title: 'Yes' } },
            { type: 'reply', reply: { id: 'qr_2', title: 'No' } },
          ],
        },
      },
    });
    expect(graph.messages.find((m) => m.text === 'Shall I book a table for tonight?')).toMatchObject({ interactive: 'button', quickReplies: ['Yes', 'No'] });

    // What WhatsApp sends when the button is tapped.
    const wamid = `wamid.QRbutton${++sequence}`;
    const tapped = whatsappMessage(wamid, {
      type: 'interactive',
      context: { from: '12025550123', id: 'wamid.previous' },
      interactive: { type: 'button_reply', button_reply: { id: 'qr_1', title: 'Yes' } },
    });
    expect((await postMeta(tapped)).status).toBe(200);
    const [stored] = await waitUntil(async () => {
      const rows = await contactMessages(h.server, wamid);
      return rows.length > 0 ? rows : undefined;
    });
    expect(stored?.text).toBe('Yes');
  });

  it('WhatsApp: 4 to 10 become a list message; a chosen row comes back as its title', async () => {
    await whatsappFrom('Show me the menu');
    const request = await lastRequest((json) => json?.interactive?.body?.text === 'Which pizza would you like?');
    expect((request.json as any).interactive).toEqual({
      type: 'list',
      body: { text: 'Which pizza would you like?' },
      action: { button: 'Choose', sections: [{ rows: DISHES.map((title, i) => ({ id: `qr_${i + 1}`, title })) }] },
    });

    const wamid = `wamid.QRlist${++sequence}`;
    await postMeta(whatsappMessage(wamid, { type: 'interactive', interactive: { type: 'list_reply', list_reply: { id: 'qr_3', title: 'Quattro formaggi' } } }));
    const [stored] = await waitUntil(async () => {
      const rows = await contactMessages(h.server, wamid);
      return rows.length > 0 ? rows : undefined;
    });
    expect(stored?.text).toBe('Quattro formaggi');
  });

  it('Messenger: quick_replies with the label as title and payload', async () => {
    const mid = `m_qr-${++sequence}`;
    await postMeta({ object: 'page', entry: [{ id: PAGE_ID, time: Date.now(), messaging: [{ sender: { id: PSID }, recipient: { id: PAGE_ID }, timestamp: Date.now(), message: { mid, text: 'book please' } }] }] });
    const request = await lastRequest((json) => json?.message?.text === 'Shall I book a table for tonight?');
    expect(request.json).toEqual({
      recipient: { id: PSID },
      messaging_type: 'RESPONSE',
      message: {
        text: 'Shall I book a table for tonight?',
        quick_replies: [
          { content_type: 'text', title: 'Yes', payload: 'Yes' },
          { content_type: 'text', title: 'No', payload: 'No' },
        ],
      },
    });
  });

  it('Telegram: a one-time reply keyboard, one button a row', async () => {
    const update = {
      update_id: 880000000 + ++sequence,
      message: {
        message_id: 7,
        from: { id: 5550001, is_bot: false, first_name: 'Ada' },
        chat: { id: 5550001, first_name: 'Ada', type: 'private' },
        date: Math.floor(Date.now() / 1000),
        text: 'menu?',
      },
    };
    const { body, headers } = telegramUpdateRequest(update, telegramSecret);
    expect((await fetch(`${h.server.baseUrl}${inboundPath('telegram', telegramId)}`, { method: 'POST', headers, body })).status).toBe(200);
    const request = await waitUntil(() => telegram.requests.find((r) => (r.params as any).text === 'Which pizza would you like?'), 5000, 'the Telegram reply');
    expect(JSON.parse(request.body)).toEqual({
      chat_id: 5550001,
      text: 'Which pizza would you like?',
      reply_markup: { keyboard: DISHES.map((text) => [{ text }]), one_time_keyboard: true, resize_keyboard: true },
    });
    expect(telegram.messages.at(-1)!.replyMarkup).toMatchObject({ one_time_keyboard: true });
  });

  it('SMS: numbered under the text; a bare number answers with that label, any other text is left alone', async () => {
    await sms('Can I book?');
    const sent = await waitUntil(() => twilio.messages.find((m) => m.body.startsWith('Shall I book')), 5000, 'the SMS reply');
    expect(sent.body).toBe('Shall I book a table for tonight?\n\n1. Yes\n2. No');

    await sms(' 2. ');
    await waitUntil(() => twilio.messages.find((m) => m.body === 'Noted.'), 5000, 'the answer to the choice');
    const contact = async () =>
      (await h.server.db.selectFrom('messages').select(['text', 'created_at']).where('role', '=', 'contact').orderBy('created_at', 'desc').limit(1).executeTakeFirstOrThrow()).text;
    expect(await contact()).toBe('No');

    // The latest message ("Noted.") offers nothing: a number is just a number.
    await sms('3');
    await waitUntil(async () => ((await contact()) === '3' ? true : undefined), 5000, 'the bare number stored as sent');

    // Out of range stays as sent too.
    await sms('please book');
    await waitUntil(() => twilio.messages.filter((m) => m.body.startsWith('Shall I book')).length === 2 || undefined, 5000, 'the second offer');
    await sms('7');
    await waitUntil(async () => ((await contact()) === '7' ? true : undefined), 5000, 'an out-of-range number stored as sent');
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { channelTypeRules } from '@switchboard/core';
import {
  InboundAuthError,
  InboundFormatError,
  type ConnectionContext,
  type OutboundMessage,
  type RawInbound,
} from '../../packages/server/src/channels/adapter.js';
import {
  setWebhookRequest,
  telegramAdapter,
  telegramProvider,
  telegramSettingsSchema,
  TELEGRAM_DEFAULT_API_BASE_URL,
} from '../../packages/server/src/channels/telegram/index.js';
import { startFakeTelegram, telegramUpdateRequest, type FakeTelegram } from '../fakes/telegram.js';
import { connectionContext, expectAuthError, expectDeliveryError, inboundUrl, rawInbound, recordingFetch } from './support.js';

const BOT_TOKEN = '7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const BOT_USERNAME = 'acme_support_bot';
const SECRET = 'tg_Q2xhdWRlIHdhcyBoZXJlIDQyIHRpbWVz';

let telegram: FakeTelegram;

function connection(overrides: Partial<ConnectionContext> = {}): ConnectionContext {
  return connectionContext(
    {
      id: 'conn_tg1',
      provider: 'telegram',
      settings: { botUsername: BOT_USERNAME },
      secrets: { botToken: BOT_TOKEN },
      inboundSecret: SECRET,
      apiBaseUrl: telegram?.url ?? TELEGRAM_DEFAULT_API_BASE_URL,
    },
    overrides,
  );
}

function inbound(body: string, headers: Record<string, string | undefined> = {}): RawInbound {
  return rawInbound({ publicUrl: inboundUrl('telegram', 'conn_tg1'), query: {}, headers, body });
}

const delivered = (update: unknown) => {
  const made = telegramUpdateRequest(update, SECRET);
  return inbound(made.body, made.headers);
};

const privateText = (overrides: Record<string, unknown> = {}) => ({
  update_id: 871234567,
  message: {
    message_id: 52,
    from: { id: 123456789, is_bot: false, first_name: 'Ada', last_name: 'Lovelace', username: 'ada_l', language_code: 'en' },
    chat: { id: 123456789, first_name: 'Ada', last_name: 'Lovelace', username: 'ada_l', type: 'private' },
    date: 1749416383,
    text: 'Where is my order #1042?',
    ...overrides,
  },
});

beforeAll(async () => {
  telegram = await startFakeTelegram({ botToken: BOT_TOKEN, botUsername: BOT_USERNAME });
});
afterAll(async () => {
  await telegram.close();
});
beforeEach(() => {
  telegram.reset();
});

describe('telegram verify (X-Telegram-Bot-Api-Secret-Token)', () => {
  it('accepts the secret token set with setWebhook', () => {
    expect(() => telegramAdapter.verify(delivered(privateText()), connection())).not.toThrow();
  });

  it('refuses a request without the header (403)', () => {
    const error = expectAuthError(() => telegramAdapter.verify(inbound(JSON.stringify(privateText()), { 'content-type': 'application/json' }), connection()));
    expect(error.status).toBe(403);
    expect(error.message).toMatch(/X-Telegram-Bot-Api-Secret-Token header is missing/);
  });

  it.each([
    ['a wrong token of the same length', SECRET.replace(/.$/, 'X')],
    ['a token of another length', `${SECRET}0`],
    ['a differently cased token', SECRET.toUpperCase()],
    ['a prefix of the token', SECRET.slice(0, 10)],
  ])('refuses %s (403)', (_label, header) => {
    const error = expectAuthError(() =>
      telegramAdapter.verify(inbound(JSON.stringify(privateText()), { 'x-telegram-bot-api-secret-token': header }), connection()),
    );
    expect(error.status).toBe(403);
    expect(error.message).toMatch(/does not match/);
  });

  it('refuses everything when the connection has no inbound secret', () => {
    const error = expectAuthError(() => telegramAdapter.verify(inbound('{}', { 'x-telegram-bot-api-secret-token': '' }), connection({ inboundSecret: '' })));
    expect(error.status).toBe(403);
    expect(() => telegramAdapter.verify(inbound('{}', { 'x-telegram-bot-api-secret-token': 'x' }), connection({ inboundSecret: '' }))).toThrow(InboundAuthError);
  });
});

describe('telegram parse', () => {
  const parse = (update: unknown, conn = connection()) =>
    telegramAdapter.parse(inbound(typeof update === 'string' ? update : JSON.stringify(update)), conn);

  it('turns a private text message into an event identified by the bot username', () => {
    const events = parse(privateText());
    expect(events).toEqual([
      {
        providerEventId: '871234567',
        channelIdentifier: BOT_USERNAME,
        contact: { externalId: '123456789', displayName: 'Ada Lovelace' },
        text: 'Where is my order #1042?',
        replyContext: { chatId: 123456789, chatType: 'private', messageId: 52, sentAt: 1749416383000 },
      },
    ]);
    expect(channelTypeRules.telegram.identifier.safeParse(events[0]!.channelIdentifier).success).toBe(true);
  });

  it('names the contact by first name, else username, else not at all', () => {
    expect(parse(privateText({ from: { id: 5, is_bot: false, first_name: 'Ada' } }))[0]!.contact).toEqual({ externalId: '5', displayName: 'Ada' });
    expect(parse(privateText({ from: { id: 6, is_bot: false, first_name: ' ', username: 'only_handle' } }))[0]!.contact).toEqual({
      externalId: '6',
      displayName: 'only_handle',
    });
    expect(parse(privateText({ from: { id: 7, is_bot: false } }))[0]!.contact).toEqual({ externalId: '7' });
  });

  it('keeps the group chat to reply into while the contact is the sender', () => {
    const [event] = parse({
      update_id: 871234568,
      message: {
        message_id: 9001,
        from: { id: 222333444, is_bot: false, first_name: 'Grace', last_name: 'Hopper' },
        chat: { id: -1001234567890, title: 'Acme customers', type: 'supergroup' },
        date: 1749416400,
        text: '/help@acme_support_bot',
        entities: [{ offset: 0, length: 22, type: 'bot_command' }],
      },
    });
    expect(event).toMatchObject({
      providerEventId: '871234568',
      contact: { externalId: '222333444', displayName: 'Grace Hopper' },
      text: '/help@acme_support_bot',
      replyContext: { chatId: -1001234567890, chatType: 'supergroup', messageId: 9001 },
    });
  });

  it('turns a photo into an event carrying its largest size as media, its caption (or file name) as the text', () => {
    const sizes = [
      { file_id: 'AgAC-small', file_unique_id: 'AQADs', width: 90, height: 90 },
      { file_id: 'AgAC-large', file_unique_id: 'AQADl', width: 1280, height: 1280 },
    ];
    const [captioned] = parse({ update_id: 3, message: { ...privateText().message, text: undefined, photo: sizes, caption: 'this one' } });
    expect(captioned).toMatchObject({ providerEventId: '3', text: 'this one', media: [{ ref: 'AgAC-large', name: 'photo-AQADl.jpg', contentType: 'image/jpeg' }] });
    const [bare] = parse({ update_id: 4, message: { ...privateText().message, text: undefined, photo: sizes } });
    expect(bare!.text).toBe('photo-AQADl.jpg');
    expect(parse(privateText())[0]!.media).toBeUndefined();
  });

  it('drops a leading @ from a stored bot username', () => {
    expect(parse(privateText(), connection({ settings: { botUsername: '@acme_support_bot' } }))[0]!.channelIdentifier).toBe(BOT_USERNAME);
  });

  it.each([
    ['an edited message', { update_id: 1, edited_message: privateText().message }],
    ['a callback query', { update_id: 2, callback_query: { id: '4382bfdwdsb323b2d9', from: privateText().message.from, data: 'order:1042', chat_instance: '-1' } }],
    ['a sticker', { update_id: 4, message: { ...privateText().message, text: undefined, sticker: { file_id: 'CAAC', emoji: '👍' } } }],
    ['a channel post', { update_id: 5, channel_post: { message_id: 1, chat: { id: -100777, type: 'channel', title: 'News' }, date: 1, text: 'Announcement' } }],
    ['a membership change', { update_id: 6, my_chat_member: { chat: { id: 1, type: 'private' }, from: { id: 1, is_bot: false, first_name: 'A' }, date: 1 } }],
    ['a message from a bot', privateText({ from: { id: 99, is_bot: true, first_name: 'OtherBot' } })],
    ['a message without a sender', privateText({ from: undefined, sender_chat: { id: -100777, type: 'channel' } })],
  ])('yields nothing for %s', (_label, update) => {
    expect(parse(update)).toEqual([]);
  });

  it.each([
    ['a non-JSON body', 'update_id=1'],
    ['a JSON array', '[{"update_id":1}]'],
    ['an update without update_id', JSON.stringify({ message: privateText().message })],
    ['a string update_id', JSON.stringify({ ...privateText(), update_id: '871234567' })],
  ])('throws InboundFormatError on %s', (_label, body) => {
    expect(() => parse(body)).toThrow(InboundFormatError);
  });

  it('throws InboundFormatError when the connection has no bot username', () => {
    expect(() => parse(privateText(), connection({ settings: {} }))).toThrow(/botUsername/);
  });
});

describe('telegram acknowledge, settings and definition', () => {
  it('acknowledges with 200 and an empty JSON object', () => {
    const raw = delivered(privateText());
    const reply = telegramAdapter.acknowledge(telegramAdapter.parse(raw, connection()), raw, connection());
    expect(reply).toEqual({ status: 200, headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(JSON.parse(reply.body!)).toEqual({});
  });

  it('validates settings', () => {
    expect(telegramSettingsSchema.parse({ botUsername: 'acme_support_bot' })).toEqual({ botUsername: 'acme_support_bot' });
    expect(telegramSettingsSchema.parse({ botUsername: ' @AcmeSupportBot ' })).toEqual({ botUsername: 'AcmeSupportBot' });
    for (const bad of [{}, { botUsername: 'abc' }, { botUsername: '1acme_bot' }, { botUsername: 'acme-bot' }, { botUsername: 'acme_bot', botToken: BOT_TOKEN }]) {
      expect(telegramSettingsSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('describes the provider', () => {
    expect(telegramProvider.adapter).toBe(telegramAdapter);
    expect(telegramAdapter.provider).toBe('telegram');
    expect(telegramAdapter.defaultApiBaseUrl).toBe('https://api.telegram.org');
    expect(telegramAdapter.handshake).toBeUndefined();
    expect(telegramProvider.channelTypes).toEqual(['telegram']);
    expect(telegramProvider.inboundSecret).toBe('token');
    expect(telegramProvider.credentials.map((c) => [c.name, c.required])).toEqual([['botToken', true]]);
    expect(telegramProvider.setup).toContain('{inboundUrl}');
    expect(telegramProvider.setup).toContain('{inboundSecret}');
    expect(telegramProvider.setup).toContain('secret_token');
  });

  it('describes the setWebhook call, and the Bot API accepts it', async () => {
    const inboundUrl = 'https://switchboard.example.com/v1/public/channels/telegram/conn_tg1';
    const request = setWebhookRequest(connection(), inboundUrl);
    expect(request).toMatchObject({
      method: 'POST',
      url: `${telegram.url}/bot${BOT_TOKEN}/setWebhook`,
      headers: { 'content-type': 'application/json' },
      body: { url: inboundUrl, secret_token: SECRET, allowed_updates: ['message'] },
    });
    expect(request.curl).toContain(`${telegram.url}/bot${BOT_TOKEN}/setWebhook`);
    expect(request.curl).toContain(`"secret_token":"${SECRET}"`);
    const response = await fetch(request.url, { method: request.method, headers: request.headers, body: JSON.stringify(request.body) });
    expect(await response.json()).toEqual({ ok: true, result: true, description: 'Webhook was set' });
    expect(telegram.webhook).toEqual({ url: inboundUrl, secret_token: SECRET, allowed_updates: ['message'] });
    expect(setWebhookRequest(connection({ apiBaseUrl: TELEGRAM_DEFAULT_API_BASE_URL }), inboundUrl).url).toBe(
      `https://api.telegram.org/bot${BOT_TOKEN}/setWebhook`,
    );
  });

  it('refuses to describe a setWebhook Telegram would reject', () => {
    expect(() => setWebhookRequest(connection({ inboundSecret: 'has spaces and +/=' }), 'https://x.example/hook')).toThrow(/secret_token/);
  });
});

describe('telegram send (against the fake Bot API)', () => {
  const reply = (overrides: Partial<OutboundMessage> = {}): OutboundMessage => ({
    idempotencyKey: 'out_01HZX4TG01',
    channelIdentifier: BOT_USERNAME,
    channelConfiguration: { connectionId: 'conn_tg1' },
    to: { externalId: '123456789', displayName: 'Ada Lovelace' },
    text: 'Order #1042 left our warehouse this morning.',
    replyContext: { chatId: 123456789, chatType: 'private', messageId: 52 },
    ...overrides,
  });

  it('posts sendMessage with chat_id and text and returns the message id', async () => {
    const receipt = await telegramAdapter.send(reply(), connection());
    expect(telegram.requests).toHaveLength(1);
    const request = telegram.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe(`/bot${BOT_TOKEN}/sendMessage`);
    expect(request.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(request.body)).toEqual({ chat_id: 123456789, text: 'Order #1042 left our warehouse this morning.' });
    expect(telegram.messages).toEqual([{ chatId: '123456789', text: 'Order #1042 left our warehouse this morning.', messageId: 101 }]);
    expect(receipt).toEqual({ providerMessageId: '101' });
  });

  it('replies into the group chat from replyContext, else to the contact', async () => {
    await telegramAdapter.send(reply({ to: { externalId: '222333444' }, replyContext: { chatId: -1001234567890, chatType: 'supergroup' } }), connection());
    await telegramAdapter.send(reply({ replyContext: undefined }), connection());
    expect(telegram.requests.map((r) => JSON.parse(r.body).chat_id)).toEqual([-1001234567890, '123456789']);
  });

  it('has no idempotency key to pass: a repeated send is two messages', async () => {
    await telegramAdapter.send(reply(), connection());
    await telegramAdapter.send(reply(), connection());
    expect(telegram.messages.map((m) => m.messageId)).toEqual([101, 102]);
    expect(telegram.requests.every((r) => !r.body.includes('out_01HZX4TG01'))).toBe(true);
  });

  it('honours parameters.retry_after of a 429', async () => {
    telegram.failNext(429, { retryAfter: 23 });
    const error = await expectDeliveryError(telegramAdapter.send(reply(), connection()));
    expect(error.options).toEqual({ retryable: true, status: 429, retryAfterMs: 23_000 });
    expect(error.message).toMatch(/Too Many Requests: retry after 23/);
    expect(telegram.messages).toHaveLength(0);
  });

  it('maps 400 and 403 to permanent errors with Telegram\'s description', async () => {
    telegram.failNext(400, { description: 'Bad Request: chat not found' });
    telegram.failNext(403, { description: 'Forbidden: bot was blocked by the user' });
    const notFound = await expectDeliveryError(telegramAdapter.send(reply(), connection()));
    expect(notFound.options).toEqual({ retryable: false, status: 400 });
    expect(notFound.message).toMatch(/chat not found/);
    const blocked = await expectDeliveryError(telegramAdapter.send(reply(), connection()));
    expect(blocked.options).toEqual({ retryable: false, status: 403 });
    expect(blocked.message).toMatch(/blocked by the user/);
  });

  it('maps 5xx to retryable', async () => {
    telegram.failNext(500);
    telegram.failNext(502, { description: 'Bad Gateway' });
    expect((await expectDeliveryError(telegramAdapter.send(reply(), connection()))).options).toEqual({ retryable: true, status: 500 });
    expect((await expectDeliveryError(telegramAdapter.send(reply(), connection()))).options).toEqual({ retryable: true, status: 502 });
  });

  it('fails for good on a wrong bot token, without leaking it', async () => {
    const error = await expectDeliveryError(telegramAdapter.send(reply(), connection({ secrets: { botToken: '7012345678:WRONGwrongWRONG' } })));
    expect(error.options).toEqual({ retryable: false, status: 401 });
    expect(error.message).not.toContain('WRONGwrongWRONG');
    const missing = await expectDeliveryError(telegramAdapter.send(reply(), connection({ secrets: {} })));
    expect(missing.options.retryable).toBe(false);
    expect(missing.message).toMatch(/botToken/);
  });

  it('follows a group upgraded to a supergroup once', async () => {
    telegram.migrateChat(-4012345678, -1009876543210);
    const receipt = await telegramAdapter.send(reply({ replyContext: { chatId: -4012345678, chatType: 'group' } }), connection());
    expect(telegram.requests.map((r) => JSON.parse(r.body).chat_id)).toEqual([-4012345678, -1009876543210]);
    expect(telegram.messages).toEqual([expect.objectContaining({ chatId: '-1009876543210' })]);
    expect(receipt.providerMessageId).toBe('101');
  });

  it('treats network failures as retryable, including an answer lost after delivery', async () => {
    telegram.dropNext();
    expect((await expectDeliveryError(telegramAdapter.send(reply(), connection()))).options.retryable).toBe(true);
    expect(telegram.messages).toHaveLength(0);

    telegram.dropNext({ afterDelivery: true });
    expect((await expectDeliveryError(telegramAdapter.send(reply(), connection()))).options.retryable).toBe(true);
    expect(telegram.messages).toHaveLength(1); // the documented at-least-once edge

    const error = await expectDeliveryError(telegramAdapter.send(reply(), connection({ apiBaseUrl: 'http://127.0.0.1:1' })));
    expect(error.options.retryable).toBe(true);
    expect(error.message).not.toContain(BOT_TOKEN);
  });

  it('uses the fetch it is given', async () => {
    const { fetch: spy, seen } = recordingFetch();
    await telegramAdapter.send(reply(), connection(), spy);
    expect(seen).toEqual([`${telegram.url}/bot${BOT_TOKEN}/sendMessage`]);
  });
});

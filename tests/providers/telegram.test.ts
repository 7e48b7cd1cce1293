import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setWebhookRequest } from '../../packages/server/src/channels/telegram/index.js';
import { ENGINES } from '../helpers/engines.js';
import { waitUntil } from '../helpers/wait.js';
import { startFakeTelegram, telegramUpdateRequest, type FakeTelegram } from '../fakes/telegram.js';
import {
  contactMessages,
  countRows,
  deployEcho,
  inboundEvents,
  inboundPath,
  refusal,
  settled,
  startProviderHarness,
  type ProviderHarness,
} from './harness.js';
import { createTelegramConnection, TELEGRAM_BOT_TOKEN } from './connections.js';

const BOT_USERNAME = 'switchboard_e2e_bot';
const USER_ID = 123456789;

const privateText = (updateId: number, text: string) => ({
  update_id: updateId,
  message: {
    message_id: updateId % 1000,
    from: { id: USER_ID, is_bot: false, first_name: 'Ada', last_name: 'Lovelace', username: 'ada_l', language_code: 'en' },
    chat: { id: USER_ID, first_name: 'Ada', last_name: 'Lovelace', username: 'ada_l', type: 'private' },
    date: Math.floor(Date.now() / 1000),
    text,
  },
});

describe.each(ENGINES)('Telegram end to end on %s', (engine) => {
  let h: ProviderHarness;
  let telegram: FakeTelegram;
  let connectionId: string;
  let secretToken: string;

  /** `token: null` sends no secret-token header at all. */
  const post = (update: unknown, token: string | null = secretToken) => {
    const { body, headers } = telegramUpdateRequest(update, token ?? '');
    if (token === null) delete headers['x-telegram-bot-api-secret-token'];
    return fetch(`${h.server.baseUrl}${inboundPath('telegram', connectionId)}`, { method: 'POST', headers, body });
  };

  beforeAll(async () => {
    telegram = await startFakeTelegram({ botToken: TELEGRAM_BOT_TOKEN, botUsername: BOT_USERNAME });
    h = await startProviderHarness(engine);
    const connection = await createTelegramConnection(h.api, telegram.url, `@${BOT_USERNAME}`);
    connectionId = connection.id;
    expect(connection.settings).toEqual({ botUsername: BOT_USERNAME });

    // Register the webhook the way the operator is told to: setWebhook with the inbound URL and secret.
    const register = setWebhookRequest(
      { id: connection.id, workspaceId: '', provider: 'telegram', settings: {}, secrets: { botToken: TELEGRAM_BOT_TOKEN }, inboundSecret: connection.inboundSecret, apiBaseUrl: telegram.url },
      connection.inboundUrl,
    );
    const registered = await fetch(register.url, { method: 'POST', headers: register.headers, body: JSON.stringify(register.body) });
    expect(registered.status).toBe(200);
    expect(telegram.webhook).toEqual({ url: connection.inboundUrl, secret_token: connection.inboundSecret, allowed_updates: ['message'] });
    secretToken = telegram.webhook!.secret_token!;

    await deployEcho(h.api, { deploymentType: 'telegram', channelIdentifier: BOT_USERNAME, configuration: { connectionId } });
  });
  afterAll(async () => {
    await h?.close();
    await telegram?.close();
  });

  it('acknowledges an update carrying the secret token and replies with sendMessage', async () => {
    const response = await post(privateText(871000001, 'Where is my order #1042?'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toEqual({});

    const sent = await waitUntil(() => telegram.messages.find((m) => m.text === 'Where is my order #1042?'), 5000, 'the reply at the fake Bot API');
    expect(sent.chatId).toBe(String(USER_ID));
    const request = telegram.requests.find((r) => r.apiMethod === 'sendMessage' && r.params.text === 'Where is my order #1042?')!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe(`/bot${TELEGRAM_BOT_TOKEN}/sendMessage`);
    expect(request.token).toBe(TELEGRAM_BOT_TOKEN);
    expect(request.headers['content-type']).toContain('application/json');
    expect(JSON.parse(request.body)).toEqual({ chat_id: USER_ID, text: 'Where is my order #1042?' });

    const [stored] = await contactMessages(h.server, '871000001');
    expect(stored?.text).toBe('Where is my order #1042?');
    const contact = await h.server.db.selectFrom('contacts').selectAll().where('external_id', '=', String(USER_ID)).executeTakeFirstOrThrow();
    expect(contact.display_name).toBe('Ada Lovelace');
    const delivery = await waitUntil(async () =>
      (await h.api('GET', '/v1/deliveries?status=sent')).body.data.data.find((d: any) => d.providerMessageId === String(sent.messageId)),
    );
    expect(delivery).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('stores one message and sends one reply when Telegram delivers the same update_id again', async () => {
    for (let i = 0; i < 3; i++) {
      const response = await post(privateText(871000002, 'Just once'));
      expect(response.status).toBe(200);
    }
    await waitUntil(() => telegram.messages.some((m) => m.text === 'Just once'), 5000, 'the reply');
    await settled(h.server);
    expect(telegram.messages.filter((m) => m.text === 'Just once')).toHaveLength(1);
    expect(await contactMessages(h.server, '871000002')).toHaveLength(1);
    expect(await inboundEvents(h.server, '871000002')).toHaveLength(1);
  });

  it('refuses a missing or wrong X-Telegram-Bot-Api-Secret-Token with 403 and stores nothing', async () => {
    const before = await countRows(h.server, 'inbound_events');
    const missing = await refusal(await post(privateText(871000003, 'No token'), null));
    expect(missing.status).toBe(403);
    expect(missing.message).toMatch(/X-Telegram-Bot-Api-Secret-Token header is missing/);

    const wrong = await refusal(await post(privateText(871000004, 'Wrong token'), 'not-the-secret-token'));
    expect(wrong.status).toBe(403);
    expect(wrong.message).toMatch(/X-Telegram-Bot-Api-Secret-Token does not match/);

    expect(await countRows(h.server, 'inbound_events')).toBe(before);
    expect(telegram.messages.some((m) => m.text === 'No token' || m.text === 'Wrong token')).toBe(false);
  });
});

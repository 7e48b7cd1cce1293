/**
 * Oversized messages: inbound text is held to MAX_INBOUND_TEXT on every provider, and a long
 * SMS or WhatsApp reply becomes at most MAX_REPLY_SEGMENTS provider messages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@switchboard/server';
import { capInboundText, MAX_INBOUND_TEXT } from '../../packages/server/src/channels/inbound-text.js';
import { parseWebhookMessage } from '../../packages/server/src/channels/webhook/parse.js';
import { MAX_BODY_LENGTH, sendTwilioMessage, splitBody } from '../../packages/server/src/channels/twilio/index.js';
import { InboundFormatError } from '../../packages/server/src/channels/adapter.js';
import { ENGINES } from '../helpers/engines.js';
import { inboundSmsParams, signedTwilioWebhook, startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import { startFakeTelegram, telegramUpdateRequest, type FakeTelegram } from '../fakes/telegram.js';
import { connectionContext, inboundUrl, rawInbound } from '../channels/support.js';
import { contactMessages, createConnection, createSecret, deployEcho, inboundPath, PUBLIC_URL, settled, startProviderHarness, type ProviderHarness } from '../providers/harness.js';

const FIVE_MB = 5 * 1024 * 1024;
const note = (dropped: number) => `… [truncated: ${dropped} characters]`;

/** Words and line breaks, as a long message would have them. */
function longText(length: number): string {
  const line = 'The quick brown fox jumps over the lazy dog near the riverbank today.\n';
  return line.repeat(Math.ceil(length / line.length)).slice(0, length);
}

describe('Size limit rules', () => {
  it('cuts inbound text past the limit with a note of how much was dropped, never inside a surrogate pair', () => {
    expect(MAX_INBOUND_TEXT).toBe(32_000);
    const fits = 'a'.repeat(MAX_INBOUND_TEXT);
    expect(capInboundText(fits)).toBe(fits);
    expect(capInboundText(`${fits}bc`)).toBe(`${fits}${note(2)}`);
    const emoji = `${'a'.repeat(9)}😀😀`;
    expect(capInboundText(emoji, 10)).toBe(`${'a'.repeat(9)}${note(4)}`);
  });

  it('refuses custom webhook text past the same limit (the sender is told, and can split it)', () => {
    const signed = (text: string) =>
      rawInbound({
        publicUrl: inboundUrl('webhook', 'conn_size'),
        headers: { 'webhook-id': 'msg_size_1', 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'message', channel: 'desk', contact: { id: 'user-1' }, text }),
      });
    expect(parseWebhookMessage(signed('a'.repeat(MAX_INBOUND_TEXT)))[0]!.text).toHaveLength(MAX_INBOUND_TEXT);
    expect(() => parseWebhookMessage(signed('a'.repeat(MAX_INBOUND_TEXT + 1)))).toThrow(InboundFormatError);
    expect(() => parseWebhookMessage(signed('a'.repeat(MAX_INBOUND_TEXT + 1)))).toThrow(/at most 32000 characters/);
  });

  it('splits a reply into at most the given number of parts, the last ending with an ellipsis', () => {
    const text = longText(40_000);
    expect(splitBody(text).length).toBeGreaterThan(10);
    const parts = splitBody(text, MAX_BODY_LENGTH, 10);
    expect(parts).toHaveLength(10);
    expect(parts.every((part) => part.length <= MAX_BODY_LENGTH)).toBe(true);
    expect(parts[9]!.endsWith('…')).toBe(true);
    expect(splitBody('x'.repeat(5000), 1600, 1)).toEqual([`${'x'.repeat(1599)}…`]);
    // Text that fits is left alone.
    expect(splitBody('short', MAX_BODY_LENGTH, 1)).toEqual(['short']);
  });

  it('reads MAX_REPLY_SEGMENTS (default 10), and a Twilio send honours the limit its delivery carries', async () => {
    expect(loadConfig({}).delivery.maxReplySegments).toBe(10);
    expect(loadConfig({ MAX_REPLY_SEGMENTS: '3' }).delivery.maxReplySegments).toBe(3);
    expect(() => loadConfig({ MAX_REPLY_SEGMENTS: '0' })).toThrow(/MAX_REPLY_SEGMENTS/);

    const bodies: string[] = [];
    const fakeFetch: typeof fetch = async (_url, init) => {
      bodies.push(new URLSearchParams(String(init?.body)).get('Body')!);
      return new Response(JSON.stringify({ sid: `SM${bodies.length}` }), { status: 201, headers: { 'content-type': 'application/json' } });
    };
    const connection = connectionContext(
      { id: 'conn_size', provider: 'twilio', inboundSecret: 'unused' },
      { settings: { accountSid: `AC${'0'.repeat(32)}` }, secrets: { authToken: 'token' }, apiBaseUrl: 'https://api.twilio.test' },
    );
    const message = { idempotencyKey: 'msg_size', channelIdentifier: '+14155550100', channelConfiguration: {}, to: { externalId: '+14155550199' }, text: longText(40_000) };
    await sendTwilioMessage({ ...message, maxSegments: 3 }, connection, fakeFetch);
    expect(bodies).toHaveLength(3);
    expect(bodies[2]!.endsWith('…')).toBe(true);
    bodies.length = 0;
    await sendTwilioMessage(message, connection, fakeFetch);
    expect(bodies).toHaveLength(10);
  });
});

describe.each(ENGINES)('Size limits end to end on %s', (engine) => {
  let h: ProviderHarness;
  let twilio: FakeTwilio;
  let telegram: FakeTelegram;
  let twilioConnectionId: string;
  let telegramConnectionId: string;
  let telegramSecret: string;

  beforeAll(async () => {
    twilio = await startFakeTwilio();
    telegram = await startFakeTelegram({ botToken: '7012345678:AAHsizeLimitsTestTokenxxxxxxxxxxxxx', botUsername: 'size_limits_bot' });
    h = await startProviderHarness(engine);

    const twilioConnection = await createConnection(h.api, {
      provider: 'twilio',
      name: 'Twilio',
      settings: { accountSid: twilio.accountSid },
      credentials: { authToken: await createSecret(h.api, 'twilio-auth-token', twilio.authToken) },
      apiBaseUrl: twilio.url,
    });
    twilioConnectionId = twilioConnection.id;
    const phone = await h.api('POST', '/v1/phone-configurations', { phoneNumber: '+14155550100', provider: 'twilio', connectionId: twilioConnectionId });
    expect(phone.status).toBe(201);
    await deployEcho(h.api, { deploymentType: 'sms', channelIdentifier: '+14155550100', configuration: { phoneConfigurationId: phone.body.data.id } });

    const telegramConnection = await createConnection(h.api, {
      provider: 'telegram',
      name: 'Telegram bot',
      settings: { botUsername: 'size_limits_bot' },
      credentials: { botToken: await createSecret(h.api, 'telegram-bot-token', '7012345678:AAHsizeLimitsTestTokenxxxxxxxxxxxxx') },
      apiBaseUrl: telegram.url,
    });
    telegramConnectionId = telegramConnection.id;
    telegramSecret = telegramConnection.inboundSecret;
    await deployEcho(h.api, { deploymentType: 'telegram', channelIdentifier: 'size_limits_bot', configuration: { connectionId: telegramConnectionId } });
  });
  afterAll(async () => {
    await h?.close();
    await twilio?.close();
    await telegram?.close();
  });

  it('stores a 5 MB Twilio SMS body cut to the limit, and echoes it in at most 10 messages', async () => {
    const body = longText(FIVE_MB);
    const path = inboundPath('twilio', twilioConnectionId);
    const params = inboundSmsParams({ MessageSid: 'SMsize0000000000000000000000000001', Body: body });
    const { headers, body: form } = signedTwilioWebhook(twilio.authToken, `${PUBLIC_URL}${path}`, params);
    const response = await fetch(`${h.server.baseUrl}${path}`, { method: 'POST', headers, body: form });
    expect(response.status).toBe(200);
    await settled(h.server, 20_000);

    const [stored] = await contactMessages(h.server, 'SMsize0000000000000000000000000001');
    expect(stored?.text).toBe(`${body.slice(0, MAX_INBOUND_TEXT)}${note(FIVE_MB - MAX_INBOUND_TEXT)}`);

    const requests = twilio.requests.filter((r) => r.path.endsWith('/Messages.json'));
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.length).toBeLessThanOrEqual(10);
    expect(twilio.messages).toHaveLength(10);
    expect(twilio.messages.at(-1)!.body.endsWith('…')).toBe(true);
  });

  it('cuts a Telegram message past the limit the same way, and still answers it', async () => {
    const text = longText(MAX_INBOUND_TEXT + 8000);
    const update = {
      update_id: 990000001,
      message: { message_id: 1, from: { id: 4242, is_bot: false, first_name: 'Ada' }, chat: { id: 4242, first_name: 'Ada', type: 'private' }, date: Math.floor(Date.now() / 1000), text },
    };
    const { body, headers } = telegramUpdateRequest(update, telegramSecret);
    const response = await fetch(`${h.server.baseUrl}${inboundPath('telegram', telegramConnectionId)}`, { method: 'POST', headers, body });
    expect(response.status).toBe(200);
    await settled(h.server, 10_000);

    const [stored] = await contactMessages(h.server, '990000001');
    expect(stored?.text).toBe(`${text.slice(0, MAX_INBOUND_TEXT)}${note(8000)}`);
    expect(telegram.requests.some((r) => r.apiMethod === 'sendMessage')).toBe(true);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { createTestApp, createTwilioConnection, type TestApp } from '../helpers/app.js';
import { inboundSmsParams, signedTwilioWebhook } from '../fakes/twilio.js';
import { withoutNul } from '../../packages/server/src/http/nul-characters.js';

const AUTH_TOKEN = 'n'.repeat(32);
const PUBLIC_URL = 'http://localhost:8787';
const MESSAGE = 'must not contain the NUL character (U+0000)';
const web = (extra: Record<string, unknown> = {}) => ({
  channelIdentifier: 'https://nul.example.com',
  deploymentType: 'web',
  configuration: { communicationType: 'unified', widgetConfiguration: { position: 'right' } },
  ...extra,
});

describe.each(ENGINES)('the NUL character (U+0000) on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(async () => {
    await t.close();
  });

  const refused = (response: { status: number; body: any }, field: string) => {
    expect(response.status, JSON.stringify(response.body)).toBe(400);
    expect(response.body.code).toBe('VALIDATION_ERROR');
    expect(response.body.message).toBe(`${field}: ${MESSAGE}`);
    expect(response.body.error.details).toEqual([{ field, message: MESSAGE }]);
  };

  it('is refused in a JSON body, naming the field however deep, and nothing is written', async () => {
    const before = await t.snapshot();
    refused(await t.request('POST', '/v1/deployment-channels', web({ channelName: 'a\u0000b' })), 'channelName');
    const theme = { communicationType: 'unified', widgetConfiguration: { position: 'right', customTheme: { accent: '#fff\u0000' } } };
    refused(await t.request('POST', '/v1/deployment-channels', web({ configuration: theme })), 'configuration.widgetConfiguration.customTheme.accent');
    const keyed = { communicationType: 'unified', widgetConfiguration: { position: 'right', customTheme: { 'a\u0000': '#fff' } } };
    refused(await t.request('POST', '/v1/deployment-channels', web({ configuration: keyed })), 'configuration.widgetConfiguration.customTheme.a\\u0000');
    const scripted = { type: 'scripted', rules: [], fallback: 'Sorry?', fallbackQuickReplies: ['Yes', 'No\u0000'] };
    refused(await t.request('POST', '/v1/agents', { name: 'Scripted', backend: scripted }), 'backend.fallbackQuickReplies.1');
    expect(await t.snapshot()).toEqual(before);
    // The same escape written as text (a backslash, then u0000) is no NUL.
    const created = await t.request('POST', '/v1/deployment-channels', web({ channelName: 'a\\u0000b' }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.data.channelName).toBe('a\\u0000b');
  });

  it('is refused in a path or query parameter', async () => {
    refused(await t.request('GET', '/v1/deployment-channels/by-identifier/a%00b'), 'identifier');
    refused(await t.request('GET', '/v1/deployment-channels?search=a%00'), 'search');
    // %2500 is the text "%00", which lists nothing rather than failing.
    const text = await t.request('GET', '/v1/deployment-channels?search=%2500');
    expect(text.status).toBe(200);
    expect(text.body.data.meta.totalCount).toBe(0);
  });

  it('reaches the inbox from a provider as U+FFFD, instead of failing the message', async () => {
    const path = `/v1/public/channels/twilio/${await createTwilioConnection(t, AUTH_TOKEN, 'twilio-nul')}`;
    const sid = `SM${'7'.repeat(32)}`;
    const { headers, body } = signedTwilioWebhook(AUTH_TOKEN, `${PUBLIC_URL}${path}`, inboundSmsParams({ MessageSid: sid, Body: 'before\u0000after' }));
    const response = await t.app.server.inject({ method: 'POST', url: path, headers, payload: body });
    expect(response.statusCode).toBe(200);
    const stored = await t.db.selectFrom('inbound_events').select('event').where('provider_event_id', '=', sid).executeTakeFirstOrThrow();
    expect(JSON.parse(stored.event).text).toBe('before\ufffdafter');
  });
});

describe('withoutNul', () => {
  it('replaces NUL in strings and keys at any depth and leaves everything else as it was', () => {
    const date = new Date(0);
    expect(withoutNul({ 'k\u0000': ['a\u0000\u0000', 1, null, true, { deep: 'x\u0000' }], date, plain: 'ok' })).toEqual({
      'k\ufffd': ['a\ufffd\ufffd', 1, null, true, { deep: 'x\ufffd' }],
      date,
      plain: 'ok',
    });
    expect(withoutNul({ date }).date).toBe(date);
    const clean = { text: 'no NUL here', media: [{ id: 'm1' }] };
    expect(withoutNul(clean)).toBe(clean);
  });
});

/**
 * The deployment theme's appearance fields (colorScheme, launcherText, sound, strings) through the
 * real API, and the visitor's language in the widget runtime's answers (GET …/config?locale=,
 * the session start's locale, Accept-Language), on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { controlApi } from '../helpers/control.js';
import { startLiveServer, type LiveServer } from '../helpers/live-server.js';

const ORIGIN = 'http://localhost:5500';

describe.each(ENGINES)('widget appearance and languages on %s', (engine) => {
  let server: LiveServer;
  let key: string;
  let agentId: string;
  const api = (method: string, path: string, body?: unknown) => controlApi(server.baseUrl, key)(method, path, body);
  const runtime = async (method: string, path: string, token: string, options: { body?: unknown; headers?: Record<string, string> } = {}) => {
    const response = await fetch(`${server.baseUrl}/v1/public/runtime${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, origin: ORIGIN, ...(options.body !== undefined && { 'content-type': 'application/json' }), ...options.headers },
      ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  const deploy = (theme: unknown) =>
    api('POST', `/v1/agents/${agentId}/deployments`, {
      allowedOrigins: [ORIGIN],
      channel: { channelIdentifier: `https://site-${Math.random().toString(36).slice(2)}.example.com` },
      theme,
    });
  const deploymentCount = async () => (await api('GET', `/v1/agents/${agentId}/deployments`)).body.data.length as number;

  beforeAll(async () => {
    server = await startLiveServer(engine, { runtimeRateLimits: { perIp: 10_000, perToken: 10_000 } });
    key = (await server.newWorkspace()).apiKey;
    agentId = (await api('POST', '/v1/agents', { name: 'Concierge', introductionMessage: 'Hi!' })).body.data.id;
  });
  afterAll(async () => {
    await server.close();
  });

  it('refuses a bad appearance field with 400 naming it and its rule, and creates or changes nothing', async () => {
    const before = await deploymentCount();
    for (const [theme, field, rule] of [
      [{ colorScheme: 'night' }, 'theme.colorScheme', 'must be "auto", "light" or "dark"'],
      [{ sound: 'on' }, 'theme.sound', 'must be true or false'],
      [{ launcherText: 'x'.repeat(41) }, 'theme.launcherText', 'must be at most 40 characters'],
      [{ strings: { es: { typing: '{nombre} escribe…' } } }, 'theme.strings.es.typing', '{nombre} is not a placeholder of this text: use {name}'],
      [{ strings: { es: { unread: 'mensajes sin leer' } } }, 'theme.strings.es.unread', 'must contain {n}'],
      [{ strings: { 'not a tag': { send: 'x' } } }, 'theme.strings.not a tag', 'must be a language tag such as en, es or pt-BR'],
    ] as const) {
      const response = await deploy(theme);
      expect(response.status, field).toBe(400);
      expect(response.body.error.details, field).toContainEqual(expect.objectContaining({ field, message: expect.stringContaining(rule) }));
    }
    const unknownKey = await deploy({ strings: { es: { placeholdr: 'x' } } });
    expect(unknownKey.status).toBe(400);
    expect(unknownKey.body.error.details[0].field).toMatch(/^theme\.strings\.es/);
    expect(unknownKey.body.message).toContain('placeholdr');
    expect(await deploymentCount()).toBe(before);

    const created = await deploy({ colorScheme: 'dark' });
    expect(created.status).toBe(201);
    const id = created.body.data.id;
    const patched = await api('PATCH', `/v1/agents/${agentId}/deployments/${id}`, { theme: { colorScheme: 'dim', sound: true } });
    expect(patched.status).toBe(400);
    expect(patched.body.error.details).toEqual([expect.objectContaining({ field: 'theme.colorScheme' })]);
    expect((await api('GET', `/v1/agents/${agentId}/deployments/${id}`)).body.data.theme).toEqual({ colorScheme: 'dark' });
  });

  it('stores the fields, and the runtime answers them with the texts of the language asked for', async () => {
    const theme = {
      colorScheme: 'auto',
      launcherText: 'Chat with us',
      sound: true,
      strings: { es: { placeholder: 'Pregúntanos lo que quieras…' }, ko: { openChat: '채팅 열기' } },
    };
    const created = await deploy(theme);
    expect(created.status).toBe(201);
    expect(created.body.data.theme).toEqual(theme);
    const read = await api('GET', `/v1/agents/${agentId}/deployments/${created.body.data.id}`);
    expect(read.body.data.theme).toEqual(theme);
    const token = created.body.data.token as string;

    const spanish = await runtime('GET', '/config?locale=es-MX', token);
    expect(spanish.status).toBe(200);
    expect(spanish.body.data.widget.theme).toMatchObject({ colorScheme: 'auto', launcherText: 'Chat with us', sound: true });
    expect(spanish.body.data.widget.theme).not.toHaveProperty('strings');
    expect(spanish.body.data.widget).toMatchObject({ locale: 'es', dir: 'ltr' });
    expect(spanish.body.data.widget.strings).toMatchObject({ placeholder: 'Pregúntanos lo que quieras…', send: 'Enviar mensaje', unread: { one: '{n} mensaje sin leer' } });

    const arabic = await runtime('GET', '/config?locale=ar', token);
    expect(arabic.body.data.widget).toMatchObject({ locale: 'ar', dir: 'rtl', strings: { openChat: 'فتح الدردشة' } });

    // A language the deployment adds; one nobody has (English); a value that is not a tag (English, not an error).
    expect((await runtime('GET', '/config?locale=ko-KR', token)).body.data.widget).toMatchObject({ locale: 'ko', strings: { openChat: '채팅 열기', send: 'Send message' } });
    for (const odd of ['sv', '%3Cscript%3E', 'x'.repeat(50)]) {
      const answer = await runtime('GET', `/config?locale=${odd}`, token);
      expect(answer.status, odd).toBe(200);
      expect(answer.body.data.widget, odd).toMatchObject({ locale: 'en', dir: 'ltr', strings: { openChat: 'Open chat' } });
    }

    // Without ?locale=, the first language of Accept-Language.
    const german = await runtime('GET', '/config', token, { headers: { 'accept-language': 'de-CH, de;q=0.9, en;q=0.5' } });
    expect(german.body.data.widget).toMatchObject({ locale: 'de', strings: { openChat: 'Chat öffnen' } });

    // The session start answers in its body's locale.
    const started = await runtime('POST', '/sessions', token, { body: { locale: 'pt-BR' } });
    expect(started.status).toBe(201);
    expect(started.body.data.widget).toMatchObject({ locale: 'pt', dir: 'ltr', strings: { placeholder: 'Escreva uma mensagem…' } });
    expect(started.body.data.widget.theme).toEqual(spanish.body.data.widget.theme);
  });

  it('a theme without the new fields answers their defaults: light, no launcher text, no sound', async () => {
    const created = await deploy({ primaryColor: '#112233' });
    const config = await runtime('GET', '/config?locale=en', created.body.data.token);
    expect(config.body.data.widget.theme).toMatchObject({ colorScheme: 'light', launcherText: null, sound: false });
    expect(config.body.data.widget).toMatchObject({ locale: 'en', dir: 'ltr', strings: { openChat: 'Open chat', unread: { one: '{n} unread message', other: '{n} unread messages' } } });
  });
});

/**
 * The egress policy: operator-configured targets on loopback, private, link-local, CGNAT,
 * multicast, unspecified or IPv4-mapped addresses are refused when saved (literal addresses) and
 * on every connection (resolved names), redirects are not followed, and nothing of a failing
 * target's raw answer is kept. Every connection here stays on 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildApp, createEgressFetch, egressPolicy, loadConfig, parseEgressAllow, resolveAllowed, type App } from '@switchboard/server';
import { fakesEgress } from '../helpers/egress.js';
import { ENGINES, createTestDatabase, type TestDatabase } from '../helpers/engines.js';
import { createWorkspace } from '../helpers/app.js';
import { waitUntil } from '../helpers/wait.js';
import { queueRefusedWebhookEvent } from '../helpers/refused-webhook.js';

/** Loopback written every way a URL parser accepts, plus the other ranges the policy refuses. */
const REFUSED_HOSTS = [
  'localhost',
  '127.0.0.1',
  '0.0.0.0',
  '[::1]',
  '2130706433',
  '127.1',
  '0x7f000001',
  '[::ffff:127.0.0.1]',
  '169.254.169.254',
  '10.1.2.3',
  '172.16.0.9',
  '192.168.1.1',
  '100.64.0.1',
  '[fd00::1]',
  '[fe80::1]',
  '224.0.0.1',
  '[::]',
  'localhost.',
];

describe('the egress policy', () => {
  const strict = egressPolicy();

  it.each(REFUSED_HOSTS)('refuses http://%s/ before any lookup', (host) => {
    expect(strict.refusalForTarget(`http://${host}:9399/event-1`)).toMatch(/egress policy refuses/);
  });

  it.each(['93.184.216.34', 'example.com', '[2606:4700::1111]'])('lets the public target %s through to the connect-time check', (host) => {
    expect(strict.refusalForTarget(`https://${host}/hook`)).toBeUndefined();
  });

  it('refuses schemes other than http and https', () => {
    expect(strict.refusalForTarget('file:///etc/passwd')).toMatch(/only http and https/);
    expect(strict.refusalForTarget('gopher://example.com/')).toMatch(/only http and https/);
  });

  it('judges bare SMTP hosts the same way, numbers and hex included', () => {
    for (const host of ['localhost', '127.0.0.1', '2130706433', '0x7f000001', '10.0.0.5', '::1']) {
      expect(strict.refusalForTarget(host), host).toMatch(/egress policy refuses/);
    }
    expect(strict.refusalForTarget('smtp.example.com')).toBeUndefined();
  });

  it('opens exceptions for the hosts and CIDR ranges SWITCHBOARD_EGRESS_ALLOW lists, and no others', () => {
    const policy = egressPolicy(parseEgressAllow('127.0.0.1, 10.0.0.0/8 internal.example'));
    expect(policy.refusalForTarget('http://127.0.0.1:8080/')).toBeUndefined();
    expect(policy.refusalForTarget('http://10.200.0.1/')).toBeUndefined();
    expect(policy.refusalForTarget('http://internal.example/')).toBeUndefined();
    expect(policy.refusalForTarget('http://127.0.0.2/')).toMatch(/loopback/);
    expect(policy.refusalForTarget('http://192.168.0.1/')).toMatch(/private/);
    expect(policy.refusalForTarget('http://169.254.169.254/')).toMatch(/link-local/);
  });

  it('names a malformed SWITCHBOARD_EGRESS_ALLOW entry', () => {
    expect(() => parseEgressAllow('10.0.0.0/33')).toThrow(/'10.0.0.0\/33' is not a valid CIDR range/);
    expect(() => parseEgressAllow('bad_host!')).toThrow(/'bad_host!' is neither/);
  });
});

describe('connect-time checks', () => {
  let listener: Server;
  let port: number;
  let hits = 0;

  beforeAll(async () => {
    listener = createServer((req, res) => {
      hits++;
      if (req.url === '/redirect') {
        res.writeHead(302, { location: `http://127.0.0.1:${port}/target` }).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`reached ${req.url}`);
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    port = (listener.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => listener.close(() => resolve())));

  it('refuses a name that resolves to a refused address, without connecting (DNS rebinding)', async () => {
    const fetchOut = createEgressFetch(egressPolicy(), undefined, { lookup: async () => [{ address: '127.0.0.1' }] });
    const before = hits;
    await expect(fetchOut(`http://rebind.example:${port}/secret`)).rejects.toThrow(/rebind\.example resolves to 127\.0\.0\.1 is a loopback address/);
    expect(hits).toBe(before);
  });

  it('refuses a name when any one of its addresses is refused', async () => {
    // The address that passes is the listener's own, so even a policy that wrongly let the name through would stay on loopback.
    const fetchOut = createEgressFetch(egressPolicy(['127.0.0.1']), undefined, {
      lookup: async () => [{ address: '127.0.0.1' }, { address: '10.0.0.7' }],
    });
    const before = hits;
    await expect(fetchOut(`http://mixed.example:${port}/`)).rejects.toThrow(/10\.0\.0\.7 is a private/);
    expect(hits).toBe(before);
  });

  it('connects to the address it checked, and never follows a redirect', async () => {
    const fetchOut = createEgressFetch(egressPolicy(['127.0.0.1']), undefined, { lookup: async () => [{ address: '127.0.0.1' }] });
    const answer = await fetchOut(`http://allowed.example:${port}/hello`);
    expect(await answer.text()).toBe('reached /hello');
    const before = hits;
    const redirected = await fetchOut(`http://allowed.example:${port}/redirect`);
    expect(redirected.status).toBe(302);
    expect(hits).toBe(before + 1);
  });
});

describe('a policy that connects only to its allow-list', () => {
  const onlyListed = egressPolicy(parseEgressAllow('127.0.0.1 hooks.internal.example'), { connectOnlyToAllowed: true });
  const noLookup = async (): Promise<{ address: string }[]> => {
    throw new Error('no DNS lookup may be made');
  };

  it('still lets public targets be saved', () => {
    for (const target of ['https://example.com/hook', 'https://93.184.216.34/hook', 'smtp.example.com']) {
      expect(onlyListed.refusalForTarget(target), target).toBeUndefined();
    }
    expect(onlyListed.refusalForTarget('http://10.0.0.1/')).toMatch(/private/);
  });

  it('refuses a host name that is not listed before any DNS lookup, and a public address when connecting', async () => {
    await expect(resolveAllowed(onlyListed, 'api.twilio.com', noLookup)).rejects.toThrow('api.twilio.com is a host name, which is not on the egress allow-list');
    await expect(resolveAllowed(onlyListed, '93.184.216.34', noLookup)).rejects.toThrow('93.184.216.34 is a public address, which is not on the egress allow-list');
    await expect(resolveAllowed(onlyListed, '[2606:4700::1111]', noLookup)).rejects.toThrow(/2606:4700::1111 is a public address/);
    expect(await resolveAllowed(onlyListed, '127.0.0.1', noLookup)).toBe('127.0.0.1');
    expect(await resolveAllowed(onlyListed, 'hooks.internal.example', async () => [{ address: '10.9.8.7' }])).toBe('10.9.8.7');
  });

  it('is what the suite runs its servers with', async () => {
    await expect(resolveAllowed(fakesEgress, 'graph.facebook.com', noLookup)).rejects.toThrow(/not on the egress allow-list/);
    expect(fakesEgress.refusalForTarget('https://example.com/agent')).toBeUndefined();
  });

  it('is switched on by SWITCHBOARD_EGRESS_ONLY_ALLOWED, which must be true or false', () => {
    expect(loadConfig({}).egressOnlyAllowed).toBe(false);
    expect(loadConfig({ SWITCHBOARD_EGRESS_ONLY_ALLOWED: 'true' }).egressOnlyAllowed).toBe(true);
    expect(() => loadConfig({ SWITCHBOARD_EGRESS_ONLY_ALLOWED: 'yes please' })).toThrow('SWITCHBOARD_EGRESS_ONLY_ALLOWED must be true or false, got "yes please"');
  });
});

describe.each(ENGINES)('operator-configured targets on %s', (engine) => {
  let database: TestDatabase;
  let app: App;
  let key: string;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    app = buildApp({ db: database.db });
    await app.server.ready();
    key = (await createWorkspace(database.db)).apiKey;
  });
  afterAll(async () => {
    await app.server.close();
    await database.destroy();
  });

  async function call(method: string, url: string, body?: unknown) {
    const response = await app.server.inject({
      method: method as 'POST',
      url,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body !== undefined && { payload: JSON.stringify(body) }),
    });
    return { status: response.statusCode, body: response.json() };
  }

  async function counts() {
    const tables = ['webhook_subscriptions', 'agents', 'connections', 'secrets'] as const;
    const result: Record<string, number> = {};
    for (const table of tables) {
      const row = await database.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      result[table] = Number(row.n);
    }
    return result;
  }

  const cases: { what: string; field: string; body: (url: string, host: string) => [string, unknown] }[] = [
    { what: 'an event webhook', field: 'url', body: (url) => ['/v1/webhooks', { url, events: ['*'] }] },
    {
      what: 'a webhook agent',
      field: 'backend.url',
      body: (url) => ['/v1/agents', { name: 'Hook', backend: { type: 'webhook', url } }],
    },
    {
      what: 'an OpenAI-compatible agent',
      field: 'backend.baseUrl',
      body: (url) => ['/v1/agents', { name: 'LLM', backend: { type: 'openai-compatible', baseUrl: url, model: 'm' } }],
    },
    {
      what: 'a connection API base URL',
      field: 'apiBaseUrl',
      body: (url) => ['/v1/connections', { provider: 'telegram', name: 'Bot', settings: { botUsername: 'switchboard_bot' }, apiBaseUrl: url, credentials: {} }],
    },
    {
      what: 'a custom webhook outboundUrl',
      field: 'settings.outboundUrl',
      body: (url) => ['/v1/connections', { provider: 'webhook', name: 'Custom', settings: { outboundUrl: url }, credentials: {} }],
    },
    {
      what: 'a voice gateway callbackUrl',
      field: 'settings.callbackUrl',
      body: (url) => ['/v1/connections', { provider: 'voice-gateway', name: 'Gateway', settings: { callbackUrl: url }, credentials: {} }],
    },
    {
      what: 'an email SMTP host',
      field: 'settings.smtpHost',
      body: (_url, host) => ['/v1/connections', { provider: 'email', name: 'Mail', settings: { smtpHost: host.replace(/^\[(.*)\]$/, '$1') }, credentials: {} }],
    },
  ];

  for (const { what, field, body } of cases) {
    it(`refuses ${what} on any loopback, private or metadata address, naming ${field}, and stores nothing`, async () => {
      const before = await counts();
      for (const host of ['127.0.0.1', '2130706433', '0x7f000001', '[::ffff:127.0.0.1]', '169.254.169.254', 'localhost', '10.0.0.1']) {
        const [path, payload] = body(`http://${host}:9399/event-1`, host);
        const answer = await call('POST', path, payload);
        expect(answer.status, `${what} at ${host}`).toBe(400);
        expect(answer.body.error.details, `${what} at ${host}`).toEqual(
          expect.arrayContaining([expect.objectContaining({ field, message: expect.stringMatching(/egress policy refuses/) })]),
        );
      }
      expect(await counts()).toEqual(before);
    });
  }

  it('refuses changing an event webhook to a private address, and keeps the old URL', async () => {
    const created = await call('POST', '/v1/webhooks', { url: 'https://hooks.switchboard.invalid/in', events: ['*'] });
    expect(created.status).toBe(201);
    const changed = await call('PATCH', `/v1/webhooks/${created.body.data.id}`, { url: 'http://192.168.0.10/in' });
    expect(changed.status).toBe(400);
    expect(changed.body.message).toContain('url: 192.168.0.10 is a private (RFC 1918) address');
    expect((await call('GET', `/v1/webhooks/${created.body.data.id}`)).body.data.url).toBe('https://hooks.switchboard.invalid/in');
  });
});

describe.each(ENGINES)('a stored target that the policy refuses, on %s', (engine) => {
  let database: TestDatabase;
  let app: App;
  let key: string;
  let internal: Server;
  let internalUrl: string;
  let reached = 0;

  beforeAll(async () => {
    internal = createServer((_req, res) => {
      reached++;
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"internal":"SECRET-INTERNAL-DATA"}');
    });
    await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', resolve));
    internalUrl = `http://127.0.0.1:${(internal.address() as AddressInfo).port}/event-1`;
    database = await createTestDatabase(engine);
    app = buildApp({ db: database.db, delivery: { baseDelayMs: 10, maxAttempts: 2, pollMs: 50 } });
    await app.server.ready();
    key = (await createWorkspace(database.db)).apiKey;
  });
  afterAll(async () => {
    await app.server.close();
    await database.destroy();
    await new Promise<void>((resolve) => internal.close(() => resolve()));
  });

  it('is refused when sent (a URL saved before the policy, or a name that later resolves inside), and the listener hears nothing', async () => {
    const test = await queueRefusedWebhookEvent(app, database.db, key, internalUrl);
    expect(test.statusCode).toBe(200);
    const deliveryId = test.json().data.deliveryId as string;
    const delivery = await waitUntil(async () => {
      const row = await database.db.selectFrom('deliveries').selectAll().where('id', '=', deliveryId).executeTakeFirst();
      return row && row.last_error ? row : undefined;
    }, 5000, 'the refused delivery');
    expect(delivery.last_error).toMatch(/127\.0\.0\.1 is a loopback address, which the egress policy refuses/);
    expect(reached).toBe(0);
  });
});

describe('what is kept of a failing target', () => {
  let internal: Server;
  let base: string;

  beforeAll(async () => {
    internal = createServer((req, res) => {
      if (req.url === '/json') res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"quota exceeded"},"secret":"SECRET-INTERNAL-DATA"}');
      else res.writeHead(502, { 'content-type': 'text/html' }).end('<html>SECRET-INTERNAL-DATA admin panel</html>');
    });
    await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(internal.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => internal.close(() => resolve())));

  it('is the status and the JSON error message only, never the raw body', async () => {
    const { postForDelivery } = await import('../../packages/server/src/channels/webhook/http.js');
    const fetchOut = createEgressFetch(egressPolicy(['127.0.0.1']));
    const html = await postForDelivery(fetchOut, new URL(`${base}/html`), {}, '{}', 'The endpoint').catch((error: Error) => error);
    expect((html as Error).message).toBe('The endpoint answered 502');
    const json = await postForDelivery(fetchOut, new URL(`${base}/json`), {}, '{}', 'The endpoint').catch((error: Error) => error);
    expect((json as Error).message).toBe('The endpoint answered 500: quota exceeded');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { createTestApp, type TestApp, type TestResponse } from '../helpers/app.js';

const channels = '/v1/deployment-channels';

const webChannel = (identifier: string, extra: Record<string, unknown> = {}) => ({
  channelIdentifier: identifier,
  deploymentType: 'web',
  channelName: 'Website Chat',
  configuration: { communicationType: 'unified', widgetConfiguration: { position: 'right' } },
  ...extra,
});

/** A rejected request: the wire-format error body with this status and code. */
function expectRejected(response: TestResponse, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  expect(response.body).toMatchObject({ success: false, status, code, error: { code } });
  expect(typeof response.body.message).toBe('string');
  expect(response.body.error.message).toBe(response.body.message);
  expect(response.body.timestamp).toEqual(expect.any(Number));
  expect(response.body.meta).toEqual(expect.any(Object));
}

describe.each(ENGINES)('bad input changes nothing on %s', (engine) => {
  let t: TestApp;
  /** A channel every rejected PATCH and DELETE aims at; it must come out unchanged. */
  let target: Record<string, unknown> & { id: string };

  beforeAll(async () => {
    t = await createTestApp(engine);
    const created = await t.request('POST', channels, webChannel('https://target.example.com'));
    expect(created.status).toBe(201);
    target = created.body.data;
  });
  afterAll(async () => {
    await t.close();
  });

  /** Runs a request that must be rejected and proves that no table and not the target channel changed. */
  async function rejectedWrite(method: string, url: string, body?: unknown, headers?: Record<string, string>) {
    const before = await t.snapshot();
    const response = await t.request(method, url, body, headers);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(await t.snapshot()).toEqual(before);
    expect((await t.request('GET', `${channels}/${target.id}`)).body.data).toEqual(target);
    return response;
  }

  describe('request bodies', () => {
    it('malformed JSON → 400 "Malformed JSON…"', async () => {
      for (const [method, url] of [
        ['POST', channels],
        ['PATCH', `${channels}/${target.id}`],
        ['PATCH', channels],
      ] as const) {
        const response = await rejectedWrite(method, url, '{"channelIdentifier": ');
        expectRejected(response, 400, 'VALIDATION_ERROR');
        expect(response.body.message).toMatch(/^Malformed JSON/);
      }
      const trailing = await rejectedWrite('POST', channels, '{"channelIdentifier": "https://x.example.com",}');
      expectRejected(trailing, 400, 'VALIDATION_ERROR');
      expect(trailing.body.message).toMatch(/^Malformed JSON/);
    });

    it('a body that is not application/json → 415 UNSUPPORTED_MEDIA_TYPE', async () => {
      const asJsonText = JSON.stringify(webChannel('https://text-plain.example.com'));
      for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
        const response = await rejectedWrite('POST', channels, asJsonText, { 'content-type': contentType });
        expectRejected(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
        expect(response.body.message).toContain('application/json');
      }
      const patch = await rejectedWrite('PATCH', `${channels}/${target.id}`, '{"channelName":"Changed"}', { 'content-type': 'text/plain' });
      expectRejected(patch, 415, 'UNSUPPORTED_MEDIA_TYPE');
    });

    it('no body on POST or PATCH → 400', async () => {
      const none = await rejectedWrite('POST', channels);
      expectRejected(none, 400, 'VALIDATION_ERROR');
      expect(none.body.message).toMatch(/body is required/i);
      const emptyJson = await rejectedWrite('POST', channels, '', { 'content-type': 'application/json' });
      expectRejected(emptyJson, 400, 'VALIDATION_ERROR');
      const patch = await rejectedWrite('PATCH', `${channels}/${target.id}`);
      expectRejected(patch, 400, 'VALIDATION_ERROR');
      for (const url of ['/v1/agents', '/v1/phone-configurations', '/v1/deployment-configurations', '/v1/deployment-configurations/setup']) {
        expectRejected(await rejectedWrite('POST', url), 400, 'VALIDATION_ERROR');
      }
    });

    it('a JSON body that is not an object → 400 "Request body must be a JSON object"', async () => {
      for (const body of ['[]', JSON.stringify([webChannel('https://array.example.com')]), 'null', '"web"', '42', 'true']) {
        const response = await rejectedWrite('POST', channels, body);
        expectRejected(response, 400, 'VALIDATION_ERROR');
        expect(response.body.message, body).toBe('Request body must be a JSON object');
      }
      const patch = await rejectedWrite('PATCH', `${channels}/${target.id}`, '[]');
      expect(patch.body.message).toBe('Request body must be a JSON object');
    });

    it('an unknown top-level field → 400 naming it', async () => {
      const response = await rejectedWrite('POST', channels, webChannel('https://unknown.example.com', { foo: 1 }));
      expectRejected(response, 400, 'VALIDATION_ERROR');
      expect(response.body.message).toContain('Unknown field: foo');
      const patch = await rejectedWrite('PATCH', `${channels}/${target.id}`, { channelName: 'Changed', foo: 1 });
      expect(patch.status).toBe(400);
      expect(patch.body.message).toContain('Unknown field: foo');
      for (const [url, body] of [
        ['/v1/agents', { name: 'A', foo: 1 }],
        ['/v1/phone-configurations', { phoneNumber: '+12025550401', provider: 'twilio', foo: 1 }],
      ] as const) {
        const other = await rejectedWrite('POST', url, body);
        expect(other.status).toBe(400);
        expect(other.body.message).toContain('Unknown field: foo');
      }
    });

    it('an unknown nested field in configuration → 400 naming it', async () => {
      const top = await rejectedWrite('POST', channels, webChannel('https://nested.example.com', { configuration: { communicationType: 'text', colour: 'red' } }));
      expectRejected(top, 400, 'VALIDATION_ERROR');
      expect(top.body.message).toContain('colour');
      expect(top.body.error.details[0].field).toMatch(/^configuration/);

      const deeper = await rejectedWrite('POST', channels, webChannel('https://nested.example.com', { configuration: { widgetConfiguration: { position: 'left', size: 3 } } }));
      expect(deeper.status).toBe(400);
      expect(deeper.body.message).toContain('size');
      expect(deeper.body.error.details[0].field).toMatch(/^configuration\.widgetConfiguration/);

      const patch = await rejectedWrite('PATCH', `${channels}/${target.id}`, { configuration: { colour: 'red' } });
      expect(patch.status).toBe(400);
      expect(patch.body.message).toContain('colour');

      const setup = await rejectedWrite('POST', '/v1/deployment-configurations/setup', {
        agentId: 'agent_whatever',
        channel: webChannel('https://nested-setup.example.com', { configuration: { colour: 'red' } }),
      });
      expect(setup.status).toBe(400);
      expect(setup.body.error.details[0].field).toMatch(/^channel\.configuration/);
    });

    it('a body over 1 MiB → 413 PAYLOAD_TOO_LARGE', async () => {
      const huge = webChannel('https://huge.example.com', { channelName: 'x'.repeat(1_100_000) });
      const response = await rejectedWrite('POST', channels, huge);
      expectRejected(response, 413, 'PAYLOAD_TOO_LARGE');
      expect(response.body.message).toContain('1 MiB');
      const patch = await rejectedWrite('PATCH', `${channels}/${target.id}`, { channelName: 'y'.repeat(1_100_000) });
      expectRejected(patch, 413, 'PAYLOAD_TOO_LARGE');
      // Just under the limit is parsed (and then rejected by the schema: names are at most 200 characters).
      const under = await rejectedWrite('POST', channels, webChannel('https://under.example.com', { channelName: 'z'.repeat(1_000_000) }));
      expectRejected(under, 400, 'VALIDATION_ERROR');
      expect(under.body.error.details[0].field).toBe('channelName');
    });
  });

  describe('query strings', () => {
    it('page=0 and page=abc → 400 naming page', async () => {
      for (const query of ['page=0', 'page=abc', 'page=-1', 'page=1.5', 'page=']) {
        const response = await t.request('GET', `${channels}?${query}&pageSize=10`);
        if (query === 'page=') {
          expect(response.status).toBe(200);
          continue;
        }
        expectRejected(response, 400, 'VALIDATION_ERROR');
        expect(response.body.error.details[0].field, query).toBe('page');
        expect(response.body.message).toContain('page');
      }
    });

    it('pageSize=5000 → 400 naming pageSize; 1000 is allowed', async () => {
      for (const query of ['pageSize=5000', 'pageSize=0', 'pageSize=1001', 'pageSize=ten']) {
        const response = await t.request('GET', `/v1/agents?${query}`);
        expectRejected(response, 400, 'VALIDATION_ERROR');
        expect(response.body.error.details[0].field, query).toBe('pageSize');
        expect(response.body.message).toContain('pageSize');
      }
      const max = await t.request('GET', '/v1/agents?pageSize=1000');
      expect(max.status).toBe(200);
      expect(max.body.data.meta.pageSize).toBe(1000);
    });

    it('an unknown query parameter → 400 naming it, on reads and on writes', async () => {
      for (const url of [`${channels}?foo=1`, `${channels}/${target.id}?foo=1`, '/v1/deployment-configurations?page=1&foo=bar', `${channels}/by-type/web?sort=asc`]) {
        const response = await t.request('GET', url);
        expectRejected(response, 400, 'VALIDATION_ERROR');
        expect(response.body.message, url).toMatch(/^(foo|sort): Unknown query parameter$/);
      }
      const del = await rejectedWrite('DELETE', `${channels}/${target.id}?force=true`);
      expectRejected(del, 400, 'VALIDATION_ERROR');
      expect(del.body.message).toContain('force');
      const patch = await rejectedWrite('PATCH', `${channels}/${target.id}?dryRun=1`, { channelName: 'Changed' });
      expectRejected(patch, 400, 'VALIDATION_ERROR');
      expect(patch.body.message).toContain('dryRun');
      const post = await rejectedWrite('POST', `${channels}?upsert=true`, webChannel('https://query.example.com'));
      expectRejected(post, 400, 'VALIDATION_ERROR');
      const badFlag = await rejectedWrite('DELETE', `${channels}/${target.id}?deletePhoneConfig=yes`);
      expectRejected(badFlag, 400, 'VALIDATION_ERROR');
      expect(badFlag.body.message).toContain('deletePhoneConfig');
    });
  });

  describe('path parameters', () => {
    const badIds = ['bad.id', 'a'.repeat(65), '%20', 'a'.repeat(200), '_leading', 'semi%3Bcolon'];

    it('ids of the wrong shape → 400 naming id, for GET, PATCH and DELETE', async () => {
      for (const id of badIds) {
        const get = await t.request('GET', `${channels}/${id}`);
        expectRejected(get, 400, 'VALIDATION_ERROR');
        expect(get.body.error.details[0].field, id).toBe('id');
        expect(get.body.message).toMatch(/^id: /);

        const patch = await rejectedWrite('PATCH', `${channels}/${id}`, { channelName: 'Changed' });
        expectRejected(patch, 400, 'VALIDATION_ERROR');
        expect(patch.body.error.details[0].field, id).toBe('id');

        const del = await rejectedWrite('DELETE', `${channels}/${id}`);
        expectRejected(del, 400, 'VALIDATION_ERROR');
        expect(del.body.error.details[0].field, id).toBe('id');
      }
      for (const url of ['/v1/agents/bad.id', '/v1/phone-configurations/bad.id', '/v1/deployment-configurations/bad.id']) {
        const response = await rejectedWrite('DELETE', url);
        expect(response.body.error.details[0].field, url).toBe('id');
      }
      const byChannel = await t.request('GET', '/v1/deployment-configurations/by-channel/bad.id');
      expect(byChannel.body.error.details[0].field).toBe('channelId');
      const byAgent = await t.request('GET', `/v1/deployment-configurations/by-agent/${'b'.repeat(65)}`);
      expect(byAgent.body.error.details[0].field).toBe('agentId');
    });

    it('a malformed percent-encoding in the path → 400 in the wire format', async () => {
      const response = await t.request('GET', `${channels}/%E0%A4%A`);
      expectRejected(response, 400, 'VALIDATION_ERROR');
      const del = await rejectedWrite('DELETE', `${channels}/%zz`);
      expectRejected(del, 400, 'VALIDATION_ERROR');
    });

    it('long identifiers reach the route: a URL whose encoded form is far over 100 characters resolves', async () => {
      const identifier = `https://long.example.com/${'section/'.repeat(30)}page?ref=campaign&utm_source=newsletter`;
      expect(encodeURIComponent(identifier).length).toBeGreaterThan(300);
      const created = await t.request('POST', channels, webChannel(identifier));
      expect(created.status).toBe(201);
      const found = await t.request('GET', `${channels}/by-identifier/${encodeURIComponent(identifier)}`);
      expect(found.status).toBe(200);
      expect(found.body.data.id).toBe(created.body.data.id);
      const tooLong = await t.request('GET', `${channels}/by-identifier/${'q'.repeat(2049)}`);
      expectRejected(tooLong, 400, 'VALIDATION_ERROR');
      expect(tooLong.body.error.details[0].field).toBe('identifier');
      expect((await t.request('DELETE', `${channels}/${created.body.data.id}`)).status).toBe(200);
    });

    it('an unknown route or method → 404 with a JSON error body', async () => {
      const get = await t.request('GET', '/v1/does-not-exist');
      expectRejected(get, 404, 'NOT_FOUND');
      expect(get.body.message).toContain('/v1/does-not-exist');
      const unauthenticated = await t.request('GET', '/v1/does-not-exist', undefined, { authorization: '' });
      expectRejected(unauthenticated, 404, 'NOT_FOUND');
      expectRejected(await rejectedWrite('POST', '/v1/channels', webChannel('https://wrong-route.example.com')), 404, 'NOT_FOUND');
      expectRejected(await rejectedWrite('PUT', `${channels}/${target.id}`, { channelName: 'Changed' }), 404, 'NOT_FOUND');
      expectRejected(await rejectedWrite('DELETE', channels), 404, 'NOT_FOUND');
      expectRejected(await t.request('GET', `${channels}/${target.id}/extra`), 404, 'NOT_FOUND');
    });
  });

  it('still serves valid requests after all of the above', async () => {
    const before = await t.snapshot();
    const created = await t.request('POST', channels, webChannel('https://afterwards.example.com'));
    expect(created.status).toBe(201);
    const renamed = await t.request('PATCH', `${channels}/${target.id}`, { channelName: 'Renamed at last' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.data.channelName).toBe('Renamed at last');
    const list = await t.request('GET', `${channels}?page=1&pageSize=1000`);
    expect(list.status).toBe(200);
    expect(list.body.data.data.map((c: { id: string }) => c.id)).toEqual(expect.arrayContaining([target.id, created.body.data.id]));
    expect((await t.snapshot()).deployment_channels).toBe(Number(before.deployment_channels) + 1);
    expect((await t.request('DELETE', `${channels}/${created.body.data.id}`)).body.data).toBe(true);
  });
});

/**
 * A browser's Origin header is always one exact origin, so a wildcard in `allowedOrigins`
 * would match nothing: it is refused at input, naming the entry and saying how to list origins.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

describe.each(ENGINES)('wildcard allowed origins on %s', (engine) => {
  let t: TestApp;
  let agentId: string;
  let sites = 0;
  const base = () => `/v1/agents/${agentId}/deployments`;
  const channel = () => ({ channelIdentifier: `https://origins-${++sites}.example.com` });

  beforeAll(async () => {
    t = await createTestApp(engine);
    agentId = (await t.request('POST', '/v1/agents', { name: 'Widget agent' })).body.data.id;
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses a wildcard origin when a deployment is created, changing nothing', async () => {
    const before = await t.snapshot();
    for (const [wildcard, example] of [
      ['https://*.example.com', 'https://a.example.com'],
      ['http://*.localhost:5500', 'http://a.localhost:5500'],
      ['https://example.*', 'https://a.example.com'],
      ['https://shop.example.com:*', 'https://a.example.com'],
      ['*', 'https://a.example.com'],
    ]) {
      const response = await t.request('POST', base(), { allowedOrigins: ['https://www.example.com', wildcard], channel: channel() });
      expect(response.status, wildcard).toBe(400);
      expect(response.body).toMatchObject({ success: false, status: 400, code: 'VALIDATION_ERROR' });
      expect(response.body.error.details).toEqual([
        { field: 'allowedOrigins.1', message: `"${wildcard}": wildcards are not supported: list each origin exactly, e.g. ${example}` },
      ]);
      expect(response.body.message).toContain('allowedOrigins.1');
      expect(response.body.message).toContain('wildcards are not supported');
    }
    expect(await t.snapshot()).toEqual(before);
    expect((await t.request('GET', base())).body.data.data).toEqual([]);
  });

  it('refuses a wildcard origin on update and keeps the origins it had', async () => {
    const created = await t.request('POST', base(), { allowedOrigins: ['https://a.example.com', 'https://b.example.com'], channel: channel() });
    expect(created.status).toBe(201);
    const id = created.body.data.id as string;
    const refused = await t.request('PATCH', `${base()}/${id}`, { allowedOrigins: ['*.example.com'] });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details).toEqual([
      { field: 'allowedOrigins.0', message: '"*.example.com": wildcards are not supported: list each origin exactly, e.g. https://a.example.com' },
    ]);
    expect((await t.request('GET', `${base()}/${id}`)).body.data.allowedOrigins).toEqual(['https://a.example.com', 'https://b.example.com']);
    const listed = await t.request('PATCH', `${base()}/${id}`, { allowedOrigins: ['https://a.example.com', 'https://c.example.com'] });
    expect(listed.status).toBe(200);
    expect(listed.body.data.allowedOrigins).toEqual(['https://a.example.com', 'https://c.example.com']);
  });
});

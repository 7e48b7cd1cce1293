import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { validate } from '@readme/openapi-parser';

const registered: { method: string; url: string }[] = [];

vi.mock('fastify', async (importOriginal) => {
  const original = await importOriginal<typeof import('fastify')>();
  const withRoutesRecorded = ((options?: Parameters<typeof original.default>[0]) => {
    const server = original.default(options);
    server.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) registered.push({ method: String(method), url: route.url });
    });
    return server;
  }) as typeof original.default;
  return { ...original, default: withRoutesRecorded, fastify: withRoutesRecorded };
});

const { createTestApp } = await import('../helpers/app.js');
type TestApp = Awaited<ReturnType<typeof createTestApp>>;

/** Fastify answers HEAD for every GET by itself; the document lists the GET. */
const ALLOWED_MISSING = [/^HEAD /];

/** Fastify's `:param` and trailing `*` as OpenAPI path templates. */
const openApiPath = (url: string) => url.replace(/:([A-Za-z]+)/g, '{$1}').replace(/\*$/, '{path}');

type Json = any;

describe('OpenAPI document coverage', () => {
  let t: TestApp;
  let doc: Json;
  beforeAll(async () => {
    t = await createTestApp('sqlite');
    doc = (await t.app.server.inject({ method: 'GET', url: '/v1/openapi.json' })).json();
  });
  afterAll(async () => {
    await t.close();
  });

  it('documents every route the server registers', () => {
    expect(registered.length).toBeGreaterThan(100);
    const missing = registered
      .map(({ method, url }) => `${method} ${openApiPath(url)}`)
      .filter((route) => !ALLOWED_MISSING.some((allowed) => allowed.test(route)))
      .filter((route) => {
        const [method, path] = route.split(' ');
        return !doc.paths[path!]?.[method!.toLowerCase()];
      });
    expect([...new Set(missing)]).toEqual([]);
  });

  it('documents no route the server does not register', () => {
    const answered = new Set(registered.map(({ method, url }) => `${method.toLowerCase()} ${openApiPath(url)}`));
    const extra: string[] = [];
    for (const [path, methods] of Object.entries<Json>(doc.paths)) {
      for (const method of Object.keys(methods)) if (!answered.has(`${method} ${path}`)) extra.push(`${method} ${path}`);
    }
    expect(extra).toEqual([]);
  });

  it('describes the widget event stream and the provider doors', () => {
    const events = doc.paths['/v1/public/runtime/sessions/{sessionId}/events'].get;
    expect(Object.keys(events.responses['200'].content)).toEqual(['text/event-stream']);
    for (const event of ['message', 'typing', 'delta', 'error', 'closed', 'shutdown']) expect(events.description).toContain(`\`${event}\``);
    const door = doc.paths['/v1/public/channels/{provider}/{connectionId}'].post;
    expect(door.security).toEqual([]);
    expect(door.description).toMatch(/signing secret/);
    expect(doc.paths['/health'].get.security).toEqual([]);
    expect(doc.paths['/channel-service/v1/channels'].get.security).toEqual([{ bearer: [] }, { apiKey: [] }, { wiilApiKey: [] }]);
  });

  it('is a valid OpenAPI 3.1 document (@readme/openapi-parser)', async () => {
    const result = await validate(structuredClone(doc));
    expect(result.valid, JSON.stringify(result)).toBe(true);
    expect(result.specification).toBe('OpenAPI');
  });

  it('the validator refuses an invalid document', async () => {
    const broken = structuredClone(doc);
    broken.paths['/v1/agents'].get.parameters[0].in = 'body';
    delete broken.paths['/v1/agents'].post.responses;
    const result = await validate(broken);
    expect(result.valid).toBe(false);
  });
});

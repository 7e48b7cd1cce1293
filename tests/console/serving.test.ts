import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CSP, findConsoleDist, registerConsoleRoutes } from '../../packages/server/src/console/console-routes.js';
import { VERSION } from '../../packages/server/src/version.js';
import { CONSOLE_DIST, ROOT, buildConsole } from './harness.js';

const server = Fastify();
registerConsoleRoutes(server);

beforeAll(() => {
  buildConsole();
});
afterAll(() => server.close());

function expectSecurityHeaders(headers: Record<string, unknown>) {
  expect(headers['content-security-policy']).toBe(CONSOLE_CSP);
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('same-origin');
}

describe('the console at /console', () => {
  it('finds packages/console/dist from the server module', () => {
    expect(findConsoleDist()).toBe(CONSOLE_DIST);
  });

  it('serves index.html at /console, /console/ and any client route, never cached, under a strict CSP', async () => {
    const index = readFileSync(join(CONSOLE_DIST, 'index.html'), 'utf8');
    for (const url of ['/console', '/console/', '/console/channels', '/console/agents/agent_1/deploy', '/console/sign-in?next=%2Fconsole%2F']) {
      const response = await server.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-cache');
      expectSecurityHeaders(response.headers);
      expect(response.body).toBe(index);
    }
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).toContain("frame-ancestors 'none'");
    expect(CONSOLE_CSP).not.toContain('unsafe-inline');
  });

  it('serves hashed assets with a year-long immutable cache, brotli, gzip and 304s', async () => {
    const sizes = JSON.parse(readFileSync(join(CONSOLE_DIST, 'sizes.json'), 'utf8')) as { firstLoad: { files: string[] } };
    const script = sizes.firstLoad.files.find((file) => file.endsWith('.js'))!;
    const style = sizes.firstLoad.files.find((file) => file.endsWith('.css'))!;
    for (const [file, type] of [
      [script, 'text/javascript; charset=utf-8'],
      [style, 'text/css; charset=utf-8'],
    ] as const) {
      const url = `/console/assets/${file}`;
      const plain = await server.inject({ method: 'GET', url });
      expect(plain.statusCode).toBe(200);
      expect(plain.headers['content-type']).toBe(type);
      expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expectSecurityHeaders(plain.headers);
      expect(plain.body).toBe(readFileSync(join(CONSOLE_DIST, 'assets', file), 'utf8'));

      const br = await server.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip, deflate, br' } });
      expect(br.headers['content-encoding']).toBe('br');
      expect(brotliDecompressSync(br.rawPayload).toString('utf8')).toBe(plain.body);
      const gz = await server.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip' } });
      expect(gz.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(gz.rawPayload).toString('utf8')).toBe(plain.body);

      const again = await server.inject({ method: 'GET', url, headers: { 'if-none-match': String(plain.headers.etag) } });
      expect(again.statusCode).toBe(304);
    }
  });

  it('answers 404 for an asset that is not in the build, and never serves files outside dist', async () => {
    const missing = await server.inject({ method: 'GET', url: '/console/assets/main-NOTAHASH.js' });
    expect(missing.statusCode).toBe(404);
    for (const url of ['/console/assets/..%2F..%2Fpackage.json', '/console/assets/%2e%2e/%2e%2e/build.mjs']) {
      const response = await server.inject({ method: 'GET', url });
      expect(response.body).not.toContain('"name": "@switchboard/console"');
      expect(response.body).not.toContain('esbuild');
    }
  });

  it('answers 503 with a page saying to build when dist is missing', async () => {
    const bare = Fastify();
    registerConsoleRoutes(bare, { distDir: join(ROOT, 'packages', 'console', 'no-such-dist') });
    const response = await bare.inject({ method: 'GET', url: '/console/' });
    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body).toContain('npm run build');
    await bare.close();
  });
});

describe('GET /', () => {
  it('sends a browser to /console/ with a 302', async () => {
    const response = await server.inject({ method: 'GET', url: '/', headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe('/console/');
  });

  it('answers other clients with a JSON index of the API', async () => {
    for (const headers of [{}, { accept: 'application/json' }, { accept: '*/*' }]) {
      const response = await server.inject({ method: 'GET', url: '/', headers });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ name: 'Switchboard', version: VERSION, docs: '/docs', openapi: '/v1/openapi.json', console: '/console/', health: '/health' });
    }
  });
});

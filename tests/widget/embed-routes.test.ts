import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { acceptedEncodings, findWidgetDist, registerEmbedRoutes } from '../../packages/server/src/embed/embed-routes.js';
import { ARTIFACTS, ROOT, buildWidget } from './harness.js';

const dist = join(ROOT, 'packages', 'widget', 'dist');

describe('GET /embed/v1.js and /embed/v1/widget.js', () => {
  beforeAll(() => {
    buildWidget();
  });

  it('finds packages/widget/dist from the server module', () => {
    expect(findWidgetDist()).toBe(dist);
  });

  it('serves the built loader and widget with script headers, an ETag and 304s', async () => {
    const server = Fastify();
    registerEmbedRoutes(server);
    for (const [path, file] of [['/embed/v1.js', 'loader.js'], ['/embed/v1/widget.js', 'widget.js']] as const) {
      const response = await server.inject({ method: 'GET', url: path });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(response.headers['cache-control']).toBe('public, max-age=300');
      expect(response.headers['access-control-allow-origin']).toBe('*');
      expect(response.headers.etag).toMatch(/^"[\w-]{27}"$/);
      expect(response.body).toBe(readFileSync(join(dist, file), 'utf8'));

      const again = await server.inject({ method: 'GET', url: path, headers: { 'if-none-match': String(response.headers.etag) } });
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');

      const plain = readFileSync(join(dist, file));
      const brotli = await server.inject({ method: 'GET', url: path, headers: { 'accept-encoding': 'gzip, deflate, br, zstd' } });
      expect(brotli.headers['content-encoding']).toBe('br');
      expect(brotli.headers.vary).toBe('accept-encoding');
      expect(brotli.headers.etag).toBe(response.headers.etag);
      expect(brotliDecompressSync(brotli.rawPayload).equals(plain)).toBe(true);
      // Smaller than gzip at its best, which is what the budget counts.
      const gzipped = await server.inject({ method: 'GET', url: path, headers: { 'accept-encoding': 'gzip, deflate' } });
      expect(gzipped.headers['content-encoding']).toBe('gzip');
      expect(gzipped.headers.vary).toBe('accept-encoding');
      expect(gunzipSync(gzipped.rawPayload).equals(plain)).toBe(true);
      expect(brotli.rawPayload.length).toBeLessThan(gzipped.rawPayload.length);
      // br refused with q=0: gzip; neither accepted: the file itself.
      const refused = await server.inject({ method: 'GET', url: path, headers: { 'accept-encoding': 'br;q=0, gzip;q=0.8' } });
      expect(refused.headers['content-encoding']).toBe('gzip');
      const identity = await server.inject({ method: 'GET', url: path, headers: { 'accept-encoding': 'identity' } });
      expect(identity.headers['content-encoding']).toBeUndefined();
      expect(identity.rawPayload.equals(plain)).toBe(true);

      const head = await server.inject({ method: 'HEAD', url: path });
      expect(head.statusCode).toBe(200);
    }
    await server.close();
  });

  it('serves the chunks the build wrote, with the same headers and codings, and nothing else', async () => {
    // A dist of its own, so the test does not depend on which chunks exist today.
    mkdirSync(ARTIFACTS, { recursive: true });
    const fake = mkdtempSync(join(ARTIFACTS, 'chunks-dist-'));
    mkdirSync(join(fake, 'chunks'));
    const chunk = Buffer.from(`(()=>{window.__switchboardChunks=window.__switchboardChunks||{};window.__switchboardChunks.demo={ok:${'1'.repeat(400)}}})();`);
    writeFileSync(join(fake, 'chunks', 'demo-form.js'), chunk);
    writeFileSync(join(fake, 'secret.js'), 'not a chunk');
    writeFileSync(join(fake, 'chunks', 'Upper.js'), 'not a valid name');
    const server = Fastify();
    registerEmbedRoutes(server, { distDir: fake });
    try {
      const response = await server.inject({ method: 'GET', url: '/embed/v1/chunks/demo-form.js' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(response.headers['cache-control']).toBe('public, max-age=300');
      expect(response.headers['access-control-allow-origin']).toBe('*');
      expect(response.headers['cross-origin-resource-policy']).toBe('cross-origin');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.rawPayload.equals(chunk)).toBe(true);
      const again = await server.inject({ method: 'GET', url: '/embed/v1/chunks/demo-form.js', headers: { 'if-none-match': String(response.headers.etag) } });
      expect(again.statusCode).toBe(304);
      const brotli = await server.inject({ method: 'GET', url: '/embed/v1/chunks/demo-form.js', headers: { 'accept-encoding': 'gzip, br' } });
      expect(brotli.headers['content-encoding']).toBe('br');
      expect(brotliDecompressSync(brotli.rawPayload).equals(chunk)).toBe(true);
      const gzipped = await server.inject({ method: 'GET', url: '/embed/v1/chunks/demo-form.js', headers: { 'accept-encoding': 'gzip' } });
      expect(gzipped.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(gzipped.rawPayload).equals(chunk)).toBe(true);

      // Unknown names, names outside the pattern and every way out of dist/chunks: 404, nothing read.
      for (const file of ['missing.js', 'Upper.js', '..%2Fsecret.js', '..%2F..%2Fpackage.json', '%2E%2E%2Fsecret.js', 'demo-form.js%00.txt', 'demo-form', 'demo-form.js.map', '.js']) {
        const refused = await server.inject({ method: 'GET', url: `/embed/v1/chunks/${file}` });
        expect(refused.statusCode, file).toBe(404);
        expect(refused.headers['content-type'], file).toMatch(/^application\/json/);
        expect(refused.json(), file).toMatchObject({ success: false, status: 404, code: 'NOT_FOUND' });
        expect(refused.body, file).not.toContain('not a');
      }
      for (const path of ['/embed/v1/chunks/../secret.js', '/embed/v1/chunks/../../secret.js', '/embed/v1/chunks/a/../secret.js']) {
        const refused = await server.inject({ method: 'GET', url: path });
        expect(refused.body, path).not.toContain('not a chunk');
      }
    } finally {
      await server.close();
      rmSync(fake, { recursive: true, force: true });
    }
  });

  it('serves the chunks of the real build', async () => {
    const sizes = JSON.parse(readFileSync(join(dist, 'sizes.json'), 'utf8')) as { chunks: Record<string, unknown> };
    const server = Fastify();
    registerEmbedRoutes(server);
    for (const name of Object.keys(sizes.chunks)) {
      const response = await server.inject({ method: 'GET', url: `/embed/v1/chunks/${name}.js` });
      expect(response.statusCode, name).toBe(200);
      expect(response.body).toBe(readFileSync(join(dist, 'chunks', `${name}.js`), 'utf8'));
    }
    await server.close();
  });

  it('reads Accept-Encoding with its q-values', () => {
    expect([...acceptedEncodings('gzip, deflate, br')]).toEqual(['gzip', 'deflate', 'br']);
    expect([...acceptedEncodings('BR;q=0.5, x-gzip')]).toEqual(['br', 'gzip']);
    expect([...acceptedEncodings('br;q=0, gzip;q=0.0, identity')]).toEqual(['identity']);
    expect([...acceptedEncodings(undefined)]).toEqual([]);
  });

  it('answers a clear 503 when the widget has not been built', async () => {
    const server = Fastify();
    registerEmbedRoutes(server, { distDir: join(ROOT, 'packages', 'widget', 'no-such-dist') });
    const response = await server.inject({ method: 'GET', url: '/embed/v1.js' });
    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const body = response.json();
    expect(body).toMatchObject({ success: false, status: 503, code: 'INTERNAL' });
    expect(body.message).toMatch(/has not been built: run `npm run build -w @switchboard\/widget`/);
    await server.close();
  });
});

import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { acceptedEncodings, findWidgetDist, registerEmbedRoutes } from '../../packages/server/src/embed/embed-routes.js';
import { ROOT, buildWidget } from './harness.js';

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

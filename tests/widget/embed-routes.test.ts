import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { findWidgetDist, registerEmbedRoutes } from '../../packages/server/src/embed/embed-routes.js';
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

      const gzipped = await server.inject({ method: 'GET', url: path, headers: { 'accept-encoding': 'gzip, deflate, br' } });
      expect(gzipped.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(gzipped.rawPayload).toString('utf8')).toBe(response.body);

      const head = await server.inject({ method: 'HEAD', url: path });
      expect(head.statusCode).toBe(200);
    }
    await server.close();
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

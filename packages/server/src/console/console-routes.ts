import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { VERSION } from '../version.js';

/**
 * The operator console, built by packages/console (`npm run build -w @switchboard/console`):
 *
 *   GET /console, /console/*     index.html for any path that is not a file (client routing)
 *   GET /console/assets/*        hashed scripts and styles, cached for a year
 *   GET /                        browsers are sent to /console/; API clients get a JSON index
 *
 * Files are read once and kept in memory with their brotli and gzip forms.
 */
export interface ConsoleRoutesOptions {
  /** The console's dist directory; found by walking up from this module when absent. */
  distDir?: string;
}

/** What the console may load: only this origin, nothing inline, never framed by another site. */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "frame-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** The widget preview is framed by the console itself, so it may be framed by this origin only. */
const PREVIEW_CSP = CONSOLE_CSP.replace("frame-ancestors 'none'", "frame-ancestors 'self'");

interface Asset {
  body: Buffer;
  gzip: Buffer;
  brotli: Buffer;
  etag: string;
  type: string;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** packages/console/dist from src/console (tests, tsx) or dist/console (built), or an installed @switchboard/console. */
export function findConsoleDist(from: string = dirname(fileURLToPath(import.meta.url))): string | null {
  let dir = from;
  for (;;) {
    for (const candidate of [join(dir, 'console', 'dist'), join(dir, 'packages', 'console', 'dist'), join(dir, 'node_modules', '@switchboard', 'console', 'dist')]) {
      if (existsSync(join(candidate, 'index.html'))) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Console not built</title></head>
<body><main><h1>The console has not been built</h1>
<p>Run <code>npm run build</code> (or <code>npm run build -w @switchboard/console</code>), then reload this page.</p></main></body></html>
`;

function wantsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return /\btext\/html\b/.test(accept);
}

export function registerConsoleRoutes(server: FastifyInstance, options: ConsoleRoutesOptions = {}): void {
  const cache = new Map<string, Asset>();

  function load(dist: string, name: string): Asset | null {
    const key = `${dist}\u0000${name}`;
    const cached = cache.get(key);
    if (cached) return cached;
    const file = normalize(join(dist, name));
    if (!file.startsWith(dist + sep)) return null;
    let body: Buffer;
    try {
      if (!statSync(file).isFile()) return null;
      body = readFileSync(file);
    } catch {
      return null;
    }
    const extension = /\.[a-z0-9]+$/i.exec(name)?.[0]?.toLowerCase() ?? '';
    const asset: Asset = {
      body,
      gzip: gzipSync(body, { level: 9 }),
      brotli: brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }),
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      type: TYPES[extension] ?? 'application/octet-stream',
    };
    // index.html changes with every build; hashed assets never do.
    if (name !== 'index.html') cache.set(key, asset);
    return asset;
  }

  function security(reply: FastifyReply, csp = CONSOLE_CSP): FastifyReply {
    return reply
      .header('content-security-policy', csp)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'same-origin')
      .header('x-frame-options', csp === CONSOLE_CSP ? 'DENY' : 'SAMEORIGIN');
  }

  function send(request: FastifyRequest, reply: FastifyReply, asset: Asset, cacheControl: string) {
    reply.header('content-type', asset.type).header('cache-control', cacheControl).header('etag', asset.etag).header('vary', 'accept-encoding');
    const ifNoneMatch = request.headers['if-none-match'];
    if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === asset.etag)) return reply.code(304).send();
    const acceptEncoding = String(request.headers['accept-encoding'] ?? '');
    if (/\bbr\b/.test(acceptEncoding)) return reply.header('content-encoding', 'br').send(asset.brotli);
    if (/\bgzip\b/.test(acceptEncoding)) return reply.header('content-encoding', 'gzip').send(asset.gzip);
    return reply.send(asset.body);
  }

  async function serve(request: FastifyRequest, reply: FastifyReply) {
    const dist = options.distDir ?? findConsoleDist();
    const index = dist ? load(dist, 'index.html') : null;
    if (!dist || !index) {
      return security(reply).code(503).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(NOT_BUILT);
    }
    const rest = ((request.params as { '*'?: string })['*'] ?? '').split('?')[0]!;
    let path: string;
    try {
      path = decodeURIComponent(rest);
    } catch {
      path = '';
    }
    if (path.startsWith('assets/')) {
      const asset = load(dist, path);
      if (!asset) {
        return security(reply).code(404).header('cache-control', 'no-store').type('text/plain; charset=utf-8').send('Not found: this file is not part of the current console build. Reload the page.');
      }
      return send(request, security(reply), asset, 'public, max-age=31536000, immutable');
    }
    if (path === 'preview.html') {
      const preview = load(dist, 'preview.html');
      if (preview) return send(request, security(reply, PREVIEW_CSP), preview, 'no-cache');
    }
    return send(request, security(reply), index, 'no-cache');
  }

  server.get('/console', serve);
  server.get('/console/*', serve);

  server.get('/', async (request, reply) => {
    reply.header('vary', 'accept');
    if (wantsHtml(request)) return reply.redirect('/console/', 302);
    return { name: 'Switchboard', version: VERSION, docs: '/docs', openapi: '/v1/openapi.json', console: '/console/', health: '/health' };
  });
}

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode } from '@switchboard/core';
import { ApiError } from '../http/errors.js';
import { errorBody } from '../http/envelope.js';

/**
 * The public embed scripts, built by packages/widget (`npm run build -w @switchboard/widget`):
 *
 *   GET /embed/v1.js          the loader a site includes with <script src>
 *   GET /embed/v1/widget.js   the widget, injected by the loader on the first `init`
 *   GET /embed/v1/chunks/<name>.js   a part of the widget loaded on first use (the pre-chat form, …)
 *
 * Scripts are public (any origin may load them); the runtime API enforces allowed origins.
 * Each file is read once, kept in memory with its brotli and gzip forms and ETag, and served with
 * a short cache lifetime so a new build reaches visitors within minutes. Brotli goes to browsers
 * that accept it, gzip to the others, the plain file to clients that accept neither.
 */
export interface EmbedRoutesOptions {
  /** The widget's dist directory; found by walking up from this module when absent. */
  distDir?: string;
}

interface Asset {
  body: Buffer;
  brotli: Buffer;
  gzip: Buffer;
  etag: string;
}

const FILES = { loader: 'loader.js', widget: 'widget.js' } as const;
/** A chunk's file name as the widget's build names it; anything else is never looked up on disk. */
const CHUNK_FILE = /^[a-z][a-z0-9-]{0,31}\.js$/;

/** packages/widget/dist from src/embed (tests, tsx) or dist/embed (built), or an installed @switchboard/widget. */
export function findWidgetDist(from: string = dirname(fileURLToPath(import.meta.url))): string | null {
  let dir = from;
  for (;;) {
    for (const candidate of [join(dir, 'widget', 'dist'), join(dir, 'packages', 'widget', 'dist'), join(dir, 'node_modules', '@switchboard', 'widget', 'dist')]) {
      if (existsSync(join(candidate, FILES.loader)) && existsSync(join(candidate, FILES.widget))) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** The content codings an Accept-Encoding header allows (`q=0` refuses one). */
export function acceptedEncodings(header: string | string[] | undefined): Set<string> {
  const accepted = new Set<string>();
  for (const part of String(header ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)).find(Boolean);
    if (name && !(q && Number(q[1]) === 0)) accepted.add(name === 'x-gzip' ? 'gzip' : name);
  }
  return accepted;
}

export function registerEmbedRoutes(server: FastifyInstance, options: EmbedRoutesOptions = {}): void {
  const cache = new Map<string, Asset>();

  /** Reads and caches a built file; null while the widget has not been built (retried next request). */
  function load(name: string): Asset | null {
    const cached = cache.get(name);
    if (cached) return cached;
    const dist = options.distDir ?? findWidgetDist();
    if (!dist) return null;
    let body: Buffer;
    try {
      body = readFileSync(join(dist, name));
    } catch {
      return null;
    }
    const asset: Asset = {
      body,
      brotli: brotliCompressSync(body, {
        params: { [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY, [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length },
      }),
      gzip: gzipSync(body, { level: 9 }),
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
    };
    cache.set(name, asset);
    return asset;
  }

  /** A built chunk's path under dist, or null when `file` is not one (only names the build lists are read). */
  function chunkPath(file: string): string | null {
    if (!CHUNK_FILE.test(file)) return null;
    // Served before: no need to look at the disk again.
    if (cache.has(`chunks/${file}`)) return `chunks/${file}`;
    const dist = options.distDir ?? findWidgetDist();
    if (!dist || !existsSync(dist)) return `chunks/${file}`; // not built at all: load() fails and answers 503
    try {
      return readdirSync(join(dist, 'chunks')).includes(file) ? `chunks/${file}` : null;
    } catch {
      return null;
    }
  }

  /** An error in the API's envelope, never cached and readable from any page (like the scripts). */
  function refuse(reply: FastifyReply, error: ApiError) {
    return reply.code(error.status).header('cache-control', 'no-store').header('access-control-allow-origin', '*').type('application/json; charset=utf-8').send(errorBody(error));
  }

  function serve(name: string | ((request: FastifyRequest) => string | null)) {
    return async (request: FastifyRequest, reply: FastifyReply) => {
      const file = typeof name === 'string' ? name : name(request);
      if (file === null) {
        const asked = String((request.params as { file?: string }).file);
        return refuse(reply, new ApiError(404, ErrorCode.NOT_FOUND, `No widget chunk named ${JSON.stringify(asked)}: chunks are the files of packages/widget/dist/chunks, like prechat.js.`, { file: asked }));
      }
      const asset = load(file);
      if (!asset) {
        const message = 'The web widget has not been built: run `npm run build -w @switchboard/widget` (it writes packages/widget/dist), then restart the server.';
        return refuse(reply, new ApiError(503, ErrorCode.INTERNAL, message, { file }));
      }
      reply
        .header('content-type', 'text/javascript; charset=utf-8')
        .header('cache-control', 'public, max-age=300')
        .header('access-control-allow-origin', '*')
        .header('cross-origin-resource-policy', 'cross-origin')
        .header('x-content-type-options', 'nosniff')
        .header('etag', asset.etag)
        .header('vary', 'accept-encoding');
      const ifNoneMatch = request.headers['if-none-match'];
      if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === asset.etag)) {
        return reply.code(304).send();
      }
      const accepted = acceptedEncodings(request.headers['accept-encoding']);
      if (accepted.has('br')) return reply.header('content-encoding', 'br').send(asset.brotli);
      if (accepted.has('gzip')) return reply.header('content-encoding', 'gzip').send(asset.gzip);
      return reply.send(asset.body);
    };
  }

  server.get('/embed/v1.js', serve(FILES.loader));
  server.get('/embed/v1/widget.js', serve(FILES.widget));
  server.get('/embed/v1/chunks/:file', serve((request) => chunkPath((request.params as { file: string }).file)));
}

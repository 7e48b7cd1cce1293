/**
 * What the widget's browser tests stand on: the built scripts (served by the real
 * registerEmbedRoutes on a Fastify instance, as the server does), host pages on their own origins
 * carrying the spec's embed snippet, and a headless Chromium.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import { chromium, type Browser } from 'playwright-core';
import { registerEmbedRoutes } from '../../packages/server/src/embed/embed-routes.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'widget');

let built: string | null = null;

/** Builds the widget once per test process; returns what the build printed. */
export function buildWidget(): string {
  built ??= execFileSync(process.execPath, [join(ROOT, 'packages', 'widget', 'build.mjs')], { cwd: ROOT, encoding: 'utf8' });
  return built;
}

export async function startAssetServer(): Promise<{ url: string; server: FastifyInstance }> {
  const server = Fastify({ logger: false });
  registerEmbedRoutes(server);
  const url = await server.listen({ port: 0, host: '127.0.0.1' });
  return { url, server };
}

export interface PageOptions {
  token: string;
  /** `after`: the spec's snippet (loader, then push). `before`: the page creates the queue array first. */
  order?: 'after' | 'before';
  /** Extra init options, merged into the snippet's object. */
  init?: Record<string, unknown>;
  /** Extra CSS for the host page. */
  css?: string;
  /** Another runtime than the page server's default. */
  apiUrl?: string;
  /** The page without the embed snippet (a reference for style checks). */
  noWidget?: boolean;
  /**
   * The token-only snippet: `['init', { token }]` pushed before an async loader served by the
   * runtime itself (so the widget finds the API at the scripts' origin).
   */
  tokenOnly?: boolean;
  /** The page's `<html dir>`. */
  dir?: 'ltr' | 'rtl';
  /** The page's `<html lang>` (default `en`; an empty string leaves it off). */
  lang?: string;
  /** A Content-Security-Policy header for the page. */
  csp?: string;
  /** Page content taller than the screen, with links after the snippet (focus and scroll checks). */
  tall?: boolean;
}

/** A host page on its own origin: `/?o=<base64url JSON PageOptions>` renders the embed snippet. */
export async function startPageServer(assetsUrl: string, apiUrl: string): Promise<{ url: string; server: Server; page(options: PageOptions): string }> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://page');
    if (url.pathname !== '/') {
      response.writeHead(404).end();
      return;
    }
    const options = JSON.parse(Buffer.from(url.searchParams.get('o') ?? '', 'base64url').toString('utf8')) as PageOptions;
    response.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      ...(options.csp && { 'content-security-policy': options.csp }),
    });
    response.end(renderPage(options, assetsUrl, apiUrl));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    server,
    page: (options) => `${url}/?o=${Buffer.from(JSON.stringify(options)).toString('base64url')}`,
  };
}

function renderPage(options: PageOptions, assetsUrl: string, apiUrl: string): string {
  const extra = options.init ? Object.entries(options.init).map(([key, value]) => `,\n    ${key}: ${JSON.stringify(value)}`).join('') : '';
  if (options.tokenOnly) {
    assetsUrl = options.apiUrl ?? apiUrl;
    options = { ...options, order: 'before' };
  }
  const init = options.tokenOnly
    ? `['init', { token: ${JSON.stringify(options.token)} }]`
    : `['init', {
    agentId: 'AGENT_UUID',
    token: ${JSON.stringify(options.token)},
    channel: 'web',
    apiUrl: ${JSON.stringify(options.apiUrl ?? apiUrl)}${extra}
  }]`;
  const snippet = options.noWidget
    ? ''
    : options.order === 'before'
      ? `<script>
  window.ConvoshipQueue = window.ConvoshipQueue || [];
  ConvoshipQueue.push(${init});
</script>
<script async src="${assetsUrl}/embed/v1.js"></script>`
      : `<script src="${assetsUrl}/embed/v1.js"></script>
<script>
  ConvoshipQueue.push(${init});
</script>`;
  return `<!doctype html>
<html${options.lang === '' ? '' : ` lang="${options.lang ?? 'en'}"`}${options.dir ? ` dir="${options.dir}"` : ''}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Widget host page</title>
<style>
body { font-family: Georgia, serif; color: #333; margin: 24px; }
${options.css ?? ''}
</style>
</head>
<body>
<h1>A customer's website</h1>
<p>Some content the widget must leave alone.</p>
<button id="page-button" type="button">A page button</button>
${snippet}
${options.tall ? '<div style="height: 3000px">A long page.</div>\n<a id="page-link" href="#after">A link after the widget</a>' : ''}
</body>
</html>`;
}

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export function chromiumPath(): string | null {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  return candidates.find((path): path is string => !!path && existsSync(path)) ?? null;
}

export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('No Chromium found: apt-get install -y chromium, or set CHROMIUM_PATH');
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}

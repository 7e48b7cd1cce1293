// Side-by-side measurement of chat widgets as a visitor's browser loads them: Switchboard's widget
// (served by a real server on the embedded default) beside Typebot's and Flowise's embeds, taken
// from their published npm packages and served from this machine.
//
//   npm run bench:widgets:fetch  (once: downloads the two vendor packages from the npm registry)
//   npm run bench:widgets        (BENCH_WIDGET_RUNS=5, BENCH_WIDGET_CPU=4)
//
// For each widget, in a fresh browser context each run (cold cache), under a throttled phone-like
// profile (Lighthouse's "slow 4G": 150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up, CPU slowed
// BENCH_WIDGET_CPU times):
//   - bytes on the wire: every response after the host page, as transferred (compressed);
//   - launcher shown: ms from navigation start until the launcher button is laid out and visible.
// Every asset is served by the same kind of server with the best encoding the browser accepts
// (brotli), so the figures compare the widgets, not their hosting. Nothing leaves loopback: the
// browser aborts any request to another address before it is made (the vendors' embeds try to
// load fonts and analytics from their own hosts), and the count of such refused requests is printed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import {
  CLI,
  ROOT,
  controlApi,
  fmt,
  freePort,
  machineFacts,
  markdownTable,
  onCleanup,
  positiveInt,
  runBench,
  startServerChild,
  median,
} from './lib.mjs';

const RUNS = positiveInt('BENCH_WIDGET_RUNS', 5);
const CPU_SLOWDOWN = positiveInt('BENCH_WIDGET_CPU', 4);
const ADMIN_KEY = 'sk_bench_widget_compare_0123456789abcdef';
const CACHE = join(ROOT, 'bench/.cache/packages');

/** The competitors: the exact published versions, and the file of each that a site embeds. */
const VENDORS = [
  { name: 'Typebot', spec: '@typebot.io/js@0.10.7', file: 'package/dist/web.js', path: '/vendor/typebot/web.js' },
  { name: 'Flowise', spec: 'flowise-embed@3.1.6', file: 'package/dist/web.js', path: '/vendor/flowise/web.js' },
];

const PROFILE = { latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 };

const FETCH_ONLY = process.argv.includes('--fetch');

/**
 * One file of a vendor's package, from bench/.cache. Only `npm run bench:widgets:fetch` downloads
 * the tarballs (from the npm registry, integrity checked by npm); the benchmark itself stays on loopback.
 */
function vendorFile({ spec, file }) {
  const dir = join(CACHE, spec.replace(/[^\w.@-]+/g, '_'));
  const target = join(dir, file);
  if (!existsSync(target)) {
    if (!FETCH_ONLY) throw new Error(`${spec} is not in ${CACHE}: run "npm run bench:widgets:fetch" once to download it from the npm registry`);
    mkdirSync(dir, { recursive: true });
    const packed = JSON.parse(execFileSync('npm', ['pack', spec, '--json', '--pack-destination', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
    execFileSync('tar', ['-xzf', join(dir, packed[0].filename), '-C', dir, file]);
  }
  return readFileSync(target);
}

const isLoopback = (url) => {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
};

/** Static assets compressed once, the best encoding the request accepts. */
function compressedAsset(body, type) {
  return { type, identity: body, br: brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }), gzip: gzipSync(body, { level: 9 }) };
}

function sendAsset(req, res, asset) {
  const accepts = String(req.headers['accept-encoding'] || '');
  const [encoding, body] = /\bbr\b/.test(accepts) ? ['br', asset.br] : /\bgzip\b/.test(accepts) ? ['gzip', asset.gzip] : [null, asset.identity];
  res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-store', vary: 'accept-encoding', ...(encoding ? { 'content-encoding': encoding } : {}), 'access-control-allow-origin': '*' });
  res.end(body);
}

/** The host site: one page per widget, the vendors' files, and a stand-in for their APIs that knows no bot. */
async function startHostSite(port, switchboardUrl, token) {
  const origin = `http://127.0.0.1:${port}`;
  const page = (title, body) => compressedAsset(Buffer.from(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head><body><h1>${title}</h1><p>An ordinary page with a chat widget.</p>${body}</body></html>`), 'text/html; charset=utf-8');
  const assets = new Map([
    ['/switchboard.html', page('Switchboard', `<script>(function(w,d){w.SwitchboardQueue=w.SwitchboardQueue||[];var s=d.createElement('script');s.async=true;s.src='${switchboardUrl}/embed/v1.js';d.head.appendChild(s)})(window,document);SwitchboardQueue.push(['init',{token:'${token}'}]);</script>`)],
    ['/typebot.html', page('Typebot', `<script type="module">import Typebot from '/vendor/typebot/web.js';Typebot.initBubble({typebot:'bench-bot',apiHost:'${origin}'});</script>`)],
    ['/flowise.html', page('Flowise', `<script type="module">import Chatbot from '/vendor/flowise/web.js';Chatbot.init({chatflowid:'bench-flow',apiHost:'${origin}'});</script>`)],
  ]);
  for (const vendor of VENDORS) assets.set(vendor.path, compressedAsset(vendorFile(vendor), 'text/javascript; charset=utf-8'));
  const server = createServer((req, res) => {
    const path = new URL(req.url, origin).pathname;
    const asset = assets.get(path);
    if (asset) return sendAsset(req, res, asset);
    // The vendors' API calls (bot definitions, chat configuration): an unknown bot, as their servers answer.
    res.writeHead(req.method === 'OPTIONS' ? 204 : 404, { 'content-type': 'application/json', 'access-control-allow-origin': '*', 'access-control-allow-headers': '*', 'access-control-allow-methods': '*' });
    res.end(req.method === 'OPTIONS' ? undefined : '{"message":"not found"}');
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  onCleanup(() => new Promise((resolve) => server.close(resolve)));
  return origin;
}

async function startSwitchboard(hostOrigin) {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'switchboard-widget-bench-'));
  onCleanup(() => rmSync(dataDir, { recursive: true, force: true }));
  const server = await startServerChild('switchboard', [CLI, 'start'], {
    LOG_LEVEL: 'warn',
    SWITCHBOARD_DATA_DIR: dataDir,
    SWITCHBOARD_API_KEY: ADMIN_KEY,
    SWITCHBOARD_SECRET_KEY: '',
    DATABASE_URL: '',
    REDIS_URL: '',
    PUBLIC_URL: '',
  });
  onCleanup(() => server.stop());
  const api = controlApi(server.url, ADMIN_KEY);
  const agent = await api('POST', '/v1/agents', { name: 'Bench echo', backend: { type: 'echo' } });
  if (agent.status !== 201) throw new Error(`POST /v1/agents answered ${agent.status}: ${agent.text.slice(0, 300)}`);
  const deployment = await api('POST', `/v1/agents/${agent.body.data.id}/deployments`, { allowedOrigins: [hostOrigin] });
  if (deployment.status !== 201) throw new Error(`POST /v1/agents/{id}/deployments answered ${deployment.status}: ${deployment.text.slice(0, 300)}`);
  return { url: server.url, token: deployment.body.data.token };
}

/** The launcher each widget shows first: a visible, laid-out button in its shadow root. */
const LAUNCHERS = {
  Switchboard: () => document.querySelector('switchboard-widget')?.shadowRoot?.querySelector('.ready button.launcher'),
  Typebot: () => document.querySelector('typebot-bubble')?.shadowRoot?.querySelector('button'),
  Flowise: () => document.querySelector('flowise-chatbot')?.shadowRoot?.querySelector('button'),
};

async function measureOnce(browser, name, url) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, serviceWorkers: 'block' });
  const refused = [];
  await context.route('**/*', (route) => (isLoopback(route.request().url()) ? route.continue() : (refused.push(route.request().url()), route.abort('blockedbyclient'))));
  const page = await context.newPage();
  if (process.env.BENCH_WIDGET_DEBUG) page.on('console', (message) => console.log(`  [${name} console] ${message.text()}`));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, ...PROFILE });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
  let documentId = null;
  let bytes = 0;
  const requests = new Set();
  cdp.on('Network.requestWillBeSent', (event) => {
    if (event.type === 'Document' && documentId === null) documentId = event.requestId;
    else requests.add(event.requestId);
  });
  cdp.on('Network.loadingFinished', (event) => {
    if (event.requestId !== documentId) bytes += event.encodedDataLength;
  });
  const find = LAUNCHERS[name];
  await page.goto(url, { waitUntil: 'commit' });
  const shownAt = await page.evaluate(
    (source) =>
      new Promise((resolve, reject) => {
        // eslint-disable-next-line no-new-func
        const locate = new Function(`return (${source})()`);
        const deadline = performance.now() + 60_000;
        const check = () => {
          const button = locate();
          const box = button && button.getBoundingClientRect();
          if (box && box.width > 0 && box.height > 0 && getComputedStyle(button).visibility !== 'hidden' && Number(getComputedStyle(button).opacity) > 0.5) return resolve(performance.now());
          if (performance.now() > deadline) return reject(new Error(`no launcher within 60 s on ${location.href}: ${button ? `${button.outerHTML.slice(0, 200)} ${JSON.stringify(box)} ${getComputedStyle(button).visibility} ${getComputedStyle(button).opacity}` : document.body.innerHTML.slice(0, 400)}`));
          requestAnimationFrame(check);
        };
        check();
      }),
    find.toString(),
  );
  // Let the widget finish what it fetches at start (its configuration, fonts) before counting.
  await page.waitForLoadState('networkidle').catch(() => {});
  await context.close();
  return { shownAt, bytes, requests: requests.size, refused: refused.length };
}

async function main() {
  for (const vendor of VENDORS) vendorFile(vendor); // fails at once, before anything starts, when not fetched
  const { chromium } = await import('playwright-core');
  console.log(machineFacts().join('\n'));
  console.log(`Profile: ${PROFILE.latency} ms round trip, ${fmt((PROFILE.downloadThroughput * 8) / 1024)} kbit/s down, CPU slowed ${CPU_SLOWDOWN}×, 390×844 phone viewport; ${RUNS} cold runs each, medians.`);
  // The deployment allows the host site's origin, so its port is chosen before either starts.
  const hostPort = await freePort();
  const switchboard = await startSwitchboard(`http://127.0.0.1:${hostPort}`);
  const site = await startHostSite(hostPort, switchboard.url, switchboard.token);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
      // No name resolves, so neither a prefetch nor a preconnect of the vendors' hosts leaves the machine.
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost',
    ],
  });
  onCleanup(() => browser.close());
  const rows = [];
  const results = {};
  for (const name of ['Switchboard', ...VENDORS.map((v) => v.name)]) {
    const runs = [];
    await measureOnce(browser, name, `${site}/${name.toLowerCase()}.html`); // warm the servers, not the browser
    for (let i = 0; i < RUNS; i++) runs.push(await measureOnce(browser, name, `${site}/${name.toLowerCase()}.html`));
    results[name] = { bytes: median(runs.map((r) => r.bytes)), shownAt: median(runs.map((r) => r.shownAt)), requests: median(runs.map((r) => r.requests)), refused: Math.max(...runs.map((r) => r.refused)) };
  }
  const base = results.Switchboard;
  for (const [name, r] of Object.entries(results)) {
    rows.push([name, fmt(r.bytes / 1024, 1), name === 'Switchboard' ? '1×' : `${fmt(r.bytes / base.bytes, 1)}×`, fmt(r.shownAt), name === 'Switchboard' ? '1×' : `${fmt(r.shownAt / base.shownAt, 1)}×`, String(r.requests), String(r.refused)]);
  }
  console.log('');
  console.log(markdownTable(['widget', 'KB on the wire', 'bytes vs Switchboard', 'launcher shown (ms)', 'time vs Switchboard', 'requests', 'refused (not loopback)'], rows));
}

if (FETCH_ONLY) {
  for (const vendor of VENDORS) vendorFile(vendor);
  console.log(`${VENDORS.map((v) => v.spec).join(' and ')} are in ${CACHE}`);
} else {
  runBench('widget-compare', main, { timeoutSeconds: 900 });
}

/**
 * Attachments in Chromium against the real server (SQLite and PostgreSQL): the attach button,
 * reached by keyboard, picks an image that is uploaded and previewed in the visitor's bubble
 * through its signed URL; a 20 MB file is refused with a message before anything is sent; a file
 * an agent sends through the API shows as a link with its size; the button and refusals speak the
 * page's language; axe-core finds nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '@switchboard/server';
import { ENGINES, createTestDatabase, type TestDatabase } from '../helpers/engines.js';
import { createWorkspace } from '../helpers/app.js';
import { fakesEgress } from '../helpers/egress.js';
import { availableServices } from '../helpers/services.js';
import { localStorage } from '../../packages/server/src/files/local-storage.js';
import { buildWidget, launchBrowser } from './harness.js';

const withChromium = availableServices().chromium;
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 15_000, interval: 50 });
const axeSource = readFileSync(join(createRequire(import.meta.url).resolve('axe-core'), '..', 'axe.min.js'), 'utf8');
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function startSite(body: () => string) {
  const server: Server = createServer((request, response) => {
    const lang = new URL(request.url ?? '/', 'http://site').searchParams.get('lang') ?? 'en';
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(`<!doctype html><html lang="${lang.replace(/[^\w-]/g, '')}"><head><meta charset="utf-8"><title>Site</title></head><body><h1>A customer's site</h1>${body()}</body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

describe.runIf(withChromium).each(ENGINES)('widget attachments on %s', (engine) => {
  let database: TestDatabase;
  let app: App;
  let baseUrl: string;
  let site: Awaited<ReturnType<typeof startSite>>;
  let browser: Browser;
  let key: string;
  let token: string;
  const files = mkdtempSync(join(tmpdir(), 'switchboard-widget-files-'));
  const pageErrors: string[] = [];
  const pages: Page[] = [];

  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return (await response.json()) as any;
  };
  const $ = (page: Page, selector: string) => page.locator(`switchboard-widget ${selector}`);

  async function visit(path = '/') {
    const page = await browser.newPage();
    pages.push(page);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(site.origin + path);
    await $(page, '.root.ready').waitFor();
    await $(page, 'button.launcher').click();
    await $(page, 'button.attach').waitFor();
    return page;
  }

  /** Chooses a file through the attach button, reached from the composer with Shift+Tab and pressed with Enter. */
  async function attach(page: Page, file: { name: string; mimeType: string; buffer: Buffer } | string) {
    await $(page, 'textarea').focus();
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate(() => document.querySelector('switchboard-widget')!.shadowRoot!.activeElement!.className)).toBe('attach');
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Enter')]);
    await chooser.setFiles(file);
  }

  async function violations(page: Page): Promise<string[]> {
    await page.addScriptTag({ content: axeSource });
    return page.evaluate(async () => {
      const result = await (window as any).axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
        resultTypes: ['violations'],
      });
      return result.violations.flatMap((v: any) => v.nodes.map((n: any) => `${v.id}: ${JSON.stringify(n.target)} (${n.failureSummary})`));
    });
  }

  beforeAll(async () => {
    buildWidget();
    database = await createTestDatabase(engine);
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    app = buildApp({ db: database.db, egress: fakesEgress, publicUrl: baseUrl, storage: localStorage(files) });
    await app.server.listen({ port, host: '127.0.0.1' });
    key = (await createWorkspace(database.db, 'Files', app.secretBox)).apiKey;
    site = await startSite(
      () => `<script src="${baseUrl}/embed/v1.js"></script>
<script>SwitchboardQueue.push(['init', { token: ${JSON.stringify(token)}, apiUrl: ${JSON.stringify(baseUrl)} }]);</script>`,
    );
    const agent = await api('POST', '/v1/agents', { name: 'Files' });
    const deployed = await api('POST', `/v1/agents/${agent.data.id}/deployments`, {
      allowedOrigins: [site.origin],
      channel: { channelIdentifier: 'https://files.example.com' },
    });
    token = deployed.data.token;
    browser = await launchBrowser();
  });
  afterEach(async () => {
    for (const page of pages.splice(0)) await page.close();
    expect(pageErrors.splice(0)).toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await app?.server.close();
    await database?.destroy();
    rmSync(files, { recursive: true, force: true });
  });

  it('an image chosen by keyboard is uploaded and previewed in the visitor\'s bubble, axe-core clean', async () => {
    const page = await visit();
    await attach(page, { name: 'photo.png', mimeType: 'image/png', buffer: PNG });
    const image = $(page, '.msg.contact .files img');
    await image.waitFor();
    expect(await image.getAttribute('alt')).toBe('photo.png');
    expect(await image.getAttribute('src')).toMatch(new RegExp(`^${baseUrl}/v1/public/attachments/att_\\w+\\?expires=\\d+&signature=`));
    // The signed URL really serves the image: it decoded.
    await poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(1);
    const link = $(page, '.msg.contact .files a');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    await poll(() => $(page, '.msg.contact.pending').count()).toBe(0);
    const rows = await database.db.selectFrom('attachments').select(['name', 'message_id']).execute();
    expect(rows).toEqual([{ name: 'photo.png', message_id: expect.stringMatching(/^msg_/) }]);
    expect(await violations(page)).toEqual([]);
  });

  it('a 20 MB file is refused with a message, and nothing is sent', { timeout: 60_000 }, async () => {
    const page = await visit();
    const before = (await database.db.selectFrom('attachments').select('id').execute()).length;
    // A file on disk: Chromium reads it itself (a 20 MB buffer would crawl through the protocol).
    const big = join(files, 'holiday.png');
    writeFileSync(big, Buffer.alloc(20 * 1024 * 1024, 1));
    await attach(page, big);
    const alert = $(page, '[role="alert"]');
    await poll(() => alert.textContent()).toBe('holiday.png was not sent: it is 20 MB, and files of at most 10 MB can be sent here.');
    await poll(() => $(page, '.msg.contact.failed').count()).toBe(1);
    expect((await database.db.selectFrom('attachments').select('id').execute()).length).toBe(before);
  });

  it('a file of a type the deployment does not take is refused with a message naming the allowed types', async () => {
    const page = await visit();
    await attach(page, { name: 'page.html', mimeType: 'text/html', buffer: Buffer.from('<b>hi</b>') });
    await poll(() => $(page, '[role="alert"]').textContent()).toBe(
      'page.html was not sent: files of this type cannot be sent here (image/png, image/jpeg, image/gif, image/webp, application/pdf, text/plain).',
    );
  });

  it("speaks the page's language: the attach button's name and the refusals", async () => {
    const page = await visit('/?lang=es');
    await poll(() => $(page, 'button.attach').getAttribute('aria-label')).toBe('Adjuntar un archivo');
    await attach(page, { name: 'page.html', mimeType: 'text/html', buffer: Buffer.from('<b>hi</b>') });
    await poll(() => $(page, '[role="alert"]').textContent()).toBe(
      'page.html no se envió: aquí no se pueden enviar archivos de este tipo (image/png, image/jpeg, image/gif, image/webp, application/pdf, text/plain).',
    );
  });

  it("a file the agent sends through the API shows as a link with its size", async () => {
    const page = await visit();
    await $(page, 'textarea').fill('Can I have the receipt?');
    await $(page, 'textarea').press('Enter');
    const asked = () => database.db.selectFrom('messages').select('conversation_id').where('text', '=', 'Can I have the receipt?').executeTakeFirst();
    await poll(async () => (await asked())?.conversation_id).toBeTruthy();
    const conversationId = (await asked())!.conversation_id;
    const sent = await fetch(`${baseUrl}/v1/conversations/${conversationId}/attachments?name=receipt.pdf&role=agent`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/pdf' },
      body: Buffer.from('%PDF-1.4 receipt'),
    });
    expect(sent.status).toBe(201);
    const link = $(page, '.msg.agent .files a');
    await poll(() => link.textContent()).toBe('receipt.pdf (16 bytes)');
    expect(await link.getAttribute('href')).toMatch(/\/v1\/public\/attachments\/att_/);
    expect(await link.getAttribute('download')).toBe('receipt.pdf');
  });
});

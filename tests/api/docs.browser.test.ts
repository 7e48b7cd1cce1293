/**
 * The /docs page in Chromium against the real server: it loads nothing from outside the
 * loopback (every other request is recorded and refused) and breaks none of its own
 * Content-Security-Policy; typing in the filter narrows the operations to those whose path,
 * summary or tag match; an operation opened with the keyboard shows its request and response
 * examples; axe-core finds no violation in the light or the dark theme.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsoleServer, type ConsoleServer } from '../console/browser-harness.js';
import { launchBrowser } from '../widget/harness.js';

const axeSource = readFileSync(join(createRequire(import.meta.url).resolve('axe-core'), '..', 'axe.min.js'), 'utf8');
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'docs');
const LOOPBACK = /^(127(\.\d{1,3}){3}|localhost|\[::1\])$/;

describe('/docs in Chromium', () => {
  let server: ConsoleServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const outside: string[] = [];
  const problems: string[] = [];

  const visible = () => page.locator('.op:visible').count();

  async function violations(): Promise<string[]> {
    // Evaluated through the DevTools protocol, which the page's CSP does not govern.
    if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
    return page.evaluate(async () => {
      const result = await (window as any).axe.run(document, { resultTypes: ['violations'] });
      if (result.passes.length < 10) return [`axe checked only ${result.passes.length} rules`];
      return result.violations.map((v: any) => `${v.id} (${v.impact}): ${v.nodes.length} × ${v.nodes[0].target.join(' ')}`);
    });
  }

  beforeAll(async () => {
    server = await startConsoleServer('sqlite');
    browser = await launchBrowser();
    context = await browser.newContext();
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (LOOPBACK.test(url.hostname) || url.protocol === 'data:') return route.continue();
      outside.push(url.href);
      return route.abort();
    });
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${server.baseUrl}/docs`);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('loads from the loopback only, within its Content-Security-Policy', async () => {
    await expect.poll(() => page.locator('#count').textContent()).toMatch(/^\d+ of \d+ operations$/);
    const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    expect(policy).toContain("default-src 'none'");
    expect(outside).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('narrows the operations as a filter is typed, by path, summary and tag', async () => {
    const all = await visible();
    expect(all).toBeGreaterThan(150);
    const filter = page.getByLabel('Filter');
    await filter.pressSequentially('origin-che');
    await expect.poll(visible).toBe(1);
    expect(await page.locator('.op:visible summary code').first().textContent()).toBe('/v1/public/runtime/origin-check');
    expect(await page.locator('#count').textContent()).toBe(`1 of ${all} operations`);
    await filter.fill('');
    await filter.pressSequentially('revoke');
    await expect.poll(visible).toBeLessThan(all);
    expect(await page.locator('.op:visible').evaluateAll((ops) => ops.every((op) => op.getAttribute('data-search')!.includes('revoke')))).toBe(true);
    await filter.fill('channel service');
    await filter.dispatchEvent('input');
    await expect.poll(visible).toBe(31);
    expect(await page.locator('nav li:visible').allTextContents()).toEqual(['Channel service', 'Schemas']);
    await filter.fill('no operation is called this');
    await filter.dispatchEvent('input');
    await expect.poll(visible).toBe(0);
    await filter.press('Escape');
    await expect.poll(visible).toBe(all);
  });

  it('opens an operation with the keyboard and shows its request and response examples', async () => {
    const filter = page.getByLabel('Filter');
    await filter.fill('post /v1/agents creat');
    await filter.dispatchEvent('input');
    const operation = page.locator('#postV1Agents');
    expect(await operation.isVisible()).toBe(true);
    // Tab from the filter past the theme switch and the tag links to the first operation left.
    const summaryFocused = () => operation.locator('summary').evaluate((summary) => summary === document.activeElement);
    await filter.focus();
    for (let presses = 0; presses < 40 && !(await summaryFocused()); presses++) await page.keyboard.press('Tab');
    expect(await summaryFocused()).toBe(true);
    await page.keyboard.press('Enter');
    const examples = operation.locator('pre');
    await expect.poll(() => operation.locator('pre[aria-label="Request example (application/json)"]').isVisible()).toBe(true);
    const request = JSON.parse((await examples.first().textContent())!);
    expect(request).toMatchObject({ name: 'Concierge' });
    expect(await operation.locator('pre[aria-label="Response 201 example (application/json)"]').isVisible()).toBe(true);
    const created = JSON.parse((await operation.locator('pre[aria-label="Response 201 example (application/json)"]').textContent())!);
    expect(created).toMatchObject({ success: true, data: { name: 'Concierge', backend: { type: 'echo' } } });
    const refused = JSON.parse((await operation.locator('pre[aria-label="Response 400 example (application/json)"]').textContent())!);
    expect(refused).toMatchObject({ success: false, status: 400, code: 'VALIDATION_ERROR' });
    await filter.press('Escape');
  });

  it('has no axe-core violation in the light or the dark theme', async () => {
    await page.locator('#postV1Agents details').evaluate((details: HTMLDetailsElement) => (details.open = true));
    await page.emulateMedia({ colorScheme: 'light' });
    expect(await page.locator('#theme').getAttribute('aria-pressed')).toBe('false');
    expect(await violations()).toEqual([]);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'docs-light.png') });
    await page.locator('#theme').click();
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    expect(await page.locator('#theme').getAttribute('aria-pressed')).toBe('true');
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(20, 23, 28)');
    expect(await violations()).toEqual([]);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'docs-dark.png') });
    expect(outside).toEqual([]);
    expect(problems).toEqual([]);
  });
});

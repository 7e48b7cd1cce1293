/**
 * What the console's browser tests stand on: the real server on a port chosen first (so its
 * PUBLIC_URL, which the embed snippet carries, is its own address), Chromium, axe-core, and
 * screenshots under test-artifacts/console/.
 */
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { buildApp, type App, type Engine } from '@switchboard/server';
import { createTestDatabase, type TestDatabase } from '../helpers/engines.js';
import { controlApi } from '../helpers/control.js';
import { fakesEgress } from '../helpers/egress.js';
import { ARTIFACTS } from './harness.js';

export interface ConsoleServer {
  baseUrl: string;
  app: App;
  database: TestDatabase;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export async function startConsoleServer(engine: Engine): Promise<ConsoleServer> {
  const database = await createTestDatabase(engine);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const app = buildApp({ db: database.db, egress: fakesEgress, publicUrl: baseUrl });
  await app.server.listen({ port, host: '127.0.0.1' });
  return {
    baseUrl,
    app,
    database,
    async close() {
      await app.server.close();
      await database.destroy();
    },
  };
}

export interface Site {
  origin: string;
  snippet: string;
  close(): Promise<void>;
}

/** A customer's page on its own loopback origin, carrying whatever snippet it is given. */
export async function startSite(title: string): Promise<Site> {
  const site: Site = { origin: '', snippet: '', close: async () => undefined };
  const server: Server = createServer((request, response) => {
    if (new URL(request.url ?? '/', 'http://site').pathname !== '/') return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>\n${site.snippet}\n</body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  site.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  site.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return site;
}

const axeSource = readFileSync(join(createRequire(import.meta.url).resolve('axe-core'), '..', 'axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** axe-core's serious and critical violations on the page as it is now. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const result = await (window as any).axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v: any) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n: any) => n.target.join(' ')) }));
  });
  return (violations as AxeViolation[]).filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

export type Theme = 'light' | 'dark';

/** Switches the console's theme the way a person does (the top bar's select), or through storage before sign-in. */
export async function setTheme(page: Page, theme: Theme): Promise<void> {
  const select = page.locator('.theme-switch select');
  if (await select.count()) await select.selectOption(theme);
  else await page.evaluate((value) => document.documentElement.setAttribute('data-theme', value), theme);
  await page.waitForFunction((value) => document.documentElement.getAttribute('data-theme') === value, theme);
}

/** Screenshot and axe check of the current page in both themes; returns the violations found. */
export async function auditPage(page: Page, name: string): Promise<Record<string, AxeViolation[]>> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const found: Record<string, AxeViolation[]> = {};
  for (const theme of ['light', 'dark'] as const) {
    await setTheme(page, theme);
    await page.screenshot({ path: join(ARTIFACTS, `${name}-${theme}.png`), fullPage: true });
    const violations = await seriousViolations(page);
    if (violations.length) found[`${name}/${theme}`] = violations;
  }
  await setTheme(page, 'light');
  return found;
}

/**
 * Invites a member with the workspace's API key and accepts the invitation with `password`, as
 * the invitee would from the link. Resolves with the member's id.
 */
export async function invitedMember(
  baseUrl: string,
  apiKey: string,
  member: { email: string; role: 'owner' | 'admin' | 'agent'; name: string },
  password: string,
): Promise<string> {
  const invited = await controlApi(baseUrl, apiKey)('POST', '/v1/members', member);
  if (invited.status !== 201) throw new Error(`invite answered ${invited.status}: ${JSON.stringify(invited.body)}`);
  const token = String(invited.body.data.invitation.url).split('/').pop();
  const accepted = await fetch(`${baseUrl}/v1/invitations/${token}/accept`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ password }),
  });
  if (accepted.status !== 201) throw new Error(`accept answered ${accepted.status}`);
  return invited.body.data.member.id as string;
}

/** Signs in through the console's form in a new page of `context`, starting from `next` (default the console's home). */
export async function signInPage(context: BrowserContext, baseUrl: string, email: string, password: string, next?: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${baseUrl}/console/sign-in${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForFunction(() => location.pathname !== '/console/sign-in', undefined, { timeout: 15_000 });
  return page;
}

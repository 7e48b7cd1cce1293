/**
 * What the widget's Chromium tests share: one browser, the fake runtime, the embed asset server
 * and four host sites on their own origins, plus helpers to read the widget's shadow DOM.
 */
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { startFakeRuntime, type FakeDeployment, type FakeRuntime, type FakeSession } from './fake-runtime.js';
import { ARTIFACTS, buildWidget, launchBrowser, startAssetServer, startPageServer } from './harness.js';
import { availableServices } from '../helpers/services.js';

type PageServer = Awaited<ReturnType<typeof startPageServer>>;
type AssetServer = Awaited<ReturnType<typeof startAssetServer>>;

export const withChromium = availableServices().chromium;

export const poll = <T>(read: () => Promise<T> | T, timeout = 10_000) => expect.poll(read, { timeout, interval: 50 });
export const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
export const texts = (locator: Locator) => locator.allTextContents();

export function ui(page: Page) {
  const $ = (selector: string) => page.locator(`switchboard-widget ${selector}`);
  return {
    host: page.locator('switchboard-widget'),
    root: $('.root'),
    launcher: $('button.launcher'),
    badge: $('.badge'),
    panel: $('[role="dialog"]'),
    title: $('.title'),
    avatar: $('img.avatar'),
    close: $('button.close'),
    alert: $('[role="alert"]'),
    log: $('[role="log"]'),
    greeting: $('.msg.greeting .text'),
    agent: $('.msg.agent:not(.greeting) .text'),
    contact: $('.msg.contact .text'),
    contactBubbles: $('.msg.contact'),
    typing: $('.typing'),
    input: $('textarea'),
    send: $('button.send'),
  };
}

/** The element focused inside the widget's shadow root: `tag.class` or `tag#id`, or `page:tag` outside it. */
export const focused = (page: Page) =>
  page.evaluate(() => {
    const host = document.activeElement;
    if (!host || host.tagName !== 'SWITCHBOARD-WIDGET') return `page:${host?.tagName.toLowerCase()}${host?.id ? `#${host.id}` : ''}`;
    const inner = host.shadowRoot?.activeElement;
    return inner ? `${inner.tagName.toLowerCase()}${inner.id ? `#${inner.id}` : `.${inner.className}`}` : 'host';
  });

export async function sendMessage(page: Page, text: string) {
  const w = ui(page);
  await w.input.fill(text);
  await w.input.press('Enter');
}

export interface Fixture {
  browser: Browser;
  runtime: FakeRuntime;
  /** Allowed by the test deployments. */
  siteA: PageServer;
  /** Allowed only by another deployment than the one its page uses. */
  siteB: PageServer;
  /** Allowed by no deployment at all. */
  siteC: PageServer;
  /** Allowed only by the deployments of the revocation tests. */
  siteD: PageServer;
  /** The console messages of a page opened with `open`, as `type: text`. */
  logs(page: Page): string[];
  open(url: string, viewport?: { width: number; height: number }): Promise<Page>;
  /** Waits until the widget has a session on `deployment` with its event stream open. */
  connectedSession(deployment: FakeDeployment, target?: FakeRuntime): Promise<FakeSession>;
}

/** Registers the suite's hooks; the returned object is filled in by beforeAll. */
export function useWidgetBrowser(): Fixture {
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  let assets: AssetServer;
  const consoles = new WeakMap<Page, string[]>();
  const fixture = {
    logs: (page: Page) => consoles.get(page) ?? [],
    async open(url: string, viewport = { width: 1280, height: 800 }) {
      const context = await fixture.browser.newContext({ viewport });
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(`${url}: ${error.message}`));
      const lines: string[] = [];
      consoles.set(page, lines);
      page.on('console', (message) => lines.push(`${message.type()}: ${message.text()}`));
      await page.goto(url);
      return page;
    },
    async connectedSession(deployment: FakeDeployment, target?: FakeRuntime) {
      const runtime = target ?? fixture.runtime;
      await poll(() => runtime.sessionsOf(deployment.token).some((session) => session.streams.size > 0)).toBe(true);
      return runtime.sessionsOf(deployment.token).find((session) => session.streams.size > 0)!;
    },
  } as Fixture;

  beforeAll(async () => {
    if (!withChromium) return;
    buildWidget();
    [fixture.browser, fixture.runtime, assets] = await Promise.all([launchBrowser(), startFakeRuntime(), startAssetServer()]);
    const site = () => startPageServer(assets.url, fixture.runtime.url);
    [fixture.siteA, fixture.siteB, fixture.siteC, fixture.siteD] = await Promise.all([site(), site(), site(), site()]);
    // Another deployment's widget on sites A and B keeps those origins CORS-enabled, so refusals
    // there come back readable (401/403 with the server's message). Sites C and D exercise refused
    // preflights, where the browser withholds the answer and the widget asks origin-check.
    fixture.runtime.addDeployment({ allowedOrigins: [fixture.siteA.url, fixture.siteB.url] });
  }, 60_000);

  afterEach(async () => {
    if (!withChromium) return;
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });

  afterAll(async () => {
    if (!withChromium) return;
    await fixture.browser?.close();
    const sites = [fixture.siteA, fixture.siteB, fixture.siteC, fixture.siteD];
    await Promise.all([fixture.runtime?.close(), assets?.server.close(), ...sites.map((site) => site && new Promise((r) => site.server.close(r)))]);
    expect(pageErrors).toEqual([]);
  });

  return fixture;
}

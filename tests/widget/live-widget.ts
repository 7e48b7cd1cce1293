/**
 * What the widget's Chromium tests against the real server share: a live server on one engine
 * (rate limits out of the way) with a workspace, Chromium, a JSON client for the control-plane
 * API, a row count, and pages whose console lines are kept and whose uncaught errors fail the
 * suite. Call inside a describe: it registers the suite's hooks (before the test file's own).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { Engine } from '@switchboard/server';
import { startLiveServer, type LiveServer } from '../helpers/live-server.js';
import { buildWidget, launchBrowser } from './harness.js';

export interface LiveWidget {
  readonly server: LiveServer;
  readonly browser: Browser;
  /** Contexts closed after each test. */
  readonly contexts: BrowserContext[];
  /** Each page's console lines, as `type: text`. */
  readonly logs: WeakMap<Page, string[]>;
  /** The control-plane API with the workspace's key; resolves with the answer's JSON. */
  api(method: string, path: string, body?: unknown): Promise<any>;
  count(table: 'conversations' | 'contacts' | 'contact_events'): Promise<number>;
  /** A new page in `context` (else in a new context closed after the test), its console kept. */
  newPage(context?: BrowserContext): Promise<Page>;
}

export function useLiveWidget(engine: Engine): LiveWidget {
  let server: LiveServer;
  let browser: Browser;
  let key: string;
  const contexts: BrowserContext[] = [];
  const logs = new WeakMap<Page, string[]>();
  const pageErrors: string[] = [];

  beforeAll(async () => {
    buildWidget();
    [server, browser] = await Promise.all([startLiveServer(engine, { runtimeRateLimits: { perIp: 10_000, perToken: 10_000 } }), launchBrowser()]);
    key = (await server.newWorkspace()).apiKey;
  }, 90_000);
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    expect(pageErrors).toEqual([]);
  });

  return {
    get server() {
      return server;
    },
    get browser() {
      return browser;
    },
    contexts,
    logs,
    async api(method, path, body) {
      const response = await fetch(`${server.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      return (await response.json()) as any;
    },
    count: async (table) => Number((await server.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
    async newPage(given) {
      const context = given ?? (await browser.newContext());
      if (!given) contexts.push(context);
      const page = await context.newPage();
      const lines: string[] = [];
      logs.set(page, lines);
      page.on('console', (message) => lines.push(`${message.type()}: ${message.text()}`));
      page.on('pageerror', (error) => pageErrors.push(error.message));
      return page;
    },
  };
}

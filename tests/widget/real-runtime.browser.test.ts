/**
 * The widget against the real Switchboard runtime (buildApp on SQLite, an echo agent), on a host
 * page with the spec's snippet: greeting, a reply, resume after reload, the origin error, and
 * revocation (mid-conversation and at start). The fake-runtime suite covers the rest.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startLiveServer, type LiveServer } from '../helpers/live-server.js';
import { buildWidget, launchBrowser, startAssetServer, startPageServer } from './harness.js';

const REVOKED = 'This chat is no longer available (the deployment token was revoked).';
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 15_000, interval: 50 });

describe('widget against the real runtime', () => {
  let server: LiveServer;
  let browser: Browser;
  let key: string;
  let assets: Awaited<ReturnType<typeof startAssetServer>>;
  let site: Awaited<ReturnType<typeof startPageServer>>;
  let otherSite: Awaited<ReturnType<typeof startPageServer>>;
  const pages: Page[] = [];

  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  const open = async (url: string) => {
    const page = await browser.newPage();
    pages.push(page);
    await page.goto(url);
    return page;
  };
  const $ = (page: Page, selector: string) => page.locator(`switchboard-widget ${selector}`);

  beforeAll(async () => {
    buildWidget();
    [server, browser, assets] = await Promise.all([
      startLiveServer('sqlite', { runtimeRateLimits: { perIp: 10_000, perToken: 10_000 } }),
      launchBrowser(),
      startAssetServer(),
    ]);
    key = (await server.newWorkspace()).apiKey;
    [site, otherSite] = await Promise.all([startPageServer(assets.url, server.baseUrl), startPageServer(assets.url, server.baseUrl)]);
  }, 60_000);
  afterEach(async () => {
    await Promise.all(pages.splice(0).map((page) => page.context().close()));
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all([server?.close(), assets?.server.close(), ...[site, otherSite].map((s) => s && new Promise((r) => s.server.close(r)))]);
  });

  it('chats, resumes after a reload, refuses other origins, and reports revocation', async () => {
    const agent = await api('POST', '/v1/agents', { name: 'Concierge', introductionMessage: 'Hi from the real server' });
    expect(agent.status).toBe(201);
    const deployed = await api('POST', `/v1/agents/${agent.body.data.id}/deployments`, {
      allowedOrigins: [site.url],
      channel: { channelIdentifier: 'https://widget-test.example.com' },
      theme: { primaryColor: '#112233', headerTitle: 'Help' },
    });
    expect(deployed.status).toBe(201);
    const token: string = deployed.body.data.token;

    const page = await open(site.page({ token }));
    await $(page, '.launcher').click();
    await poll(() => $(page, '.msg.greeting .text').textContent()).toBe('Hi from the real server');
    expect(await $(page, '.title').textContent()).toBe('Help');
    await $(page, 'textarea').fill('hello real');
    await $(page, 'textarea').press('Enter');
    await poll(() => $(page, '.msg.agent:not(.greeting) .text').allTextContents()).toEqual(['hello real']);

    await page.reload();
    await $(page, '.launcher').click();
    await poll(() => $(page, '.msg .text').allTextContents()).toEqual(['Hi from the real server', 'hello real', 'hello real']);

    const elsewhere = await open(otherSite.page({ token }));
    await $(elsewhere, '.launcher').click();
    await poll(() => $(elsewhere, '[role=alert]').textContent()).toBe(
      `This site is not allowed to use this chat (origin ${otherSite.url}). Origin ${otherSite.url} is not allowed for this deployment.`,
    );

    expect((await api('POST', `/v1/agents/${agent.body.data.id}/deployments/${deployed.body.data.id}/revoke`)).status).toBe(200);
    await $(page, 'textarea').fill('after revoke');
    await $(page, 'textarea').press('Enter');
    await poll(() => $(page, '[role=alert]').textContent()).toBe(REVOKED);

    const later = await open(site.page({ token }));
    await $(later, '.launcher').click();
    await poll(() => $(later, '[role=alert]').textContent()).toBe(REVOKED);
  });
});

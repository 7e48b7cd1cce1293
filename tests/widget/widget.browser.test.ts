/**
 * The embed loader and chat widget in headless Chromium, against a fake runtime that follows
 * docs/runtime-api.md, on host pages (their own origins) carrying the spec's embed snippet.
 * Screenshots go to test-artifacts/widget/.
 */
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeRuntime, XSS_REPLY, type FakeDeployment, type FakeRuntime, type FakeSession } from './fake-runtime.js';
import { ARTIFACTS, buildWidget, launchBrowser, startAssetServer, startPageServer, type PageOptions } from './harness.js';
import { availableServices } from '../helpers/services.js';

type PageServer = Awaited<ReturnType<typeof startPageServer>>;
type AssetServer = Awaited<ReturnType<typeof startAssetServer>>;

const OFFLINE = 'You appear to be offline. Retrying…';
const REVOKED = 'This chat is no longer available (the deployment token was revoked).';

let browser: Browser;
let runtime: FakeRuntime;
let assets: AssetServer;
/** Allowed by the test deployments. */
let siteA: PageServer;
/** Allowed only by another deployment than the one its page uses. */
let siteB: PageServer;
/** Allowed by no deployment at all. */
let siteC: PageServer;
/** Allowed only by the deployments of the revocation test. */
let siteD: PageServer;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

const poll = <T>(read: () => Promise<T> | T, timeout = 10_000) => expect.poll(read, { timeout, interval: 50 });
const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });

function ui(page: Page) {
  const $ = (selector: string) => page.locator(`switchboard-widget ${selector}`);
  return {
    host: page.locator('switchboard-widget'),
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

/** The element focused inside the widget's shadow root: `tag.class` or `tag#id`. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const host = document.activeElement;
    if (!host || host.tagName !== 'SWITCHBOARD-WIDGET') return `page:${host?.tagName.toLowerCase()}`;
    const inner = host.shadowRoot?.activeElement;
    return inner ? `${inner.tagName.toLowerCase()}${inner.id ? `#${inner.id}` : `.${inner.className}`}` : 'host';
  });

const texts = (locator: Locator) => locator.allTextContents();

async function open(url: string, viewport = { width: 1280, height: 800 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(`${url}: ${error.message}`));
  await page.goto(url);
  return page;
}

/** Waits until the widget has a session on `deployment` with its event stream open. */
async function connectedSession(deployment: FakeDeployment, target = runtime): Promise<FakeSession> {
  await poll(() => target.sessionsOf(deployment.token).some((session) => session.streams.size > 0)).toBe(true);
  return target.sessionsOf(deployment.token).find((session) => session.streams.size > 0)!;
}

async function sendMessage(page: Page, text: string) {
  const w = ui(page);
  await w.input.fill(text);
  await w.input.press('Enter');
}

const withChromium = availableServices().chromium;

beforeAll(async () => {
  if (!withChromium) return;
  buildWidget();
  [browser, runtime, assets] = await Promise.all([launchBrowser(), startFakeRuntime(), startAssetServer()]);
  [siteA, siteB, siteC, siteD] = await Promise.all([
    startPageServer(assets.url, runtime.url),
    startPageServer(assets.url, runtime.url),
    startPageServer(assets.url, runtime.url),
    startPageServer(assets.url, runtime.url),
  ]);
  // Another deployment's widget on sites A and B keeps those origins CORS-enabled, so refusals
  // there come back readable (401/403 with the server's message). Sites C and D exercise refused
  // preflights, where the browser withholds the answer and the widget asks origin-check.
  runtime.addDeployment({ allowedOrigins: [siteA.url, siteB.url] });
}, 60_000);

afterEach(async () => {
  if (!withChromium) return;
  await Promise.all(contexts.splice(0).map((context) => context.close()));
});

afterAll(async () => {
  if (!withChromium) return;
  await browser?.close();
  await Promise.all([runtime?.close(), assets?.server.close(), ...[siteA, siteB, siteC, siteD].map((site) => site && new Promise((r) => site.server.close(r)))]);
  expect(pageErrors).toEqual([]);
});

describe.runIf(withChromium)('embed loader and chat widget (Chromium)', () => {
  it('spec snippet: launcher themed from the deployment + init overrides, opens with the keyboard, greeting, Escape', async () => {
    const deployment = runtime.addDeployment({
      allowedOrigins: [siteA.url],
      greeting: 'Welcome to Acme! Ask me anything.',
      theme: {
        primaryColor: '#1a7f37',
        launcherColor: '#7b2cbf',
        launcherIcon: 'chat',
        position: 'left',
        greeting: 'Welcome to Acme! Ask me anything.',
        avatarUrl: `data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="5" fill="orange"/></svg>')}`,
        headerTitle: 'Concierge',
        fontFamily: 'Verdana, sans-serif',
      },
    });
    const page = await open(siteA.page({ token: deployment.token, init: { theme: { headerTitle: 'Acme help' } } }));
    const w = ui(page);

    await w.launcher.waitFor({ state: 'visible' });
    expect(await w.launcher.getAttribute('aria-label')).toBe('Open chat');
    expect(await w.launcher.getAttribute('aria-expanded')).toBe('false');
    expect(await w.launcher.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(123, 44, 191)');
    const box = (await w.launcher.boundingBox())!;
    expect(box.x).toBeLessThan(100); // position: left
    expect(await w.panel.isHidden()).toBe(true);
    await shot(page, '01-launcher');

    // Keyboard only: Tab reaches the launcher (after the page's own button), Enter opens.
    for (let i = 0; i < 6 && (await focused(page)) !== 'button.launcher'; i++) await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('button.launcher');
    await page.keyboard.press('Enter');
    await w.panel.waitFor({ state: 'visible' });
    expect(await w.launcher.getAttribute('aria-expanded')).toBe('true');
    expect(await focused(page)).toBe('textarea#sb-input'); // focus moved into the panel
    expect(await w.panel.getAttribute('aria-label')).toBe('Acme help'); // the init override wins
    expect(await w.title.textContent()).toBe('Acme help');
    expect(await w.avatar.getAttribute('alt')).toBe('Concierge avatar');
    expect(await w.log.getAttribute('aria-live')).toBe('polite');
    expect(await page.locator('switchboard-widget label[for="sb-input"]').textContent()).toBe('Your message');
    expect(await w.send.getAttribute('aria-label')).toBe('Send message');
    await poll(() => w.greeting.textContent()).toBe('Welcome to Acme! Ask me anything.');
    expect(await page.locator('switchboard-widget .header').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(26, 127, 55)');
    expect(await w.title.evaluate((el) => getComputedStyle(el).fontFamily)).toBe('Verdana, sans-serif');
    await shot(page, '02-open');

    await page.keyboard.press('Escape');
    await w.panel.waitFor({ state: 'hidden' });
    expect(await focused(page)).toBe('button.launcher'); // focus back on the launcher
    expect(await w.launcher.getAttribute('aria-expanded')).toBe('false');
  });

  it('init before the loader (a page-made ConvoshipQueue array) works; later pushes act at once; open/close/destroy', async () => {
    const deployment = runtime.addDeployment({ allowedOrigins: [siteA.url] });
    const page = await open(siteA.page({ token: deployment.token, order: 'before' }));
    const w = ui(page);
    await w.launcher.waitFor({ state: 'visible' });
    expect(await page.evaluate(() => (window as any).SwitchboardQueue === (window as any).ConvoshipQueue)).toBe(true);

    await page.evaluate(() => (window as any).ConvoshipQueue.push(['open']));
    await w.panel.waitFor({ state: 'visible' });
    await poll(() => w.greeting.textContent()).toBe('Hi! How can I help?');
    await page.evaluate(() => (window as any).SwitchboardQueue.push(['close']));
    await w.panel.waitFor({ state: 'hidden' });

    await page.evaluate(() => (window as any).ConvoshipQueue.push(['destroy']));
    await poll(() => w.host.count()).toBe(0);

    // And again, from scratch, with the other queue name.
    await page.evaluate(
      ([token, apiUrl]) => (window as any).SwitchboardQueue.push(['init', { agentId: 'AGENT_UUID', token, channel: 'web', apiUrl }], ['open']),
      [deployment.token, runtime.url],
    );
    await w.panel.waitFor({ state: 'visible' });
    await poll(() => w.greeting.textContent()).toBe('Hi! How can I help?');
  });

  it('sends a message and shows the reply streaming in (deltas, then the final text) with a typing indicator', async () => {
    const deployment = runtime.addDeployment({ allowedOrigins: [siteA.url] });
    const page = await open(siteA.page({ token: deployment.token }));
    const w = ui(page);
    await w.launcher.click();
    await connectedSession(deployment);

    const hold = runtime.holdNextReply();
    await sendMessage(page, 'hello stream');
    await poll(() => texts(w.contact)).toEqual(['hello stream']);
    expect(await w.input.inputValue()).toBe('');
    await hold.reached;
    // The first chunk is on screen while the rest is held back: rendered progressively.
    await poll(() => texts(w.agent)).toEqual(['Echo: ']);
    await w.typing.waitFor({ state: 'visible' });
    expect(await w.typing.getAttribute('role')).toBe('status');
    await shot(page, '03-streaming');

    hold.release();
    await poll(() => texts(w.agent)).toEqual(['Echo: hello stream']);
    await w.typing.waitFor({ state: 'hidden' });
    expect(await page.locator('switchboard-widget .msg.pending').count()).toBe(0);
    const [session] = runtime.sessionsOf(deployment.token);
    expect(session!.messages.map((m) => [m.role, m.text])).toEqual([
      ['contact', 'hello stream'],
      ['agent', 'Echo: hello stream'],
    ]);
    await shot(page, '04-replied');
  });

  it('renders agent (and visitor) HTML as literal text: nothing is injected', async () => {
    const deployment = runtime.addDeployment({ allowedOrigins: [siteA.url] });
    const page = await open(siteA.page({ token: deployment.token }));
    const w = ui(page);
    await w.launcher.click();
    await connectedSession(deployment);

    await sendMessage(page, 'xss <img src=x onerror="window.__pwned=2">');
    await poll(() => texts(w.agent)).toEqual([XSS_REPLY]);
    expect(await texts(w.contact)).toEqual(['xss <img src=x onerror="window.__pwned=2">']);
    await page.waitForTimeout(200);
    expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
    expect(await page.locator('switchboard-widget .log img').count()).toBe(0);
    expect(await page.locator('switchboard-widget .log b').count()).toBe(0);
    await shot(page, '05-literal-html');
  });

  it('counts agent messages received while closed on an unread badge', async () => {
    const deployment = runtime.addDeployment({ allowedOrigins: [siteA.url] });
    const page = await open(siteA.page({ token: deployment.token }));
    const w = ui(page);
    await w.launcher.waitFor({ state: 'visible' });
    const session = await connectedSession(deployment);
    expect(await w.badge.isHidden()).toBe(true);

    runtime.say(session, 'Are you still there?');
    runtime.say(session, 'We have a discount today.');
    await poll(() => w.badge.textContent()).toBe('2');
    expect(await w.badge.isVisible()).toBe(true);
    expect(await w.launcher.getAttribute('aria-label')).toBe('Open chat (2 unread messages)');
    await shot(page, '06-unread-badge');

    await w.launcher.click();
    await w.panel.waitFor({ state: 'visible' });
    expect(await w.badge.isHidden()).toBe(true);
    expect(await texts(w.agent)).toEqual(['Are you still there?', 'We have a discount today.']);

    await w.close.click();
    runtime.say(session, 'Bye for now.');
    await poll(() => w.badge.textContent()).toBe('1');
    expect(await w.launcher.getAttribute('aria-label')).toBe('Open chat (1 unread message)');
  });

  it('origin not allowed (403 with the server message): a clear error', async () => {
    const deployment = runtime.addDeployment({ allowedOrigins: [siteA.url] });
    const page = await open(siteB.page({ token: deployment.token }));
    const w = ui(page);
    await w.launcher.waitFor({ state: 'visible' });
    await w.launcher.click();
    await poll(() => w.alert.textContent()).toBe(
      `This site is not allowed to use this chat (origin ${siteB.url}). Origin ${siteB.url} is not allowed for this deployment.`,
    );
    expect(await w.alert.isVisible()).toBe(true);
    expect(await w.input.isDisabled()).toBe(true);
    expect(runtime.starts.some((start) => start.token === deployment.token)).toBe(false);
    await shot(page, '07-origin-403');
  });

  it('origin allowed by no deployment (preflight refused, nothing readable): origin-check explains it', async () => {
    const deployment = runtime.addDeployment({ allowedOrigins: [siteA.url] });
    const page = await open(siteC.page({ token: deployment.token }));
    const w = ui(page);
    await w.launcher.waitFor({ state: 'visible' });
    await w.launcher.click();
    await poll(() => w.alert.textContent()).toBe(
      `This site is not allowed to use this chat (origin ${siteC.url}). Origin ${siteC.url} is not allowed for this deployment.`,
    );
    expect(await w.input.isDisabled()).toBe(true);
    expect(runtime.requests.some((r) => r.path === '/v1/public/runtime/origin-check' && r.origin === siteC.url)).toBe(true);
    await shot(page, '08-origin-preflight');

    // A server without origin-check: a no-cors probe still tells "refused" apart from "offline".
    runtime.originCheckEnabled = false;
    try {
      const older = await open(siteC.page({ token: deployment.token }));
      const v = ui(older);
      await v.launcher.click();
      await poll(() => v.alert.textContent()).toBe(
        `This site is not allowed to use this chat (origin ${siteC.url}): the chat service refused this page's origin. Check the deployment's allowed origins.`,
      );
    } finally {
      runtime.originCheckEnabled = true;
    }
  });

  it('revoked token: at start (readable 401, or a refused preflight), and mid-conversation on the next request', async () => {
    // Site A stays CORS-enabled through another deployment: the 401 itself is readable.
    const revokedEarly = runtime.addDeployment({ allowedOrigins: [siteA.url] });
    runtime.revoke(revokedEarly.token);
    const page = await open(siteA.page({ token: revokedEarly.token }));
    const w = ui(page);
    await w.launcher.click();
    await poll(() => w.alert.textContent()).toBe(REVOKED);
    await shot(page, '09-revoked');

    // Site D's only deployment is revoked: its preflight is refused; origin-check says why.
    const onlyOne = runtime.addDeployment({ allowedOrigins: [siteD.url] });
    runtime.revoke(onlyOne.token);
    const alone = await open(siteD.page({ token: onlyOne.token }));
    const u = ui(alone);
    await u.launcher.click();
    await poll(() => u.alert.textContent()).toBe(REVOKED);

    // Revoked while chatting (site D's only active deployment): the next send says so.
    const deployment = runtime.addDeployment({ allowedOrigins: [siteD.url] });
    const second = await open(siteD.page({ token: deployment.token }));
    const v = ui(second);
    await v.launcher.click();
    await connectedSession(deployment);
    await sendMessage(second, 'first');
    await poll(() => texts(v.agent)).toEqual(['Echo: first']);
    runtime.revoke(deployment.token);
    await sendMessage(second, 'second');
    await poll(() => v.alert.textContent()).toBe(REVOKED);
    expect(await v.input.isDisabled()).toBe(true);
    expect(await second.locator('switchboard-widget .msg.failed').count()).toBe(1);
  });

  it('offline: shows the offline message, keeps what was typed, and recovers by itself', { timeout: 45_000 }, async () => {
    const own = await startFakeRuntime();
    try {
      const deployment = own.addDeployment({ allowedOrigins: [siteA.url] });
      const page = await open(siteA.page({ token: deployment.token, apiUrl: own.url }));
      const w = ui(page);
      await w.launcher.click();
      await connectedSession(deployment, own);
      await sendMessage(page, 'before');
      await poll(() => texts(w.agent)).toEqual(['Echo: before']);

      await own.stop();
      await poll(() => w.alert.textContent()).toBe(OFFLINE);
      expect(await w.alert.isVisible()).toBe(true);
      await sendMessage(page, 'sent while offline');
      await poll(() => page.locator('switchboard-widget .msg.contact.pending').count()).toBe(1);
      await shot(page, '10-offline');

      await own.start();
      await poll(() => texts(w.agent), 30_000).toEqual(['Echo: before', 'Echo: sent while offline']);
      await poll(() => w.alert.textContent()).toBe('');
      expect(await w.alert.isHidden()).toBe(true);
      expect(await page.locator('switchboard-widget .msg.pending').count()).toBe(0);
      const messages = own.sessionsOf(deployment.token).flatMap((session) => session.messages);
      expect(messages.filter((m) => m.text === 'sent while offline')).toHaveLength(1);
      // The stream came back with Last-Event-ID, so nothing was missed.
      expect(own.requests.some((r) => r.path.endsWith('/events') && r.lastEventId !== undefined && r.status === 200)).toBe(true);
    } finally {
      await own.close();
    }
  });

  it('a send whose answer is lost is retried with the same clientMessageId and stored once', async () => {
    const deployment = runtime.addDeployment({ allowedOrigins: [siteA.url] });
    const page = await open(siteA.page({ token: deployment.token }));
    const w = ui(page);
    await w.launcher.click();
    const session = await connectedSession(deployment);
    runtime.loseNextSendAnswers(1);
    await sendMessage(page, 'only once');
    await poll(() => texts(w.agent)).toEqual(['Echo: only once']);
    await poll(() => runtime.requests.filter((r) => r.path === `/v1/public/runtime/sessions/${session.id}/messages` && r.method === 'POST').length).toBeGreaterThanOrEqual(2);
    expect(session.messages.filter((m) => m.role === 'contact')).toHaveLength(1);
    expect(await texts(w.contact)).toEqual(['only once']);
    expect(await page.locator('switchboard-widget .msg.pending').count()).toBe(0);
  });

  it('reloading resumes the same conversation and shows its history', async () => {
    const deployment = runtime.addDeployment({ allowedOrigins: [siteA.url] });
    const page = await open(siteA.page({ token: deployment.token }));
    const w = ui(page);
    await w.launcher.click();
    await connectedSession(deployment);
    await sendMessage(page, 'remember me');
    await poll(() => texts(w.agent)).toEqual(['Echo: remember me']);

    await page.reload();
    await w.launcher.click();
    await poll(() => texts(w.agent)).toEqual(['Echo: remember me']);
    expect(await texts(w.contact)).toEqual(['remember me']);
    expect(await w.greeting.textContent()).toBe('Hi! How can I help?');
    const starts = runtime.starts.filter((start) => start.token === deployment.token);
    expect(starts.map((s) => [s.status, s.resumed])).toEqual([
      [201, false],
      [200, true],
    ]);
    expect(starts[1]!.sessionId).toBe(starts[0]!.sessionId);
    expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([`switchboard:visitor:${runtime.url}|AGENT_UUID`]);
    await shot(page, '11-resumed');
  });

  it('styles do not leak in or out of the shadow root', async () => {
    const deployment = runtime.addDeployment({ allowedOrigins: [siteA.url] });
    const css = 'button { background: red !important; border: 5px dashed lime !important; } * { color: green; letter-spacing: 3px; }';
    const options: PageOptions = { token: deployment.token, css };
    const properties = ['background-color', 'border-top-style', 'cursor', 'padding-top', 'padding-left', 'margin-top', 'line-height', 'font-family', 'font-size', 'color', 'border-radius'];
    const pageStyles = (page: Page) =>
      page.evaluate((props) => {
        const read = (el: Element) => props.map((p) => getComputedStyle(el).getPropertyValue(p));
        return { button: read(document.querySelector('#page-button')!), h1: read(document.querySelector('h1')!), body: read(document.body) };
      }, properties);

    const reference = await open(siteA.page({ ...options, noWidget: true }));
    const expected = await pageStyles(reference);

    const page = await open(siteA.page(options));
    const w = ui(page);
    await w.launcher.click();
    await w.panel.waitFor({ state: 'visible' });
    // Out: the page looks exactly as it does without the widget, and gained no stylesheets.
    expect(await pageStyles(page)).toEqual(expected);
    expect(await page.evaluate(() => [document.querySelectorAll('style, link[rel=stylesheet]').length, document.adoptedStyleSheets.length])).toEqual([1, 0]);
    // In: the page's button and * rules do not reach the widget.
    expect(await w.launcher.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(11, 95, 255)');
    expect(await w.send.evaluate((el) => [getComputedStyle(el).backgroundColor, getComputedStyle(el).borderTopStyle])).toEqual(['rgb(11, 95, 255)', 'none']);
    expect(await w.title.evaluate((el) => [getComputedStyle(el).color, getComputedStyle(el).letterSpacing])).toEqual(['rgb(255, 255, 255)', 'normal']);
    expect(await w.greeting.evaluate((el) => getComputedStyle(el).color)).toBe('rgb(31, 35, 40)');
    await shot(page, '12-style-isolation');
  });

  it('goes full-screen on a small screen (375×667)', async () => {
    const deployment = runtime.addDeployment({ allowedOrigins: [siteA.url] });
    const page = await open(siteA.page({ token: deployment.token }), { width: 375, height: 667 });
    const w = ui(page);
    await w.launcher.click();
    await w.panel.waitFor({ state: 'visible' });
    expect(await w.panel.boundingBox()).toEqual({ x: 0, y: 0, width: 375, height: 667 });
    expect(await w.launcher.isHidden()).toBe(true);
    await poll(() => w.greeting.textContent()).toBe('Hi! How can I help?');
    await shot(page, '13-small-screen');
    await w.close.click();
    await w.panel.waitFor({ state: 'hidden' });
    expect(await w.launcher.isVisible()).toBe(true);
    expect(await focused(page)).toBe('button.launcher');
  });
});

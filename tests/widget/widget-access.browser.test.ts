/**
 * When the widget may not or cannot talk to the runtime, in Chromium against the fake runtime:
 * nothing is created until the visitor opens the chat; a refused page shows visitors nothing and
 * tells the site owner in the console; revocation ends an open chat at once; offline and an
 * unreachable service are told apart and recovered from.
 */
import { describe, expect, it } from 'vitest';
import { startFakeRuntime } from './fake-runtime.js';
import { poll, sendMessage, shot, texts, ui, useWidgetBrowser, withChromium } from './browser-fixture.js';

const OFFLINE = 'You appear to be offline. Retrying…';
const UNREACHABLE = 'Cannot reach the chat service. Retrying…';
const REVOKED = 'This chat is no longer available (the deployment token was revoked).';

const fx = useWidgetBrowser();

describe.runIf(withChromium)('widget access and connection states (Chromium)', () => {
  it('a page view creates nothing: only the configuration is read until the visitor opens the chat', async () => {
    const deployment = fx.runtime.addDeployment({ allowedOrigins: [fx.siteA.url], theme: { primaryColor: '#7b2cbf', launcherColor: '#7b2cbf', headerTitle: 'Acme' } });
    const page = await fx.open(fx.siteA.page({ token: deployment.token }));
    const w = ui(page);
    await w.launcher.waitFor({ state: 'visible' });
    // Themed from GET …/config, without a session.
    await poll(() => w.launcher.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(123, 44, 191)');
    await page.waitForTimeout(1000);
    const made = () => fx.runtime.requestsOf(deployment.token).filter((r) => r.method !== 'OPTIONS').map((r) => `${r.method} ${r.path}`);
    expect(made()).toEqual(['GET /v1/public/runtime/config']);
    expect(fx.runtime.sessionsOf(deployment.token)).toEqual([]);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);

    // Opening starts the session and its stream.
    await w.launcher.click();
    const session = await fx.connectedSession(deployment);
    expect(fx.runtime.starts.filter((start) => start.token === deployment.token).map((start) => start.status)).toEqual([201]);
    expect(made().filter((line) => line.includes('/runtime/sessions'))).toEqual(['POST /v1/public/runtime/sessions', `GET /v1/public/runtime/sessions/${session.id}/events`]);
    expect(await w.title.textContent()).toBe('Acme');
  });

  it('origin not allowed (a readable 403): no launcher for visitors, the reason in the console for the site owner', async () => {
    const deployment = fx.runtime.addDeployment({ allowedOrigins: [fx.siteA.url] });
    const page = await fx.open(fx.siteB.page({ token: deployment.token }));
    const w = ui(page);
    const expected = `error: [switchboard] The chat is unavailable on ${fx.siteB.url}: Origin ${fx.siteB.url} is not allowed for this deployment. Add ${fx.siteB.url} to the deployment's allowed origins.`;
    await poll(() => fx.logs(page)).toContain(expected);
    expect(await w.root.isHidden()).toBe(true);
    expect(await w.launcher.isVisible()).toBe(false);
    // Past the 3 s after which a slow configuration would have shown the launcher anyway.
    await page.waitForTimeout(3200);
    expect(await w.launcher.isVisible()).toBe(false);
    // Pushing open shows nothing either, and nothing was ever started.
    await page.evaluate(() => (window as any).ConvoshipQueue.push(['open']));
    await page.waitForTimeout(200);
    expect(await w.panel.isVisible()).toBe(false);
    expect(fx.runtime.starts.some((start) => start.token === deployment.token)).toBe(false);
    expect(fx.logs(page).filter((line) => line.includes('[switchboard]'))).toEqual([expected]);
    await shot(page, '07-origin-403-nothing-shown');
  });

  it('origin allowed by no deployment (preflight refused, nothing readable): origin-check names the reason; an older server still counts as refused', async () => {
    const deployment = fx.runtime.addDeployment({ allowedOrigins: [fx.siteA.url] });
    const page = await fx.open(fx.siteC.page({ token: deployment.token }));
    const w = ui(page);
    await poll(() => fx.logs(page)).toContain(
      `error: [switchboard] The chat is unavailable on ${fx.siteC.url}: Origin ${fx.siteC.url} is not allowed for this deployment. Add ${fx.siteC.url} to the deployment's allowed origins.`,
    );
    expect(await w.launcher.isVisible()).toBe(false);
    expect(fx.runtime.requests.some((r) => r.path === '/v1/public/runtime/origin-check' && r.origin === fx.siteC.url)).toBe(true);

    // A server without origin-check: a no-cors probe still tells "refused" apart from "offline".
    fx.runtime.originCheckEnabled = false;
    try {
      const older = await fx.open(fx.siteC.page({ token: deployment.token }));
      await poll(() => fx.logs(older)).toContain(
        `error: [switchboard] The chat is unavailable on ${fx.siteC.url}: the chat service refused this page's origin (${fx.siteC.url}). Add ${fx.siteC.url} to the deployment's allowed origins.`,
      );
      expect(await ui(older).launcher.isVisible()).toBe(false);
    } finally {
      fx.runtime.originCheckEnabled = true;
    }
  });

  it('revoked token at page load (readable 401, or a refused preflight): nothing shown, the owner told', async () => {
    // Site A stays CORS-enabled through another deployment: the 401 itself is readable.
    const revokedEarly = fx.runtime.addDeployment({ allowedOrigins: [fx.siteA.url] });
    fx.runtime.revoke(revokedEarly.token);
    const page = await fx.open(fx.siteA.page({ token: revokedEarly.token }));
    const owner = `error: [switchboard] The chat is unavailable on ${fx.siteA.url}: Deployment token was revoked. Use the deployment's current token.`;
    await poll(() => fx.logs(page)).toContain(owner);
    expect(await ui(page).launcher.isVisible()).toBe(false);

    // Site D's only deployment is revoked: its preflight is refused; origin-check says why.
    const onlyOne = fx.runtime.addDeployment({ allowedOrigins: [fx.siteD.url] });
    fx.runtime.revoke(onlyOne.token);
    const alone = await fx.open(fx.siteD.page({ token: onlyOne.token }));
    await poll(() => fx.logs(alone)).toContain(owner.replace(fx.siteA.url, fx.siteD.url));
    expect(await ui(alone).launcher.isVisible()).toBe(false);
  });

  it('revoked while chatting: the server closes the stream and the widget says so at once, then stops reconnecting', async () => {
    const deployment = fx.runtime.addDeployment({ allowedOrigins: [fx.siteD.url] });
    const page = await fx.open(fx.siteD.page({ token: deployment.token }));
    const w = ui(page);
    await w.launcher.click();
    const session = await fx.connectedSession(deployment);
    await sendMessage(page, 'first');
    await poll(() => texts(w.agent)).toEqual(['Echo: first']);
    const streamsOpened = () => fx.runtime.requests.filter((r) => r.path === `/v1/public/runtime/sessions/${session.id}/events`).length;
    const before = streamsOpened();

    fx.runtime.revoke(deployment.token);
    // Without the visitor doing anything.
    await poll(() => w.alert.textContent()).toBe(REVOKED);
    expect(await w.alert.isVisible()).toBe(true);
    expect(await w.input.isDisabled()).toBe(true);
    expect(await w.input.getAttribute('placeholder')).toBe('Chat unavailable');
    await shot(page, '09-revoked-open-chat');
    await page.waitForTimeout(2500);
    expect(streamsOpened()).toBe(before);
    expect(fx.logs(page)).toContain(`error: [switchboard] The chat is unavailable on ${fx.siteD.url}: Deployment token was revoked. Use the deployment's current token.`);
  });

  it('service unreachable while online: "cannot reach the chat service"; offline: "you are offline"; both recover by themselves', { timeout: 60_000 }, async () => {
    const own = await startFakeRuntime();
    try {
      const deployment = own.addDeployment({ allowedOrigins: [fx.siteA.url] });
      const page = await fx.open(fx.siteA.page({ token: deployment.token, apiUrl: own.url }));
      const w = ui(page);
      await w.launcher.click();
      await fx.connectedSession(deployment, own);
      await sendMessage(page, 'before');
      await poll(() => texts(w.agent)).toEqual(['Echo: before']);

      // The server goes away; the device is still online.
      await own.stop();
      await poll(() => w.alert.textContent()).toBe(UNREACHABLE);
      expect(await page.evaluate(() => navigator.onLine)).toBe(true);
      await sendMessage(page, 'sent while unreachable');
      await poll(() => page.locator('switchboard-widget .msg.contact.pending').count()).toBe(1);
      await shot(page, '10-unreachable');
      await own.start();
      await poll(() => texts(w.agent), 30_000).toEqual(['Echo: before', 'Echo: sent while unreachable']);
      await poll(() => w.alert.textContent()).toBe('');
      expect(await w.alert.isHidden()).toBe(true);

      // The device goes offline.
      await page.context().setOffline(true);
      await sendMessage(page, 'sent while offline');
      await poll(() => w.alert.textContent()).toBe(OFFLINE);
      await poll(() => page.locator('switchboard-widget .msg.contact.pending').count()).toBe(1);
      await shot(page, '10b-offline');
      await page.context().setOffline(false);
      await poll(() => texts(w.agent), 30_000).toEqual(['Echo: before', 'Echo: sent while unreachable', 'Echo: sent while offline']);
      await poll(() => w.alert.textContent()).toBe('');

      expect(await page.locator('switchboard-widget .msg.pending').count()).toBe(0);
      const messages = own.sessionsOf(deployment.token).flatMap((session) => session.messages);
      expect(messages.filter((m) => m.role === 'contact').map((m) => m.text)).toEqual(['before', 'sent while unreachable', 'sent while offline']);
      // The stream came back with Last-Event-ID, so nothing was missed.
      expect(own.requests.some((r) => r.path.endsWith('/events') && r.lastEventId !== undefined && r.status === 200)).toBe(true);
    } finally {
      await own.close();
    }
  });
});

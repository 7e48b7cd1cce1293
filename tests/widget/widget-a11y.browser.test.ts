/**
 * axe-core on a page carrying the widget, in each state a visitor meets: closed, open, closed with
 * the unread badge, and open with a message still being sent. WCAG 2.1 A/AA rules plus the
 * experimental `label-content-name-mismatch` (a control's name must contain its visible text).
 */
import { describe, expect, it } from 'vitest';
import { axeViolations as violations } from './axe.js';
import { poll, sendMessage, shot, ui, useWidgetBrowser, withChromium } from './browser-fixture.js';

const fx = useWidgetBrowser();

describe.runIf(withChromium)('widget accessibility (axe-core in Chromium)', () => {
  it('is clean closed, open, with the unread badge, and with a pending message', async () => {
    const deployment = fx.runtime.addDeployment({ allowedOrigins: [fx.siteA.url] });
    const page = await fx.open(fx.siteA.page({ token: deployment.token }));
    const w = ui(page);
    await w.launcher.waitFor({ state: 'visible' });
    expect(await violations(page), 'closed').toEqual([]);

    await w.launcher.click();
    const session = await fx.connectedSession(deployment);
    await poll(() => w.greeting.textContent()).toBe('Hi! How can I help?');
    fx.runtime.say(session, 'Some **Markdown** with [a link](https://example.com) and `code`.\n\n- one\n- two');
    await poll(() => page.locator('switchboard-widget .msg.agent:not(.greeting) a').count()).toBe(1);
    expect(await violations(page), 'open').toEqual([]);

    await w.close.click();
    fx.runtime.say(session, 'Anything else?');
    fx.runtime.say(session, 'We are here.');
    await poll(() => w.badge.textContent()).toBe('2');
    expect(await violations(page), 'unread badge').toEqual([]);
    await shot(page, '15-a11y-unread');

    await w.launcher.click();
    const held = fx.runtime.holdSends();
    try {
      await sendMessage(page, 'Waiting to be sent');
      await poll(() => page.locator('switchboard-widget .msg.contact.pending').count()).toBe(1);
      expect(await violations(page), 'pending message').toEqual([]);
      await shot(page, '16-a11y-pending');
    } finally {
      held.release();
    }
    await poll(() => page.locator('switchboard-widget .msg.contact.pending').count()).toBe(0);
    expect(await violations(page), 'sent').toEqual([]);
  });

  it('is clean on a phone-sized screen with the modal panel open', async () => {
    const deployment = fx.runtime.addDeployment({ allowedOrigins: [fx.siteA.url] });
    const page = await fx.open(fx.siteA.page({ token: deployment.token }), { width: 375, height: 667 });
    const w = ui(page);
    await w.launcher.click();
    await poll(() => w.greeting.textContent()).toBe('Hi! How can I help?');
    expect(await w.panel.getAttribute('aria-modal')).toBe('true');
    expect(await violations(page)).toEqual([]);
  });
});

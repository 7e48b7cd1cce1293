/**
 * Quick replies in Chromium: an agent message's suggestions show as buttons under the latest
 * agent message; choosing one (by mouse or keyboard) sends its label as the visitor's message and
 * the buttons go; axe-core stays clean while they show.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { focused, poll, sendMessage, shot, texts, ui, useWidgetBrowser, withChromium } from './browser-fixture.js';

const axeSource = readFileSync(join(createRequire(import.meta.url).resolve('axe-core'), '..', 'axe.min.js'), 'utf8');

const fx = useWidgetBrowser();

async function violations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  return page.evaluate(async () => {
    const result = await (window as any).axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
      rules: { 'label-content-name-mismatch': { enabled: true } },
      resultTypes: ['violations'],
    });
    return result.violations.flatMap((v: any) => v.nodes.map((n: any) => `${v.id}: ${JSON.stringify(n.target)} (${n.failureSummary})`));
  });
}

const chips = (page: Page) => page.locator('switchboard-widget .qr button');
/** The log's children in order, as `agent`, `contact` or `qr`, from the first non-greeting message. */
const order = (page: Page) =>
  page.evaluate(() =>
    Array.from(document.querySelector('switchboard-widget')!.shadowRoot!.querySelector('[role="log"]')!.children)
      .filter((el) => !el.classList.contains('greeting'))
      .map((el) => (el.classList.contains('qr') ? 'qr' : el.classList.contains('agent') ? 'agent' : 'contact')),
  );

async function openChat(page: Page, token: string) {
  const w = ui(page);
  await w.launcher.click();
  await poll(() => w.greeting.textContent()).toBe('Hi! How can I help?');
  return w;
}

describe.runIf(withChromium)('widget quick replies (Chromium)', () => {
  it('shows the suggestions under the latest agent message; a click sends the label and removes them', async () => {
    const deployment = fx.runtime.addDeployment({ allowedOrigins: [fx.siteA.url] });
    const page = await fx.open(fx.siteA.page({ token: deployment.token }));
    await openChat(page, deployment.token);
    const session = await fx.connectedSession(deployment);

    fx.runtime.say(session, 'First question?', ['Old A', 'Old B']);
    await poll(() => texts(chips(page))).toEqual(['Old A', 'Old B']);
    // A newer agent message replaces them: only the latest message's suggestions show.
    fx.runtime.say(session, 'Would you like **a table**?', ['Yes', 'No', 'Maybe later']);
    await poll(() => texts(chips(page))).toEqual(['Yes', 'No', 'Maybe later']);
    expect(await order(page)).toEqual(['agent', 'agent', 'qr']);
    expect(await chips(page).evaluateAll((els) => els.map((el) => el.getAttribute('type')))).toEqual(['button', 'button', 'button']);
    expect(await violations(page), 'with quick replies').toEqual([]);
    await shot(page, 'quick-replies-shown');

    await chips(page).nth(2).click();
    await poll(() => chips(page).count()).toBe(0);
    await poll(() => session.messages.filter((m) => m.role === 'contact').map((m) => m.text)).toEqual(['Maybe later']);
    await poll(() => texts(ui(page).contact)).toEqual(['Maybe later']);
    await poll(() => texts(ui(page).agent)).toContain('Echo: Maybe later');
    // The focused button went with the others: the composer has the focus.
    expect(await focused(page)).toBe('textarea#sb-input');
    expect(await order(page)).toEqual(['agent', 'agent', 'contact', 'agent']);
    expect(await violations(page), 'after choosing').toEqual([]);
  });

  it('works with the keyboard alone: Tab reaches the buttons, Enter and Space choose', async () => {
    const deployment = fx.runtime.addDeployment({ allowedOrigins: [fx.siteA.url] });
    const page = await fx.open(fx.siteA.page({ token: deployment.token }));
    const w = await openChat(page, deployment.token);
    const session = await fx.connectedSession(deployment);

    fx.runtime.say(session, 'Pick a size', ['Small', 'Large']);
    await poll(() => chips(page).count()).toBe(2);
    await w.input.focus();
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate(() => document.querySelector('switchboard-widget')!.shadowRoot!.activeElement?.textContent)).toBe('Large');
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate(() => document.querySelector('switchboard-widget')!.shadowRoot!.activeElement?.textContent)).toBe('Small');
    await page.keyboard.press('Enter');
    await poll(() => session.messages.filter((m) => m.role === 'contact').map((m) => m.text)).toEqual(['Small']);
    expect(await chips(page).count()).toBe(0);
    expect(await focused(page)).toBe('textarea#sb-input');

    await poll(() => texts(w.agent)).toContain('Echo: Small');
    fx.runtime.say(session, 'Anything else?', ['No, thanks']);
    await poll(() => chips(page).count()).toBe(1);
    await chips(page).focus();
    await page.keyboard.press('Space');
    await poll(() => session.messages.filter((m) => m.role === 'contact').map((m) => m.text)).toEqual(['Small', 'No, thanks']);
  });

  it('goes when the visitor types a message of their own, shows labels as text, and comes back with history', async () => {
    const deployment = fx.runtime.addDeployment({ allowedOrigins: [fx.siteA.url] });
    const page = await fx.open(fx.siteA.page({ token: deployment.token }));
    const w = await openChat(page, deployment.token);
    const session = await fx.connectedSession(deployment);

    fx.runtime.say(session, 'Choose', ['<b>bold</b>', 'Two']);
    await poll(() => texts(chips(page))).toEqual(['<b>bold</b>', 'Two']);
    expect(await page.locator('switchboard-widget .qr b').count()).toBe(0);
    await sendMessage(page, 'Something else');
    await poll(() => chips(page).count()).toBe(0);
    await poll(() => texts(w.agent)).toContain('Echo: Something else');
    expect(await chips(page).count()).toBe(0);

    // A returning visitor whose last message offers suggestions sees them again.
    fx.runtime.say(session, 'Still there?', ['Yes']);
    await poll(() => texts(chips(page))).toEqual(['Yes']);
    await page.reload();
    await w.launcher.click();
    await poll(() => texts(w.agent)).toContain('Still there?');
    await poll(() => texts(chips(page))).toEqual(['Yes']);
    expect(await order(page)).toEqual(['agent', 'contact', 'agent', 'agent', 'qr']);
  });
});

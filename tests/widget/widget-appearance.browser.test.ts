/**
 * The widget's appearance and languages in Chromium: the dark scheme (forced, or following the
 * system), launcher text, the visitor's language (from init, the page's <html lang>, the
 * browser) with the runtime's texts and the theme's overrides, plural counts, right-to-left
 * layout for Arabic, and the optional new-message sound. axe-core runs in the dark scheme and in
 * right-to-left. The fake runtime answers texts with the server's own widget-locales module.
 */
import type { BrowserContextOptions, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations } from './axe.js';
import { poll, sendMessage, shot, texts, ui, useWidgetBrowser, withChromium } from './browser-fixture.js';
import type { PageOptions } from './harness.js';

const fx = useWidgetBrowser();

const background = (page: Page, selector: string) => page.locator(`switchboard-widget ${selector}`).evaluate((el) => getComputedStyle(el).backgroundColor);

/** A page in its own browser context (options such as the browser's locale), with scripts run before the page's. */
async function openWith(pageOptions: PageOptions, context: BrowserContextOptions = {}, before?: string): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> {
  const ctx = await fx.browser.newContext({ viewport: { width: 1280, height: 800 }, ...context });
  if (before) await ctx.addInitScript({ content: before });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(fx.siteA.page(pageOptions));
  return { page, errors, close: () => ctx.close() };
}

/** Records every tone the widget plays, through the real AudioContext. */
const AUDIO_SPY = `
  window.__contexts = 0; window.__tones = 0; window.__notes = [];
  const Real = window.AudioContext;
  window.AudioContext = class extends Real {
    constructor(...args) { super(...args); window.__contexts++; }
    createOscillator() {
      const tone = super.createOscillator();
      const start = tone.start.bind(tone);
      const note = tone.frequency.setValueAtTime.bind(tone.frequency);
      tone.start = (...args) => { window.__tones++; return start(...args); };
      tone.frequency.setValueAtTime = (value, time) => { window.__notes.push(value); return note(value, time); };
      return tone;
    }
  };
  let hidden = false;
  Object.defineProperty(document, 'hidden', { get: () => hidden });
  window.__hide = (value) => { hidden = value; };
`;

describe.runIf(withChromium)('widget appearance and languages (Chromium)', () => {
  it("dark scheme: 'auto' follows the system, 'dark' is dark on a light system; axe-core clean in every state", async () => {
    const deployment = fx.runtime.addDeployment({ allowedOrigins: [fx.siteA.url] });
    deployment.theme = { ...deployment.theme, colorScheme: 'auto' };
    const page = await fx.open(fx.siteA.page({ token: deployment.token }));
    const w = ui(page);
    await w.launcher.click();
    const session = await fx.connectedSession(deployment);
    await poll(() => w.greeting.textContent()).toBe('Hi! How can I help?');
    expect(await background(page, '.panel')).toBe('rgb(255, 255, 255)');

    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await background(page, '.panel')).toBe('rgb(22, 27, 34)');
    expect(await background(page, '.log')).toBe('rgb(13, 17, 23)');
    expect(await w.input.evaluate((el) => getComputedStyle(el).color)).toBe('rgb(230, 237, 243)');
    fx.runtime.say(session, 'A [link](https://example.com), `code` and\n\n- a list');
    await poll(() => page.locator('switchboard-widget .msg.agent:not(.greeting) a').count()).toBe(1);
    expect(await page.locator('switchboard-widget .msg.agent a').evaluate((el) => getComputedStyle(el).color)).toBe('rgb(124, 183, 255)');
    expect(await axeViolations(page), 'dark, open').toEqual([]);
    await shot(page, '30-dark-open');

    const held = fx.runtime.holdSends();
    try {
      await sendMessage(page, 'Pending in the dark');
      await poll(() => page.locator('switchboard-widget .msg.contact.pending').count()).toBe(1);
      expect(await axeViolations(page), 'dark, pending message').toEqual([]);
    } finally {
      held.release();
    }
    await poll(() => page.locator('switchboard-widget .msg.contact.pending').count()).toBe(0);

    await w.close.click();
    fx.runtime.say(session, 'While you were away');
    await poll(() => w.badge.textContent()).toBe('1');
    expect(await axeViolations(page), 'dark, unread badge').toEqual([]);

    // 'dark' is dark whatever the system says.
    const forced = fx.runtime.addDeployment({ allowedOrigins: [fx.siteA.url] });
    forced.theme = { ...forced.theme, colorScheme: 'dark' };
    const other = await fx.open(fx.siteA.page({ token: forced.token }));
    await other.emulateMedia({ colorScheme: 'light' });
    await ui(other).launcher.click();
    await poll(() => ui(other).greeting.textContent()).toBe('Hi! How can I help?');
    expect(await background(other, '.panel')).toBe('rgb(22, 27, 34)');
    expect(await axeViolations(other), 'forced dark, open').toEqual([]);
    // The default stays light on a dark system.
    const plain = fx.runtime.addDeployment({ allowedOrigins: [fx.siteA.url] });
    const light = await fx.open(fx.siteA.page({ token: plain.token }));
    await light.emulateMedia({ colorScheme: 'dark' });
    await ui(light).launcher.click();
    await poll(() => ui(light).greeting.textContent()).toBe('Hi! How can I help?');
    expect(await background(light, '.panel')).toBe('rgb(255, 255, 255)');
  });

  it('launcher text: shown beside the icon, part of the launcher name with the unread count, hidden while open', async () => {
    const deployment = fx.runtime.addDeployment({ allowedOrigins: [fx.siteA.url] });
    deployment.theme = { ...deployment.theme, launcherText: 'Chat with us' };
    const page = await fx.open(fx.siteA.page({ token: deployment.token }));
    const w = ui(page);
    await w.launcher.waitFor({ state: 'visible' });
    expect(await page.locator('switchboard-widget .launcher .ltext').textContent()).toBe('Chat with us');
    expect(await page.locator('switchboard-widget .launcher .ltext').isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Chat with us', exact: true }).count()).toBe(1);
    const closedBox = (await w.launcher.boundingBox())!;
    expect(closedBox.width).toBeGreaterThan(120);
    expect(closedBox.x + closedBox.width).toBeGreaterThan(1240); // still in the right corner
    expect(await axeViolations(page), 'closed with text').toEqual([]);
    await shot(page, '31-launcher-text');

    await w.launcher.click();
    const session = await fx.connectedSession(deployment);
    expect(await w.launcher.textContent()).toBe('Close chat');
    expect((await w.launcher.boundingBox())!.width).toBeLessThan(70);
    await w.close.click();
    fx.runtime.say(session, 'One');
    fx.runtime.say(session, 'Two');
    await poll(() => w.badge.textContent()).toBe('2');
    expect(await page.getByRole('button', { name: 'Chat with us 2 unread messages', exact: true }).count()).toBe(1);
    expect(await axeViolations(page), 'text and unread badge').toEqual([]);
    await shot(page, '32-launcher-text-unread');

    // An init override clears it.
    const cleared = await fx.open(fx.siteA.page({ token: deployment.token, init: { theme: { launcherText: '' } } }));
    await ui(cleared).launcher.waitFor({ state: 'visible' });
    expect(await ui(cleared).launcher.textContent()).toBe('Open chat');
    expect((await ui(cleared).launcher.boundingBox())!.width).toBeLessThan(70);
  });

  it("language: init's locale, else <html lang>, else the browser's; English texts for a language without any", async () => {
    const deployment = fx.runtime.addDeployment({ allowedOrigins: [fx.siteA.url] });

    const spanish = await fx.open(fx.siteA.page({ token: deployment.token, lang: 'es' }));
    const w = ui(spanish);
    await w.launcher.waitFor({ state: 'visible' });
    expect(await w.launcher.textContent()).toBe('Abrir chat');
    expect(await w.root.getAttribute('lang')).toBe('es');
    expect(await w.root.getAttribute('dir')).toBe('ltr');
    await w.launcher.click();
    await poll(() => w.greeting.textContent()).toBe('Hi! How can I help?');
    expect(await w.input.getAttribute('placeholder')).toBe('Escribe un mensaje…');
    expect(await w.send.getAttribute('aria-label')).toBe('Enviar mensaje');
    expect(await w.close.getAttribute('aria-label')).toBe('Cerrar chat');
    expect(await spanish.locator('switchboard-widget label[for="sb-input"]').textContent()).toBe('Tu mensaje');
    expect(await w.log.getAttribute('aria-label')).toBe('Conversación');
    await poll(() => w.typing.locator('.sr').textContent()).toBe('Concierge está escribiendo…');

    // init's locale wins over the page's language.
    const french = await fx.open(fx.siteA.page({ token: deployment.token, lang: 'es', init: { locale: 'fr-CA' } }));
    await ui(french).launcher.waitFor({ state: 'visible' });
    expect(await ui(french).launcher.textContent()).toBe('Ouvrir le chat');
    expect(await ui(french).root.getAttribute('lang')).toBe('fr');

    // No <html lang>: the browser's language.
    const german = await openWith({ token: deployment.token, lang: '' }, { locale: 'de-DE' });
    try {
      await ui(german.page).launcher.waitFor({ state: 'visible' });
      expect(await ui(german.page).launcher.textContent()).toBe('Chat öffnen');
    } finally {
      await german.close();
    }

    // A language the widget does not ship, and a lang that is not a language tag: English.
    for (const lang of ['ko', 'x-klingon!']) {
      const page = await fx.open(fx.siteA.page({ token: deployment.token, lang }));
      await ui(page).launcher.waitFor({ state: 'visible' });
      expect(await ui(page).launcher.textContent()).toBe('Open chat');
      expect(await ui(page).root.getAttribute('lang')).toBe('en');
    }
  });

  it('the theme overrides texts per language: the deployment for a shipped language or a new one, init on the page', async () => {
    const deployment = fx.runtime.addDeployment({ allowedOrigins: [fx.siteA.url] });
    deployment.theme = {
      ...deployment.theme,
      strings: { es: { placeholder: 'Pregúntanos lo que quieras…' }, ko: { openChat: '채팅 열기', placeholder: '메시지를 입력하세요…' } },
    };
    const page = await fx.open(fx.siteA.page({ token: deployment.token, lang: 'es', init: { theme: { strings: { es: { openChat: 'Hablemos' } } } } }));
    const w = ui(page);
    await w.launcher.waitFor({ state: 'visible' });
    expect(await w.launcher.textContent()).toBe('Hablemos');
    await w.launcher.click();
    await poll(() => w.input.getAttribute('placeholder')).toBe('Pregúntanos lo que quieras…');
    expect(await w.send.getAttribute('aria-label')).toBe('Enviar mensaje'); // the rest stays Spanish

    const korean = await fx.open(fx.siteA.page({ token: deployment.token, lang: 'ko-KR' }));
    await ui(korean).launcher.waitFor({ state: 'visible' });
    expect(await ui(korean).launcher.textContent()).toBe('채팅 열기');
    expect(await ui(korean).root.getAttribute('lang')).toBe('ko');
    await ui(korean).launcher.click();
    await poll(() => ui(korean).input.getAttribute('placeholder')).toBe('메시지를 입력하세요…');
    expect(await ui(korean).send.getAttribute('aria-label')).toBe('Send message'); // not given: English
  });

  it('counts take the plural form of the language: English one/other, Arabic two', async () => {
    for (const [lang, one, two] of [
      ['en', 'Open chat, 1 unread message', 'Open chat, 2 unread messages'],
      ['ar', 'فتح الدردشة, 1 رسالة غير مقروءة', 'فتح الدردشة, 2 رسالتان غير مقروءتين'],
    ] as const) {
      const deployment = fx.runtime.addDeployment({ allowedOrigins: [fx.siteA.url] });
      const page = await fx.open(fx.siteA.page({ token: deployment.token, lang }));
      const w = ui(page);
      await w.launcher.click();
      const session = await fx.connectedSession(deployment);
      await w.close.click();
      fx.runtime.say(session, 'first');
      await poll(() => w.launcher.textContent()).toBe(one);
      expect(await page.getByRole('button', { name: one, exact: true }).count()).toBe(1);
      fx.runtime.say(session, 'second');
      await poll(() => w.launcher.textContent()).toBe(two);
      expect(await page.getByRole('button', { name: two, exact: true }).count()).toBe(1);
      await w.launcher.click();
      await poll(() => texts(w.agent)).toEqual(['first', 'second']);
    }
  });

  it('Arabic is right to left on a left-to-right page: launcher corner, header, bubbles and input mirrored; axe-core clean', async () => {
    const deployment = fx.runtime.addDeployment({ allowedOrigins: [fx.siteA.url] });
    const page = await fx.open(fx.siteA.page({ token: deployment.token, lang: 'ar', dir: 'ltr' }));
    const w = ui(page);
    await w.launcher.waitFor({ state: 'visible' });
    expect(await w.host.getAttribute('dir')).toBe('rtl');
    expect(await w.root.getAttribute('lang')).toBe('ar');
    expect(await page.getByRole('button', { name: 'فتح الدردشة', exact: true }).count()).toBe(1);
    expect((await w.launcher.boundingBox())!.x).toBeLessThan(100); // position 'right' mirrors to the left corner
    expect(await axeViolations(page), 'rtl, closed').toEqual([]);

    await w.launcher.click();
    const session = await fx.connectedSession(deployment);
    await poll(() => w.greeting.textContent()).toBe('Hi! How can I help?');
    for (const part of [w.root, w.panel, w.input, w.title]) {
      expect(await part.evaluate((el) => getComputedStyle(el).direction)).toBe('rtl');
    }
    expect(await w.greeting.evaluate((el) => getComputedStyle(el).direction)).toBe('ltr'); // English text keeps its own direction
    await sendMessage(page, 'مرحبا');
    await poll(() => texts(w.agent)).toEqual(['Echo: مرحبا']);
    const panel = (await w.panel.boundingBox())!;
    const agentBubble = (await page.locator('switchboard-widget .msg.agent:not(.greeting)').boundingBox())!;
    const contactBubble = (await w.contactBubbles.first().boundingBox())!;
    expect(panel.x + panel.width - (agentBubble.x + agentBubble.width)).toBeLessThan(20); // the agent speaks from the right
    expect(contactBubble.x - panel.x).toBeLessThan(20); // the visitor from the left
    const title = (await w.title.boundingBox())!;
    const closeButton = (await w.close.boundingBox())!;
    expect(closeButton.x).toBeLessThan(title.x); // close at the header's left end
    const send = (await w.send.boundingBox())!;
    const input = (await w.input.boundingBox())!;
    expect(send.x).toBeLessThan(input.x); // send at the composer's left end
    expect(await page.locator('switchboard-widget .send svg').evaluate((el) => getComputedStyle(el).transform)).toBe('matrix(-1, 0, 0, 1, 0, 0)');
    expect(await page.locator('switchboard-widget .msg.agent:not(.greeting)').evaluate((el) => getComputedStyle(el).borderBottomRightRadius)).toBe('4px');
    expect(await axeViolations(page), 'rtl, open').toEqual([]);
    await shot(page, '33-rtl-arabic');

    await w.close.click();
    fx.runtime.say(session, 'أهلا');
    await poll(() => w.badge.textContent()).toBe('1');
    const badge = (await w.badge.boundingBox())!;
    const launcher = (await w.launcher.boundingBox())!;
    expect(badge.x).toBeLessThan(launcher.x); // the badge sits on the launcher's left shoulder
    expect(await axeViolations(page), 'rtl, unread badge').toEqual([]);
  });

  it('sound: off by default; when on, a Web Audio tone for replies while closed or hidden, never for the open chat or the visitor', async () => {
    const quiet = fx.runtime.addDeployment({ allowedOrigins: [fx.siteA.url] });
    const off = await openWith({ token: quiet.token }, {}, AUDIO_SPY);
    try {
      const w = ui(off.page);
      await w.launcher.click();
      const session = await fx.connectedSession(quiet);
      await w.close.click();
      fx.runtime.say(session, 'No sound for this');
      await poll(() => w.badge.textContent()).toBe('1');
      expect(await off.page.evaluate(() => [(window as any).__contexts, (window as any).__tones])).toEqual([0, 0]);
    } finally {
      await off.close();
    }

    const loud = fx.runtime.addDeployment({ allowedOrigins: [fx.siteA.url] });
    loud.theme = { ...loud.theme, sound: true };
    const on = await openWith({ token: loud.token }, {}, AUDIO_SPY);
    try {
      const { page, errors } = on;
      const w = ui(page);
      const tones = () => page.evaluate(() => (window as any).__tones as number);
      await w.launcher.click();
      const session = await fx.connectedSession(loud);
      fx.runtime.say(session, 'The chat is open and in view');
      await poll(() => texts(w.agent)).toEqual(['The chat is open and in view']);
      expect(await tones()).toBe(0);

      await w.close.click();
      fx.runtime.say(session, 'While closed');
      await poll(tones).toBe(1);
      expect(await page.evaluate(() => (window as any).__notes)).toEqual([660, 880]); // a rising two-note chime

      // Open but the page hidden: the visitor's own message is silent, the reply chimes.
      await w.launcher.click();
      await page.evaluate(() => (window as any).__hide(true));
      await sendMessage(page, 'mine');
      await poll(() => texts(w.agent)).toEqual(['The chat is open and in view', 'While closed', 'Echo: mine']);
      await poll(tones).toBe(2);
      expect(await page.evaluate(() => (window as any).__contexts)).toBe(1); // one context, reused
      expect(errors).toEqual([]);
    } finally {
      await on.close();
    }
  });

  it('sound where audio is blocked or missing: nothing thrown, the message still counted', async () => {
    for (const blocker of [
      "window.AudioContext = function () { throw new DOMException('audio is blocked', 'NotAllowedError'); };",
      'delete window.AudioContext; window.AudioContext = undefined;',
    ]) {
      const deployment = fx.runtime.addDeployment({ allowedOrigins: [fx.siteA.url] });
      deployment.theme = { ...deployment.theme, sound: true };
      const opened = await openWith({ token: deployment.token }, {}, blocker);
      try {
        const w = ui(opened.page);
        await w.launcher.click();
        const session = await fx.connectedSession(deployment);
        await w.close.click();
        fx.runtime.say(session, 'Silent but shown');
        await poll(() => w.badge.textContent()).toBe('1');
        await w.launcher.click();
        await poll(() => texts(w.agent)).toEqual(['Silent but shown']);
        expect(opened.errors).toEqual([]);
      } finally {
        await opened.close();
      }
    }
  });
});

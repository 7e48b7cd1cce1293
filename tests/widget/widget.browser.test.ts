/**
 * The embed loader and chat widget in headless Chromium, against a fake runtime that follows
 * docs/runtime-api.md, on host pages (their own origins) carrying the spec's embed snippet.
 * Refusals, revocation and connection states are in widget-access.browser.test.ts, axe-core in
 * widget-a11y.browser.test.ts. Screenshots go to test-artifacts/widget/.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { XSS_REPLY } from './fake-runtime.js';
import type { PageOptions } from './harness.js';
import { focused, poll, sendMessage, shot, texts, ui, useWidgetBrowser, withChromium } from './browser-fixture.js';

const fx = useWidgetBrowser();

describe.runIf(withChromium)('embed loader and chat widget (Chromium)', () => {
  it('spec snippet: launcher themed from the deployment + init overrides, opens with the keyboard, greeting, Escape', async () => {
    const deployment = fx.runtime.addDeployment({
      allowedOrigins: [fx.siteA.url],
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
    const page = await fx.open(fx.siteA.page({ token: deployment.token, init: { theme: { headerTitle: 'Acme help' } } }));
    const w = ui(page);

    await w.launcher.waitFor({ state: 'visible' });
    expect(await w.launcher.textContent()).toBe('Open chat'); // its accessible name, from its content
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
    const deployment = fx.runtime.addDeployment({ allowedOrigins: [fx.siteA.url] });
    const page = await fx.open(fx.siteA.page({ token: deployment.token, order: 'before' }));
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
      [deployment.token, fx.runtime.url],
    );
    await w.panel.waitFor({ state: 'visible' });
    await poll(() => w.greeting.textContent()).toBe('Hi! How can I help?');
  });

  it('sends a message and shows the reply streaming in (deltas, then the final text) with a typing indicator', async () => {
    const deployment = fx.runtime.addDeployment({ allowedOrigins: [fx.siteA.url] });
    const page = await fx.open(fx.siteA.page({ token: deployment.token }));
    const w = ui(page);
    await w.launcher.click();
    await fx.connectedSession(deployment);

    const hold = fx.runtime.holdNextReply();
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
    const [session] = fx.runtime.sessionsOf(deployment.token);
    expect(session!.messages.map((m) => [m.role, m.text])).toEqual([
      ['contact', 'hello stream'],
      ['agent', 'Echo: hello stream'],
    ]);
    await shot(page, '04-replied');
  });

  it('renders agent (and visitor) HTML as literal text: nothing is injected', async () => {
    const deployment = fx.runtime.addDeployment({ allowedOrigins: [fx.siteA.url] });
    const page = await fx.open(fx.siteA.page({ token: deployment.token }));
    const w = ui(page);
    await w.launcher.click();
    await fx.connectedSession(deployment);

    await sendMessage(page, 'xss <img src=x onerror="window.__pwned=2">');
    await poll(() => texts(w.agent)).toEqual([XSS_REPLY]);
    expect(await texts(w.contact)).toEqual(['xss <img src=x onerror="window.__pwned=2">']);
    await page.waitForTimeout(200);
    expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
    expect(await page.locator('switchboard-widget .log img').count()).toBe(0);
    expect(await page.locator('switchboard-widget .log b').count()).toBe(0);
    await shot(page, '05-literal-html');
  });

  it("renders agent Markdown as DOM (bold, links, lists, code); unsafe links stay text; the visitor's own text stays plain", async () => {
    const deployment = fx.runtime.addDeployment({ allowedOrigins: [fx.siteA.url] });
    const page = await fx.open(fx.siteA.page({ token: deployment.token }));
    const w = ui(page);
    await w.launcher.click();
    const session = await fx.connectedSession(deployment);
    await page.evaluate(() => {
      (window as any).__ran = [];
      window.alert = () => (window as any).__ran.push('alert');
    });

    fx.runtime.say(
      session,
      [
        '**Bold** and *italic* and `code`',
        'Read [the docs](https://docs.example.com/start) or https://example.com/faq.',
        '[x](javascript:alert(1)) [y](data:text/html,<script>alert(2)</script>)',
        '',
        '1. First',
        '2. Second',
        '   - nested',
        '',
        '```',
        '<b>not bold</b>',
        '```',
      ].join('\n'),
    );
    const reply = page.locator('switchboard-widget .msg.agent:not(.greeting) .text');
    await poll(() => reply.locator('strong').allTextContents()).toEqual(['Bold']);
    expect(await reply.locator('em').allTextContents()).toEqual(['italic']);
    expect(await reply.locator('p > code').allTextContents()).toEqual(['code']);
    expect(await reply.locator('br').count()).toBe(2);
    const links = await reply.locator('a').evaluateAll((anchors) =>
      anchors.map((a) => [a.textContent, a.getAttribute('href'), a.getAttribute('target'), a.getAttribute('rel')]),
    );
    expect(links).toEqual([
      ['the docs', 'https://docs.example.com/start', '_blank', 'noopener noreferrer'],
      ['https://example.com/faq', 'https://example.com/faq', '_blank', 'noopener noreferrer'],
    ]);
    expect(await reply.locator('p').nth(0).textContent()).toContain('[x](javascript:alert(1)) [y](data:text/html,<script>alert(2)</script>)');
    expect(await reply.locator('ol > li').evaluateAll((items) => items.map((li) => li.firstChild?.textContent))).toEqual(['First', 'Second']);
    expect(await reply.locator('ol > li ul > li').allTextContents()).toEqual(['nested']);
    expect(await reply.locator('pre > code').textContent()).toBe('<b>not bold</b>');
    expect(await page.locator('switchboard-widget .log script, switchboard-widget .log b, switchboard-widget .log [onerror]').count()).toBe(0);
    await shot(page, '05b-markdown');

    // Following the unsafe "link" does nothing: it is text, not an anchor.
    await reply.getByText('[x](javascript:alert(1))', { exact: false }).click();
    await page.waitForTimeout(200);
    expect(await page.evaluate(() => (window as any).__ran)).toEqual([]);

    // The visitor's own Markdown is shown as typed.
    await sendMessage(page, '**not bold** [x](https://example.com)');
    await poll(() => texts(w.contact)).toEqual(['**not bold** [x](https://example.com)']);
    expect(await page.locator('switchboard-widget .msg.contact strong, switchboard-widget .msg.contact a').count()).toBe(0);
    // The streamed echo is rendered as Markdown once complete.
    await poll(() => page.locator('switchboard-widget .msg.agent:not(.greeting)').last().locator('strong').allTextContents()).toEqual(['not bold']);
  });

  it('counts agent messages received while closed on an unread badge, for a returning visitor too (the stream resumes without a session start)', async () => {
    const deployment = fx.runtime.addDeployment({ allowedOrigins: [fx.siteA.url] });
    const page = await fx.open(fx.siteA.page({ token: deployment.token }));
    const w = ui(page);
    await w.launcher.click();
    const session = await fx.connectedSession(deployment);
    await w.close.click();
    expect(await w.badge.isHidden()).toBe(true);

    fx.runtime.say(session, 'Are you still there?');
    fx.runtime.say(session, 'We have a discount today.');
    await poll(() => w.badge.textContent()).toBe('2');
    expect(await w.badge.isVisible()).toBe(true);
    // The visible count is part of the launcher's name.
    expect(await w.launcher.textContent()).toBe('Open chat, 2 unread messages');
    expect(await page.getByRole('button', { name: 'Open chat, 2 unread messages', exact: true }).count()).toBe(1);
    await shot(page, '06-unread-badge');

    await w.launcher.click();
    await w.panel.waitFor({ state: 'visible' });
    expect(await w.badge.isHidden()).toBe(true);
    expect(await w.launcher.textContent()).toBe('Close chat');
    expect(await texts(w.agent)).toEqual(['Are you still there?', 'We have a discount today.']);

    // The next page view: the stored session's stream opens at once, without starting anything.
    await page.reload();
    await poll(() => session.streams.size).toBe(1);
    expect(fx.runtime.starts.filter((start) => start.token === deployment.token)).toHaveLength(1);
    fx.runtime.say(session, 'Bye for now.');
    await poll(() => w.badge.textContent()).toBe('1');
    expect(await w.launcher.textContent()).toBe('Open chat, 1 unread message');
    expect(fx.runtime.starts.filter((start) => start.token === deployment.token)).toHaveLength(1);
    await w.launcher.click();
    await poll(() => texts(w.agent)).toEqual(['Are you still there?', 'We have a discount today.', 'Bye for now.']);
    expect(fx.runtime.starts.filter((start) => start.token === deployment.token).map((start) => start.resumed)).toEqual([false, true]);
  });

  it('a send whose answer is lost is retried with the same clientMessageId and stored once', async () => {
    const deployment = fx.runtime.addDeployment({ allowedOrigins: [fx.siteA.url] });
    const page = await fx.open(fx.siteA.page({ token: deployment.token }));
    const w = ui(page);
    await w.launcher.click();
    const session = await fx.connectedSession(deployment);
    fx.runtime.loseNextSendAnswers(1);
    await sendMessage(page, 'only once');
    await poll(() => texts(w.agent)).toEqual(['Echo: only once']);
    await poll(() => fx.runtime.requests.filter((r) => r.path === `/v1/public/runtime/sessions/${session.id}/messages` && r.method === 'POST').length).toBeGreaterThanOrEqual(2);
    expect(session.messages.filter((m) => m.role === 'contact')).toHaveLength(1);
    expect(await texts(w.contact)).toEqual(['only once']);
    expect(await page.locator('switchboard-widget .msg.pending').count()).toBe(0);
  });

  it('reloading resumes the same conversation and shows its history', async () => {
    const deployment = fx.runtime.addDeployment({ allowedOrigins: [fx.siteA.url] });
    const page = await fx.open(fx.siteA.page({ token: deployment.token }));
    const w = ui(page);
    await w.launcher.click();
    await fx.connectedSession(deployment);
    await sendMessage(page, 'remember me');
    await poll(() => texts(w.agent)).toEqual(['Echo: remember me']);

    await page.reload();
    await w.launcher.click();
    await poll(() => texts(w.agent)).toEqual(['Echo: remember me']);
    expect(await texts(w.contact)).toEqual(['remember me']);
    expect(await w.greeting.textContent()).toBe('Hi! How can I help?');
    const starts = fx.runtime.starts.filter((start) => start.token === deployment.token);
    expect(starts.map((s) => [s.status, s.resumed])).toEqual([
      [201, false],
      [200, true],
    ]);
    expect(starts[1]!.sessionId).toBe(starts[0]!.sessionId);
    expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([`switchboard:visitor:${fx.runtime.url}|AGENT_UUID`]);
    expect(JSON.parse((await page.evaluate(() => Object.values(localStorage)[0]))!)).toEqual({
      visitorToken: expect.stringMatching(/^vt_/),
      sessionId: starts[0]!.sessionId,
    });
    await shot(page, '11-resumed');
  });

  it('styles do not leak in or out of the shadow root', async () => {
    const deployment = fx.runtime.addDeployment({ allowedOrigins: [fx.siteA.url] });
    const css = 'button { background: red !important; border: 5px dashed lime !important; } * { color: green; letter-spacing: 3px; }';
    const options: PageOptions = { token: deployment.token, css };
    const properties = ['background-color', 'border-top-style', 'cursor', 'padding-top', 'padding-left', 'margin-top', 'line-height', 'font-family', 'font-size', 'color', 'border-radius'];
    const pageStyles = (page: Page) =>
      page.evaluate((props) => {
        const read = (el: Element) => props.map((p) => getComputedStyle(el).getPropertyValue(p));
        return { button: read(document.querySelector('#page-button')!), h1: read(document.querySelector('h1')!), body: read(document.body) };
      }, properties);

    const reference = await fx.open(fx.siteA.page({ ...options, noWidget: true }));
    const expected = await pageStyles(reference);

    const page = await fx.open(fx.siteA.page(options));
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

  it('goes full-screen on a small screen (375×667) as a modal: Tab cycles inside, the page does not scroll, both restored on close', async () => {
    const deployment = fx.runtime.addDeployment({ allowedOrigins: [fx.siteA.url] });
    const page = await fx.open(fx.siteA.page({ token: deployment.token, tall: true, css: 'html { overflow-y: scroll; }' }), { width: 375, height: 667 });
    const w = ui(page);
    const overflow = () => page.evaluate(() => [document.documentElement.style.overflow, document.body.style.overflow]);
    await w.launcher.click();
    await w.panel.waitFor({ state: 'visible' });
    expect(await w.panel.boundingBox()).toEqual({ x: 0, y: 0, width: 375, height: 667 });
    expect(await w.launcher.isHidden()).toBe(true);
    expect(await w.panel.getAttribute('aria-modal')).toBe('true');
    await poll(() => w.greeting.textContent()).toBe('Hi! How can I help?');
    await shot(page, '13-small-screen');

    // Tab and Shift+Tab stay inside the panel: close → log → textarea → send → close …
    expect(await focused(page)).toBe('textarea#sb-input');
    await w.input.fill('x'); // the send button is enabled either way; text just makes it realistic
    const forward: string[] = [];
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('Tab');
      forward.push(await focused(page));
    }
    expect(forward).toEqual(['button.send', 'button.close', 'div.log', 'textarea#sb-input', 'button.send']);
    const backward: string[] = [];
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Shift+Tab');
      backward.push(await focused(page));
    }
    expect(backward).toEqual(['textarea#sb-input', 'div.log', 'button.close', 'button.send']);

    // The host page is locked: wheel and keyboard scrolling leave it at the top.
    expect(await overflow()).toEqual(['hidden', 'hidden']);
    await page.mouse.move(180, 300);
    await page.mouse.wheel(0, 1500);
    await page.waitForTimeout(200);
    expect(await page.evaluate(() => window.scrollY)).toBe(0);

    await w.close.click();
    await w.panel.waitFor({ state: 'hidden' });
    expect(await w.launcher.isVisible()).toBe(true);
    expect(await focused(page)).toBe('button.launcher');
    expect(await w.panel.getAttribute('aria-modal')).toBe('false');
    expect(await overflow()).toEqual(['', '']);
    await page.mouse.wheel(0, 1500);
    await poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(0);
    // Shift+Tab leaves the (closed) widget for the page again.
    await page.keyboard.press('Shift+Tab');
    expect(await focused(page)).toBe('page:a#page-link');
  });

  it('on a wide screen the open panel is not modal: Tab moves on past it and the page overflow is left alone', async () => {
    const deployment = fx.runtime.addDeployment({ allowedOrigins: [fx.siteA.url] });
    const page = await fx.open(fx.siteA.page({ token: deployment.token, tall: true }));
    const w = ui(page);
    await w.launcher.click();
    await w.panel.waitFor({ state: 'visible' });
    expect(await w.panel.getAttribute('aria-modal')).toBe('false');
    expect(await page.evaluate(() => document.documentElement.style.overflow)).toBe('');
    // Tab goes on past the panel's last control (to the launcher, then the page).
    await w.send.focus();
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('button.launcher');
    await w.close.focus();
    await page.keyboard.press('Shift+Tab');
    expect(await focused(page)).toBe('page:a#page-link');
  });

  it('stays left-to-right on a dir="rtl" page', async () => {
    const deployment = fx.runtime.addDeployment({ allowedOrigins: [fx.siteA.url] });
    const page = await fx.open(fx.siteA.page({ token: deployment.token, dir: 'rtl' }));
    const w = ui(page);
    await w.launcher.click();
    await poll(() => w.greeting.textContent()).toBe('Hi! How can I help?');
    expect(await page.evaluate(() => getComputedStyle(document.body).direction)).toBe('rtl');
    for (const part of [w.root, w.panel, w.greeting, w.input, w.title]) {
      expect(await part.evaluate((el) => getComputedStyle(el).direction)).toBe('ltr');
    }
    // Sentence punctuation stays at the end, on the right: the greeting's text starts at the bubble's left.
    const [bubble, text] = await Promise.all([page.locator('switchboard-widget .msg.greeting').boundingBox(), w.greeting.boundingBox()]);
    expect(text!.x - bubble!.x).toBeLessThan(20);
    await shot(page, '14-rtl-page');
  });

  it('the token-only snippet works: ConvoshipQueue made by the page, an async loader, init with the token alone, no warning', async () => {
    const deployment = fx.runtime.addDeployment({ allowedOrigins: [fx.siteA.url] });
    const page = await fx.open(fx.siteA.page({ token: deployment.token, tokenOnly: true }));
    const w = ui(page);
    await w.launcher.waitFor({ state: 'visible' });
    expect(await page.content()).toContain(`ConvoshipQueue.push(['init', { token: "${deployment.token}" }])`);
    await w.launcher.click();
    await fx.connectedSession(deployment);
    await sendMessage(page, 'token only');
    await poll(() => texts(w.agent)).toEqual(['Echo: token only']);
    expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([`switchboard:visitor:${fx.runtime.url}|${deployment.token.slice(0, 10)}`]);
    expect(fx.logs(page).filter((line) => line.includes('[switchboard]'))).toEqual([]);
  });

  it("works on a page that requires Trusted Types: the loader's `switchboard` policy creates the script URL", async () => {
    const deployment = fx.runtime.addDeployment({ allowedOrigins: [fx.siteA.url] });
    const csp = "require-trusted-types-for 'script'; trusted-types switchboard";
    const page = await fx.open(fx.siteA.page({ token: deployment.token, csp, order: 'before' }));
    const w = ui(page);
    await w.launcher.waitFor({ state: 'visible' });
    await w.launcher.click();
    await fx.connectedSession(deployment);
    await sendMessage(page, '**trusted**');
    await poll(() => texts(w.agent)).toEqual(['Echo: trusted']);
    expect(await page.locator('switchboard-widget .msg.agent strong').count()).toBe(1);
    expect(fx.logs(page).filter((line) => /Trusted|\[switchboard\]/.test(line))).toEqual([]);
    // The page really enforces it: a plain string is refused.
    expect(
      await page.evaluate(() => {
        try {
          document.createElement('script').src = '/x.js';
          return 'accepted';
        } catch (error) {
          return (error as Error).name;
        }
      }),
    ).toBe('TypeError');
  });
});

/**
 * The pre-chat form in Chromium, against the real server (SQLite and PostgreSQL): a closed widget
 * requests no chunk; opening the chat loads the `prechat` chunk once and shows the form, used with
 * the keyboard alone; a missing required answer is announced (role="alert") and marked on its
 * field; the answers are stored on the contact and the chat goes on; a returning visitor is not
 * asked again. It works on a page that requires Trusted Types, and a chunk that fails to load is
 * reported and loaded again on the next open. axe-core finds nothing in the form's states.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { availableServices } from '../helpers/services.js';
import { axeViolations } from './axe.js';
import { useLiveWidget } from './live-widget.js';

const withChromium = availableServices().chromium;
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 15_000, interval: 50 });
const TRUSTED_TYPES = "require-trusted-types-for 'script'; trusted-types switchboard";

const FORM = {
  title: 'Before we start',
  submitLabel: 'Start chat',
  fields: [
    { key: 'name', label: 'Your name', required: true },
    { key: 'email', label: 'Email', type: 'email', required: true },
    { key: 'plan', label: 'Plan', type: 'select', options: ['Free', 'Pro'] },
    { key: 'company', label: 'Company' },
  ],
};

/**
 * A customer's site: `/` carries the snippet for the token in `?t=`; `?csp=1` requires Trusted
 * Types; `?direct=1` includes widget.js itself, without the loader; `?lang=` is the page's language.
 */
async function startSite(apiUrl: () => string) {
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://site');
    const token = url.searchParams.get('t') ?? '';
    response.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      ...(url.searchParams.get('csp') && { 'content-security-policy': TRUSTED_TYPES }),
    });
    const init = `['init', { token: ${JSON.stringify(token)}, apiUrl: ${JSON.stringify(apiUrl())} }]`;
    const snippet = url.searchParams.get('direct')
      ? `<script>window.SwitchboardQueue = [${init}];</script>\n<script src="${apiUrl()}/embed/v1/widget.js"></script>`
      : `<script src="${apiUrl()}/embed/v1.js"></script>\n<script>ConvoshipQueue.push(${init});</script>`;
    response.end(`<!doctype html><html lang="${(url.searchParams.get('lang') ?? 'en').replace(/[^a-z-]/gi, '')}"><head><meta charset="utf-8"><title>Site</title></head><body><h1>A customer's site</h1>
${snippet}</body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

describe.runIf(withChromium).each(ENGINES)('widget pre-chat form on %s', (engine) => {
  const live = useLiveWidget(engine);
  const { api, count, contexts, logs } = live;
  let site: Awaited<ReturnType<typeof startSite>>;
  let agentId: string;
  const chunkRequests = new WeakMap<Page, string[]>();

  const deploy = async (preChatForm: unknown = FORM) => (await api('POST', `/v1/agents/${agentId}/deployments`, { allowedOrigins: [site.origin], preChatForm })).data as { id: string; token: string };

  async function visit(token: string, options: { csp?: boolean; direct?: boolean; lang?: string; context?: BrowserContext } = {}) {
    const page = await live.newPage(options.context);
    const chunks: string[] = [];
    chunkRequests.set(page, chunks);
    page.on('request', (request) => {
      if (request.url().includes('/embed/v1/chunks/')) chunks.push(new URL(request.url()).pathname);
    });
    await page.goto(`${site.origin}/?t=${encodeURIComponent(token)}${options.csp ? '&csp=1' : ''}${options.direct ? '&direct=1' : ''}${options.lang ? `&lang=${options.lang}` : ''}`);
    await page.locator('switchboard-widget .root.ready').waitFor();
    return page;
  }
  const $ = (page: Page, selector: string) => page.locator(`switchboard-widget ${selector}`);
  /** The id of the element focused inside the widget's shadow root. */
  const focused = (page: Page) => page.evaluate(() => document.querySelector('switchboard-widget')!.shadowRoot!.activeElement?.id ?? null);

  beforeAll(async () => {
    site = await startSite(() => live.server.baseUrl);
    agentId = (await api('POST', '/v1/agents', { name: 'Concierge' })).data.id;
  });
  afterAll(async () => {
    await site?.close();
  });

  it('asks before the chat: chunk on first open only, keyboard alone, required field announced, answers stored on the contact', async () => {
    const deployment = await deploy();
    const conversations = await count('conversations');
    const page = await visit(deployment.token);
    await page.waitForTimeout(300);
    expect(chunkRequests.get(page)).toEqual([]); // the closed widget loads no chunk
    expect(await count('conversations')).toBe(conversations);

    // Open with the keyboard: the form takes the focus, the composer waits behind it.
    await $(page, 'button.launcher').focus();
    await page.keyboard.press('Enter');
    await $(page, 'form.pc').waitFor();
    expect(chunkRequests.get(page)).toEqual(['/embed/v1/chunks/prechat.js']);
    await poll(() => focused(page)).toBe('sb-pc-name');
    expect(await $(page, 'form.composer').isVisible()).toBe(false);
    expect(await $(page, '.pc h3').textContent()).toBe('Before we start');
    expect(await $(page, 'label[for="sb-pc-name"]').textContent()).toBe('Your name *');
    expect(await count('conversations')).toBe(conversations); // nothing started before the answers
    expect(await axeViolations(page)).toEqual([]);

    // Submitting with the required answers missing: announced, marked, focus on the first.
    await page.keyboard.press('Enter');
    await poll(() => $(page, '.pc [role="alert"]').textContent()).toBe('Your name is required. Email is required.');
    expect(await $(page, '#sb-pc-name').getAttribute('aria-invalid')).toBe('true');
    expect(await $(page, '#sb-pc-email').getAttribute('aria-invalid')).toBe('true');
    expect(await $(page, '#sb-pc-company').getAttribute('aria-invalid')).toBe('false');
    expect(await $(page, '#sb-pc-name-err').textContent()).toBe('Your name is required.');
    expect(await $(page, '#sb-pc-name').getAttribute('aria-describedby')).toBe('sb-pc-name-err');
    expect(await focused(page)).toBe('sb-pc-name');
    expect(await axeViolations(page)).toEqual([]);
    expect(await count('conversations')).toBe(conversations);

    // A wrong email is refused the same way.
    await page.keyboard.type('Ada Lovelace');
    await page.keyboard.press('Tab');
    await page.keyboard.type('ada at example');
    await page.keyboard.press('Enter');
    await poll(() => $(page, '.pc [role="alert"]').textContent()).toBe('Email must be an email address, like name@example.com.');
    expect(await focused(page)).toBe('sb-pc-email');
    expect(await $(page, '#sb-pc-name').getAttribute('aria-invalid')).toBe('false');

    await page.keyboard.press('Control+A');
    await page.keyboard.type('ada@example.com');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('sb-pc-plan');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await $(page, '#sb-pc-plan').inputValue()).toBe('Pro');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Analytical Engines Ltd');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.querySelector('switchboard-widget')!.shadowRoot!.activeElement?.textContent)).toBe('Start chat');
    await page.keyboard.press('Enter');

    // The chat goes on: the form is gone, the composer has the focus, one conversation exists.
    await $(page, 'form.pc').waitFor({ state: 'detached' });
    await poll(() => focused(page)).toBe('sb-input');
    await poll(() => count('conversations')).toBe(conversations + 1);
    const conversation = await live.server.db.selectFrom('conversations').select(['id', 'contact_id']).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    const contact = (await api('GET', `/v1/contacts/${conversation.contact_id}`)).data;
    expect(contact.displayName).toBe('Ada Lovelace');
    expect(contact.attributes).toMatchObject({ email: 'ada@example.com', plan: 'Pro', company: 'Analytical Engines Ltd' });

    await page.keyboard.type('Hello after the form');
    await page.keyboard.press('Enter');
    await poll(() => $(page, '.msg.agent:not(.greeting)').count()).toBeGreaterThan(0);
    const messages = await live.server.db.selectFrom('messages').select(['conversation_id', 'role']).where('role', '=', 'contact').where('conversation_id', '=', conversation.id).execute();
    expect(messages).toHaveLength(1);
    expect(await axeViolations(page)).toEqual([]);
    expect(chunkRequests.get(page)).toEqual(['/embed/v1/chunks/prechat.js']); // once

    // The same visitor on another page: not asked again, and no chunk loaded.
    const again = await visit(deployment.token, { context: page.context() });
    await $(again, 'button.launcher').click();
    await poll(() => focused(again)).toBe('sb-input');
    await again.waitForTimeout(300);
    expect(await $(again, 'form.pc').count()).toBe(0);
    expect(chunkRequests.get(again)).toEqual([]);
    expect(await count('conversations')).toBe(conversations + 1);
    expect(logs.get(page)!.filter((line) => line.includes('[switchboard]'))).toEqual([]);
  });

  it('on a phone in the dark scheme: axe-core finds nothing, and Tab stays inside the form', async () => {
    const deployment = (await api('POST', `/v1/agents/${agentId}/deployments`, { allowedOrigins: [site.origin], theme: { colorScheme: 'dark' }, preChatForm: FORM })).data;
    const context = await live.browser.newContext({ viewport: { width: 375, height: 667 } });
    contexts.push(context);
    const page = await visit(deployment.token, { context });
    await $(page, 'button.launcher').click();
    await $(page, 'form.pc').waitFor();
    await poll(() => focused(page)).toBe('sb-pc-name');
    await $(page, '.pc button[type="submit"]').click();
    await poll(() => $(page, '.pc [role="alert"]').textContent()).toBe('Your name is required. Email is required.');
    expect(await axeViolations(page)).toEqual([]);
    // From the submit button, Tab wraps to the panel's first control instead of leaving for the page.
    await $(page, '.pc button[type="submit"]').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.querySelector('switchboard-widget')!.shadowRoot!.activeElement?.className)).toBe('close');
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate(() => document.querySelector('switchboard-widget')!.shadowRoot!.activeElement?.textContent)).toBe('Start chat');
  });

  it("speaks the page's language: its own texts translated, the owner's labels as written", async () => {
    const deployment = await deploy({ fields: FORM.fields });
    const page = await visit(deployment.token, { lang: 'es' });
    await $(page, 'button.launcher').click();
    await $(page, 'form.pc').waitFor();
    expect(await $(page, '.pc h3').textContent()).toBe('Antes de empezar');
    expect(await $(page, '.pc .req-note').textContent()).toBe('Los campos marcados con * son obligatorios.');
    expect(await $(page, '.pc button[type="submit"]').textContent()).toBe('Iniciar chat');
    await $(page, '#sb-pc-email').fill('nadie');
    await $(page, '.pc button[type="submit"]').click();
    await poll(() => $(page, '.pc [role="alert"]').textContent()).toBe(
      'Your name: es obligatorio. Email: debe ser una dirección de correo, como nombre@ejemplo.com.',
    );
    expect(await axeViolations(page)).toEqual([]);
  });

  it('shows what the server refuses on the form, and lets the chat start when the deployment stopped asking', async () => {
    const deployment = await deploy({ fields: [{ key: 'name', label: 'Your name', required: true }, { key: 'ticket', label: 'Ticket', type: 'select', options: ['A-1', 'B-2'] }] });
    const page = await visit(deployment.token);
    await $(page, 'button.launcher').click();
    await $(page, 'form.pc').waitFor();
    // The form changed under the page: its options are no longer the server's.
    await api('PATCH', `/v1/agents/${agentId}/deployments/${deployment.id}`, { preChatForm: { fields: [{ key: 'name', label: 'Your name', required: true }, { key: 'ticket', label: 'Ticket', type: 'select', options: ['C-3'] }] } });
    await $(page, '#sb-pc-name').fill('Ada');
    await $(page, '#sb-pc-ticket').selectOption('A-1');
    await $(page, '.pc button[type="submit"]').click();
    await poll(() => $(page, '.pc [role="alert"]').textContent()).toContain('values.ticket');
    expect(await $(page, 'form.composer').isVisible()).toBe(false);

    // Then the form is removed: the next submission starts the chat without it.
    await api('PATCH', `/v1/agents/${agentId}/deployments/${deployment.id}`, { preChatForm: null });
    await $(page, '.pc button[type="submit"]').click();
    await $(page, 'form.pc').waitFor({ state: 'detached' });
    await poll(() => focused(page)).toBe('sb-input');
    await page.keyboard.type('Hi without a form');
    await page.keyboard.press('Enter');
    await poll(() => $(page, '.msg.agent:not(.greeting)').count()).toBeGreaterThan(0);
  });

  it('a deployment without a form (or with it turned off) never loads the chunk', async () => {
    const plain = await deploy(null);
    const off = await deploy({ ...FORM, showBeforeFirstMessage: false });
    for (const token of [plain.token, off.token]) {
      const page = await visit(token);
      await $(page, 'button.launcher').click();
      await poll(() => focused(page)).toBe('sb-input');
      await page.waitForTimeout(300);
      expect(await $(page, 'form.pc').count()).toBe(0);
      expect(chunkRequests.get(page)).toEqual([]);
    }
  });

  it("works on a page that requires Trusted Types: the chunk's script URL comes from the loader's `switchboard` policy", async () => {
    const deployment = await deploy();
    const page = await visit(deployment.token, { csp: true });
    await $(page, 'button.launcher').click();
    await $(page, 'form.pc').waitFor();
    await $(page, '#sb-pc-name').fill('Grace');
    await $(page, '#sb-pc-email').fill('grace@example.com');
    await $(page, '.pc button[type="submit"]').click();
    await $(page, 'form.pc').waitFor({ state: 'detached' });
    expect(chunkRequests.get(page)).toEqual(['/embed/v1/chunks/prechat.js']);
    expect(logs.get(page)!.filter((line) => /Trusted|\[switchboard\]/.test(line))).toEqual([]);
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

  it('under Trusted Types without the loader, the widget creates the `switchboard` policy itself', async () => {
    const deployment = await deploy();
    const page = await visit(deployment.token, { csp: true, direct: true });
    expect(await page.evaluate(() => typeof (window as any).SwitchboardQueue._url)).toBe('undefined'); // no loader here
    await $(page, 'button.launcher').click();
    await $(page, 'form.pc').waitFor();
    expect(chunkRequests.get(page)).toEqual(['/embed/v1/chunks/prechat.js']);
    expect(logs.get(page)!.filter((line) => /Trusted|\[switchboard\]/.test(line))).toEqual([]);
  });

  it('a chunk that fails to load is reported, and loaded again when the chat is opened again', async () => {
    const deployment = await deploy();
    const page = await visit(deployment.token);
    let refuse = true;
    await page.route('**/embed/v1/chunks/prechat.js', (route) => (refuse ? route.abort() : route.continue()));
    await $(page, 'button.launcher').click();
    await poll(() => $(page, '.alert').textContent()).not.toBe('');
    expect(await $(page, 'form.pc').count()).toBe(0);
    expect(await $(page, 'form.composer').isVisible()).toBe(false); // no way round the form
    refuse = false;
    await $(page, 'button.launcher').click(); // close
    await $(page, 'button.launcher').click(); // open: tried again
    await $(page, 'form.pc').waitFor();
    expect(chunkRequests.get(page)).toEqual(['/embed/v1/chunks/prechat.js', '/embed/v1/chunks/prechat.js']);
    // The alert ends when the form finally submits.
    await $(page, '#sb-pc-name').fill('Lin');
    await $(page, '#sb-pc-email').fill('lin@example.com');
    await $(page, '.pc button[type="submit"]').click();
    await $(page, 'form.pc').waitFor({ state: 'detached' });
  });
});

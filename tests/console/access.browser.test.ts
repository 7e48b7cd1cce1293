/**
 * The console's access rules and keyboard reach in Chromium against the real server, on each
 * engine: a cookie write without the CSRF token is refused and changes nothing; an expired
 * session and a removed member's open session both end at the next request, on the sign-in page;
 * every page's controls are reached by Tab alone with a visible focus ring, and a channel is
 * created with the keyboard only; the channel search reaches past the first page; a list that
 * cannot load says so with a Retry, and a slow one keeps its rows; the layout works at 768 px wide through its menu button.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace } from '../helpers/app.js';
import { controlApi } from '../helpers/control.js';
import { ENGINES } from '../helpers/engines.js';
import { availableServices } from '../helpers/services.js';
import { launchBrowser } from '../widget/harness.js';
import { invitedMember, signInPage, startConsoleServer, type ConsoleServer } from './browser-harness.js';
import { buildConsole } from './harness.js';

const PASSWORD = 'a long enough passphrase';
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 15_000, interval: 50 });

/** Every page an owner can open from the navigation, by its heading. */
const PAGES: Array<[path: string, heading: string]> = [
  ['/console/', 'Overview'],
  ['/console/inbox', 'Inbox'],
  ['/console/channels', 'Channels'],
  ['/console/agents', 'Agents'],
  ['/console/connections', 'Connections'],
  ['/console/deliveries', 'Deliveries'],
  ['/console/webhooks', 'Webhooks'],
  ['/console/teams', 'Teams'],
  ['/console/workflows', 'Workflows'],
  ['/console/api-keys', 'API keys'],
  ['/console/members', 'Members'],
  ['/console/profile', 'Profile'],
];

interface TabWalk {
  /** Controls a person could operate that Tab never reached (described by tag and name). */
  unreached: string[];
  /** Controls that had focus with no visible indicator. */
  invisibleFocus: string[];
  reached: number;
}

/**
 * Presses Tab from the top of the page until focus comes back to the first control it reached,
 * then compares what had focus with every visible, enabled control on the page. A radio group
 * counts as reached when one of its radios was (arrow keys move inside it).
 */
async function walkWithTab(page: Page): Promise<TabWalk> {
  await page.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
    for (const element of Array.from(document.querySelectorAll('[data-tab-seen]'))) element.removeAttribute('data-tab-seen');
  });
  const invisibleFocus: string[] = [];
  let first: string | null = null;
  for (let presses = 0; presses < 300; presses += 1) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const element = document.activeElement as HTMLElement | null;
      if (!element || element === document.body) return null;
      const key = element.getAttribute('data-tab-seen') ?? String(Math.random());
      element.setAttribute('data-tab-seen', key);
      const style = getComputedStyle(element);
      const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
      const name = `${element.tagName.toLowerCase()} "${(element.getAttribute('aria-label') ?? element.textContent ?? (element as HTMLInputElement).name ?? '').trim().slice(0, 40)}"`;
      return { key, ring, name };
    });
    if (!focused) continue;
    if (focused.key === first) break;
    first ??= focused.key;
    if (!focused.ring && !invisibleFocus.includes(focused.name)) invisibleFocus.push(focused.name);
  }
  const { unreached, reached } = await page.evaluate(() => {
    const controls = Array.from(
      document.querySelectorAll<HTMLElement>('a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])'),
    ).filter((element) => {
      if ((element as HTMLButtonElement).disabled || element.getAttribute('tabindex') === '-1') return false;
      if (element.closest('[inert], [aria-hidden="true"]')) return false;
      return element.getClientRects().length > 0 && getComputedStyle(element).visibility !== 'hidden';
    });
    const radioGroupsReached = new Set(
      controls.filter((c) => c instanceof HTMLInputElement && c.type === 'radio' && c.hasAttribute('data-tab-seen')).map((c) => (c as HTMLInputElement).name),
    );
    const missed = controls.filter((element) => {
      if (element.hasAttribute('data-tab-seen')) return false;
      return !(element instanceof HTMLInputElement && element.type === 'radio' && radioGroupsReached.has(element.name));
    });
    return {
      reached: controls.length - missed.length,
      unreached: missed.map((e) => `${e.tagName.toLowerCase()} "${(e.getAttribute('aria-label') ?? e.textContent ?? (e as HTMLInputElement).name ?? '').trim().slice(0, 40)}"`),
    };
  });
  return { unreached, invisibleFocus, reached };
}

describe.runIf(availableServices().chromium).each(ENGINES)('console access and keyboard in Chromium on %s', (engine) => {
  let server: ConsoleServer;
  let browser: Browser;
  let key: string;
  const contexts: BrowserContext[] = [];

  const api = (method: string, path: string, body?: unknown) => controlApi(server.baseUrl, key)(method, path, body);

  /** Invites a member, accepts the invitation over the API and signs them in through the console's form. */
  async function signedIn(role: 'owner' | 'agent', viewport = { width: 1280, height: 800 }): Promise<{ page: Page; memberId: string }> {
    const email = `${role}-${Math.random().toString(36).slice(2)}@example.com`;
    const memberId = await invitedMember(server.baseUrl, key, { email, role, name: `An ${role}` }, PASSWORD);
    const context = await browser.newContext({ viewport });
    contexts.push(context);
    const page = await signInPage(context, server.baseUrl, email, PASSWORD);
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(role === 'agent' ? 'Inbox' : 'Overview');
    // Let the first page's own requests finish, so the next request is the test's.
    await poll(() => page.locator('[aria-busy="true"]').count()).toBe(0);
    return { page, memberId };
  }

  const channelCount = async () => (await api('GET', '/v1/deployment-channels')).body.data.meta.totalCount as number;

  beforeAll(async () => {
    buildConsole();
    server = await startConsoleServer(engine);
    key = (await createWorkspace(server.database.db, 'Acme support', server.app.secretBox)).apiKey;
    browser = await launchBrowser();
    // Something on every list, so rows and their buttons are walked too.
    const agent = await api('POST', '/v1/agents', { name: 'Echo' });
    await api('POST', `/v1/agents/${agent.body.data.id}/deployments`, { allowedOrigins: ['http://127.0.0.1:9'], channel: { channelIdentifier: 'https://keys.example.com' } });
    await api('POST', '/v1/teams', { name: 'Front desk' });
    await api('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['*'] });
  }, 120_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.close();
  });

  it('refuses a cookie write without the CSRF token and creates nothing', async () => {
    const { page } = await signedIn('owner');
    const before = await channelCount();
    const attempt = (headers: Record<string, string>) =>
      page.evaluate(async (extra) => {
        const response = await fetch('/v1/deployment-channels', {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': 'application/json', ...extra },
          body: JSON.stringify({ channelIdentifier: 'https://csrf.example.com', deploymentType: 'web' }),
        });
        return { status: response.status, body: await response.json() };
      }, headers);
    const without = await attempt({});
    expect(without.status).toBe(403);
    expect(without.body).toMatchObject({ success: false, code: 'CSRF_TOKEN_INVALID' });
    const forged = await attempt({ 'x-csrf-token': 'not-the-token' });
    expect(forged.status).toBe(403);
    expect(await channelCount()).toBe(before);
  });

  it('ends an expired session at the next request, on the sign-in page with the way back', async () => {
    const { page, memberId } = await signedIn('owner');
    await server.database.db.updateTable('member_sessions').set({ expires_at: Date.now() - 1 }).where('member_id', '=', memberId).execute();
    await page.getByRole('link', { name: 'Channels' }).click();
    await poll(async () => page.url()).toBe(`${server.baseUrl}/console/sign-in?next=%2Fconsole%2Fchannels`);
    const probe = await page.evaluate(async () => (await fetch('/v1/session', { credentials: 'same-origin' })).status);
    expect(probe).toBe(401);
  });

  it("ends a removed member's open session at the next request", async () => {
    const { page, memberId } = await signedIn('agent');
    expect((await api('DELETE', `/v1/members/${memberId}`)).status).toBeLessThan(300);
    // The inbox's live stream is ended by the server and the page goes to sign-in without a click.
    await poll(async () => page.url()).toBe(`${server.baseUrl}/console/sign-in?next=%2Fconsole%2Finbox`);
    const probe = await page.evaluate(async () => (await fetch('/v1/session', { credentials: 'same-origin' })).status);
    expect(probe).toBe(401);
  });

  it('reaches every control of every page with Tab alone, each with a visible focus ring', async () => {
    const { page } = await signedIn('owner');
    const found: Record<string, Omit<TabWalk, 'reached'>> = {};
    for (const [path, heading] of PAGES) {
      await page.goto(`${server.baseUrl}${path}`);
      await poll(() => page.getByRole('heading', { level: 1 }).first().textContent()).toBe(heading);
      await poll(() => page.locator('[aria-busy="true"]').count()).toBe(0);
      expect(await page.getByText('Loading the Switchboard console').count(), path).toBe(0);
      const walk = await walkWithTab(page);
      expect(walk.reached, path).toBeGreaterThan(PAGES.length);
      if (walk.unreached.length || walk.invisibleFocus.length) found[path] = { unreached: walk.unreached, invisibleFocus: walk.invisibleFocus };
    }
    expect(found).toEqual({});
  });

  it('creates a channel with the keyboard only: Tab to New channel, type, Enter; Escape closes a dialog', async () => {
    const { page } = await signedIn('owner');
    await page.goto(`${server.baseUrl}/console/channels`);
    await poll(() => page.locator('[aria-busy="true"]').count()).toBe(0);
    const focusedText = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.textContent?.trim() ?? '');
    const tabTo = async (test: () => Promise<boolean>) => {
      for (let presses = 0; presses < 80 && !(await test()); presses += 1) await page.keyboard.press('Tab');
      expect(await test()).toBe(true);
    };

    await tabTo(async () => (await focusedText()) === 'New channel');
    await page.keyboard.press('Enter');
    await poll(() => page.evaluate(() => Boolean(document.activeElement?.closest('[role="dialog"]')))).toBe(true);
    await page.keyboard.press('Escape');
    await poll(() => page.getByRole('dialog').count()).toBe(0);
    expect(await focusedText()).toBe('New channel');

    await page.keyboard.press('Enter');
    await tabTo(() => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name === 'channelIdentifier'));
    await page.keyboard.type('https://typed.example.com');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Typed by keyboard');
    await page.keyboard.press('Enter');
    await poll(() => page.getByRole('dialog').count()).toBe(0);
    await poll(() => page.getByRole('cell', { name: 'https://typed.example.com', exact: true }).count()).toBe(1);
    const stored = (await api('GET', '/v1/deployment-channels?pageSize=100')).body.data.data;
    expect(stored.find((c: any) => c.channelIdentifier === 'https://typed.example.com')).toMatchObject({ channelName: 'Typed by keyboard', deploymentType: 'web' });
  });

  it('searches channels on the server, past the first page', async () => {
    for (let i = 0; i < 21; i++) await api('POST', '/v1/deployment-channels', { channelIdentifier: `https://filler-${i}.example.com`, deploymentType: 'web' });
    await api('POST', '/v1/deployment-channels', { channelIdentifier: 'https://needle.example.net', deploymentType: 'web', channelName: 'Late Needle' });
    const { page } = await signedIn('owner');
    await page.goto(`${server.baseUrl}/console/channels`);
    await poll(() => page.locator('[aria-busy="true"]').count()).toBe(0);
    expect(await page.getByRole('cell', { name: 'Late Needle', exact: true }).count()).toBe(0);
    await page.getByLabel('Search').fill('NEEDLE');
    await poll(() => page.getByRole('cell', { name: 'Late Needle', exact: true }).count()).toBe(1);
    expect(await page.locator('tbody tr').count()).toBe(1);
    await page.getByLabel('Search').fill('no such channel');
    await poll(() => page.getByText('No channel matches “no such channel”').isVisible()).toBe(true);
  });

  it('says when a list cannot load and retries it; while a slow answer is awaited the rows already shown stay', async () => {
    const { page } = await signedIn('owner');
    const channels = '**/v1/deployment-channels?*';
    await page.route(channels, (route) =>
      route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ success: false, status: 503, code: 'SERVICE_UNAVAILABLE', message: 'Database is unavailable' }) }),
    );
    await page.goto(`${server.baseUrl}/console/channels`);
    const alert = page.getByRole('alert').filter({ hasText: 'could not be loaded' });
    await poll(() => alert.textContent()).toContain('Database is unavailable');
    await page.unroute(channels);
    await alert.getByRole('button', { name: 'Retry' }).click();
    await poll(() => page.getByRole('cell', { name: 'https://keys.example.com', exact: true }).count()).toBe(1);

    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(channels, async (route) => {
      await held;
      await route.continue();
    });
    await page.getByLabel('Search').fill('keys');
    await poll(() => page.getByText('Updating…').isVisible()).toBe(true);
    expect(await page.getByRole('cell', { name: 'https://keys.example.com', exact: true }).isVisible()).toBe(true);
    release();
    await poll(() => page.getByText('Updating…').count()).toBe(0);
    expect(await page.getByRole('cell', { name: 'https://keys.example.com', exact: true }).isVisible()).toBe(true);
  });

  it('works at 768 px wide: the navigation opens from the Menu button and leads to a page', async () => {
    const { page } = await signedIn('owner', { width: 768, height: 1024 });
    const channels = page.getByRole('link', { name: 'Channels' });
    expect(await channels.isVisible()).toBe(false);
    const menu = page.getByRole('button', { name: 'Menu' });
    await menu.click();
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    await poll(() => channels.isVisible()).toBe(true);
    await channels.click();
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Channels');
    expect(await channels.isVisible()).toBe(false);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });
});

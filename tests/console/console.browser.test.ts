/**
 * The console end to end in Chromium against the real server, on each engine: an invitation is
 * accepted in the browser, the member signs out and in again, creates a web channel (a bad
 * identifier first: the API's error at the field, nothing created), an agent and a web deployment
 * (the token shown once, the snippet copied), then the snippet is pasted on a page of another
 * origin and the widget chats with the agent. Every page is checked with axe-core and saved as a
 * screenshot in light and dark (test-artifacts/console/).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace } from '../helpers/app.js';
import { controlApi } from '../helpers/control.js';
import { ENGINES } from '../helpers/engines.js';
import { availableServices } from '../helpers/services.js';
import { launchBrowser } from '../widget/harness.js';
import { auditPage, startConsoleServer, startSite, type AxeViolation, type ConsoleServer, type Site } from './browser-harness.js';
import { buildConsole } from './harness.js';

const PASSWORD = 'a long enough passphrase';
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 15_000, interval: 50 });

describe.runIf(availableServices().chromium).each(ENGINES)('the console in Chromium on %s', (engine) => {
  let server: ConsoleServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let site: Site;
  let key: string;
  let email: string;
  const violations: Record<string, AxeViolation[]> = {};
  const audit = async (name: string) => Object.assign(violations, await auditPage(page, `${engine}-${name}`));

  const api = (method: string, path: string, body?: unknown) => controlApi(server.baseUrl, key)(method, path, body);

  beforeAll(async () => {
    buildConsole();
    server = await startConsoleServer(engine);
    key = (await createWorkspace(server.database.db, 'Acme support', server.app.secretBox)).apiKey;
    site = await startSite('Acme shop');
    browser = await launchBrowser();
    // bypassCSP only lets axe-core be injected; the console itself runs under its CSP in every other test.
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.baseUrl });
    page = await context.newPage();
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await site?.close();
    await server?.close();
  });

  it('accepts an invitation, signs out and signs in again', async () => {
    email = `owner-${engine}@example.com`;
    const invited = await api('POST', '/v1/members', { email, role: 'owner', name: 'Olive Owner' });
    expect(invited.status).toBe(201);
    const token = String(invited.body.data.invitation.url).split('/').pop();

    await page.goto(`${server.baseUrl}/console/invite/${token}`);
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Join Acme support');
    await audit('invite');
    await page.getByLabel('Password', { exact: true }).fill('too short');
    await page.getByLabel('Password again').fill('too short');
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await poll(() => page.getByLabel('Password', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('.field-error').first().textContent()).toBe('must be at least 12 characters');

    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Password again').fill(PASSWORD);
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Overview');
    expect(new URL(page.url()).pathname).toBe('/console/');
    expect(await page.locator('.workspace').textContent()).toBe('Acme support');
    await poll(() => page.locator('section[aria-busy="true"]').count()).toBe(0);
    await audit('overview');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await poll(async () => new URL(page.url()).pathname).toBe('/console/sign-in');
    await page.goto(`${server.baseUrl}/console/channels`);
    await poll(async () => page.url()).toBe(`${server.baseUrl}/console/sign-in?next=%2Fconsole%2Fchannels`);
    await audit('sign-in');

    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await poll(() => page.getByRole('alert').first().textContent()).toMatch(/\S/);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Channels');
  });

  it('shows the API field error at the field and creates nothing, then creates the web channel', async () => {
    await poll(() => page.getByText('No channels yet').isVisible()).toBe(true);
    await audit('channels-empty');
    await page.getByRole('button', { name: 'New channel' }).click();
    const dialog = page.getByRole('dialog', { name: 'New channel' });
    await dialog.getByLabel('Site URL').fill('not a url');
    await dialog.getByRole('button', { name: 'Create channel' }).click();
    const identifier = dialog.getByLabel('Site URL');
    await poll(() => identifier.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await identifier.getAttribute('aria-describedby'))!.split(' ');
    const errorText = await page.locator(`[id="${describedBy.find((id) => id.endsWith('-error'))}"]`).textContent();
    const refused = await api('POST', '/v1/deployment-channels', { deploymentType: 'web', channelIdentifier: 'not a url' });
    expect(refused.status).toBe(400);
    expect(errorText).toBe(refused.body.error.details.find((d: any) => d.field === 'channelIdentifier').message);
    await audit('channels-form-error');
    expect((await api('GET', '/v1/deployment-channels')).body.data.meta.totalCount).toBe(0);

    await identifier.fill('https://shop.example.com');
    await dialog.getByLabel('Name (optional)').fill('Shop chat');
    await dialog.getByRole('button', { name: 'Create channel' }).click();
    await poll(() => page.getByRole('cell', { name: 'Shop chat', exact: true }).isVisible()).toBe(true);
    const channels = (await api('GET', '/v1/deployment-channels')).body.data;
    expect(channels.data.map((c: any) => [c.deploymentType, c.channelIdentifier, c.channelName])).toEqual([['web', 'https://shop.example.com', 'Shop chat']]);
    await audit('channels');
  });

  it('creates an echo agent', async () => {
    await page.getByRole('link', { name: 'Agents' }).click();
    await poll(() => page.getByText('No agents yet').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'New agent' }).click();
    const dialog = page.getByRole('dialog', { name: 'New agent' });
    await dialog.getByLabel('Name', { exact: true }).fill('Echo bot');
    await dialog.getByLabel('Greeting (optional)').fill('Hi from the echo bot');
    await audit('agents-form');
    await dialog.getByRole('button', { name: 'Create agent' }).click();
    await poll(() => page.getByRole('cell', { name: 'Echo bot', exact: true }).isVisible()).toBe(true);
    await audit('agents');
  });

  it('deploys the agent: the token once, the snippet copied, and a chat through it on another origin', async () => {
    const agentId = (await api('GET', '/v1/agents')).body.data.data[0].id;
    await page.getByRole('link', { name: 'Deploy Echo bot' }).click();
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Deploy Echo bot');
    expect(new URL(page.url()).pathname).toBe(`/console/agents/${agentId}/deploy`);
    await poll(() => page.getByText('Not deployed on the web yet').isVisible()).toBe(true);
    await audit('deploy-empty');

    await page.getByRole('button', { name: 'New deployment' }).click();
    const dialog = page.getByRole('dialog', { name: 'New web deployment' });
    const origin = dialog.getByLabel('Origin 1', { exact: true });
    // The dialog has moved focus in (to its first field) before anything is typed, as a person would see it.
    await poll(() => dialog.getByLabel('Name (optional)').evaluate((field) => field === document.activeElement)).toBe(true);
    await origin.fill(`${site.origin}/`);
    await poll(() => origin.getAttribute('aria-invalid')).toBe('true');
    expect(await dialog.locator('.field-error').textContent()).toBe(`not an exact origin: use "${site.origin}" (scheme://host[:port], no path or trailing slash)`);
    await origin.fill('https://*.example.com');
    await poll(() => dialog.locator('.field-error').textContent()).toMatch(/wildcards are not supported/);
    await audit('deploy-new');
    await origin.fill(site.origin);
    await poll(() => origin.getAttribute('aria-invalid')).toBe(null);
    await dialog.getByRole('button', { name: 'Create deployment' }).click();

    const issued = page.getByRole('dialog', { name: 'Deployment token' });
    const token = (await poll(() => issued.getByTestId('issued-token').textContent()).toMatch(/^cdp_/), (await issued.getByTestId('issued-token').textContent())!.trim());
    expect(await issued.getByText('it will not be shown again', { exact: false }).isVisible()).toBe(true);
    const snippet = (await issued.getByTestId('issued-snippet').textContent())!.trim();
    expect(snippet).toContain(token);
    expect(snippet).toContain(`${server.baseUrl}/embed/v1.js`);
    await audit('deploy-token');
    await issued.getByRole('button', { name: 'Copy snippet' }).click();
    await poll(() => issued.getByRole('status').filter({ hasText: 'Copied' }).count()).toBe(1);
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(snippet);
    await issued.getByRole('button', { name: 'Done' }).click();

    // Gone for good: the list shows the prefix only.
    await poll(() => page.getByRole('cell', { name: site.origin, exact: true }).isVisible()).toBe(true);
    expect(await page.content()).not.toContain(token);
    expect(await page.getByRole('cell', { name: `${token.slice(0, 10)}…`, exact: true }).isVisible()).toBe(true);
    await audit('deploy');

    site.snippet = copied;
    const visitor = await context.newPage();
    await visitor.goto(site.origin);
    const widget = (selector: string) => visitor.locator(`switchboard-widget ${selector}`);
    await poll(() => widget('.launcher').isVisible()).toBe(true);
    await widget('.launcher').click();
    await poll(() => widget('.msg.greeting .text').textContent()).toBe('Hi from the echo bot');
    await widget('textarea').fill('Is anyone there?');
    await widget('textarea').press('Enter');
    await poll(() => widget('.msg .text').allTextContents()).toEqual(['Hi from the echo bot', 'Is anyone there?', 'Is anyone there?']);
    await visitor.close();

    await page.reload();
    await poll(() => page.getByRole('cell', { name: 'never', exact: true }).count()).toBe(0);
  });

  it('Try it starts the real widget framed by the console, on a console-origin deployment, under the console CSP', async () => {
    // A context without bypassCSP, signed in with the same cookies, so the CSP is what a browser enforces.
    const strict = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await strict.addCookies(await context.cookies(server.baseUrl));
    const tab = await strict.newPage();
    const refused: string[] = [];
    tab.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) refused.push(message.text());
    });
    await tab.goto(`${server.baseUrl}/console/agents`);
    await tab.getByRole('button', { name: 'Try it with Echo bot' }).click();
    const frame = tab.frameLocator('iframe[title="Chat with Echo bot"]');
    await poll(() => frame.locator('switchboard-widget .msg.greeting .text').textContent()).toBe('Hi from the echo bot');
    // The reply comes over the stream, a same-origin GET that the browser sends without Origin.
    await frame.locator('switchboard-widget textarea').fill('Testing from the console');
    await frame.locator('switchboard-widget textarea').press('Enter');
    await poll(() => frame.locator('switchboard-widget .msg .text').allTextContents()).toEqual([
      'Hi from the echo bot',
      'Testing from the console',
      'Testing from the console',
    ]);
    const deployments = (await api('GET', `/v1/agents/${(await api('GET', '/v1/agents')).body.data.data[0].id}/deployments`)).body.data.data;
    expect(deployments.filter((d: any) => d.name === 'Console try-it').map((d: any) => d.allowedOrigins)).toEqual([[server.baseUrl]]);
    expect(refused).toEqual([]);
    await strict.close();
  });

  it('checks the theme JSON as typed, previews a valid theme in the real widget, and saves it', async () => {
    const agentId = (await api('GET', '/v1/agents')).body.data.data[0].id as string;
    await page.goto(`${server.baseUrl}/console/agents/${agentId}/deploy`);
    await poll(() => page.locator('[aria-busy="true"]').count()).toBe(0);
    const web = (await api('GET', `/v1/agents/${agentId}/deployments`)).body.data.data.find((d: any) => d.allowedOrigins.includes(site.origin));
    await page.getByRole('button', { name: `Origins and theme of ${web.tokenPrefix}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Origins and theme' });
    const json = dialog.getByLabel('Theme JSON');
    await json.fill('{"primaryColor": "red",');
    await poll(() => json.getAttribute('aria-invalid')).toBe('true');
    await json.fill(JSON.stringify({ primaryColor: '#8a1c1c', headerTitle: 'Previewed title' }));
    await poll(() => json.getAttribute('aria-invalid')).toBe(null);
    const preview = dialog.frameLocator('iframe[title="Widget preview with this theme"]');
    await poll(() => preview.locator('switchboard-widget .title').textContent()).toBe('Previewed title');
    await dialog.getByRole('button', { name: 'Save origins and theme' }).click();
    await poll(() => dialog.count()).toBe(0);
    const saved = (await api('GET', `/v1/agents/${agentId}/deployments`)).body.data.data.find((d: any) => d.id === web.id);
    expect(saved.theme).toMatchObject({ primaryColor: '#8a1c1c', headerTitle: 'Previewed title' });
  });

  it('finds no serious or critical axe violation on any page, in light or dark', () => {
    expect(violations).toEqual({});
  });
});

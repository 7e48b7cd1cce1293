/**
 * The console's admin pages in Chromium against the real server, on each engine: a Twilio
 * connection made in the UI against the fake Twilio, its accepted and refused inbound events; an
 * agent member kept out of API keys and Members; every form's API field errors shown at the field
 * with nothing created; axe-core and a screenshot of every page in light and dark.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace } from '../helpers/app.js';
import { controlApi } from '../helpers/control.js';
import { ENGINES } from '../helpers/engines.js';
import { availableServices } from '../helpers/services.js';
import { inboundSmsParams, signedTwilioWebhook, startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import { launchBrowser } from '../widget/harness.js';
import { auditPage, invitedMember, signInPage, startConsoleServer, type AxeViolation, type ConsoleServer } from './browser-harness.js';
import { buildConsole } from './harness.js';

const PASSWORD = 'a long enough passphrase';
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 15_000, interval: 50 });
const PAGES = ['connections', 'deliveries', 'webhooks', 'teams', 'workflows', 'api-keys', 'members'] as const;

describe.runIf(availableServices().chromium).each(ENGINES)('the console admin pages in Chromium on %s', (engine) => {
  let server: ConsoleServer;
  let twilio: FakeTwilio;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let key: string;
  let workspaceId: string;
  const violations: Record<string, AxeViolation[]> = {};
  const audit = async (name: string) => Object.assign(violations, await auditPage(page, `${engine}-admin-${name}`));

  const api = (method: string, path: string, body?: unknown) => controlApi(server.baseUrl, key)(method, path, body);
  const count = async (path: string) => (await api('GET', path)).body.data.meta.totalCount as number;
  /** Keys are listed to a console session of the workspace (or an instance administrator key). */
  const keyCount = () => page.evaluate(async (id) => (await (await fetch(`/v1/workspaces/${id}/keys`)).json()).data.meta.totalCount as number, workspaceId);

  /** A member of the given role with a password set, signed in in a fresh context. */
  async function signIn(email: string, role: 'owner' | 'admin' | 'agent'): Promise<void> {
    await invitedMember(server.baseUrl, key, { email, role, name: `${role} person` }, PASSWORD);
    await context?.close();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    page = await signInPage(context, server.baseUrl, email, PASSWORD);
  }

  async function open(name: string, heading: string) {
    await page.goto(`${server.baseUrl}/console/${name}`);
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(heading);
    await poll(() => page.locator('[aria-busy="true"]').count()).toBe(0);
  }

  /** The error text tied to a control through aria-describedby. */
  async function fieldError(control: ReturnType<Page['getByLabel']>): Promise<string | null> {
    await poll(() => control.getAttribute('aria-invalid')).toBe('true');
    const ids = (await control.getAttribute('aria-describedby'))!.split(' ');
    return page.locator(`[id="${ids.find((id) => id.endsWith('-error'))}"]`).textContent();
  }

  beforeAll(async () => {
    buildConsole();
    server = await startConsoleServer(engine);
    const workspace = await createWorkspace(server.database.db, 'Acme support', server.app.secretBox);
    key = workspace.apiKey;
    workspaceId = workspace.workspaceId;
    twilio = await startFakeTwilio();
    browser = await launchBrowser();
    await signIn(`owner-${engine}@example.com`, 'owner');
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await twilio?.close();
    await server?.close();
  });

  it('creates a Twilio connection in the UI and lists a signed inbound SMS as accepted and an unsigned one as refused', async () => {
    await open('connections', 'Connections');
    await page.getByRole('button', { name: 'New connection' }).click();
    await page.getByRole('button', { name: 'Connect Twilio' }).click();
    const dialog = page.getByRole('dialog', { name: 'New Twilio connection' });
    await dialog.getByLabel('Name').fill('Support line');
    await dialog.getByLabel('Account SID').fill(twilio.accountSid);
    await dialog.getByLabel('authToken').fill(twilio.authToken);
    await dialog.getByLabel('API base URL (optional)').fill(twilio.url);
    await dialog.getByRole('button', { name: 'Create connection' }).click();

    const detail = page.getByRole('dialog', { name: 'Support line' });
    await poll(() => detail.getByTestId('inbound-url').isVisible()).toBe(true);
    const inboundUrl = (await detail.getByTestId('inbound-url').textContent())!;
    const connections = (await api('GET', '/v1/connections')).body.data.data;
    expect(connections.map((c: any) => [c.provider, c.name, c.settings.accountSid, c.apiBaseUrl, c.inboundUrl])).toEqual([
      ['twilio', 'Support line', twilio.accountSid, twilio.url, inboundUrl],
    ]);
    expect(Object.keys(connections[0].credentials)).toEqual(['authToken']);
    expect(JSON.stringify(connections[0])).not.toContain(twilio.authToken);
    await poll(() => detail.getByText('Nothing received yet').isVisible()).toBe(true);
    // The setup steps' Markdown marks are shown as emphasis and code, never as raw asterisks.
    expect(await detail.locator('.setup strong').first().textContent()).toBe('Account SID');
    expect(await detail.locator('.setup code').allTextContents()).toContain(inboundUrl);
    expect(await detail.locator('.setup').textContent()).not.toMatch(/\*\*|`/);

    const params = inboundSmsParams();
    const signed = signedTwilioWebhook(twilio.authToken, inboundUrl, params);
    expect((await fetch(inboundUrl, { method: 'POST', headers: signed.headers, body: signed.body })).status).toBe(200);
    const unsigned = await fetch(inboundUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: signed.body });
    expect(unsigned.status).toBeGreaterThanOrEqual(400);

    await detail.getByRole('button', { name: 'Refresh events' }).click();
    const rows = detail.locator('tbody tr');
    await poll(() => rows.count()).toBe(2);
    const texts = await rows.allTextContents();
    expect(texts.some((text) => text.startsWith('accepted'))).toBe(true);
    const refused = texts.find((text) => text.startsWith('refused'));
    expect(refused).toContain(`HTTP ${unsigned.status}`);
    expect(refused!.length).toBeGreaterThan(`refusedHTTP ${unsigned.status}`.length + 5);
    await audit('connection-detail');
    await page.keyboard.press('Escape');
  });

  it('shows the API field errors of every form at the field and creates nothing', async () => {
    await open('connections', 'Connections');
    await page.getByRole('button', { name: 'New connection' }).click();
    await page.getByRole('button', { name: 'Connect Twilio' }).click();
    let dialog = page.getByRole('dialog', { name: 'New Twilio connection' });
    await dialog.getByLabel('Account SID').fill('not-a-sid');
    await dialog.getByLabel('authToken').fill('some token');
    await dialog.getByRole('button', { name: 'Create connection' }).click();
    expect(await fieldError(dialog.getByLabel('Account SID'))).toMatch(/Account SID/);
    await audit('connections-form-error');
    expect(await count('/v1/connections')).toBe(1);
    expect(await count('/v1/secrets')).toBe(1);
    await page.keyboard.press('Escape');

    await open('webhooks', 'Webhooks');
    await page.getByRole('button', { name: 'New webhook' }).first().click();
    dialog = page.getByRole('dialog', { name: 'New webhook' });
    await dialog.getByLabel('URL').fill('not a url');
    await dialog.getByRole('button', { name: 'Create webhook' }).click();
    expect(await fieldError(dialog.getByLabel('URL'))).toMatch(/URL/i);
    await audit('webhooks-form-error');
    expect(await count('/v1/webhooks')).toBe(0);
    await page.keyboard.press('Escape');

    await open('teams', 'Teams');
    await page.getByRole('button', { name: 'New team' }).first().click();
    dialog = page.getByRole('dialog', { name: 'New team' });
    await dialog.getByRole('button', { name: 'Create team' }).click();
    expect(await fieldError(dialog.getByLabel('Name'))).toMatch(/\S/);
    expect(await count('/v1/teams')).toBe(0);
    await page.keyboard.press('Escape');

    await open('workflows', 'Workflows');
    await page.getByRole('button', { name: 'New workflow' }).first().click();
    dialog = page.getByRole('dialog', { name: 'New workflow' });
    await dialog.getByLabel('Name').fill('Office hours');
    await dialog.getByRole('button', { name: 'Save workflow' }).click();
    expect(await fieldError(dialog.getByLabel('While open, conversations go to'))).toMatch(/agentId or a teamId/);
    await audit('workflows-form-error');
    expect(await count('/v1/workflows')).toBe(0);
    await page.keyboard.press('Escape');

    await open('api-keys', 'API keys');
    const keysBefore = await keyCount();
    await page.getByRole('button', { name: 'New API key' }).click();
    dialog = page.getByRole('dialog', { name: 'New API key' });
    await dialog.getByLabel('Name').fill('x'.repeat(300));
    await dialog.getByRole('button', { name: 'Create key' }).click();
    expect(await fieldError(dialog.getByLabel('Name'))).toMatch(/at most/);
    await audit('api-keys-form-error');
    await page.keyboard.press('Escape');
    expect(await keyCount()).toBe(keysBefore);

    await open('members', 'Members');
    const members = await count('/v1/members');
    await page.getByRole('button', { name: 'Invite member' }).click();
    dialog = page.getByRole('dialog', { name: 'Invite a member' });
    await dialog.getByLabel('Email').fill('not an email');
    await dialog.getByRole('button', { name: 'Send invitation' }).click();
    expect(await fieldError(dialog.getByLabel('Email'))).toMatch(/email address/);
    await audit('members-form-error');
    expect(await count('/v1/members')).toBe(members);
    await page.keyboard.press('Escape');
  });

  it('saves business hours as the workflow definition the API accepts, and adds a workspace member to a team', async () => {
    const team = (await api('POST', '/v1/teams', { name: 'Night desk' })).body.data;
    await open('workflows', 'Workflows');
    await page.getByRole('button', { name: 'New workflow' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New workflow' });
    await dialog.getByLabel('Name').fill('Office hours');
    await dialog.getByLabel('Time zone').selectOption('Europe/Paris');
    await dialog.getByLabel('Open on Friday').uncheck();
    await dialog.getByLabel('Monday closes at').fill('18:30');
    await poll(() => dialog.getByLabel('While open, conversations go to').locator('option').count()).toBeGreaterThan(1);
    await dialog.getByLabel('While open, conversations go to').selectOption(`team:${team.id}`);
    await dialog.getByLabel('While closed (and on closed days), conversations go to').selectOption(`team:${team.id}`);
    await dialog.getByRole('button', { name: 'Save workflow' }).click();
    await poll(() => page.getByRole('cell', { name: 'Office hours', exact: true }).isVisible()).toBe(true);
    const [workflow] = (await api('GET', '/v1/workflows')).body.data.data;
    expect(workflow.fallback).toEqual({ teamId: team.id });
    expect(workflow.rules.map((rule: any) => rule.when.businessHours)).toEqual([
      { timeZone: 'Europe/Paris', days: ['mon'], start: '09:00', end: '18:30', inside: true },
      { timeZone: 'Europe/Paris', days: ['tue', 'wed', 'thu'], start: '09:00', end: '17:00', inside: true },
    ]);

    await open('teams', 'Teams');
    await page.getByRole('button', { name: 'Open Night desk' }).click();
    const detail = page.getByRole('dialog', { name: 'Night desk' });
    const owner = (await api('GET', '/v1/members')).body.data.data.find((m: any) => m.role === 'owner');
    await poll(() => detail.getByLabel('Workspace member').locator('option').count()).toBeGreaterThan(1);
    await detail.getByLabel('Workspace member').selectOption(owner.id);
    await detail.getByRole('button', { name: 'Add member' }).click();
    await poll(async () => (await api('GET', `/v1/teams/${team.id}`)).body.data.members.map((m: any) => m.email)).toEqual([owner.email]);
    await audit('team-detail');
    await page.keyboard.press('Escape');
  });

  it('passes axe-core and is saved as a screenshot on every page in light and dark', async () => {
    const headings: Record<string, string> = {
      connections: 'Connections',
      deliveries: 'Deliveries',
      webhooks: 'Webhooks',
      teams: 'Teams',
      workflows: 'Workflows',
      'api-keys': 'API keys',
      members: 'Members',
    };
    for (const name of PAGES) {
      await open(name, headings[name]!);
      await audit(name);
    }
    await page.goto(`${server.baseUrl}/console/connections`);
    await page.getByRole('button', { name: 'New connection' }).click();
    await audit('connections-catalogue');
    expect(violations).toEqual({});
  });

  it('keeps an agent member out of API keys and Members', async () => {
    await signIn(`agent-${engine}@example.com`, 'agent');
    const nav = page.getByRole('navigation').first();
    await poll(() => nav.getByRole('link').count()).toBeGreaterThan(0);
    const links = await nav.getByRole('link').allTextContents();
    expect(links).not.toContain('API keys');
    expect(links).not.toContain('Members');
    const session = await page.evaluate(async () => (await (await fetch('/v1/session')).json()).data);
    const status = await page.evaluate(async (id) => (await fetch(`/v1/workspaces/${id}/keys`)).status, session.workspace.id);
    expect(status).toBe(403);
    await page.goto(`${server.baseUrl}/console/api-keys`);
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toMatch(/Not available|API keys/);
    await poll(() => page.getByText(/cannot use this page|Not allowed/).isVisible()).toBe(true);
    await audit('api-keys-agent');
  });
});

/**
 * The Inbox in Chromium against the real server, on each engine: a visitor on another origin asks
 * the widget for a person, the conversation appears in a signed-in member's inbox without a
 * reload, waiting for a person; the member takes it over, replies (the visitor's widget shows it)
 * and resolves it, while a second member who tries to take it over is told who has it. axe-core
 * checks the inbox in light and dark; screenshots go to test-artifacts/console/.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace } from '../helpers/app.js';
import { controlApi } from '../helpers/control.js';
import { ENGINES } from '../helpers/engines.js';
import { availableServices } from '../helpers/services.js';
import { launchBrowser } from '../widget/harness.js';
import { auditPage, invitedMember, signInPage, startConsoleServer, startSite, type ConsoleServer, type Site } from './browser-harness.js';
import { buildConsole } from './harness.js';

const PASSWORD = 'a long enough passphrase';
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 15_000, interval: 50 });

describe.runIf(availableServices().chromium).each(ENGINES)('the inbox in Chromium on %s', (engine) => {
  let server: ConsoleServer;
  let browser: Browser;
  let site: Site;
  let key: string;
  const contexts: BrowserContext[] = [];

  const api = (method: string, path: string, body?: unknown) => controlApi(server.baseUrl, key)(method, path, body);

  async function member(name: string, email: string): Promise<void> {
    await invitedMember(server.baseUrl, key, { email, role: 'agent', name }, PASSWORD);
  }

  async function signIn(email: string, path: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    contexts.push(context);
    const page = await signInPage(context, server.baseUrl, email, PASSWORD, path);
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Inbox');
    return page;
  }

  beforeAll(async () => {
    buildConsole();
    server = await startConsoleServer(engine);
    key = (await createWorkspace(server.database.db, 'Acme support', server.app.secretBox)).apiKey;
    site = await startSite('Acme shop');
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await site?.close();
    await server?.close();
  });

  it('shows a visitor asking for a person live; one member takes over, replies and resolves; another is told who has it', async () => {
    await member('Ada Agent', `ada-${engine}@example.com`);
    await member('Ben Backup', `ben-${engine}@example.com`);
    const agent = await api('POST', '/v1/agents', { name: 'Echo bot' });
    expect(agent.status).toBe(201);
    const deployment = await api('POST', `/v1/agents/${agent.body.data.id}/deployments`, { allowedOrigins: [site.origin] });
    expect(deployment.status).toBe(201);
    site.snippet = deployment.body.data.embedSnippet;

    const ada = await signIn(`ada-${engine}@example.com`, '/console/inbox');
    const ben = await signIn(`ben-${engine}@example.com`, '/console/inbox');
    await poll(() => ada.getByText('No conversations here').isVisible()).toBe(true);

    const visitorContext = await browser.newContext();
    contexts.push(visitorContext);
    const visitor = await visitorContext.newPage();
    await visitor.goto(site.origin);
    const widget = (selector: string) => visitor.locator(`switchboard-widget ${selector}`);
    await widget('.launcher').click();
    await widget('textarea').fill('I want to talk to a person');
    await widget('textarea').press('Enter');

    // Appears without a reload, waiting for a person (the preview is the handoff notice the visitor got).
    await poll(async () => (await api('GET', '/v1/conversations?state=pending_human')).body.data.data.length).toBe(1);
    const conversationId = (await api('GET', '/v1/conversations?state=pending_human')).body.data.data[0].id as string;
    const row = ada.getByRole('row').filter({ has: ada.locator(`a[href="/console/inbox/${conversationId}"]`) });
    await poll(() => row.count()).toBe(1);
    expect(await row.getByRole('cell').nth(1).textContent()).toBe('Waiting for a person');
    // j highlights the first conversation, o opens it.
    await ada.keyboard.press('j');
    await poll(() => row.getByRole('link').evaluate((link) => link === document.activeElement)).toBe(true);
    await ada.keyboard.press('o');
    await poll(async () => new URL(ada.url()).pathname).toBe(`/console/inbox/${conversationId}`);
    await poll(() => ada.getByRole('list', { name: 'Transcript' }).textContent()).toContain('I want to talk to a person');
    expect(await ada.getByLabel('Reply as Ada Agent').isDisabled()).toBe(true);
    await auditAndExpectClean(ada, `${engine}-inbox`);

    // Ben's page misses the live update (its event stream is cut), so he still sees Take over enabled.
    await ben.route('**/v1/events', (route) => route.abort());
    await ben.goto(`${server.baseUrl}/console/inbox/${conversationId}`);
    await poll(() => ben.getByRole('button', { name: 'Take over' }).isEnabled()).toBe(true);

    await ada.getByRole('button', { name: 'Take over' }).click();
    await poll(() => ada.getByLabel('Reply as Ada Agent').isEnabled()).toBe(true);
    await ben.getByRole('button', { name: 'Take over' }).click();
    await poll(() => ben.getByRole('alert').first().textContent()).toContain('Already taken over by Ada Agent');
    await poll(() => ben.getByRole('button', { name: 'Take over' }).isEnabled()).toBe(false);
    await ben.unroute('**/v1/events');
    await ben.reload();
    await poll(() => ben.getByRole('list', { name: 'Transcript' }).textContent()).toContain('I want to talk to a person');

    const reply = ada.getByLabel('Reply as Ada Agent');
    await ada.getByRole('heading', { name: 'Conversation' }).click();
    await ada.keyboard.press('r');
    await poll(() => reply.evaluate((box) => box === document.activeElement)).toBe(true);
    await reply.fill('Hello, this is Ada');
    await reply.press('Enter');
    await poll(() => widget('.msg .text').allTextContents()).toContain('Hello, this is Ada');
    await poll(() => ben.getByRole('list', { name: 'Transcript' }).textContent()).toContain('Hello, this is Ada');
    const adaReply = ada.getByRole('list', { name: 'Transcript' }).getByRole('listitem').filter({ hasText: 'Hello, this is Ada' });
    await poll(() => adaReply.locator('strong').textContent()).toBe('Ada Agent');

    await ada.keyboard.press('Escape');
    await ada.locator('body').click({ position: { x: 5, y: 5 } });
    await ada.keyboard.press('?');
    const help = ada.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await poll(() => help.isVisible()).toBe(true);
    await auditAndExpectClean(ada, `${engine}-inbox-shortcuts`);
    await ada.keyboard.press('Escape');
    await poll(() => help.count()).toBe(0);

    await ada.getByRole('button', { name: 'Resolve' }).click();
    await poll(async () => (await api('GET', `/v1/conversations/${conversationId}`)).body.data.handoffState).toBe('resolved');
    await poll(() => ada.getByRole('button', { name: 'Take over' }).isEnabled()).toBe(false);
  });

  it("shows an agent its teammates by name and lets it assign a conversation to one of them", async () => {
    const members = (await api('GET', '/v1/members?pageSize=100')).body.data.data as Array<{ id: string; email: string }>;
    const idOf = (email: string) => members.find((m) => m.email === email)!.id;
    const [adaId, benId] = [idOf(`ada-${engine}@example.com`), idOf(`ben-${engine}@example.com`)];
    const team = await api('POST', '/v1/teams', { name: 'Front desk' });
    for (const memberId of [adaId, benId]) expect((await api('POST', `/v1/teams/${team.body.data.id}/members`, { memberId })).status).toBe(201);

    const conversationId = (await api('GET', '/v1/conversations')).body.data.data[0].id as string;
    expect((await api('POST', `/v1/conversations/${conversationId}/assign`, { memberId: adaId })).status).toBe(200);
    const ben = await signIn(`ben-${engine}@example.com`, `/console/inbox/${conversationId}`);
    await poll(() => ben.locator('#conversation-title').locator('..').textContent()).toContain('with Ada Agent');
    const person = ben.getByLabel('Person');
    await poll(() => person.locator('option').allTextContents()).toEqual(['Nobody', 'Ben Backup', 'Ada Agent']);
    await person.selectOption({ label: 'Ben Backup' });
    await ben.getByRole('button', { name: 'Assign to person' }).click();
    await poll(async () => (await api('GET', `/v1/conversations/${conversationId}`)).body.data.assignedMemberId).toBe(benId);
    await poll(() => ben.locator('#conversation-title').locator('..').textContent()).toContain('with Ben Backup');
  });

  it('opens a long conversation at its newest messages and shows earlier ones on request', async () => {
    const agentId = (await api('GET', '/v1/agents')).body.data.data[0].id as string;
    const deployed = await api('POST', `/v1/agents/${agentId}/deployments`, { allowedOrigins: [site.origin], channel: { channelIdentifier: 'https://long.example.com' } });
    const started = await fetch(`${server.baseUrl}/v1/public/runtime/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${deployed.body.data.token}`, origin: site.origin, 'content-type': 'application/json' },
      body: '{}',
    });
    const conversationId = ((await started.json()) as any).data.sessionId as string;
    for (let n = 1; n <= 120; n++) expect((await api('POST', `/v1/conversations/${conversationId}/messages`, { text: `Line ${n}` })).status).toBe(201);

    const ada = await signIn(`ada-${engine}@example.com`, `/console/inbox/${conversationId}`);
    const transcript = ada.getByRole('list', { name: 'Transcript' });
    const lines = () => transcript.locator('li p').allTextContents();
    await poll(async () => (await lines()).at(-1)).toBe('Line 120');
    expect(await lines()).not.toContain('Line 1');
    await ada.getByRole('button', { name: 'Show earlier messages' }).click();
    await poll(async () => (await lines()).length).toBe(120);
    expect(await lines()).toEqual(Array.from({ length: 120 }, (_, i) => `Line ${i + 1}`));
    expect(await ada.getByRole('button', { name: 'Show earlier messages' }).count()).toBe(0);
  });

  async function auditAndExpectClean(page: Page, name: string) {
    expect(await auditPage(page, name)).toEqual({});
  }
});

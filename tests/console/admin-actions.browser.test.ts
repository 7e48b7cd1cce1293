/**
 * What the admin pages do when the input is good, in Chromium against the real server on each
 * engine: an invitation link shown once opens a working account; an API key shown once works and
 * stops working when revoked in the page; a webhook's signing secret shown once verifies the test
 * event sent from the page, which is listed among its deliveries; the overview shows a dead reply
 * to the fake Twilio and the connection's last webhook and refusal, and the reply is retried from
 * Deliveries and reaches Twilio.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace } from '../helpers/app.js';
import { controlApi } from '../helpers/control.js';
import { ENGINES } from '../helpers/engines.js';
import { availableServices } from '../helpers/services.js';
import { postSmsBurst, setUpTwilioSms } from '../helpers/twilio-sms.js';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import { launchBrowser } from '../widget/harness.js';
import { invitedMember, signInPage, startConsoleServer, type ConsoleServer } from './browser-harness.js';
import { buildConsole } from './harness.js';

const PASSWORD = 'a long enough passphrase';
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 15_000, interval: 50 });

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver that records every POST and answers 200, whatever its signature. */
async function startRecorder(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.runIf(availableServices().chromium).each(ENGINES)('admin pages doing their work in Chromium on %s', (engine) => {
  let server: ConsoleServer;
  let twilio: FakeTwilio;
  let recorder: Awaited<ReturnType<typeof startRecorder>>;
  let browser: Browser;
  let key: string;
  let workspaceId: string;
  let page: Page;
  const contexts: BrowserContext[] = [];
  const api = (method: string, path: string, body?: unknown) => controlApi(server.baseUrl, key)(method, path, body);

  async function open(path: string, heading: string) {
    await page.goto(`${server.baseUrl}/console/${path}`);
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(heading);
    await poll(() => page.locator('[aria-busy="true"]').count()).toBe(0);
  }

  /** The secret a "shown once" dialog holds; closing it with Done. */
  async function shownOnce(title: string): Promise<string> {
    const dialog = page.getByRole('dialog', { name: title });
    await poll(() => dialog.getByTestId('issued-secret').isVisible()).toBe(true);
    expect(await dialog.textContent()).toContain('it will not be shown again');
    const secret = (await dialog.getByTestId('issued-secret').textContent())!.trim();
    await dialog.getByRole('button', { name: 'Done' }).click();
    await poll(() => dialog.count()).toBe(0);
    expect(await page.content()).not.toContain(secret);
    return secret;
  }

  async function signIn(email: string, password: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    return signInPage(context, server.baseUrl, email, password);
  }

  beforeAll(async () => {
    buildConsole();
    server = await startConsoleServer(engine);
    const workspace = await createWorkspace(server.database.db, 'Acme support', server.app.secretBox);
    key = workspace.apiKey;
    workspaceId = workspace.workspaceId;
    twilio = await startFakeTwilio();
    recorder = await startRecorder();
    browser = await launchBrowser();
    const email = `owner-${engine}@example.com`;
    await invitedMember(server.baseUrl, key, { email, role: 'owner', name: 'Olive Owner' }, PASSWORD);
    page = await signIn(email, PASSWORD);
  }, 120_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await recorder?.close();
    await twilio?.close();
    await server?.close();
  });

  it('invites a member whose link, shown once, sets a password that signs in as an agent', async () => {
    await open('members', 'Members');
    await page.getByRole('button', { name: 'Invite member' }).first().click();
    const form = page.getByRole('dialog', { name: 'Invite a member' });
    await form.getByLabel('Email').fill('ines@example.com');
    await form.getByLabel('Name (optional)').fill('Inès Inbox');
    await form.getByLabel('Role').selectOption('agent');
    await form.getByRole('button', { name: 'Send invitation' }).click();
    const link = await shownOnce('Invitation link');
    expect(link).toMatch(new RegExp(`^${server.baseUrl}/console/invite/`));
    await poll(() => page.getByRole('cell', { name: 'ines@example.com' }).count()).toBe(1);

    const invitee = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    contexts.push(invitee);
    const tab = await invitee.newPage();
    await tab.goto(link);
    await tab.getByLabel('Password', { exact: true }).fill('another long passphrase');
    await tab.getByLabel('Password again').fill('another long passphrase');
    await tab.getByRole('button', { name: 'Set password and sign in' }).click();
    await poll(() => tab.getByRole('heading', { level: 1 }).textContent()).toBe('Inbox');
    const members = (await api('GET', '/v1/members')).body.data.data;
    expect(members.find((m: any) => m.email === 'ines@example.com')).toMatchObject({ name: 'Inès Inbox', role: 'agent', status: 'active' });
    // The link was for one use.
    const again = await fetch(`${server.baseUrl}/v1/invitations/${link.split('/').pop()}`);
    expect(again.status).toBe(404);
  });

  it('creates an API key shown once that works, and revokes it after confirmation', async () => {
    await open('api-keys', 'API keys');
    await page.getByRole('button', { name: 'New API key' }).first().click();
    const form = page.getByRole('dialog', { name: 'New API key' });
    await form.getByLabel('Name').fill('Reporting job');
    await form.getByRole('button', { name: /^Create/ }).click();
    const issued = await shownOnce('Your new API key');
    expect(issued).toMatch(/^sbk_/);
    const withIssued = () => fetch(`${server.baseUrl}/v1/agents`, { headers: { authorization: `Bearer ${issued}` } }).then((r) => r.status);
    expect(await withIssued()).toBe(200);

    await page.getByRole('button', { name: 'Revoke Reporting job' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke API key' });
    await confirm.getByRole('button', { name: 'Revoke key' }).click();
    await poll(() => confirm.count()).toBe(0);
    expect(await withIssued()).toBe(401);
    // A workspace's keys are listed to its signed-in members (or an instance administrator's key).
    const keys = await page.evaluate(async (id) => (await (await fetch(`/v1/workspaces/${id}/keys`)).json()).data.data, workspaceId);
    expect(keys.find((k: any) => k.name === 'Reporting job').revokedAt).toEqual(expect.any(Number));
  });

  it('creates a webhook whose secret, shown once, verifies the test event sent from the page', async () => {
    await open('webhooks', 'Webhooks');
    await page.getByRole('button', { name: 'New webhook' }).first().click();
    const form = page.getByRole('dialog', { name: 'New webhook' });
    await form.getByLabel('URL').fill(recorder.url);
    await form.getByRole('button', { name: /^Create/ }).click();
    const secret = await shownOnce('Signing secret');
    expect(secret).toMatch(/^whsec_/);

    // Another subscription's test event: the dialog lists and counts only this webhook's deliveries.
    const other = await api('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/other', events: ['handoff.accepted'] });
    expect((await api('POST', `/v1/webhooks/${other.body.data.id}/test`)).status).toBe(200);

    await page.getByRole('button', { name: `Test and deliveries for ${recorder.url}` }).click();
    await page.getByRole('button', { name: 'Send test event' }).click();
    await poll(async () => recorder.received.length).toBe(1);
    const [test] = recorder.received;
    const event = new Webhook(secret).verify(test!.body, test!.headers as Record<string, string>) as { type: string };
    expect(event.type).toBe('webhook.test');
    const dialog = page.getByRole('dialog');
    await poll(() => dialog.getByRole('cell', { name: 'sent', exact: true }).count()).toBe(1);
    expect(await dialog.locator('tbody tr').count()).toBe(1);
    expect(await dialog.getByRole('navigation', { name: 'Pages' }).textContent()).toContain('1 in all');
  });

  it('retries a dead reply from Deliveries, and it reaches Twilio', async () => {
    const { path } = await setUpTwilioSms(controlApi(server.baseUrl, key), twilio);
    twilio.failNext(400, { code: 21211, message: "The 'To' number is not a valid phone number." });
    expect(await postSmsBurst(server.baseUrl, server.baseUrl, path, twilio, 1, 'Retry me', 1000)).toEqual([200]);
    await poll(async () => (await api('GET', '/v1/deliveries?status=dead')).body.data.data.length).toBe(1);
    expect(twilio.messages).toHaveLength(0);

    // The overview sums it up: the sms channel, the dead reply with its error, the connection's last webhook and refusal.
    const unsigned = await fetch(`${server.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Body=x' });
    expect(unsigned.status).toBeGreaterThanOrEqual(400);
    await open('', 'Overview');
    const card = (title: string) => page.locator('.card').filter({ has: page.getByRole('heading', { name: title }) });
    expect(await card('Channels by type').textContent()).toContain('sms: 1');
    expect(await card('Conversations').textContent()).toContain('0waiting for a person, of 1 open.');
    expect(await card('Dead deliveries, last 24 hours').locator('.big').textContent()).toBe('1');
    expect(await card('Dead deliveries, last 24 hours').textContent()).toContain("The 'To' number is not a valid phone number.");
    const twilioRow = page.getByRole('row').filter({ hasText: 'twilio' });
    const [lastInbound, lastRefusal] = await twilioRow.getByRole('cell').evaluateAll((cells) => cells.slice(2).map((cell) => cell.textContent ?? ''));
    expect(lastInbound).not.toMatch(/none|—/);
    expect(lastRefusal).toMatch(/\(.+\)$/);

    await open('deliveries', 'Deliveries');
    const row = page.locator('tbody tr');
    await poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain("The 'To' number is not a valid phone number.");
    await row.getByRole('button', { name: /^Retry delivery/ }).click();
    await poll(async () => twilio.messages.length).toBe(1);
    expect(twilio.messages[0]!.body).toBe('Retry me 0');
    await poll(async () => (await api('GET', '/v1/deliveries?status=dead')).body.data.data.length).toBe(0);
  });
});

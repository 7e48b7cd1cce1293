/**
 * The widget's programmatic API in Chromium, against the real server (SQLite and PostgreSQL):
 * identify with the right userHash links the visitor to the user (their conversation follows
 * them to another browser), a wrong one is refused with a console message and links nothing;
 * on('open'|'close'|'message'|'unread') fire (a throwing listener breaks nothing) and off stops
 * them; track is stored on the contact; neither identify nor track creates a conversation;
 * logout forgets the signed-in user on the browser.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { availableServices } from '../helpers/services.js';
import { useLiveWidget } from './live-widget.js';

const withChromium = availableServices().chromium;
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 15_000, interval: 50 });
const sign = (secret: string, userId: string) => createHmac('sha256', secret).update(userId, 'utf8').digest('hex');

/** A customer's site: the page's body (after the loader and init) is set by each test. */
async function startSite() {
  let body = '';
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Site</title></head><body><h1>A customer's site</h1>${body}</body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    set: (html: string) => void (body = html),
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

describe.runIf(withChromium).each(ENGINES)('widget identify, events and track on %s', (engine) => {
  const live = useLiveWidget(engine);
  const { api, count, contexts, logs } = live;
  let site: Awaited<ReturnType<typeof startSite>>;
  let deployment: { id: string; token: string };
  let secret: string;

  /** A page carrying the snippet, with `before` pushed ahead of init (queued) and `after` pushed after it. */
  async function visit(options: { before?: string; after?: string; context?: BrowserContext } = {}) {
    site.set(`<script>
  window.events = [];
  window.SwitchboardQueue = window.SwitchboardQueue || [];
  ${options.before ?? ''}
</script>
<script src="${live.server.baseUrl}/embed/v1.js"></script>
<script>
  SwitchboardQueue.push(['init', { token: ${JSON.stringify(deployment.token)}, apiUrl: ${JSON.stringify(live.server.baseUrl)} }]);
  ${options.after ?? ''}
</script>`);
    const page = await live.newPage(options.context);
    await page.goto(site.origin);
    await page.locator('switchboard-widget .root.ready').waitFor();
    return page;
  }
  const $ = (page: Page, selector: string) => page.locator(`switchboard-widget ${selector}`);
  const events = (page: Page) => page.evaluate(() => (window as unknown as { events: unknown[] }).events);
  const record = `['open', 'close', 'message', 'unread'].forEach(function (name) {
    SwitchboardQueue.push(['on', name, function (data) { window.events.push(data === undefined ? [name] : [name, data]); }]);
  });`;
  async function send(page: Page, text: string) {
    await $(page, 'textarea').fill(text);
    await $(page, 'textarea').press('Enter');
  }

  beforeAll(async () => {
    site = await startSite();
    const agent = await api('POST', '/v1/agents', { name: 'Concierge', introductionMessage: 'Hi there' });
    const deployed = await api('POST', `/v1/agents/${agent.data.id}/deployments`, { allowedOrigins: [site.origin] });
    deployment = deployed.data;
    secret = (await api('POST', `/v1/agents/${agent.data.id}/deployments/${deployment.id}/identity-secret`)).data.identitySecret;
  });
  afterAll(async () => {
    await site?.close();
  });

  it('fires open, close, message and unread; a listener that throws breaks nothing; off stops a listener', async () => {
    const page = await visit({
      before: `SwitchboardQueue.push(['on', 'message', function () { throw new Error('a broken listener'); }]);\n  ${record}`,
    });
    await $(page, 'button.launcher').click();
    await poll(() => events(page)).toContainEqual(['open']);
    await send(page, 'Hello there');
    await poll(async () => (await events(page)).filter((e: any) => e[0] === 'message').map((e: any) => e[1].role)).toEqual(['contact', 'agent']);
    const messages = (await events(page)).filter((e: any) => e[0] === 'message').map((e: any) => e[1]);
    expect(messages[0]).toEqual({ role: 'contact', text: 'Hello there', id: expect.stringMatching(/^msg_/) });
    expect(messages[1]).toMatchObject({ role: 'agent', id: expect.stringMatching(/^msg_/), text: expect.any(String) });
    expect(logs.get(page)!.filter((line) => line.includes("a 'message' listener threw"))).toHaveLength(2);
    await poll(() => $(page, '.msg.agent:not(.greeting)').count()).toBe(1); // the widget carried on

    await page.evaluate(() => (window as any).SwitchboardQueue.push(['toggle']));
    await poll(() => events(page)).toContainEqual(['close']);
    // An agent message while the panel is closed: unread 1, then 0 once opened again.
    const sessionId = (await live.server.db.selectFrom('messages').select('conversation_id').where('id', '=', messages[0].id).executeTakeFirstOrThrow()).conversation_id;
    await api('POST', `/v1/conversations/${sessionId}/messages`, { text: 'Are you still there?' });
    await poll(() => events(page)).toContainEqual(['unread', 1]);
    await page.evaluate(() => (window as any).SwitchboardQueue.push(['toggle']));
    await poll(() => events(page)).toContainEqual(['unread', 0]);
    expect((await events(page)).map((e: any) => e[0]).filter((name: string) => name === 'open' || name === 'close')).toEqual(['open', 'close', 'open']);

    await page.evaluate(() => {
      const w = window as any;
      w.SwitchboardQueue.push(['on', 'close', (w.onClose = () => w.events.push(['second close listener']))]);
      w.SwitchboardQueue.push(['off', 'close', w.onClose]);
    });
    await $(page, 'button.close').click();
    await poll(async () => (await events(page)).filter((e: any) => e[0] === 'close')).toHaveLength(2);
    expect(await events(page)).not.toContainEqual(['second close listener']);
  });

  it('identify with the right userHash, pushed before init, links the visitor: their conversation follows them to another browser', async () => {
    const userId = `user-${engine}-1`;
    const identify = `SwitchboardQueue.push(['identify', { userId: '${userId}', userHash: '${sign(secret, userId)}', name: 'Ada', email: 'ada@example.com', attributes: { plan: 'pro' } }]);`;
    const conversations = await count('conversations');
    const laptop = await visit({ before: identify });
    await poll(async () => (await live.server.db.selectFrom('contacts').selectAll().where('external_id', '=', userId).executeTakeFirst())?.display_name).toBe('Ada');
    expect(await count('conversations')).toBe(conversations); // identify alone starts nothing

    await $(laptop, 'button.launcher').click();
    await send(laptop, 'Sent from my laptop');
    await poll(() => $(laptop, '.msg.agent:not(.greeting)').count()).toBe(1);
    const user = (await live.server.db.selectFrom('contacts').selectAll().where('external_id', '=', userId).executeTakeFirstOrThrow())!;
    expect(JSON.parse(user.attributes!)).toMatchObject({ email: 'ada@example.com', plan: 'pro' });
    const conversation = await live.server.db.selectFrom('conversations').selectAll().where('contact_id', '=', user.id).executeTakeFirstOrThrow();

    // Another browser (no storage shared): the same user sees the conversation.
    const phone = await visit({ after: identify });
    await $(phone, 'button.launcher').click();
    await poll(() => $(phone, '.msg.contact .text').allTextContents()).toEqual(['Sent from my laptop']);
    await send(phone, 'And from my phone');
    await poll(async () => (await live.server.db.selectFrom('messages').select('text').where('conversation_id', '=', conversation.id).where('role', '=', 'contact').execute()).map((m) => m.text)).toEqual([
      'Sent from my laptop',
      'And from my phone',
    ]);
    // The laptop hears the phone's message live.
    await poll(() => $(laptop, '.msg.contact .text').allTextContents()).toEqual(['Sent from my laptop', 'And from my phone']);
  });

  it('logout forgets the signed-in user on this browser: the chat goes on as a new anonymous visitor', async () => {
    const userId = `user-${engine}-shared`;
    const page = await visit({ after: `SwitchboardQueue.push(['identify', { userId: '${userId}', userHash: '${sign(secret, userId)}' }]);` });
    await $(page, 'button.launcher').click();
    await send(page, 'Private question');
    await poll(() => $(page, '.msg.agent:not(.greeting)').count()).toBe(1);
    const user = await live.server.db.selectFrom('contacts').selectAll().where('external_id', '=', userId).executeTakeFirstOrThrow();
    const stored = () => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('switchboard:visitor:')).map((k) => localStorage.getItem(k)));

    const before = await stored();
    await page.evaluate(() => (window as any).SwitchboardQueue.push(['logout']));
    await poll(() => $(page, '.msg.contact').count()).toBe(0);
    await send(page, 'Someone else now');
    await poll(() => $(page, '.msg.agent:not(.greeting)').count()).toBe(1);
    expect(await stored()).not.toEqual(before);
    const latest = await live.server.db.selectFrom('messages').select('conversation_id').where('text', '=', 'Someone else now').executeTakeFirstOrThrow();
    const conversation = await live.server.db.selectFrom('conversations').selectAll().where('id', '=', latest.conversation_id).executeTakeFirstOrThrow();
    expect(conversation.contact_id).not.toBe(user.id);
    expect(await live.server.db.selectFrom('contacts').select('external_id').where('id', '=', conversation.contact_id).executeTakeFirstOrThrow()).toEqual({ external_id: null });
  });

  it('logout pushed before init forgets what the browser stored for the signed-in user', async () => {
    const userId = `user-${engine}-early`;
    const context = await live.browser.newContext();
    contexts.push(context);
    const stored = (page: Page) => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('switchboard:visitor:')).map((k) => localStorage.getItem(k)));
    const first = await visit({ context, after: `SwitchboardQueue.push(['identify', { userId: '${userId}', userHash: '${sign(secret, userId)}' }]);` });
    await poll(async () => (await stored(first)).length).toBe(1);
    await first.close();
    const next = await visit({ context, before: `SwitchboardQueue.push(['logout']);` });
    await poll(() => stored(next)).toEqual([]);
  });

  it('a wrong userHash is refused with a console message and links nothing; the chat still works anonymously', async () => {
    const victim = `user-${engine}-victim`;
    const page = await visit({ after: `SwitchboardQueue.push(['identify', { userId: '${victim}', userHash: '${sign('idsec_guessed', victim)}', name: 'Mallory' }]);` });
    await poll(() => logs.get(page)!.find((line) => line.includes('identify refused'))).toMatch(
      /^error: \[switchboard\] identify refused: userHash does not match userId/,
    );
    expect(await live.server.db.selectFrom('contacts').select('id').where('external_id', '=', victim).executeTakeFirst()).toBeUndefined();
    await $(page, 'button.launcher').click();
    await send(page, 'Anonymous after all');
    await poll(() => $(page, '.msg.agent:not(.greeting)').count()).toBe(1);
    const conversation = await live.server.db.selectFrom('conversations').selectAll().orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    const contact = await live.server.db.selectFrom('contacts').selectAll().where('id', '=', conversation.contact_id).executeTakeFirstOrThrow();
    expect(contact).toMatchObject({ external_id: null, display_name: null });
  });

  it('track is stored on the contact without creating a conversation; the chat opened later is that contact\'s', async () => {
    const conversations = await count('conversations');
    const page = await visit({ after: `SwitchboardQueue.push(['track', 'viewed pricing', { plan: 'pro', seats: 3 }]); SwitchboardQueue.push(['track', 'bad name!']);` });
    await poll(() => logs.get(page)!.find((line) => line.includes('track refused'))).toMatch(/event: event names are/);
    const event = await live.server.db.selectFrom('contact_events').selectAll().where('name', '=', 'viewed pricing').executeTakeFirstOrThrow();
    expect(JSON.parse(event.data!)).toEqual({ plan: 'pro', seats: 3 });
    expect(await count('conversations')).toBe(conversations);

    await $(page, 'button.launcher').click();
    await send(page, 'A question about pricing');
    await poll(() => $(page, '.msg.agent:not(.greeting)').count()).toBe(1);
    const conversation = await live.server.db.selectFrom('conversations').selectAll().orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    expect(conversation.contact_id).toBe(event.contact_id);
    const listed = await api('GET', `/v1/contacts/${event.contact_id}/events`);
    expect(listed.data.data).toEqual([expect.objectContaining({ name: 'viewed pricing', data: { plan: 'pro', seats: 3 } })]);
  });
});

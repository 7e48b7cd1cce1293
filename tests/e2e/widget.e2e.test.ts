/**
 * The web widget end to end, on each engine: the real Switchboard (buildApp on SQLite or
 * PostgreSQL, serving /embed/v1.js itself), an openai-compatible agent whose LLM is a fake that
 * streams its answer in spaced chunks, and headless Chromium on host pages carrying the spec's
 * exact embed snippet on their own origins. It walks the story: the greeting, a streamed
 * reply, resume after a reload, a page on another origin refused (nothing shown, the site owner
 * told why in the console), and revocation (mid-conversation and for a new page view). Screenshots go to test-artifacts/e2e/<engine>-NN-*.png.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeServer, sleep, type FakeServer } from '../agents/fake-server.js';
import { ENGINES } from '../helpers/engines.js';
import { startLiveServer, type LiveServer } from '../helpers/live-server.js';
import { ROOT, buildWidget, launchBrowser } from '../widget/harness.js';
import { availableServices } from '../helpers/services.js';

const ARTIFACTS = join(ROOT, 'test-artifacts', 'e2e');
const GREETING = 'Hello! Ask me anything.';
const INSTRUCTIONS = 'You are the Switchboard end-to-end test agent. Answer in one short sentence.';
const API_KEY = 'sk-test-e2e-4f9c2a7d1b';
const QUESTION = 'What are your opening hours?';
const REVOKED = 'This chat is no longer available (the deployment token was revoked).';
const CHUNK_MS = 200;
/** What the fake LLM streams for a user message: the message echoed, then the rest, chunk by chunk. */
const chunksFor = (text: string) => [`You asked: "${text}". `, 'We are ', 'open ', 'every day ', 'from 9 to 5.'];
const REPLY = chunksFor(QUESTION).join('');

const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 15_000, interval: 50 });

/** The snippet exactly as the spec (and the deployment's `embedSnippet`) gives it. */
const snippet = (apiUrl: string, agentId: string, token: string) =>
  [
    `<script src="${apiUrl}/embed/v1.js"></script>`,
    '<script>',
    "  ConvoshipQueue.push(['init', {",
    `    agentId: '${agentId}',`,
    `    token: '${token}',`,
    "    channel: 'web',",
    `    apiUrl: '${apiUrl}'`,
    '  }]);',
    '</script>',
  ].join('\n');

interface Site {
  origin: string;
  /** Set once the deployment exists; the page serves it inside its body. */
  snippet: string;
  close(): Promise<void>;
}

/** A customer's website: a node:http server on 127.0.0.1 and its own port (hence its own origin). */
async function startSite(title: string): Promise<Site> {
  const site: Site = { origin: '', snippet: '', close: async () => undefined };
  const server: Server = createServer((request, response) => {
    if (new URL(request.url ?? '/', 'http://site').pathname !== '/') return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>body { font-family: Georgia, serif; color: #333; margin: 24px; }</style>
</head>
<body>
<h1>${title}</h1>
<p>A customer's page with the Switchboard embed snippet pasted in.</p>
${site.snippet}
</body>
</html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  site.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  site.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return site;
}

/** What the page's network did: responses (with status) and requests the browser failed or blocked. */
interface NetworkLog {
  responses: { method: string; url: string; status: number }[];
  failed: { method: string; url: string; error: string }[];
  /** CORS preflights, as Chromium's DevTools protocol reports them (Playwright's events leave them out). */
  preflights: { url: string; status: number }[];
  console: string[];
}

describe.runIf(availableServices().chromium).each(ENGINES)('the embedded widget against the real server on %s', (engine) => {
  let server: LiveServer;
  let llm: FakeServer;
  let browser: Browser;
  let site: Site;
  let elsewhere: Site;
  let key: string;
  let agentId: string;
  let deploymentId: string;
  let token: string;
  let sessionId: string;
  let page: Page;
  const contexts: BrowserContext[] = [];
  let shot = 0;

  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  const sessionsUrl = () => `${server.baseUrl}/v1/public/runtime/sessions`;
  /** The page is `<html lang="en">`: the widget asks for its texts in English. */
  const configUrl = () => `${server.baseUrl}/v1/public/runtime/config?locale=en`;
  const isSessionStart = (method: string, url: string) => method === 'POST' && url === sessionsUrl();
  const $ = (target: Page, selector: string) => target.locator(`switchboard-widget ${selector}`);
  const screenshot = async (target: Page, name: string) => {
    const path = join(ARTIFACTS, `${engine}-${String(++shot).padStart(2, '0')}-${name}.png`);
    await target.screenshot({ path });
    return path;
  };

  /** A fresh browser context (its own storage) with its network recorded. */
  async function newPage(): Promise<{ page: Page; network: NetworkLog }> {
    const context = await browser.newContext({ viewport: { width: 1024, height: 760 } });
    contexts.push(context);
    const opened = await context.newPage();
    const network: NetworkLog = { responses: [], failed: [], preflights: [], console: [] };
    opened.on('console', (message) => network.console.push(`${message.type()}: ${message.text()}`));
    opened.on('response', (response) => network.responses.push({ method: response.request().method(), url: response.url(), status: response.status() }));
    opened.on('requestfailed', (request) =>
      network.failed.push({ method: request.method(), url: request.url(), error: request.failure()?.errorText ?? '' }),
    );
    const cdp = await context.newCDPSession(opened);
    cdp.on('Network.responseReceived', (event) => {
      if (event.type === 'Preflight') network.preflights.push({ url: event.response.url, status: event.response.status });
    });
    await cdp.send('Network.enable');
    return { page: opened, network };
  }

  /** The agent replies (not the greeting) and whether the typing indicator shows, read in one go. */
  const chatState = (target: Page) =>
    target.evaluate(() => {
      const root = document.querySelector('switchboard-widget')!.shadowRoot!;
      return {
        replies: Array.from(root.querySelectorAll('.msg.agent:not(.greeting) .text'), (el) => el.textContent ?? ''),
        typing: !(root.querySelector('.typing') as HTMLElement).hidden,
      };
    });

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    buildWidget();
    [server, llm, browser, site, elsewhere] = await Promise.all([
      startLiveServer(engine, { runtimeRateLimits: { perIp: 10_000, perToken: 10_000 } }),
      startFakeServer(),
      launchBrowser(),
      startSite('Acme Hardware'),
      startSite('Someone else'),
    ]);
    // The fake LLM: an OpenAI-style streamed chat completion, chunks spaced out, echoing the question.
    llm.handler = async (request, response) => {
      if (request.method !== 'POST' || request.url !== '/v1/chat/completions') return void response.writeHead(404).end();
      const { messages } = JSON.parse(request.body) as { messages: { role: string; content: string }[] };
      response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
      const event = (payload: unknown) => `data: ${JSON.stringify(payload)}\n\n`;
      response.write(event({ choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }));
      for (const content of chunksFor(messages.at(-1)!.content)) {
        await sleep(CHUNK_MS);
        response.write(event({ choices: [{ index: 0, delta: { content }, finish_reason: null }] }));
      }
      response.end(event({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }) + 'data: [DONE]\n\n');
    };

    key = (await server.newWorkspace()).apiKey;
    const agent = await api('POST', '/v1/agents', {
      name: 'Concierge',
      introductionMessage: GREETING,
      instructions: INSTRUCTIONS,
      backend: { type: 'openai-compatible', baseUrl: `${llm.url}/v1`, model: 'fake-model', apiKey: API_KEY },
    });
    expect(agent.status, JSON.stringify(agent.body)).toBe(201);
    agentId = agent.body.data.id;
    const deployed = await api('POST', `/v1/agents/${agentId}/deployments`, {
      name: 'Website',
      allowedOrigins: [site.origin],
      theme: { primaryColor: '#0b5fff', headerTitle: 'Ask Acme' },
    });
    expect(deployed.status, JSON.stringify(deployed.body)).toBe(201);
    deploymentId = deployed.body.data.id;
    token = deployed.body.data.token;
    expect(token).toMatch(/^cdp_/);
    site.snippet = elsewhere.snippet = snippet(server.baseUrl, agentId, token);
    // The page carries the very snippet the server issues (which names its configured public URL).
    expect(site.snippet).toBe(deployed.body.data.embedSnippet.replaceAll('http://localhost:8787', server.baseUrl));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(contexts.map((context) => context.close().catch(() => undefined)));
    await browser?.close();
    await Promise.all([server?.close(), llm?.close(), site?.close(), elsewhere?.close()]);
  });

  it('loads from the snippet on an allowed origin: the launcher, then (once opened) the session and the greeting', async () => {
    let network: NetworkLog;
    ({ page, network } = await newPage());
    const [config] = await Promise.all([page.waitForResponse((response) => response.url() === configUrl()), page.goto(site.origin)]);
    expect(config.status()).toBe(200);
    expect((await config.json()).data).toMatchObject({ greeting: GREETING, agent: { id: agentId, name: 'Concierge' } });
    await expect.poll(() => $(page, '.launcher').isVisible()).toBe(true);
    // A page view alone starts nothing.
    await page.waitForTimeout(500);
    expect(network.responses.filter((r) => isSessionStart(r.method, r.url))).toEqual([]);
    expect((await api('GET', '/v1/conversations?pageSize=100')).body.data.data.filter((c: any) => c.agentId === agentId)).toEqual([]);

    const [started] = await Promise.all([
      page.waitForResponse((response) => isSessionStart(response.request().method(), response.url())),
      $(page, '.launcher').click(),
    ]);
    expect(started.status()).toBe(201);
    expect(started.headers()['access-control-allow-origin']).toBe(site.origin);
    const session = (await started.json()).data;
    expect(session).toMatchObject({ resumed: false, greeting: GREETING, agent: { id: agentId, name: 'Concierge' } });
    sessionId = session.sessionId;
    await poll(() => $(page, '.msg.greeting .text').textContent()).toBe(GREETING);
    expect(await $(page, '.title').textContent()).toBe('Ask Acme');
    expect(await $(page, '[role=alert]').textContent()).toBe('');
    await screenshot(page, 'greeting');
  });

  it('sends a message and receives the agent reply streamed, with the typing indicator', async () => {
    // Every change of the reply and of the typing indicator, as the page saw it.
    await page.evaluate(() => {
      const root = document.querySelector('switchboard-widget')!.shadowRoot!;
      const seen: { text: string; typing: boolean }[] = [];
      (window as unknown as { __seen: typeof seen }).__seen = seen;
      const record = () => {
        const replies = root.querySelectorAll('.msg.agent:not(.greeting) .text');
        const text = replies.length ? (replies[replies.length - 1]!.textContent ?? '') : '';
        const typing = !(root.querySelector('.typing') as HTMLElement).hidden;
        const last = seen[seen.length - 1];
        if (!last || last.text !== text || last.typing !== typing) seen.push({ text, typing });
      };
      new MutationObserver(record).observe(root, { subtree: true, childList: true, characterData: true, attributes: true });
    });

    await $(page, 'textarea').fill(QUESTION);
    await $(page, 'textarea').press('Enter');
    await poll(() => $(page, '.msg.contact .text').allTextContents()).toEqual([QUESTION]);
    await expect.poll(() => $(page, '.typing').isVisible()).toBe(true);

    // Some of the reply, not all of it, while the dots still show.
    let partial = { replies: [] as string[], typing: false };
    await poll(async () => (partial = await chatState(page)).replies.join('')).not.toBe('');
    expect(partial.replies).toHaveLength(1);
    expect(partial.replies[0]!.length).toBeLessThan(REPLY.length);
    expect(REPLY.startsWith(partial.replies[0]!)).toBe(true);
    expect(partial.typing).toBe(true);
    await screenshot(page, 'streaming');

    await poll(() => chatState(page)).toEqual({ replies: [REPLY], typing: false });
    await screenshot(page, 'reply');

    const seen = await page.evaluate(() => (window as unknown as { __seen: { text: string; typing: boolean }[] }).__seen);
    const growing = [...new Set(seen.map((s) => s.text).filter((text) => text !== ''))];
    expect(growing.at(-1)).toBe(REPLY);
    expect(growing.length).toBeGreaterThanOrEqual(3); // the reply grew chunk by chunk
    for (const text of growing) expect(REPLY.startsWith(text)).toBe(true);
    expect(seen.some((s) => s.text !== '' && s.text !== REPLY && s.typing)).toBe(true);

    // The fake LLM was asked with the key, the instructions as the system prompt, and the message.
    expect(llm.requests).toHaveLength(1);
    const asked = llm.requests[0]!;
    expect(asked.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(JSON.parse(asked.body)).toMatchObject({
      model: 'fake-model',
      stream: true,
      messages: [
        { role: 'system', content: INSTRUCTIONS },
        { role: 'user', content: QUESTION },
      ],
    });
  });

  it('resumes the same conversation after a reload', async () => {
    await page.reload();
    await expect.poll(() => $(page, '.launcher').isVisible()).toBe(true);
    const [resumed] = await Promise.all([
      page.waitForResponse((response) => isSessionStart(response.request().method(), response.url())),
      $(page, '.launcher').click(),
    ]);
    expect(resumed.status()).toBe(200);
    expect((await resumed.json()).data).toMatchObject({ sessionId, resumed: true });

    await poll(() => $(page, '.msg .text').allTextContents()).toEqual([GREETING, QUESTION, REPLY]);
    expect(await $(page, '.msg.contact .text').allTextContents()).toEqual([QUESTION]);
    await screenshot(page, 'resumed');

    const listed = await api('GET', '/v1/conversations?pageSize=100');
    expect(listed.status).toBe(200);
    const ours = listed.body.data.data.filter((conversation: { webDeploymentId: string | null }) => conversation.webDeploymentId === deploymentId);
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatchObject({ id: sessionId, agentId, status: 'open' });
    const messages = await api('GET', `/v1/conversations/${sessionId}/messages`);
    expect(messages.body.data.data.map((m: { role: string; text: string }) => [m.role, m.text])).toEqual([
      ['contact', QUESTION],
      ['agent', REPLY],
    ]);
    expect(llm.requests).toHaveLength(1);
  });

  it('refuses a page on another origin: visitors see nothing, the site owner reads why in the console', async () => {
    const { page: other, network } = await newPage();
    await other.goto(elsewhere.origin);
    await poll(async () => network.console).toContain(
      `error: [switchboard] The chat is unavailable on ${elsewhere.origin}: Origin ${elsewhere.origin} is not allowed for this deployment. Add ${elsewhere.origin} to the deployment's allowed origins.`,
    );
    expect(await $(other, '.launcher').isVisible()).toBe(false);
    await screenshot(other, 'other-origin');

    // The configuration request never got through: its preflight answered 403, so the browser failed the GET; nothing was started.
    expect(network.preflights).toContainEqual({ url: configUrl(), status: 403 });
    expect(network.failed).toContainEqual(expect.objectContaining({ method: 'GET', url: configUrl() }));
    expect(network.responses.filter((r) => isSessionStart(r.method, r.url))).toEqual([]);
    // What let the widget name the reason.
    expect(network.responses).toContainEqual(
      expect.objectContaining({ method: 'GET', url: expect.stringContaining('/v1/public/runtime/origin-check?tokenPrefix='), status: 200 }),
    );

    const direct = await fetch(sessionsUrl(), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, origin: elsewhere.origin, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(direct.status).toBe(403);
    expect((await direct.json()).message).toBe(`Origin ${elsewhere.origin} is not allowed for this deployment`);
  });

  it('after revoke: the open chat stops by itself, and a new session fails', async () => {
    const revoked = await api('POST', `/v1/agents/${agentId}/deployments/${deploymentId}/revoke`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.data.revokedAt).toEqual(expect.any(Number));

    // The chat that was open: its stream is ended with the reason, and the widget says so without being asked.
    await poll(() => $(page, '[role=alert]').textContent()).toBe(REVOKED);
    expect(await $(page, 'textarea').isDisabled()).toBe(true);
    await screenshot(page, 'revoked-open-chat');

    // A fresh page load on the allowed origin: no launcher, the reason in the console.
    const { page: fresh, network } = await newPage();
    await fresh.goto(site.origin);
    await poll(async () => network.console).toContain(
      `error: [switchboard] The chat is unavailable on ${site.origin}: Deployment token was revoked. Use the deployment's current token.`,
    );
    expect(await $(fresh, '.launcher').isVisible()).toBe(false);
    // No active deployment allows the origin any more, so the preflight is refused; origin-check names the reason.
    expect(network.preflights).toContainEqual({ url: configUrl(), status: 403 });
    expect(network.failed).toContainEqual(expect.objectContaining({ method: 'GET', url: configUrl() }));
    expect(network.responses.filter((r) => isSessionStart(r.method, r.url))).toEqual([]);
    await screenshot(fresh, 'revoked-new-session');

    const direct = await fetch(sessionsUrl(), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, origin: site.origin, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(direct.status).toBe(401);
    expect((await direct.json()).message).toBe('Deployment token was revoked');

    const listed = await api('GET', '/v1/conversations?pageSize=100');
    expect(listed.body.data.data.filter((c: { webDeploymentId: string | null }) => c.webDeploymentId === deploymentId)).toHaveLength(1);
  });
});

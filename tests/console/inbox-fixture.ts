/**
 * What the inbox browser tests share: a console server on one engine with a workspace, Chromium,
 * a visitor's session started through the public runtime, and an agent signed in on that
 * session's transcript. Call inside a describe: it registers the suite's beforeAll and afterAll.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import type { Engine } from '@switchboard/server';
import { createWorkspace } from '../helpers/app.js';
import { controlApi } from '../helpers/control.js';
import { launchBrowser } from '../widget/harness.js';
import { invitedMember, signInPage, startConsoleServer, type ConsoleServer } from './browser-harness.js';
import { buildConsole } from './harness.js';

export const ORIGIN = 'http://localhost:5500';
const PASSWORD = 'a long enough passphrase';

export interface VisitorSession {
  sessionId: string;
  /** Headers a visitor's requests on this session carry (deployment token, origin, visitor token). */
  headers: Record<string, string>;
}

export interface InboxFixture {
  readonly server: ConsoleServer;
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** Creates an agent (with `agentBody`), deploys it for ORIGIN and starts a visitor's session on it. */
  startVisitorSession(agentBody: Record<string, unknown>): Promise<VisitorSession>;
  /** Invites an agent member and opens the console, signed in as them, on the session's transcript. */
  openAsAgent(sessionId: string): Promise<Page>;
}

export function useInboxFixture(engine: Engine, workspaceName: string): InboxFixture {
  let server: ConsoleServer;
  let browser: Browser;
  let key: string;
  const contexts: BrowserContext[] = [];
  const api = (method: string, path: string, body?: unknown) => controlApi(server.baseUrl, key)(method, path, body);

  beforeAll(async () => {
    buildConsole();
    server = await startConsoleServer(engine);
    key = (await createWorkspace(server.database.db, workspaceName, server.app.secretBox)).apiKey;
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await server?.close();
  });

  return {
    get server() {
      return server;
    },
    api,
    async startVisitorSession(agentBody) {
      const agent = await api('POST', '/v1/agents', agentBody);
      if (agent.status !== 201) throw new Error(`agent create answered ${agent.status}: ${JSON.stringify(agent.body)}`);
      const deployment = await api('POST', `/v1/agents/${agent.body.data.id}/deployments`, { allowedOrigins: [ORIGIN] });
      if (deployment.status !== 201) throw new Error(`deployment create answered ${deployment.status}: ${JSON.stringify(deployment.body)}`);
      const headers = { authorization: `Bearer ${deployment.body.data.token}`, origin: ORIGIN };
      const started = await fetch(`${server.baseUrl}/v1/public/runtime/sessions`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: '{}' });
      const { sessionId, visitorToken } = ((await started.json()) as any).data;
      return { sessionId, headers: { ...headers, 'x-visitor-token': visitorToken } };
    },
    async openAsAgent(sessionId) {
      const email = `ada-${engine}@example.com`;
      await invitedMember(server.baseUrl, key, { email, role: 'agent', name: 'Ada Agent' }, PASSWORD);
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
      contexts.push(context);
      return signInPage(context, server.baseUrl, email, PASSWORD, `/console/inbox/${sessionId}`);
    },
  };
}

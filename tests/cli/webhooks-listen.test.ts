import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENGINES, createTestDatabase, type TestDatabase } from '../helpers/engines.js';
import { followCli, freePort, runCli, sendWidgetMessage, startCli, type FollowedCli, type StartedCli } from '../helpers/cli.js';
import { waitUntil } from '../helpers/wait.js';
import { startWebhookReceiver, type FakeWebhookReceiver } from '../fakes/webhook-receiver.js';

const KEY = 'sk_cli_webhooks_listen_0123456789abcdefghijk';
const ORIGIN = 'https://shop.example.com';

describe.each(ENGINES)('switchboard webhooks listen (%s)', (engine) => {
  let database: TestDatabase;
  let server: StartedCli;
  let serverEnv: Record<string, string>;
  let serverPort: number;
  let env: Record<string, string>;
  let token: string;
  let receiver: FakeWebhookReceiver | undefined;
  let listen: FollowedCli | undefined;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    await database.close();
    serverEnv = { DATABASE_URL: database.url, SWITCHBOARD_DATA_DIR: mkdtempSync(join(tmpdir(), 'switchboard-cli-')), SWITCHBOARD_API_KEY: KEY };
    serverPort = await freePort();
    server = await startCli(serverEnv, { port: serverPort });
    env = { SWITCHBOARD_URL: server.baseUrl, SWITCHBOARD_API_KEY: KEY, XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'switchboard-config-')) };
    const agent = JSON.parse((await runCli(['agents', 'create', '--name', 'Listen agent', '--json'], env)).stdout);
    const deployment = JSON.parse((await runCli(['deployments', 'create', '--agent', agent.id, '--origin', ORIGIN, '--json'], env)).stdout);
    token = deployment.token;
  });
  afterAll(async () => {
    listen?.child.kill('SIGKILL');
    await receiver?.close();
    await server?.stop();
    await database?.destroy().catch(() => undefined);
  });

  const forwardedLine = (type: string, outcome: string) => new RegExp(`^\\d{4}-\\S+Z {2}${type.replace('.', '\\.')} {2}wev_stream_\\d+ {2}→ POST http://127\\.0\\.0\\.1:\\d+/hooks/switchboard {2}${outcome}$`, 'm');

  it('forwards each event signed with the session secret, reports a local URL that is down, and reconnects after the stream drops', async () => {
    const port = await freePort();
    listen = followCli(['webhooks', 'listen', '--forward-to', `http://127.0.0.1:${port}/hooks/switchboard`], env);
    const secret = await waitUntil(() => /^Ready! Your webhook signing secret is (whsec_\S+) \(\^C to quit\)$/m.exec(listen!.stdout())?.[1], 15_000, `the secret in ${listen.stdout()}${listen.stderr()}`);
    // "Ready!" and the "Forwarding" line are two writes: the second may not have arrived yet.
    await waitUntil(() => listen!.stdout().includes('Forwarding '), 15_000, 'the forwarding line');
    expect(listen.stdout()).toContain(`Forwarding conversation.created, message.created, handoff.requested, handoff.accepted, delivery.failed events of ${server.baseUrl}`);

    // Nothing listens on the port yet: each event is reported and the next one still goes.
    await sendWidgetMessage(server.baseUrl, token, ORIGIN, 'Nobody home');
    // The contact's message and the agent's echo.
    await waitUntil(() => (listen!.stdout().match(new RegExp(forwardedLine('message.created', 'failed: .*ECONNREFUSED.*').source, 'gm')) ?? []).length >= 2, 15_000, 'refused forwards');
    expect(listen.stdout()).toMatch(forwardedLine('conversation.created', 'failed: .*'));

    receiver = await startWebhookReceiver({ secret, port });
    const sessionId = await sendWidgetMessage(server.baseUrl, token, ORIGIN, 'Hello local');
    await waitUntil(() => receiver!.deliveries.some((d) => (d.payload.data as any)?.message?.role === 'agent'), 15_000, 'the agent reply to be forwarded');
    expect(receiver.requests.every((r) => r.verified)).toBe(true);
    const [conversation, contact] = receiver.deliveries;
    expect(conversation!.payload).toMatchObject({ id: conversation!.webhookId, type: 'conversation.created', createdAt: expect.any(Number), data: { conversation: { id: sessionId } } });
    expect(conversation!.webhookId).toMatch(/^wev_stream_\d+$/);
    expect(contact!.payload).toMatchObject({ type: 'message.created', data: { message: { conversationId: sessionId, role: 'contact', text: 'Hello local' } } });
    await waitUntil(() => (listen!.stdout().match(new RegExp(forwardedLine('message.created', '\\[200 OK\\]').source, 'gm')) ?? []).length >= 2, 5_000, 'two forwarded lines');
    expect(receiver.requests[0]!.headers['user-agent']).toBe('Switchboard-Webhooks/1');

    // The server restarts: listen reconnects and forwards what comes next.
    await server.stop();
    server = await startCli(serverEnv, { port: serverPort });
    await waitUntil(() => listen!.stderr().includes('Reconnected to'), 20_000, `a reconnection in ${listen.stderr()}`);
    const before = receiver.deliveries.length;
    await sendWidgetMessage(server.baseUrl, token, ORIGIN, 'After the restart');
    await waitUntil(() => receiver!.deliveries.slice(before).some((d) => (d.payload.data as any)?.message?.text === 'After the restart'), 15_000, 'a forward after the restart');
    expect(receiver.requests.every((r) => r.verified)).toBe(true);

    listen.child.kill('SIGINT');
    expect(await listen.exited).toBe(0);
  }, 120_000);

  it('signs with a secret from standard input without printing it, and refuses bad flags', async () => {
    const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    const chosen = followCli(['webhooks', 'listen', '--forward-to', 'http://127.0.0.1:9/hooks', '--secret-stdin', '--events', 'message.created'], env, `${secret}\n`);
    try {
      await waitUntil(() => chosen.stdout().includes('Ready!') && chosen.stdout().includes('Forwarding '), 15_000, 'ready');
      expect(chosen.stdout()).toMatch(/^Ready! Signing with the secret you gave \(whsec_…\S+\) \(\^C to quit\)$/m);
      expect(chosen.stdout()).toContain('Forwarding message.created events');
      expect(chosen.stdout()).not.toContain(secret);
    } finally {
      chosen.child.kill('SIGINT');
    }
    expect(await chosen.exited).toBe(0);

    const badUrl = await runCli(['webhooks', 'listen', '--forward-to', 'ftp://127.0.0.1/x'], env);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toContain('--forward-to must be an http or https URL');
    const badEvents = await runCli(['webhooks', 'listen', '--forward-to', 'http://127.0.0.1:3000/', '--events', 'message.sent'], env);
    expect(badEvents.code).toBe(2);
    expect(badEvents.stderr).toContain('unknown: message.sent');
    const badSecret = await runCli(['webhooks', 'listen', '--forward-to', 'http://127.0.0.1:3000/', '--secret-stdin'], env, 'not a secret!');
    expect(badSecret.code).toBe(2);
    expect(badSecret.stderr).toContain('the signing secret is not usable');
    const down = await runCli(['webhooks', 'listen', '--forward-to', 'http://127.0.0.1:3000/'], { ...env, SWITCHBOARD_URL: `http://127.0.0.1:${await freePort()}` });
    expect(down.code).toBe(3);
  }, 90_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../helpers/engines.js';
import { followCli, freePort, runCli, sendWidgetMessage, startCli, type StartedCli, cliJson } from '../helpers/cli.js';

const KEY = 'sk_cli_resources_test_0123456789abcdefghijklmnop';
const ORIGIN = 'https://shop.example.com';

const runWithInput = (args: string[], env: Record<string, string>, input: string) => runCli(args, env, input);

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('switchboard CLI resource commands over the API (sqlite)', () => {
  let database: TestDatabase;
  let server: StartedCli;
  let env: Record<string, string>;
  let configHome: string;

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    await database.close();
    server = await startCli({ DATABASE_URL: database.url, SWITCHBOARD_DATA_DIR: mkdtempSync(join(tmpdir(), 'switchboard-cli-')), SWITCHBOARD_API_KEY: KEY });
    configHome = mkdtempSync(join(tmpdir(), 'switchboard-config-'));
    env = { SWITCHBOARD_URL: server.baseUrl, SWITCHBOARD_API_KEY: KEY, XDG_CONFIG_HOME: configHome };
  });
  afterAll(async () => {
    await server?.stop();
    await database?.destroy().catch(() => undefined);
  });

  const cli = (...args: string[]) => runCli(args, env);

  it('login stores the URL and key in a 0600 file that later commands use; logout removes it', async () => {
    const home = mkdtempSync(join(tmpdir(), 'switchboard-login-'));
    const plain = { XDG_CONFIG_HOME: home, SWITCHBOARD_URL: '', SWITCHBOARD_API_KEY: '' };
    const path = join(home, 'switchboard', 'config.json');

    const missing = await runCli(['agents', 'list'], plain);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no API key');
    expect(missing.stderr).toContain('switchboard login --url');

    const wrong = await runWithInput(['login', '--url', server.baseUrl, '--api-key-stdin'], plain, 'sk_wrong_key_0123456789abcdefghijklmnopqrstuv\n');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^error: UNAUTHORIZED: /m);
    expect(existsSync(path)).toBe(false);

    const notTty = await runCli(['login', '--url', server.baseUrl], plain);
    expect(notTty.code).toBe(2);
    expect(notTty.stderr).toContain('--api-key-stdin');

    const login = await runWithInput(['login', '--url', `${server.baseUrl}/`, '--api-key-stdin'], plain, `${KEY}\n`);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toContain(`Logged in to ${server.baseUrl}`);
    expect(login.stdout + login.stderr).not.toContain(KEY);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, 'switchboard')).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ url: server.baseUrl, apiKey: KEY });

    const created = cliJson(await runCli(['agents', 'create', '--name', 'Via config', '--json'], plain));
    expect(created.name).toBe('Via config');
    const listed = cliJson(await runCli(['agents', 'list', '--json'], plain));
    expect(listed.data.map((a: any) => a.id)).toContain(created.id);

    const logout = await runCli(['logout'], plain);
    expect(logout.code).toBe(0);
    expect(logout.stdout).toContain(`removed ${path}`);
    expect(existsSync(path)).toBe(false);
    expect((await runCli(['agents', 'list'], plain)).code).toBe(2);
  });

  it('agents create, list and get, as tables and as JSON', async () => {
    const created = await cli('agents', 'create', '--name', 'Concierge', '--introduction', 'Hi there');
    expect(created.code, created.stderr).toBe(0);
    const id = /Created agent (agt_\S+|\S+) "Concierge" \(echo backend\)/.exec(created.stdout)![1]!;

    const table = await cli('agents', 'list');
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+BACKEND\s+CREATED$/);
    expect(table.stdout).toMatch(new RegExp(`^${id}\\s+Concierge\\s+echo\\s+\\d{4}-`, 'm'));

    const page = cliJson(await cli('agents', 'list', '--json', '--page-size', '1'));
    expect(page.meta).toMatchObject({ page: 1, pageSize: 1 });
    expect(page.data).toHaveLength(1);

    const fetched = cliJson(await cli('agents', 'get', id, '--json'));
    expect(fetched).toMatchObject({ id, name: 'Concierge', introductionMessage: 'Hi there', backend: { type: 'echo' } });
    const shown = await cli('agents', 'get', id);
    expect(shown.stdout).toContain('Introduction: Hi there');
  });

  it('channels create, list, get and delete; a missing one is a 404 with exit code 1', async () => {
    const created = cliJson(await cli('channels', 'create', '--type', 'web', '--identifier', 'https://cli.example.com', '--name', 'CLI site', '--json'));
    expect(created).toMatchObject({ deploymentType: 'web', channelIdentifier: 'https://cli.example.com', channelName: 'CLI site' });
    const plainCreate = await cli('channels', 'create', '--type', 'web', '--identifier', 'https://other.example.com');
    expect(plainCreate.code, plainCreate.stderr).toBe(0);
    expect(plainCreate.stdout).toMatch(/^Created web channel \S+ for https:\/\/other\.example\.com$/m);

    const table = await cli('channels', 'list');
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+TYPE\s+IDENTIFIER\s+NAME\s+RECORDING\s+CREATED$/);
    expect(table.stdout).toMatch(new RegExp(`^${created.id}\\s+web\\s+https://cli\\.example\\.com\\s+CLI site\\s+on`, 'm'));

    const searched = cliJson(await cli('channels', 'list', '--type', 'web', '--search', 'cli.example', '--json'));
    expect(searched.data.map((c: any) => c.id)).toEqual([created.id]);
    expect(searched.meta).toMatchObject({ page: 1, totalCount: 1 });
    const none = cliJson(await cli('channels', 'list', '--type', 'sms', '--json'));
    expect(none.data).toEqual([]);

    expect(cliJson(await cli('channels', 'get', created.id, '--json'))).toEqual(created);

    const deleted = await cli('channels', 'delete', created.id);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toContain(`Deleted channel ${created.id}`);
    const gone = await cli('channels', 'get', created.id);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^error: NOT_FOUND: \S.*/m);
    expect(gone.stdout).toBe('');
  });

  it('reports validation problems with their fields: before sending (exit 2) and from the server (exit 1)', async () => {
    const local = await cli('channels', 'create', '--type', 'web', '--identifier', 'not a url');
    expect(local.code).toBe(2);
    expect(local.stderr).toMatch(/^error: VALIDATION_ERROR: /m);
    expect(local.stderr).toMatch(/^ {2}channelIdentifier: /m);

    const remote = await cli('conversations', 'list', '--state', 'sleeping');
    expect(remote.code).toBe(1);
    expect(remote.stderr).toMatch(/^error: VALIDATION_ERROR: /m);
    expect(remote.stderr).toMatch(/^ {2}state: must be bot, pending_human, human, resolved/m);

    const badPage = await cli('agents', 'list', '--page', '0');
    expect(badPage.code).toBe(2);
    expect(badPage.stderr).toContain('must be a positive whole number');
    const unknown = await cli('channels', 'list', '--nope');
    expect(unknown.code).toBe(2);
  });

  it('deployments create prints the token once and the embed snippet; tail, list and show follow the conversation', async () => {
    const agent = cliJson(await cli('agents', 'create', '--name', 'Widget agent', '--json'));
    const created = await cli('deployments', 'create', '--agent', agent.id, '--origin', ORIGIN, '--name', 'Shop widget');
    expect(created.code, created.stderr).toBe(0);
    const token = /^ {4}(cdp_\S+)$/m.exec(created.stdout)![1]!;
    expect(created.stdout).toContain('shown only this once');
    expect(created.stdout).toMatch(/Embed snippet/);
    expect(created.stdout.split(token).length).toBeGreaterThan(2);

    const listed = cliJson(await cli('deployments', 'list', '--agent', agent.id, '--json'));
    expect(listed.data).toHaveLength(1);
    expect(listed.data[0]).toMatchObject({ name: 'Shop widget', allowedOrigins: [ORIGIN], revokedAt: null });
    expect(JSON.stringify(listed)).not.toContain(token);
    const table = await cli('deployments', 'list', '--agent', agent.id);
    expect(table.stdout).toMatch(new RegExp(`^${listed.data[0].id}\\s+Shop widget\\s+\\S+\\s+${listed.data[0].tokenPrefix}…\\s+${ORIGIN}\\s+`, 'm'));

    const tail = followCli(['conversations', 'tail'], env);
    let sessionId: string;
    try {
      await until(() => (tail.stderr().includes('Following the events') ? true : undefined), 'tail to connect');
      sessionId = await sendWidgetMessage(server.baseUrl, token, ORIGIN, 'Hello from the shop');
      await until(() => (new RegExp(`conversation\\.created\\s+${sessionId}\\s+bot`).test(tail.stdout()) ? true : undefined), `conversation.created in ${tail.stdout()}`);
      await until(() => (new RegExp(`message\\.created\\s+${sessionId}\\s+contact: Hello from the shop`).test(tail.stdout()) ? true : undefined), 'message.created');
    } finally {
      tail.child.kill('SIGINT');
    }
    expect(await tail.exited).toBe(0);
    expect(tail.stdout()).toMatch(/^\d{4}-\d\d-\d\dT\S+Z {2}conversation\.created {2}/m);

    const transcript = await until(async () => {
      const shown = cliJson(await cli('conversations', 'show', sessionId!, '--json'));
      return shown.messages.length >= 2 ? shown : undefined;
    }, 'the echo reply');
    expect(transcript.conversation).toMatchObject({ id: sessionId!, agentId: agent.id, handoffState: 'bot' });
    expect(transcript.messages.map((m: any) => [m.role, m.text])).toEqual([
      ['contact', 'Hello from the shop'],
      ['agent', 'Hello from the shop'],
    ]);
    const shown = await cli('conversations', 'show', sessionId!);
    expect(shown.stdout).toContain(`Conversation ${sessionId!}`);
    expect(shown.stdout).toMatch(/Z {2}contact: Hello from the shop$/m);
    expect(shown.stdout).toMatch(/Z {2}agent: Hello from the shop$/m);

    const all = cliJson(await cli('conversations', 'list', '--json'));
    expect(all.data.map((c: any) => c.id)).toContain(sessionId!);
    const bot = cliJson(await cli('conversations', 'list', '--state', 'bot,pending_human', '--json'));
    expect(bot.data.map((c: any) => c.id)).toContain(sessionId!);
    const resolved = cliJson(await cli('conversations', 'list', '--state', 'resolved', '--json'));
    expect(resolved.data).toEqual([]);
    const rows = await cli('conversations', 'list', '--state', 'bot');
    expect(rows.stdout).toMatch(new RegExp(`^${sessionId!}\\s+bot\\s+open\\s+${agent.id}\\s+`, 'm'));
    const empty = await cli('conversations', 'list', '--state', 'resolved');
    expect(empty.stdout).toContain('No conversations in state resolved.');

    const missing = await cli('conversations', 'show', 'conv_doesnotexist');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: NOT_FOUND: /m);
  });

  it('deliveries list and retry', async () => {
    const dead = cliJson(await cli('deliveries', 'list', '--status', 'dead', '--json'));
    expect(dead).toEqual({ data: [], meta: expect.objectContaining({ page: 1, totalCount: 0 }) });
    const table = await cli('deliveries', 'list', '--status', 'dead');
    expect(table.stdout).toContain('No dead deliveries.');
    const badStatus = await cli('deliveries', 'list', '--status', 'lost');
    expect(badStatus.code).toBe(2);
    expect(badStatus.stderr).toContain('status must be one of pending, sending, sent, dead');
    const retry = await cli('deliveries', 'retry', 'dlv_doesnotexist');
    expect(retry.code).toBe(1);
    expect(retry.stderr).toMatch(/^error: NOT_FOUND: /m);
  });

  it("deliveries list narrows to one subscription's or one connection's deliveries, not both", async () => {
    const forConnection = cliJson(await cli('deliveries', 'list', '--connection', 'conn_none', '--json'));
    expect(forConnection).toEqual({ data: [], meta: expect.objectContaining({ totalCount: 0 }) });
    const forSubscription = await cli('deliveries', 'list', '--subscription', 'whk_none');
    expect(forSubscription.code, forSubscription.stderr).toBe(0);
    expect(forSubscription.stdout).toContain('No deliveries yet.');
    const both = await cli('deliveries', 'list', '--subscription', 'whk_none', '--connection', 'conn_none');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('cannot be combined with subscriptionId');
  });

  it('exits 3 when the server cannot be reached', async () => {
    const down = `http://127.0.0.1:${await freePort()}`;
    const result = await runCli(['channels', 'list'], { ...env, SWITCHBOARD_URL: down });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^error: cannot reach the server: /m);
    const tail = await runCli(['conversations', 'tail'], { ...env, SWITCHBOARD_URL: down });
    expect(tail.code).toBe(3);
    const login = await runWithInput(['login', '--url', down, '--api-key-stdin'], { XDG_CONFIG_HOME: configHome }, KEY);
    expect(login.code).toBe(3);
  });
});

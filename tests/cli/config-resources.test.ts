import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENGINES, createTestDatabase, type TestDatabase } from '../helpers/engines.js';
import { freePort, runCli, startCli, type StartedCli, cliJson } from '../helpers/cli.js';
import { startWebhookReceiver, type FakeWebhookReceiver } from '../fakes/webhook-receiver.js';

const KEY = 'sk_cli_config_resources_0123456789abcdefghijkl';
const TOKEN = 'twilio-auth-token-0123456789abcdef';
const NEW_TOKEN = 'twilio-auth-token-rotated-9876543210';

describe.each(ENGINES)('switchboard CLI: phone numbers, connections, secrets and webhooks (%s)', (engine) => {
  let database: TestDatabase;
  let server: StartedCli;
  let env: Record<string, string>;
  let receiver: FakeWebhookReceiver | undefined;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    await database.close();
    server = await startCli({ DATABASE_URL: database.url, SWITCHBOARD_DATA_DIR: mkdtempSync(join(tmpdir(), 'switchboard-cli-')), SWITCHBOARD_API_KEY: KEY });
    env = { SWITCHBOARD_URL: server.baseUrl, SWITCHBOARD_API_KEY: KEY, XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'switchboard-config-')) };
  });
  afterAll(async () => {
    await receiver?.close();
    await server?.stop();
    await database?.destroy().catch(() => undefined);
  });

  const cli = (...args: string[]) => runCli(args, env);
  const withInput = (input: string, ...args: string[]) => runCli(args, env, input);

  let secretId: string;
  let connectionId: string;

  it('secrets take their value from standard input only, and never print it', async () => {
    const created = await withInput(`${TOKEN}\n`, 'secrets', 'create', '--name', 'twilio-token', '--value-stdin');
    expect(created.code, created.stderr).toBe(0);
    secretId = /^Created secret (\S+) "twilio-token" \((\S+), fingerprint ([0-9a-f]{16})\)$/m.exec(created.stdout)![1]!;
    expect(created.stdout + created.stderr).not.toContain(TOKEN);

    const listed = cliJson(await cli('secrets', 'list', '--json'));
    expect(listed.data).toEqual([expect.objectContaining({ id: secretId, name: 'twilio-token' })]);
    expect(JSON.stringify(listed)).not.toContain(TOKEN);
    const before = cliJson(await cli('secrets', 'get', secretId, '--json'));

    const table = await cli('secrets', 'list');
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+MASK\s+FINGERPRINT\s+UPDATED$/);
    expect(table.stdout).toMatch(new RegExp(`^${secretId}\\s+twilio-token\\s+\\S+\\s+${before.fingerprint}\\s+\\d{4}-`, 'm'));

    // The trailing newline `echo` adds is not part of the value: the fingerprint is the same as without it.
    const replaced = await withInput(NEW_TOKEN, 'secrets', 'set', secretId, '--value-stdin');
    expect(replaced.code, replaced.stderr).toBe(0);
    expect(replaced.stdout).toContain(`Replaced the value of secret ${secretId}`);
    expect(replaced.stdout).not.toContain(NEW_TOKEN);
    const after = cliJson(await cli('secrets', 'get', secretId, '--json'));
    expect(after.fingerprint).not.toBe(before.fingerprint);
    const again = await withInput(`${NEW_TOKEN}\n`, 'secrets', 'set', secretId, '--value-stdin');
    expect(again.code).toBe(0);
    expect(cliJson(await cli('secrets', 'get', secretId, '--json')).fingerprint).toBe(after.fingerprint);

    const noTty = await cli('secrets', 'create', '--name', 'other');
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toContain('--value-stdin');
    const onArgv = await cli('secrets', 'create', '--name', 'other', '--value', TOKEN);
    expect(onArgv.code).toBe(2);
    const empty = await withInput('\n', 'secrets', 'create', '--name', 'other', '--value-stdin');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('no value given');
    const duplicate = await withInput(TOKEN, 'secrets', 'create', '--name', 'twilio-token', '--value-stdin');
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toMatch(/^error: CONFLICT: /m);
  }, 90_000);

  it('connections: update changes only the fields given; rotate-inbound-secret issues a new secret', async () => {
    const created = cliJson(await cli('connections', 'create', '--provider', 'twilio', '--name', 'Spare', '--setting', 'accountSid=AC0123456789abcdef0123456789abcdef', '--credential', `authToken=${secretId}`, '--json'));
    const renamed = await cli('connections', 'update', created.id, '--name', 'Spare Twilio', '--api-base-url', 'https://api.twilio.example.com');
    expect(renamed.code, renamed.stderr).toBe(0);
    expect(renamed.stdout).toContain(`Updated twilio connection ${created.id} "Spare Twilio"`);
    const fetched = cliJson(await cli('connections', 'get', created.id, '--json'));
    expect(fetched).toMatchObject({ name: 'Spare Twilio', apiBaseUrl: 'https://api.twilio.example.com', settings: { accountSid: 'AC0123456789abcdef0123456789abcdef' } });
    expect(fetched.credentials.authToken.secretId).toBe(secretId);
    expect(cliJson(await cli('connections', 'update', created.id, '--default-api-base-url', '--json')).apiBaseUrl).not.toBe('https://api.twilio.example.com');
    const nothing = await cli('connections', 'update', created.id);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('nothing to change');

    const rotated = await cli('connections', 'rotate-inbound-secret', created.id);
    expect(rotated.code, rotated.stderr).toBe(0);
    const secret = /^Inbound secret: (\S+)$/m.exec(rotated.stdout)![1]!;
    expect(secret).not.toBe(created.inboundSecret);
    expect((await cli('connections', 'delete', created.id)).code).toBe(0);
  });

  it('connections: create with settings and credentials prints the inbound URL and the setup steps; list, get, delete', async () => {
    const created = await cli('connections', 'create', '--provider', 'twilio', '--name', 'Main Twilio', '--setting', 'accountSid=AC0123456789abcdef0123456789abcdef', '--credential', `authToken=${secretId}`);
    expect(created.code, created.stderr).toBe(0);
    connectionId = /^Created twilio connection (\S+) "Main Twilio"$/m.exec(created.stdout)![1]!;
    const inboundUrl = /^Inbound URL: (\S+)$/m.exec(created.stdout)![1]!;
    expect(inboundUrl).toMatch(new RegExp(`/v1/public/channels/twilio/${connectionId}$`));
    expect(created.stdout).toMatch(/^Setup: In the Twilio Console/m);
    expect(created.stdout).toContain(`"A message comes in": Webhook, \`${inboundUrl}\``);
    expect(created.stdout).toContain(`Credentials: authToken=${secretId} (`);
    expect(created.stdout).not.toContain(NEW_TOKEN);

    const fetched = cliJson(await cli('connections', 'get', connectionId, '--json'));
    expect(fetched).toMatchObject({ id: connectionId, provider: 'twilio', settings: { accountSid: 'AC0123456789abcdef0123456789abcdef' }, inboundUrl });
    expect(fetched.credentials.authToken.secretId).toBe(secretId);
    const shown = await cli('connections', 'get', connectionId);
    expect(shown.stdout).toMatch(new RegExp(`^${connectionId}\\s+twilio\\s+Main Twilio\\s+authToken\\s+\\d{4}-`, 'm'));
    expect(shown.stdout).toContain(`Inbound URL: ${inboundUrl}`);
    expect(cliJson(await cli('connections', 'list', '--json')).data.map((c: any) => c.id)).toEqual([connectionId]);

    // Settings as JSON, with a flag winning over it; the credential the provider requires is missing.
    const missing = await cli('connections', 'create', '--provider', 'twilio', '--name', 'Broken', '--settings', '{"accountSid":"ACx"}', '--setting', 'accountSid=AC0123456789abcdef0123456789abcdef');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: VALIDATION_ERROR: /m);
    expect(missing.stderr).toMatch(/^ {2}credentials\.authToken: Required/m);
    expect(missing.stderr).not.toContain('accountSid');
    const badJson = await cli('connections', 'create', '--provider', 'twilio', '--name', 'Broken', '--settings', '[1]');
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toContain('--settings must be a JSON object');
    const badPair = await cli('connections', 'create', '--provider', 'twilio', '--name', 'Broken', '--setting', 'accountSid');
    expect(badPair.code).toBe(2);
    expect(badPair.stderr).toContain('--setting must be name=value');

    const inUse = await cli('secrets', 'delete', secretId);
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toMatch(new RegExp(`^error: CONFLICT: .*${connectionId}`, 'm'));
  }, 90_000);

  it('phone numbers: create on a connection, get by id or number, rename, delete', async () => {
    const created = cliJson(await cli('phone-numbers', 'create', '--number', '+12025550123', '--provider', 'twilio', '--name', 'Front desk', '--connection', connectionId, '--json'));
    expect(created).toMatchObject({ phoneNumber: '+12025550123', provider: 'twilio', friendlyName: 'Front desk', connectionId, status: 'INACTIVE' });
    const table = await cli('phone-numbers', 'list');
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+NUMBER\s+PROVIDER\s+NAME\s+STATUS\s+CONNECTION\s+CREATED$/);
    expect(table.stdout).toMatch(new RegExp(`^${created.id}\\s+\\+12025550123\\s+twilio\\s+Front desk\\s+INACTIVE\\s+${connectionId}\\s+`, 'm'));
    expect(cliJson(await cli('phone-numbers', 'get', '+12025550123', '--json')).id).toBe(created.id);
    const shown = await cli('phone-numbers', 'get', created.id);
    expect(shown.stdout).toContain('Calls channel: -');

    const renamed = await cli('phone-numbers', 'update', created.id, '--name', 'Sales');
    expect(renamed.stdout).toContain(`Updated phone number ${created.id}: name "Sales"`);
    expect(cliJson(await cli('phone-numbers', 'update', created.id, '--clear-name', '--json')).friendlyName).toBeNull();
    const neither = await cli('phone-numbers', 'update', created.id);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('--name <name> or --clear-name');
    const badNumber = await cli('phone-numbers', 'create', '--number', '2025550123', '--provider', 'twilio');
    expect(badNumber.code).toBe(2);
    expect(badNumber.stderr).toMatch(/^ {2}phoneNumber: /m);

    expect((await cli('phone-numbers', 'delete', created.id)).stdout).toContain(`Deleted phone number ${created.id}`);
    expect((await cli('phone-numbers', 'get', created.id)).code).toBe(1);

    expect((await cli('connections', 'delete', connectionId)).code).toBe(0);
    expect((await cli('secrets', 'delete', secretId)).stdout).toContain(`Deleted secret ${secretId}`);
    const gone = await cli('secrets', 'get', secretId);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^error: NOT_FOUND: /m);
  }, 90_000);

  it('webhooks: create prints the signing secret once; test delivers a signed webhook.test; delete', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/hooks/switchboard`;
    const created = await cli('webhooks', 'create', '--url', url, '--events', 'message.created,conversation.created', '--description', 'CRM');
    expect(created.code, created.stderr).toBe(0);
    const id = /^Created webhook subscription (\S+) for /m.exec(created.stdout)![1]!;
    const secret = /^ {4}(whsec_\S+)$/m.exec(created.stdout)![1]!;
    expect(created.stdout).toContain('shown only this once');

    const listed = cliJson(await cli('webhooks', 'list', '--json'));
    expect(listed.data).toEqual([expect.objectContaining({ id, url, events: ['message.created', 'conversation.created'], active: true })]);
    expect(JSON.stringify(listed)).not.toContain(secret);
    const shown = await cli('webhooks', 'get', id);
    expect(shown.stdout).toMatch(new RegExp(`^${id}\\s+${url.replace(/[.]/g, '\\.')}\\s+message\\.created,conversation\\.created\\s+active\\s+whsec_…`, 'm'));
    expect(shown.stdout).toContain('Description: CRM');
    expect(shown.stdout).not.toContain(secret);

    // The receiver verifies with the official Standard Webhooks library and the secret printed above.
    receiver = await startWebhookReceiver({ secret, port });
    const tested = await cli('webhooks', 'test', id, '--wait', '20');
    expect(tested.code, tested.stderr).toBe(0);
    expect(tested.stdout).toMatch(/^Webhook\.test event wev_\S+, delivery \S+: delivered$/m);
    expect(receiver.requests.map((r) => r.verified)).toEqual([true]);
    expect(receiver.deliveries[0]!.payload).toMatchObject({ type: 'webhook.test', data: { subscriptionId: id } });

    const queued = cliJson(await cli('webhooks', 'test', id, '--json'));
    expect(queued).toEqual({ eventId: expect.stringMatching(/^wev_/), deliveryId: expect.any(String) });

    const badEvents = await cli('webhooks', 'create', '--url', url, '--events', 'message.sent');
    expect(badEvents.code).toBe(2);
    expect(badEvents.stderr).toMatch(/^ {2}events\.0: must be one of /m);

    expect((await cli('webhooks', 'delete', id)).stdout).toContain(`Deleted webhook subscription ${id}`);
    const gone = await cli('webhooks', 'test', id);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^error: NOT_FOUND: /m);
  }, 90_000);
});

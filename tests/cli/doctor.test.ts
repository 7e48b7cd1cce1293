import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openDatabase } from '@switchboard/server';
import { ENGINES, createTestDatabase, type TestDatabase } from '../helpers/engines.js';
import { freePort, runCli, startCli, type StartedCli } from '../helpers/cli.js';
import { REDIS_URL, availableServices } from '../helpers/services.js';
import { FAKES_EGRESS_ENV } from '../helpers/egress.js';

const KEY = 'sk_cli_doctor_test_0123456789abcdefghijklmnopq';
const MASTER_KEY = randomBytes(32).toString('base64');
const redis = availableServices().redis;

/** `<status>  <check>  <reason>` lines, by check name. */
function checks(stdout: string): Map<string, { status: string; reason: string }[]> {
  const found = new Map<string, { status: string; reason: string }[]>();
  for (const line of stdout.split('\n')) {
    const match = /^(ok|warn|fail) {2,}(.+?) {2,}(.*)$/.exec(line);
    if (!match) continue;
    const name = match[2]!.trim();
    found.set(name, [...(found.get(name) ?? []), { status: match[1]!, reason: match[3]! }]);
  }
  return found;
}
/** The line of one connection: its reason starts with the connection id. */
const connectionLine = (found: Map<string, { status: string; reason: string }[]>, id: string) => {
  const lines = (found.get('connection') ?? []).filter((c) => c.reason.startsWith(`${id} `));
  expect(lines, `one line for connection ${id}`).toHaveLength(1);
  return lines[0]!;
};
const only = (found: Map<string, { status: string; reason: string }[]>, name: string) => {
  const lines = found.get(name) ?? [];
  expect(lines, `one "${name}" line`).toHaveLength(1);
  return lines[0]!;
};

describe.each(ENGINES)('switchboard doctor (%s)', (engine) => {
  let database: TestDatabase;
  let server: StartedCli;
  let port: number;
  let doctorEnv: Record<string, string>;
  let twilioId: string;
  let webhookId: string;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    await database.close();
    port = await freePort();
    doctorEnv = {
      DATABASE_URL: database.url,
      SWITCHBOARD_DATA_DIR: mkdtempSync(join(tmpdir(), 'switchboard-doctor-')),
      SWITCHBOARD_SECRET_KEY: MASTER_KEY,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      ...FAKES_EGRESS_ENV,
      REDIS_URL: redis ? REDIS_URL : '',
    };
    server = await startCli({ ...doctorEnv, SWITCHBOARD_API_KEY: KEY }, { port });
    const api = { SWITCHBOARD_URL: server.baseUrl, SWITCHBOARD_API_KEY: KEY, XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'switchboard-config-')) };
    const secret = (name: string, value: string) => runCli(['secrets', 'create', '--name', name, '--value-stdin', '--json'], api, value).then((r) => JSON.parse(r.stdout).id as string);
    const authToken = await secret('auth-token', 'twilio-auth-token-0123456789abcdef');
    const outbound = await secret('outbound', `whsec_${randomBytes(32).toString('base64')}`);
    const connection = (...args: string[]) => runCli(['connections', 'create', ...args, '--json'], api).then((r) => JSON.parse(r.stdout).id as string);
    twilioId = await connection('--provider', 'twilio', '--name', 'Main', '--setting', 'accountSid=AC0123456789abcdef0123456789abcdef', '--credential', `authToken=${authToken}`);
    webhookId = await connection('--provider', 'webhook', '--name', 'CRM', '--setting', 'outboundUrl=http://127.0.0.1:9/replies', '--credential', `outboundSecret=${outbound}`);
  });
  afterAll(async () => {
    await server?.stop();
    await database?.destroy().catch(() => undefined);
  });

  const doctor = (env: Record<string, string> = {}) => runCli(['doctor'], { ...doctorEnv, ...env });

  it('passes on a healthy setup, one line per check', async () => {
    const result = await doctor();
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const found = checks(result.stdout);
    expect([...found.values()].flat().filter((c) => c.status === 'fail')).toEqual([]);
    expect(only(found, 'config').status).toBe('ok');
    expect(only(found, 'database')).toEqual({ status: 'ok', reason: expect.stringMatching(new RegExp(`^${engine} at `)) });
    expect(only(found, 'migrations')).toEqual({ status: 'ok', reason: 'all applied' });
    expect(only(found, 'master key')).toEqual({ status: 'ok', reason: 'a 32-byte key from SWITCHBOARD_SECRET_KEY; opens all 2 sealed secrets' });
    expect(connectionLine(found, twilioId)).toEqual({ status: 'ok', reason: expect.stringMatching(new RegExp(`^${twilioId} twilio "Main" \\(workspace \\S+\\)$`)) });
    expect(connectionLine(found, webhookId).status).toBe('ok');
    expect(only(found, 'public url')).toEqual({ status: 'ok', reason: `GET http://127.0.0.1:${port}/health answers` });
    expect(only(found, 'redis')).toEqual(redis ? { status: 'ok', reason: expect.stringMatching(/answers PING$/) } : expect.objectContaining({ status: engine === 'postgres' ? 'warn' : 'ok' }));
    expect(result.stdout).toContain('No check failed.');
  });

  it('fails on a malformed master key, and on a well-formed one the data was not sealed with', async () => {
    const malformed = await doctor({ SWITCHBOARD_SECRET_KEY: 'not-a-key' });
    expect(malformed.code).toBe(1);
    expect(only(checks(malformed.stdout), 'master key')).toEqual({ status: 'fail', reason: expect.stringMatching(/^SWITCHBOARD_SECRET_KEY must be 32 bytes written as base64 .* got a value of 9 characters/) });
    expect(malformed.stdout).not.toContain('not-a-key');
    expect(malformed.stdout).toContain('Some checks failed.');

    const other = await doctor({ SWITCHBOARD_SECRET_KEY: randomBytes(32).toString('hex') });
    expect(other.code).toBe(1);
    const found = checks(other.stdout);
    expect(only(found, 'master key')).toEqual({ status: 'fail', reason: expect.stringMatching(/^2 of 2 sealed values do not open under this key \(.+\): is SWITCHBOARD_SECRET_KEY the key the data was written with\?$/) });
    expect(connectionLine(found, twilioId)).toEqual({ status: 'fail', reason: expect.stringMatching(/inboundSecret: Sealed secret could not be opened.*; credentials\.authToken: Sealed secret could not be opened/) });
  });

  it('fails when PUBLIC_URL does not answer (a closed loopback port), or Redis does not', async () => {
    const closed = await freePort();
    const result = await doctor({ PUBLIC_URL: `http://127.0.0.1:${closed}`, REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    expect(result.code).toBe(1);
    const found = checks(result.stdout);
    expect(only(found, 'public url')).toEqual({ status: 'fail', reason: expect.stringMatching(new RegExp(`^GET http://127\\.0\\.0\\.1:${closed}/health failed: .*ECONNREFUSED`)) });
    expect(only(found, 'redis')).toEqual({ status: 'fail', reason: expect.stringMatching(/^127\.0\.0\.1:\d+: .*ECONNREFUSED/) });
    expect(only(found, 'database').status).toBe('ok');
  });

  it('fails a connection whose settings the rules in force refuse, or whose secret is gone', async () => {
    const refused = await doctor({ SWITCHBOARD_EGRESS_ALLOW: '' });
    expect(refused.code).toBe(1);
    const found = checks(refused.stdout);
    expect(connectionLine(found, webhookId)).toEqual({ status: 'fail', reason: expect.stringMatching(/^\S+ webhook "CRM" \(workspace \S+\): settings\.outboundUrl: .*127\.0\.0\.1/) });
    expect(connectionLine(found, twilioId).status).toBe('ok');

    const handle = await openDatabase({ databaseUrl: database.url, dataDir: doctorEnv.SWITCHBOARD_DATA_DIR! });
    try {
      await handle.db.deleteFrom('secrets').where('name', '=', 'auth-token').execute();
    } finally {
      await handle.close();
    }
    const missing = await doctor();
    expect(missing.code).toBe(1);
    expect(connectionLine(checks(missing.stdout), twilioId)).toEqual({ status: 'fail', reason: expect.stringMatching(/: credentials\.authToken: Secret not found \(\S+\)$/) });
  });
});

describe('switchboard doctor before the first start', () => {
  it('warns that the database and the key do not exist yet, creates neither, and exits 0', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-doctor-empty-'));
    const result = await runCli(['doctor', '--data-dir', dataDir], { DATABASE_URL: '', SWITCHBOARD_SECRET_KEY: '', PUBLIC_URL: '', REDIS_URL: '' });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const found = checks(result.stdout);
    expect(only(found, 'database')).toEqual({ status: 'warn', reason: `no SQLite database at ${join(dataDir, 'switchboard.db')} yet: "switchboard start" creates it` });
    expect(only(found, 'master key').status).toBe('warn');
    expect(only(found, 'public url')).toEqual({ status: 'warn', reason: expect.stringContaining('PUBLIC_URL is unset') });
    expect(readdirSync(dataDir)).toEqual([]);

    const badConfig = await runCli(['doctor', '--data-dir', dataDir], { PORT: 'eighty' });
    expect(badConfig.code).toBe(1);
    expect(only(checks(badConfig.stdout), 'config')).toEqual({ status: 'fail', reason: 'PORT must be a whole number from 0 to 65535, got "eighty"' });
  });
});

import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/engines.js';
import { runCli, startCli, type StartedCli, cliJson } from '../helpers/cli.js';

const KEY = 'sk_cli_identity_test_0123456789abcdefghijklmnop';
const ORIGIN = 'https://shop.example.com';

describe('switchboard deployments identity-secret (sqlite)', () => {
  let database: TestDatabase;
  let server: StartedCli;
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    await database.close();
    server = await startCli({ DATABASE_URL: database.url, SWITCHBOARD_DATA_DIR: mkdtempSync(join(tmpdir(), 'switchboard-cli-')), SWITCHBOARD_API_KEY: KEY });
    env = { SWITCHBOARD_URL: server.baseUrl, SWITCHBOARD_API_KEY: KEY, XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'switchboard-config-')) };
  });
  afterAll(async () => {
    await server?.stop();
    await database?.destroy().catch(() => undefined);
  });

  const cli = (...args: string[]) => runCli(args, env);

  it('shows the status, issues a secret printed once that makes identify link the visitor, and removes it', async () => {
    const agent = cliJson(await cli('agents', 'create', '--name', 'Identity agent', '--json'));
    const deployment = cliJson(await cli('deployments', 'create', '--agent', agent.id, '--origin', ORIGIN, '--json'));

    const none = await cli('deployments', 'identity-secret', deployment.id, '--agent', agent.id);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toContain('has no identity secret');

    const issued = await cli('deployments', 'identity-secret', deployment.id, '--agent', agent.id, '--issue');
    expect(issued.code, issued.stderr).toBe(0);
    const secret = /^ {4}(idsec_\S+)$/m.exec(issued.stdout)![1]!;
    expect(issued.stdout).toContain('Shown only this once');

    const status = cliJson(await cli('deployments', 'identity-secret', deployment.id, '--agent', agent.id, '--json'));
    expect(status).toMatchObject({ enabled: true, fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/) });
    const shown = await cli('deployments', 'identity-secret', deployment.id, '--agent', agent.id);
    expect(shown.stdout).toContain(`fingerprint ${status.fingerprint}`);
    expect(shown.stdout + JSON.stringify(status)).not.toContain(secret);

    const identify = await fetch(`${server.baseUrl}/v1/public/runtime/identify`, {
      method: 'POST',
      headers: { authorization: `Bearer ${deployment.token}`, origin: ORIGIN, 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'customer-9', userHash: createHmac('sha256', secret).update('customer-9').digest('hex') }),
    });
    expect(((await identify.json()) as any).data.verified).toBe(true);

    const both = await cli('deployments', 'identity-secret', deployment.id, '--agent', agent.id, '--issue', '--remove');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('not both');
    const removed = cliJson(await cli('deployments', 'identity-secret', deployment.id, '--agent', agent.id, '--remove', '--json'));
    expect(removed).toEqual({ enabled: false, createdAt: null, fingerprint: null });
    const missing = await cli('deployments', 'identity-secret', 'wdp_missing', '--agent', agent.id);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/NOT_FOUND/);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENGINES, createTestDatabase, type TestDatabase } from '../helpers/engines.js';
import { readFirstStartCredentials, runCli, startCli } from '../helpers/cli.js';

const INVITE_URL = /(http:\/\/\S+\/console\/invite\/([A-Za-z0-9_-]{43}))/;
const PASSWORD = 'correct horse battery';

async function call(baseUrl: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as any, cookie: response.headers.getSetCookie() };
}

describe.each(ENGINES)('switchboard members CLI on %s', (engine) => {
  let database: TestDatabase;
  let env: Record<string, string>;

  beforeEach(async () => {
    database = await createTestDatabase(engine);
    await database.close();
    env = { DATABASE_URL: database.url, SWITCHBOARD_DATA_DIR: mkdtempSync(join(tmpdir(), 'switchboard-cli-')) };
  });
  afterEach(async () => {
    await database.destroy().catch(() => undefined);
  });

  it('writes an owner link beside the admin key on first start only; accepting it asks for the email', async () => {
    const first = await startCli(env);
    try {
      expect(first.output()).not.toMatch(INVITE_URL);
      const { text } = readFirstStartCredentials(env.SWITCHBOARD_DATA_DIR!);
      const match = INVITE_URL.exec(text);
      expect(match, text).not.toBeNull();
      const validUntil = Date.parse(/usable once, until (\S+)\)/.exec(text)?.[1] ?? '');
      expect(Math.abs(validUntil - (Date.now() + 7 * 24 * 3600_000))).toBeLessThan(60_000);
      const [, url, token] = match!;
      expect(url!.startsWith(`${first.baseUrl.replace('127.0.0.1', 'localhost')}/console/invite/`)).toBe(true);
      const shown = await call(first.baseUrl, 'GET', `/v1/invitations/${token}`);
      expect(shown.status).toBe(200);
      expect(shown.body.data).toMatchObject({ email: '', role: 'owner', workspaceName: 'Default workspace' });
      const noEmail = await call(first.baseUrl, 'POST', `/v1/invitations/${token}/accept`, { password: PASSWORD });
      expect(noEmail.status).toBe(400);
      expect(noEmail.body.error.details[0].field).toBe('email');
      const accepted = await call(first.baseUrl, 'POST', `/v1/invitations/${token}/accept`, { password: PASSWORD, email: 'Boss@Example.com', name: 'Boss' });
      expect(accepted.status).toBe(201);
      expect(accepted.body.data.member).toMatchObject({ email: 'boss@example.com', name: 'Boss', role: 'owner', status: 'active' });
      expect(accepted.cookie.join(';')).toMatch(/sb_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax/);
      const signedIn = await call(first.baseUrl, 'POST', '/v1/sessions', { email: 'boss@example.com', password: PASSWORD });
      expect(signedIn.status).toBe(201);
    } finally {
      await first.stop();
    }
    const second = await startCli(env);
    try {
      expect(second.output()).not.toMatch(INVITE_URL);
    } finally {
      await second.stop();
    }
  });

  it('invites, lists and removes members', async () => {
    const invited = await runCli(['members', 'invite', '--email', 'Ana@Example.com', '--role', 'admin', '--name', 'Ana'], env);
    expect(invited.code, invited.stderr).toBe(0);
    expect(invited.stdout).toMatch(/Invited ana@example\.com \(mem_[A-Za-z0-9]{16}\) as admin/);
    expect(invited.stdout).toMatch(INVITE_URL);
    const id = /\((mem_[A-Za-z0-9]{16})\)/.exec(invited.stdout)![1]!;

    const duplicate = await runCli(['members', 'invite', '--email', 'ana@example.com', '--role', 'agent'], env);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('ana@example.com is already a member of this workspace');
    const badRole = await runCli(['members', 'invite', '--email', 'bo@example.com', '--role', 'boss'], env);
    expect(badRole.code).not.toBe(0);
    expect(badRole.stderr).toContain('must be one of owner, admin, agent');

    const listed = await runCli(['members', 'list'], env);
    expect(listed.stdout).toContain(id);
    expect(listed.stdout).toContain('ana@example.com');
    expect(listed.stdout).toMatch(/admin\s+invited/);
    expect(listed.stdout).not.toMatch(INVITE_URL);
    const json = JSON.parse((await runCli(['members', 'list', '--json'], env)).stdout) as Array<Record<string, unknown>>;
    const ana = json.find((m) => m.id === id)!;
    expect(ana).toMatchObject({ email: 'ana@example.com', role: 'admin', status: 'invited' });
    expect(Object.keys(ana)).not.toContain('passwordHash');

    const removed = await runCli(['members', 'remove', id], env);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toContain(`Removed member ${id}`);
    expect((await runCli(['members', 'list'], env)).stdout).not.toContain(id);
    const missing = await runCli(['members', 'remove', id], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`No member with id ${id}`);
  });
});

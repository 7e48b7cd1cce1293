import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { PASSWORD, asMember, cookieOf, memberSession, send, uniqueEmail } from '../helpers/console-session.js';

const tokenOf = (url: string) => url.split('/').pop()!;
const HASHES = /password_hash|token_hash|id_hash|passwordHash|scrypt\$/;

describe.each(ENGINES)('members API on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(async () => {
    await t.close();
  });

  it('invites a member, shows the invitation publicly and accepts it into a working session', async () => {
    const email = uniqueEmail('ana');
    const invited = await t.request('POST', '/v1/members', { email: `  ${email.toUpperCase()} `, name: 'Ana', role: 'agent' });
    expect(invited.status, JSON.stringify(invited.body)).toBe(201);
    const { member, invitation } = invited.body.data;
    expect(member).toEqual({
      id: expect.stringMatching(/^mem_[A-Za-z0-9]{16}$/),
      email,
      name: 'Ana',
      role: 'agent',
      status: 'invited',
      createdAt: expect.any(Number),
      updatedAt: expect.any(Number),
      lastSignInAt: null,
    });
    expect(invitation.url).toMatch(/^http:\/\/localhost:8787\/console\/invite\/[A-Za-z0-9_-]{43}$/);
    expect(invitation.expiresAt - Date.now()).toBeGreaterThan(7 * 24 * 3600_000 - 60_000);
    const token = tokenOf(invitation.url);

    const shown = await send(t, 'GET', `/v1/invitations/${token}`);
    expect(shown.status).toBe(200);
    expect(shown.body.data).toEqual({ email, name: 'Ana', role: 'agent', workspaceName: 'Test workspace', expiresAt: invitation.expiresAt });

    const before = await t.db.selectFrom('members').selectAll().where('id', '=', member.id).executeTakeFirstOrThrow();
    const short = await send(t, 'POST', `/v1/invitations/${token}/accept`, { password: 'too short' });
    expect(short.status).toBe(400);
    expect(short.body.error.code).toBe('VALIDATION_ERROR');
    expect(short.body.error.details).toEqual([{ field: 'password', message: 'must be at least 12 characters' }]);
    expect(short.cookies).toEqual([]);
    expect(await t.db.selectFrom('members').selectAll().where('id', '=', member.id).executeTakeFirstOrThrow()).toEqual(before);
    const tooLong = await send(t, 'POST', `/v1/invitations/${token}/accept`, { password: 'x'.repeat(1025) });
    expect(tooLong.body.error.details).toEqual([{ field: 'password', message: 'must be at most 1024 characters' }]);

    const accepted = await send(t, 'POST', `/v1/invitations/${token}/accept`, { password: PASSWORD, name: 'Ana Lima' });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(201);
    expect(accepted.body.data).toEqual({
      member: { ...member, name: 'Ana Lima', status: 'active', updatedAt: expect.any(Number), lastSignInAt: expect.any(Number) },
      workspace: { id: t.workspaceId, name: 'Test workspace' },
      csrfToken: expect.any(String),
      expiresAt: expect.any(Number),
    });
    const cookie = cookieOf(accepted, 'sb_session')!;
    expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const session = { session: cookie.value, csrfCookie: cookieOf(accepted, 'sb_csrf')!.value, csrfToken: accepted.body.data.csrfToken };
    const current = await asMember(t, session, 'GET', '/v1/session');
    expect(current.status).toBe(200);
    expect(current.body.data.member.id).toBe(member.id);
    expect(current.body.data.workspace).toEqual({ id: t.workspaceId, name: 'Test workspace' });

    // Used: the link no longer works, with a message that says so.
    const again = await send(t, 'GET', `/v1/invitations/${token}`);
    expect(again.status).toBe(404);
    expect(again.body.error.message).toMatch(/already used/);
    expect((await send(t, 'POST', `/v1/invitations/${token}/accept`, { password: PASSWORD })).status).toBe(404);
    const unknown = await send(t, 'GET', `/v1/invitations/${'A'.repeat(43)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('NOT_FOUND');
  });

  it('refuses an expired invitation and replaces it with a new link that voids the old one', async () => {
    const invited = await t.request('POST', '/v1/members', { email: uniqueEmail(), role: 'admin' });
    const { member, invitation } = invited.body.data;
    await t.db.updateTable('member_invitations').set({ expires_at: Date.now() - 1000 }).where('member_id', '=', member.id).execute();
    const expired = await send(t, 'GET', `/v1/invitations/${tokenOf(invitation.url)}`);
    expect(expired.status).toBe(404);
    expect(expired.body.error.message).toMatch(/expired on/);
    expect(expired.body.meta).toMatchObject({ reason: 'expired' });
    expect((await send(t, 'POST', `/v1/invitations/${tokenOf(invitation.url)}/accept`, { password: PASSWORD })).status).toBe(404);

    const first = await t.request('POST', `/v1/members/${member.id}/invitation`);
    expect(first.status).toBe(201);
    const second = await t.request('POST', `/v1/members/${member.id}/invitation`);
    expect(second.body.data.url).not.toBe(first.body.data.url);
    expect((await send(t, 'GET', `/v1/invitations/${tokenOf(first.body.data.url)}`)).status).toBe(404);
    expect((await send(t, 'POST', `/v1/invitations/${tokenOf(second.body.data.url)}/accept`, { password: PASSWORD })).status).toBe(201);
    const active = await t.request('POST', `/v1/members/${member.id}/invitation`);
    expect(active.status).toBe(409);
  });

  it('lists, reads, updates and removes members; refuses duplicates and bad input without changes', async () => {
    const email = uniqueEmail();
    const created = await t.request('POST', '/v1/members', { email, role: 'agent' });
    const id = created.body.data.member.id;
    expect(created.body.data.member.name).toBe(email.split('@')[0]);

    const duplicate = await t.request('POST', '/v1/members', { email: email.toUpperCase(), role: 'admin' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.message).toBe(`${email} is already a member of this workspace`);

    const count = async () => Number((await t.db.selectFrom('members').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    const badRole = await t.request('POST', '/v1/members', { email: uniqueEmail(), role: 'superuser' });
    expect(badRole.status).toBe(400);
    expect(badRole.body.error.details).toEqual([{ field: 'role', message: 'must be one of owner, admin, agent' }]);
    const badEmail = await t.request('POST', '/v1/members', { email: 'nobody', role: 'agent' });
    expect(badEmail.body.error.details[0].field).toBe('email');
    expect(await count()).toBe(before);

    const listed = await t.request('GET', '/v1/members?pageSize=100');
    expect(listed.status).toBe(200);
    expect(listed.body.data.data.map((m: { id: string }) => m.id)).toContain(id);
    expect(listed.body.data.meta).toMatchObject({ page: 1, pageSize: 100, totalCount: before });

    const patched = await t.request('PATCH', `/v1/members/${id}`, { name: 'Renamed', role: 'admin' });
    expect(patched.status).toBe(200);
    expect(patched.body.data).toMatchObject({ id, name: 'Renamed', role: 'admin' });
    expect((await t.request('GET', `/v1/members/${id}`)).body.data).toEqual(patched.body.data);

    const removed = await t.request('DELETE', `/v1/members/${id}`);
    expect(removed.status).toBe(200);
    expect((await t.request('GET', `/v1/members/${id}`)).status).toBe(404);
    expect(await count()).toBe(before - 1);
  });

  it('keeps at least one owner', async () => {
    const workspace = await t.newWorkspace('Owners');
    const owner = await memberSession(t, 'owner', workspace.apiKey);
    const key = { authorization: `Bearer ${workspace.apiKey}` };
    const demote = await send(t, 'PATCH', `/v1/members/${owner.memberId}`, { role: 'admin' }, key);
    expect(demote.status).toBe(409);
    const remove = await send(t, 'DELETE', `/v1/members/${owner.memberId}`, undefined, key);
    expect(remove.status).toBe(409);
    expect(remove.body.error.message).toMatch(/at least one owner/);
    const second = await memberSession(t, 'owner', workspace.apiKey);
    expect((await send(t, 'DELETE', `/v1/members/${owner.memberId}`, undefined, key)).status).toBe(200);
    expect((await asMember(t, second, 'GET', '/v1/members')).status).toBe(200);
  });

  it('adds a member to a team by memberId, taking its name and email', async () => {
    const email = uniqueEmail('teamed');
    const member = (await t.request('POST', '/v1/members', { email, name: 'Teamed', role: 'agent' })).body.data.member;
    const team = (await t.request('POST', '/v1/teams', { name: `Team ${email}` })).body.data;
    const added = await t.request('POST', `/v1/teams/${team.id}/members`, { memberId: member.id, role: 'supervisor' });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body.data).toEqual({ id: expect.stringMatching(/^tm_/), name: 'Teamed', email, role: 'supervisor', memberId: member.id });
    // The team lists it linked too, so anyone who reads teams can put a name on a mem_ id.
    expect((await t.request('GET', `/v1/teams/${team.id}`)).body.data.members).toEqual([added.body.data]);
    const row = await t.db.selectFrom('team_members').select('member_id').where('id', '=', added.body.data.id).executeTakeFirstOrThrow();
    expect(row.member_id).toBe(member.id);
    const again = await t.request('POST', `/v1/teams/${team.id}/members`, { memberId: member.id });
    expect(again.status).toBe(409);

    const other = await t.newWorkspace('Elsewhere');
    const foreign = (await send(t, 'POST', '/v1/members', { email: uniqueEmail(), role: 'agent' }, { authorization: `Bearer ${other.apiKey}` })).body.data.member;
    const refused = await t.request('POST', `/v1/teams/${team.id}/members`, { memberId: foreign.id });
    expect(refused.status).toBe(404);
    expect(refused.body.meta).toMatchObject({ field: 'memberId' });
    const neither = await t.request('POST', `/v1/teams/${team.id}/members`, {});
    expect(neither.status).toBe(400);
    expect(neither.body.error.details).toEqual([
      { field: 'name', message: 'Required' },
      { field: 'email', message: 'Required' },
    ]);
    expect((await t.request('GET', `/v1/teams/${team.id}`)).body.data.members).toHaveLength(1);
  });

  it('never answers a password or token hash', async () => {
    const owner = await memberSession(t, 'owner');
    const responses = [
      await t.request('GET', '/v1/members?pageSize=100'),
      await t.request('GET', `/v1/members/${owner.memberId}`),
      await asMember(t, owner, 'GET', '/v1/session'),
      await asMember(t, owner, 'GET', '/v1/me'),
      await asMember(t, owner, 'PATCH', '/v1/me', { name: 'Me' }),
      await t.request('GET', '/v1/openapi.json'),
    ];
    for (const response of responses) {
      expect(response.status).toBe(200);
      const text = JSON.stringify(response.body);
      expect(text.replace(/"(password_hash|token_hash|id_hash)"\s*:\s*\{[^}]*\}/g, '')).not.toMatch(/scrypt\$/);
    }
    for (const response of responses.slice(0, 5)) expect(JSON.stringify(response.body)).not.toMatch(HASHES);
    const row = await t.db.selectFrom('members').select('password_hash').where('id', '=', owner.memberId).executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{88}$/);
  });
});

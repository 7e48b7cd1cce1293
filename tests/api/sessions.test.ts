import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '@switchboard/server';
import { ENGINES } from '../helpers/engines.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { fakesEgress } from '../helpers/egress.js';
import { PASSWORD, asMember, cookieOf, memberSession, send } from '../helpers/console-session.js';

describe.each(ENGINES)('console sessions on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(async () => {
    await t.close();
  });

  it('signs in with email and password, with a cookie that is HttpOnly, SameSite=Lax and not Secure over http', async () => {
    const agent = await memberSession(t, 'agent');
    const signedIn = await send(t, 'POST', '/v1/sessions', { email: agent.email.toUpperCase(), password: PASSWORD }, {}, '10.0.0.1');
    expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(201);
    expect(signedIn.body.data.member).toMatchObject({ id: agent.memberId, role: 'agent', status: 'active', lastSignInAt: expect.any(Number) });
    expect(signedIn.body.data.csrfToken).toEqual(expect.any(String));
    const cookie = cookieOf(signedIn, 'sb_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie.secure).toBeFalsy();
    expect(String(signedIn.headers['set-cookie'])).not.toMatch(/sb_session=[^;]*;[^,]*Secure/);
    const session = await send(t, 'GET', '/v1/session', undefined, { cookie: `sb_session=${cookie.value}` });
    expect(session.status).toBe(200);
    expect(session.body.data.member.id).toBe(agent.memberId);
    expect(session.body.data.expiresAt - Date.now()).toBeGreaterThan(11.9 * 3600_000);
  });

  it('answers 401 for a wrong password or an unknown email, alike', async () => {
    const agent = await memberSession(t, 'agent');
    const wrong = await send(t, 'POST', '/v1/sessions', { email: agent.email, password: 'not the password' }, {}, '10.0.0.2');
    const unknown = await send(t, 'POST', '/v1/sessions', { email: 'nobody-here@example.com', password: PASSWORD }, {}, '10.0.0.2');
    for (const response of [wrong, unknown]) {
      expect(response.status).toBe(401);
      expect(response.body.error).toEqual({ code: 'UNAUTHORIZED', message: 'Email or password is incorrect', details: null });
      expect(response.cookies.find((c) => c.name === 'sb_session')).toBeUndefined();
    }
    expect((await send(t, 'GET', '/v1/session')).status).toBe(401);
    expect((await send(t, 'GET', '/v1/session', undefined, { cookie: 'sb_session=forged' })).status).toBe(401);
  });

  it('refuses an email after 5 failures with 429 and retry-after, even with the right password', async () => {
    const agent = await memberSession(t, 'agent');
    for (let i = 0; i < 5; i++) {
      expect((await send(t, 'POST', '/v1/sessions', { email: agent.email, password: `wrong password ${i}` }, {}, `10.1.0.${i}`)).status).toBe(401);
    }
    const limited = await send(t, 'POST', '/v1/sessions', { email: agent.email, password: PASSWORD }, {}, '10.1.1.1');
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(limited.body.error.message).toMatch(/^Too many failed sign-in attempts; try again in 1[45] minutes$/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(800);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(900);
    // Another account from another address is not affected.
    const other = await memberSession(t, 'agent');
    expect((await send(t, 'POST', '/v1/sessions', { email: other.email, password: PASSWORD }, {}, '10.1.1.2')).status).toBe(201);
  });

  it('refuses an address after 20 failures across emails', async () => {
    const agent = await memberSession(t, 'agent');
    for (let i = 0; i < 20; i++) {
      expect((await send(t, 'POST', '/v1/sessions', { email: `unknown-${i}@example.com`, password: 'wrong password!' }, {}, '10.2.0.1')).status).toBe(401);
    }
    const limited = await send(t, 'POST', '/v1/sessions', { email: agent.email, password: PASSWORD }, {}, '10.2.0.1');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    expect((await send(t, 'POST', '/v1/sessions', { email: agent.email, password: PASSWORD }, {}, '10.2.0.2')).status).toBe(201);
  });

  it('signs out: the session answers 401 on the next request and the cookie is cleared', async () => {
    const agent = await memberSession(t, 'agent');
    const out = await asMember(t, agent, 'DELETE', '/v1/session');
    expect(out.status).toBe(200);
    const cleared = cookieOf(out, 'sb_session')!;
    expect(cleared.value).toBe('');
    expect(cleared.expires!.getTime()).toBeLessThan(Date.now());
    const after = await asMember(t, agent, 'GET', '/v1/session');
    expect(after.status).toBe(401);
    expect((await asMember(t, agent, 'GET', '/v1/conversations')).status).toBe(401);
  });

  it('ends the open session of a removed member on its next request', async () => {
    const agent = await memberSession(t, 'agent');
    expect((await asMember(t, agent, 'GET', '/v1/conversations')).status).toBe(200);
    expect((await t.request('DELETE', `/v1/members/${agent.memberId}`)).status).toBe(200);
    expect((await asMember(t, agent, 'GET', '/v1/conversations')).status).toBe(401);
  });

  it('ends every other session on a password change; this one continues under a new cookie', async () => {
    const owner = await memberSession(t, 'owner');
    const other = await send(t, 'POST', '/v1/sessions', { email: owner.email, password: PASSWORD }, {}, '10.3.0.1');
    const otherSession = { session: cookieOf(other, 'sb_session')!.value, csrfCookie: cookieOf(other, 'sb_csrf')!.value, csrfToken: other.body.data.csrfToken };
    expect((await asMember(t, otherSession, 'GET', '/v1/me')).status).toBe(200);

    const wrong = await asMember(t, owner, 'POST', '/v1/me/password', { currentPassword: 'not it at all', newPassword: 'a brand new passphrase' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details).toEqual([{ field: 'currentPassword', message: 'is not your current password' }]);
    const short = await asMember(t, owner, 'POST', '/v1/me/password', { currentPassword: PASSWORD, newPassword: 'short' });
    expect(short.body.error.details).toEqual([{ field: 'newPassword', message: 'must be at least 12 characters' }]);
    expect((await asMember(t, otherSession, 'GET', '/v1/me')).status).toBe(200);

    const changed = await asMember(t, owner, 'POST', '/v1/me/password', { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    const fresh = cookieOf(changed, 'sb_session')!.value;
    expect(fresh).not.toBe(owner.session);
    expect((await asMember(t, otherSession, 'GET', '/v1/me')).status).toBe(401);
    expect((await asMember(t, owner, 'GET', '/v1/me')).status).toBe(401);
    expect((await asMember(t, { ...owner, session: fresh }, 'GET', '/v1/me')).status).toBe(200);
    expect((await send(t, 'POST', '/v1/sessions', { email: owner.email, password: PASSWORD }, {}, '10.3.0.2')).status).toBe(401);
    expect((await send(t, 'POST', '/v1/sessions', { email: owner.email, password: 'a brand new passphrase' }, {}, '10.3.0.2')).status).toBe(201);
  });

  it('expires a session 12 hours after its last use, and slides the expiry forward on use', async () => {
    const agent = await memberSession(t, 'agent');
    const hashOf = async () => (await t.db.selectFrom('member_sessions').selectAll().where('member_id', '=', agent.memberId).executeTakeFirstOrThrow());
    const row = await hashOf();
    // Last seen two minutes ago: the next request pushes the expiry to now + 12 h.
    await t.db.updateTable('member_sessions').set({ last_seen_at: Date.now() - 120_000, expires_at: Date.now() + 3600_000 }).where('id_hash', '=', row.id_hash).execute();
    const current = await asMember(t, agent, 'GET', '/v1/session');
    expect(current.body.data.expiresAt - Date.now()).toBeGreaterThan(11.9 * 3600_000);
    expect(Number((await hashOf()).expires_at)).toBe(current.body.data.expiresAt);
    await t.db.updateTable('member_sessions').set({ expires_at: Date.now() - 1 }).where('id_hash', '=', row.id_hash).execute();
    const expired = await asMember(t, agent, 'GET', '/v1/session');
    expect(expired.status).toBe(401);
    expect(expired.body.error.message).toMatch(/ended or expired/);
  });

  it('renames the signed-in member through /v1/me, and /v1/session needs a session, not a key', async () => {
    const agent = await memberSession(t, 'agent');
    const renamed = await asMember(t, agent, 'PATCH', '/v1/me', { name: 'New Name' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.data).toMatchObject({ id: agent.memberId, name: 'New Name' });
    expect((await asMember(t, agent, 'GET', '/v1/me')).body.data.name).toBe('New Name');
    const bad = await asMember(t, agent, 'PATCH', '/v1/me', { name: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('name');
    const withKey = await t.request('GET', '/v1/session');
    expect(withKey.status).toBe(401);
  });

  it('signs in to the newest matching workspace, or the one named', async () => {
    const first = await memberSession(t, 'agent');
    const other = await t.newWorkspace('Second');
    const invited = await send(t, 'POST', '/v1/members', { email: first.email, role: 'admin' }, { authorization: `Bearer ${other.apiKey}` });
    const token = (invited.body.data.invitation.url as string).split('/').pop();
    expect((await send(t, 'POST', `/v1/invitations/${token}/accept`, { password: PASSWORD })).status).toBe(201);
    const newest = await send(t, 'POST', '/v1/sessions', { email: first.email, password: PASSWORD }, {}, '10.4.0.1');
    expect(newest.body.data.workspace).toEqual({ id: other.workspaceId, name: 'Second' });
    const named = await send(t, 'POST', '/v1/sessions', { email: first.email, password: PASSWORD, workspaceId: t.workspaceId }, {}, '10.4.0.1');
    expect(named.body.data.workspace.id).toBe(t.workspaceId);
    expect(named.body.data.member.id).toBe(first.memberId);
  });
});

describe('console session cookie over https', () => {
  it('is Secure when the public URL is https', async () => {
    const engine = ENGINES[0]!;
    const base = await createTestApp(engine);
    const app = buildApp({ db: base.db, egress: fakesEgress, secretBox: base.app.secretBox, publicUrl: 'https://switchboard.example.com' });
    await app.server.ready();
    try {
      const response = await app.server.inject({
        method: 'POST',
        url: '/v1/members',
        headers: { authorization: `Bearer ${base.apiKey}` },
        payload: { email: 'secure@example.com', role: 'agent' },
      });
      const invited = { body: response.json() };
      expect(invited.body.data.invitation.url).toMatch(/^https:\/\/switchboard\.example\.com\/console\/invite\//);
      const token = (invited.body.data.invitation.url as string).split('/').pop();
      const accepted = await app.server.inject({ method: 'POST', url: `/v1/invitations/${token}/accept`, payload: { password: PASSWORD } });
      expect(accepted.statusCode).toBe(201);
      const cookies = accepted.cookies as Array<{ name: string; secure?: boolean; httpOnly?: boolean; sameSite?: string }>;
      expect(cookies.find((c) => c.name === 'sb_session')).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Lax' });
      expect(cookies.find((c) => c.name === 'sb_csrf')).toMatchObject({ secure: true, httpOnly: true });
    } finally {
      await app.server.close();
      await base.close();
    }
  });
});

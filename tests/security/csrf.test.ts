import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { asMember, memberSession, send, uniqueEmail, type ConsoleSession } from '../helpers/console-session.js';

const CSRF_ERROR = {
  code: 'CSRF_TOKEN_INVALID',
  message: 'Missing or invalid CSRF token: send the csrfToken from GET /v1/session in the X-CSRF-Token header',
  details: null,
};

describe.each(ENGINES)('CSRF protection of cookie sessions on %s', (engine) => {
  let t: TestApp;
  let owner: ConsoleSession;
  beforeAll(async () => {
    t = await createTestApp(engine);
    owner = await memberSession(t, 'owner');
  });
  afterAll(async () => {
    await t.close();
  });

  const memberCount = async () => Number((await t.db.selectFrom('members').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  it('refuses a cookie write without a token, or with a wrong one, and changes nothing', async () => {
    const before = await memberCount();
    const noToken = await asMember(t, owner, 'POST', '/v1/members', { email: uniqueEmail(), role: 'agent' }, { csrf: false });
    expect(noToken.status).toBe(403);
    expect(noToken.body.error).toEqual(CSRF_ERROR);
    const wrong = await asMember(t, owner, 'POST', '/v1/members', { email: uniqueEmail(), role: 'agent' }, { csrf: 'not-a-token' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('CSRF_TOKEN_INVALID');
    // A token is only good with the secret cookie it was made from.
    const otherBrowser = await memberSession(t, 'owner');
    const foreign = await asMember(t, owner, 'PATCH', '/v1/me', { name: 'Changed' }, { csrf: otherBrowser.csrfToken });
    expect(foreign.status).toBe(403);
    const noSecret = await send(t, 'PATCH', '/v1/me', { name: 'Changed' }, { cookie: `sb_session=${owner.session}`, 'x-csrf-token': owner.csrfToken });
    expect(noSecret.status).toBe(403);
    expect(noSecret.body.error.code).toBe('CSRF_TOKEN_INVALID');
    const remove = await asMember(t, owner, 'DELETE', `/v1/members/${otherBrowser.memberId}`, undefined, { csrf: false });
    expect(remove.status).toBe(403);
    expect(await memberCount()).toBe(before + 1);
    expect((await asMember(t, owner, 'GET', '/v1/me')).body.data.name).toBe('A owner');
  });

  it('accepts the token from GET /v1/session', async () => {
    const current = await asMember(t, owner, 'GET', '/v1/session');
    expect(current.status).toBe(200);
    const token = current.body.data.csrfToken as string;
    const invited = await asMember(t, owner, 'POST', '/v1/members', { email: uniqueEmail(), role: 'agent' }, { csrf: token });
    expect(invited.status, JSON.stringify(invited.body)).toBe(201);
    expect((await asMember(t, owner, 'PATCH', '/v1/me', { name: 'Owner' }, { csrf: token })).status).toBe(200);
  });

  it('needs no token for reads, nor for API key writes, and a key wins over a cookie', async () => {
    expect((await asMember(t, owner, 'GET', '/v1/members')).status).toBe(200);
    const byKey = await t.request('POST', '/v1/members', { email: uniqueEmail(), role: 'agent' });
    expect(byKey.status).toBe(201);
    const both = await send(t, 'POST', '/v1/members', { email: uniqueEmail(), role: 'agent' }, { authorization: `Bearer ${t.apiKey}`, cookie: `sb_session=${owner.session}` });
    expect(both.status).toBe(201);
    const badKeyWithCookie = await send(t, 'GET', '/v1/members', undefined, { authorization: 'Bearer sbk_wrong', cookie: `sb_session=${owner.session}` });
    expect(badKeyWithCookie.status).toBe(401);
  });
});

/**
 * The widget's identify and track calls and the web deployment's identity secret, on SQLite
 * and PostgreSQL: the secret is shown once and sealed, a userHash links a visitor to a user
 * only when it is right (checked in constant time), rotation ends the old hash, and track
 * validates and stores events on the contact without creating a conversation.
 */
import { createHmac } from 'node:crypto';
import * as crypto from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { buildApp } from '@switchboard/server';
import { ENGINES, createTestDatabase } from '../helpers/engines.js';
import { createWorkspace } from '../helpers/app.js';
import { fakesEgress } from '../helpers/egress.js';
import { ORIGIN, useRuntimeApp } from './runtime-app.js';
import { CONTACT_EVENTS_KEPT, visitorContactsRepository } from '../../packages/server/src/store/repositories/visitor-contacts.js';

vi.mock('node:crypto', async (original) => {
  const actual = await original<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const sign = (secret: string, userId: string) => createHmac('sha256', secret).update(userId, 'utf8').digest('hex');

describe.each(ENGINES)('identify and track on %s', (engine) => {
  const runtimeApp = useRuntimeApp(engine);
  const { call, api, runtime, count } = runtimeApp;
  const contactOf = async (userId: string) => runtimeApp.database.db.selectFrom('contacts').selectAll().where('external_id', '=', userId).executeTakeFirst();

  async function deploy() {
    const agent = await api('POST', '/v1/agents', { name: 'Concierge' });
    const deployed = await api('POST', `/v1/agents/${agent.body.data.id}/deployments`, {
      allowedOrigins: [ORIGIN],
      channel: { channelIdentifier: `https://site-${Math.random().toString(36).slice(2)}.example.com` },
    });
    expect(deployed.status).toBe(201);
    const secretUrl = `/v1/agents/${agent.body.data.id}/deployments/${deployed.body.data.id}/identity-secret`;
    return { agentId: agent.body.data.id as string, deployment: deployed.body.data, token: deployed.body.data.token as string, secretUrl };
  }

  it('shows the identity secret once, seals it, and never returns it afterwards', async () => {
    const { agentId, deployment, secretUrl } = await deploy();
    expect((await api('GET', secretUrl)).body.data).toEqual({ enabled: false, createdAt: null, fingerprint: null });

    const issued = await api('POST', secretUrl);
    expect(issued.status).toBe(201);
    const secret: string = issued.body.data.identitySecret;
    expect(secret).toMatch(/^idsec_[0-9A-Za-z]{43}$/);
    expect(issued.body.data).toMatchObject({ enabled: true, fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/) });

    const status = await api('GET', secretUrl);
    expect(status.body.data).toEqual({ enabled: true, createdAt: issued.body.data.createdAt, fingerprint: issued.body.data.fingerprint });
    for (const url of [secretUrl, `/v1/agents/${agentId}/deployments/${deployment.id}`, `/v1/agents/${agentId}/deployments`]) {
      expect((await api('GET', url)).text).not.toContain(secret);
    }
    const stored = await runtimeApp.database.db.selectFrom('web_deployment_identity_secrets').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(secret);
    expect(runtimeApp.app.secretBox.decrypt(stored.find((row) => row.deployment_id === deployment.id)!.sealed, `webDeployment:${deployment.id}:identitySecret`)).toBe(secret);

    expect((await api('POST', `/v1/agents/${agentId}/deployments/wdp_missing/identity-secret`)).status).toBe(404);
    const other = await createWorkspace(runtimeApp.database.db, 'Other', runtimeApp.app.secretBox);
    const foreign = await call('GET', secretUrl, { authorization: `Bearer ${other.apiKey}` });
    expect(foreign.status).toBe(404);
  });

  it('without a secret, identify stores name, email and attributes but links no user id, and creates no conversation', async () => {
    const { token } = await deploy();
    const conversations = await count('conversations');
    const identified = await runtime(token, 'POST', '/identify', { userId: 'user-42', name: 'Ada Lovelace', email: 'ada@example.com', attributes: { plan: 'pro', seats: 5, beta: true } });
    expect(identified.status).toBe(200);
    expect(identified.body.data).toMatchObject({ verified: false, sessionId: null, visitorToken: expect.stringMatching(/^vt_/) });
    expect(await contactOf('user-42')).toBeUndefined();
    expect(await count('conversations')).toBe(conversations);

    // The session started later belongs to the same contact, which kept what identify stored.
    const started = await runtime(token, 'POST', '/sessions', { visitorToken: identified.body.data.visitorToken });
    expect(started.status).toBe(201);
    expect(started.body.data.visitorToken).toBe(identified.body.data.visitorToken);
    const conversation = await api('GET', `/v1/conversations/${started.body.data.sessionId}`);
    const contact = await api('GET', `/v1/contacts/${conversation.body.data.contactId}`);
    expect(contact.body.data).toMatchObject({ displayName: 'Ada Lovelace', externalId: null, attributes: { email: 'ada@example.com', plan: 'pro', seats: '5', beta: 'true' } });
  });

  it('with a secret, a valid userHash links every browser of the user to one contact and its conversation', async () => {
    const { token, secretUrl } = await deploy();
    const secret: string = (await api('POST', secretUrl)).body.data.identitySecret;
    const userHash = sign(secret, 'user-7');

    // An anonymous visitor chats, then signs in: the conversation becomes the user's.
    const anonymous = (await runtime(token, 'POST', '/sessions', {})).body.data;
    expect((await runtime(token, 'POST', `/sessions/${anonymous.sessionId}/messages`, { text: 'Hello', clientMessageId: 'c-1' }, anonymous.visitorToken)).status).toBe(202);
    const laptop = await runtime(token, 'POST', '/identify', { userId: 'user-7', userHash, name: 'Grace' }, anonymous.visitorToken);
    expect(laptop.status).toBe(200);
    expect(laptop.body.data).toMatchObject({ verified: true, sessionId: anonymous.sessionId });
    expect(laptop.body.data.visitorToken).not.toBe(anonymous.visitorToken);
    const user = (await contactOf('user-7'))!;
    expect(user).toMatchObject({ display_name: 'Grace' });

    // Another device of the same user: same contact, the same open conversation and its transcript.
    const phone = await runtime(token, 'POST', '/identify', { userId: 'user-7', userHash: userHash.toUpperCase() });
    expect(phone.body.data).toMatchObject({ verified: true, sessionId: anonymous.sessionId });
    expect(phone.body.data.visitorToken).not.toBe(laptop.body.data.visitorToken);
    const resumed = await runtime(token, 'POST', '/sessions', { visitorToken: phone.body.data.visitorToken });
    expect(resumed.body.data).toMatchObject({ sessionId: anonymous.sessionId, resumed: true });
    const history = await runtime(token, 'GET', `/sessions/${anonymous.sessionId}/messages`, undefined, phone.body.data.visitorToken);
    expect(history.body.data.map((m: { text: string }) => m.text)).toContain('Hello');
    expect((await api('GET', `/v1/conversations/${anonymous.sessionId}`)).body.data.contactId).toBe(user.id);

    // Identifying again on the laptop keeps its token.
    const again = await runtime(token, 'POST', '/identify', { userId: 'user-7', userHash }, laptop.body.data.visitorToken);
    expect(again.body.data.visitorToken).toBe(laptop.body.data.visitorToken);

    // Signing in as someone else on that browser never hands them the first user's chat.
    const otherHash = sign(secret, 'user-8');
    const switched = await runtime(token, 'POST', '/identify', { userId: 'user-8', userHash: otherHash }, laptop.body.data.visitorToken);
    expect(switched.body.data).toMatchObject({ verified: true, sessionId: null });
    expect((await api('GET', `/v1/conversations/${anonymous.sessionId}`)).body.data.contactId).toBe(user.id);
    const theirs = await runtime(token, 'GET', `/sessions/${anonymous.sessionId}/messages`, undefined, switched.body.data.visitorToken);
    expect(theirs.status).toBe(404);
  });

  it('refuses a wrong, missing or malformed userHash in the error envelope and changes nothing', async () => {
    const { token, secretUrl } = await deploy();
    const secret: string = (await api('POST', secretUrl)).body.data.identitySecret;
    const anonymous = (await runtime(token, 'POST', '/sessions', {})).body.data;
    const before = { contacts: await count('contacts'), conversations: await count('conversations') };
    const timingSafeEqual = vi.mocked(crypto.timingSafeEqual);
    timingSafeEqual.mockClear();

    const wrong = await runtime(token, 'POST', '/identify', { userId: 'victim', userHash: sign('idsec_guess', 'victim'), name: 'Mallory' }, anonymous.visitorToken);
    expect(wrong.status).toBe(403);
    expect(wrong.body).toMatchObject({ success: false, code: 'FORBIDDEN', meta: { reason: 'IDENTITY_NOT_VERIFIED' } });
    expect(wrong.body.error.details).toEqual([{ field: 'userHash', message: expect.stringContaining('HMAC-SHA256') }]);
    // The comparison is made by timingSafeEqual over the 32 raw bytes.
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
    const [given, expected] = timingSafeEqual.mock.calls[0]! as [Buffer, Buffer];
    expect([given.length, expected.length]).toEqual([32, 32]);
    expect(Buffer.from(expected).toString('hex')).toBe(sign(secret, 'victim'));

    const missing = await runtime(token, 'POST', '/identify', { userId: 'victim', name: 'Mallory' }, anonymous.visitorToken);
    expect(missing.status).toBe(403);
    expect(missing.body.meta.reason).toBe('IDENTITY_NOT_VERIFIED');
    const malformed = await runtime(token, 'POST', '/identify', { userId: 'victim', userHash: 'abc' }, anonymous.visitorToken);
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.details[0]).toMatchObject({ field: 'userHash', message: expect.stringContaining('64 hexadecimal digits') });
    const noUser = await runtime(token, 'POST', '/identify', { name: 'Mallory' }, anonymous.visitorToken);
    expect(noUser.status).toBe(400);
    expect(noUser.body.error.details[0].field).toBe('userId');
    const badEmail = await runtime(token, 'POST', '/identify', { email: 'not-an-email' });
    expect(badEmail.status).toBe(400);
    expect(badEmail.body.error.details[0].field).toBe('email');
    const unknownField = await runtime(token, 'POST', '/identify', { userId: 'victim', hash: 'x' });
    expect(unknownField.status).toBe(400);

    expect({ contacts: await count('contacts'), conversations: await count('conversations') }).toEqual(before);
    expect(await contactOf('victim')).toBeUndefined();
    const contact = await runtimeApp.database.db.selectFrom('conversations').select('contact_id').where('id', '=', anonymous.sessionId).executeTakeFirstOrThrow();
    expect((await runtimeApp.database.db.selectFrom('contacts').select('display_name').where('id', '=', contact.contact_id).executeTakeFirstOrThrow()).display_name).toBeNull();
  });

  it('rotation refuses hashes made with the old secret and unlinks browsers linked under it; removal stops verifying', async () => {
    const { token, secretUrl } = await deploy();
    const issued = (await api('POST', secretUrl)).body.data;
    const first: string = issued.identitySecret;
    const linked = (await runtime(token, 'POST', '/identify', { userId: 'user-9', userHash: sign(first, 'user-9') })).body.data;
    const session = (await runtime(token, 'POST', '/sessions', { visitorToken: linked.visitorToken })).body.data;
    expect(session.visitorToken).toBe(linked.visitorToken);

    const second = await api('POST', secretUrl);
    expect(second.body.data.identitySecret).not.toBe(first);
    expect(second.body.data.fingerprint).not.toBe(issued.fingerprint);
    expect((await api('GET', secretUrl)).body.data.fingerprint).toBe(second.body.data.fingerprint);
    const old = await runtime(token, 'POST', '/identify', { userId: 'user-9', userHash: sign(first, 'user-9') });
    expect(old.status).toBe(403);
    // The browser linked under the old secret no longer reaches the user's conversation.
    expect((await runtime(token, 'GET', `/sessions/${session.sessionId}/messages`, undefined, linked.visitorToken)).status).toBe(404);
    const renewed = await runtime(token, 'POST', '/identify', { userId: 'user-9', userHash: sign(second.body.data.identitySecret, 'user-9') });
    expect(renewed.body.data).toMatchObject({ verified: true, sessionId: session.sessionId });

    const removed = await api('DELETE', secretUrl);
    expect(removed.body.data).toEqual({ enabled: false, createdAt: null, fingerprint: null });
    const unverified = await runtime(token, 'POST', '/identify', { userId: 'user-9', userHash: sign(second.body.data.identitySecret, 'user-9') });
    expect(unverified.body.data).toMatchObject({ verified: false, sessionId: null });
  });

  it('track stores a validated event on the contact, creating no conversation', async () => {
    const { token } = await deploy();
    const conversations = await count('conversations');
    const first = await runtime(token, 'POST', '/track', { event: 'viewed pricing', data: { plan: 'pro', seats: 3, annual: true, coupon: null } });
    expect(first.status).toBe(201);
    expect(first.body.data).toMatchObject({ visitorToken: expect.stringMatching(/^vt_/), event: { name: 'viewed pricing', data: { plan: 'pro', seats: 3, annual: true, coupon: null } } });
    const visitorToken: string = first.body.data.visitorToken;
    const second = await runtime(token, 'POST', '/track', { event: 'checkout.started' }, visitorToken);
    expect(second.body.data.visitorToken).toBe(visitorToken);
    expect(await count('conversations')).toBe(conversations);

    const session = (await runtime(token, 'POST', '/sessions', { visitorToken })).body.data;
    const contactId = (await api('GET', `/v1/conversations/${session.sessionId}`)).body.data.contactId;
    const events = await api('GET', `/v1/contacts/${contactId}/events`);
    expect(events.status).toBe(200);
    expect(events.body.data.meta.totalCount).toBe(2);
    expect(events.body.data.data.map((e: { name: string }) => e.name)).toEqual(['viewed pricing', 'checkout.started']);
    expect(events.body.data.data[1]).toMatchObject({ contactId, data: null });

    const before = await count('contact_events');
    for (const [body, field] of [
      [{ event: '' }, 'event'],
      [{ event: '1st' }, 'event'],
      [{ event: 'x'.repeat(65) }, 'event'],
      [{ event: 'ok', data: { nested: { a: 1 } } }, 'data.nested'],
      [{ event: 'ok', data: { big: 'x'.repeat(501) } }, 'data.big'],
      [{ event: 'ok', data: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, i])) }, 'data'],
      [{ event: 'ok', data: Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`k${i}`, 'é'.repeat(250)])) }, 'data'],
      [{ event: 'ok', data: [1, 2] }, 'data'],
    ] as const) {
      const refused = await runtime(token, 'POST', '/track', body, visitorToken);
      expect(refused.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect(refused.body.error.details[0].field).toBe(field);
    }
    expect(await count('contact_events')).toBe(before);

    const other = await createWorkspace(runtimeApp.database.db, 'Another', runtimeApp.app.secretBox);
    expect((await call('GET', `/v1/contacts/${contactId}/events`, { authorization: `Bearer ${other.apiKey}` })).status).toBe(404);
  });

  it('keeps the newest 50 browsers of a user and the newest 1000 events of a contact', async () => {
    const { deployment, token, secretUrl } = await deploy();
    const secret: string = (await api('POST', secretUrl)).body.data.identitySecret;
    const tokens: string[] = [];
    for (let i = 0; i < 52; i++) {
      tokens.push((await runtime(token, 'POST', '/identify', { userId: 'many-browsers', userHash: sign(secret, 'many-browsers') })).body.data.visitorToken);
    }
    const user = (await contactOf('many-browsers'))!;
    const linked = await runtimeApp.database.db.selectFrom('contact_visitor_tokens').select('token_hash').where('contact_id', '=', user.id).execute();
    expect(linked).toHaveLength(50);
    // The two linked longest ago are unlinked: their track lands on a new contact; the newest is still the user's.
    expect((await runtime(token, 'POST', '/track', { event: 'x' }, tokens[0])).body.data.visitorToken).not.toBe(tokens[0]);
    expect((await runtime(token, 'POST', '/track', { event: 'x' }, tokens[51])).body.data.visitorToken).toBe(tokens[51]);

    const events = visitorContactsRepository(runtimeApp.database.db, user.workspace_id);
    for (let i = 0; i < CONTACT_EVENTS_KEPT + 3; i++) await events.addEvent(user.id, deployment.id, `e${i}`, null);
    const kept = await events.listEvents(user.id, 1, 1);
    expect(kept.meta.totalCount).toBe(CONTACT_EVENTS_KEPT);
    expect(kept.data[0]!.name).toBe('e3'); // the 4 oldest (x, e0, e1, e2) were dropped
  });

  it('refuses identify and track from an origin the deployment does not allow', async () => {
    const { token } = await deploy();
    const refused = await call('POST', '/v1/public/runtime/track', { authorization: `Bearer ${token}`, origin: 'http://evil.example', 'content-type': 'application/json' });
    expect(refused.status).toBe(403);
  });
});

describe.each(ENGINES)('identify and track rate limits on %s', (engine) => {
  it('counts identify and track like every runtime request', async () => {
    const database = await createTestDatabase(engine);
    const app = buildApp({ db: database.db, egress: fakesEgress, runtimeRateLimits: { perIp: 1000, perToken: 3 } });
    try {
      await app.server.ready();
      const { apiKey } = await createWorkspace(database.db, undefined, app.secretBox);
      const inject = (method: string, url: string, headers: Record<string, string>, body?: unknown) =>
        app.server.inject({ method: method as 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(body ?? {}) });
      const agent = JSON.parse((await inject('POST', '/v1/agents', { authorization: `Bearer ${apiKey}` }, { name: 'Limited' })).body).data;
      const deployment = JSON.parse(
        (await inject('POST', `/v1/agents/${agent.id}/deployments`, { authorization: `Bearer ${apiKey}` }, { allowedOrigins: [ORIGIN] })).body,
      ).data;
      const headers = { authorization: `Bearer ${deployment.token}`, origin: ORIGIN };
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await inject('POST', '/v1/public/runtime/track', headers, { event: 'tick' })).statusCode);
      const limited = await inject('POST', '/v1/public/runtime/identify', headers, { name: 'Too many' });
      expect(statuses).toEqual([201, 201, 201]);
      expect(limited.statusCode).toBe(429);
      expect(limited.headers['retry-after']).toBeDefined();
    } finally {
      await app.server.close();
      await database.destroy();
    }
  });
});

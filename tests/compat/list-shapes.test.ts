/**
 * What WIIL's SDK reads, on every list and every error, and input with one meaning stored one way.
 *
 * - Every `/v1` list answers `{"success": true, "data": {"data": [...], "meta": {...}}, "metadata": {...}}`:
 *   WIIL's HTTP client returns the envelope's `data`, and its list methods hand that on as the page.
 *   The lists are found from the app's own route declarations (`response.list`), so a list added
 *   later is checked too; one with path parameters needs a line in PATH_PARAMS, or this fails.
 * - An error's field-level details are in `meta.details` as well as `error.details`: WIIL's client
 *   hands the body's `meta` to its error as `details` and never reads `error.details`.
 * - A phone number written with spaces, dots, dashes or parentheses after its `+` country code is
 *   stored in E.164 everywhere a number is input; a mobile-app channel takes WIIL's defaults.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RULES } from '@switchboard/core';
import { issueApiKey, type App } from '@switchboard/server';
import { ENGINES } from '../helpers/engines.js';
import { createTestApp, type TestApp, type TestResponse } from '../helpers/app.js';

const ORIGIN = 'http://localhost:5520';
type RouteDefinition = App['routes'][number];

const PAGE_META_KEYS = ['hasNextPage', 'hasPreviousPage', 'page', 'pageSize', 'totalCount', 'totalPages'];

/** What WIIL's client makes of an error body: `new WiilAPIError(message, status, code, body.meta)`, `meta` becoming `details`. */
function asWiilError(body: any) {
  return { message: body.message, statusCode: body.status, code: body.code, details: body.meta };
}

/** The exact list envelope, and a page consistent with itself. */
function expectListShape(response: TestResponse, where: string) {
  expect(response.status, `${where}: ${JSON.stringify(response.body)}`).toBe(200);
  const body = response.body;
  expect(Object.keys(body).sort(), where).toEqual(['data', 'metadata', 'success']);
  expect(body.success, where).toBe(true);
  expect(body.metadata, where).toEqual({ timestamp: expect.any(Number), version: 'v1' });
  expect(Object.keys(body.data).sort(), where).toEqual(['data', 'meta']);
  const { data, meta } = body.data;
  expect(Array.isArray(data), where).toBe(true);
  expect(Object.keys(meta).sort(), where).toEqual(PAGE_META_KEYS);
  const totalPages = Math.ceil(meta.totalCount / meta.pageSize);
  expect(meta, where).toEqual({
    page: expect.any(Number),
    pageSize: expect.any(Number),
    totalCount: expect.any(Number),
    totalPages,
    hasNextPage: meta.page < totalPages,
    hasPreviousPage: meta.page > 1,
  });
  expect(data.length, where).toBe(Math.max(0, Math.min(meta.pageSize, meta.totalCount - (meta.page - 1) * meta.pageSize)));
  return body.data as { data: any[]; meta: Record<string, number | boolean> };
}

describe.each(ENGINES)('WIIL compatibility: list pages, error details, normalised input on %s', (engine) => {
  let t: TestApp;
  let adminKey: string;
  /** Fixtures: one of everything a list can show. */
  const f: Record<string, string> = {};

  async function ok(method: string, url: string, body?: unknown, headers?: Record<string, string>) {
    const response = await t.request(method, url, body, headers);
    expect(response.status, `${method} ${url}: ${JSON.stringify(response.body)}`).toBeLessThan(300);
    return response.body.data;
  }

  /** Concrete values for the path parameters of list routes, by route. */
  const PATH_PARAMS: Record<string, () => Record<string, string>> = {
    '/v1/deployment-channels/by-type/:type': () => ({ type: 'web' }),
    '/v1/deployment-configurations/by-agent/:agentId': () => ({ agentId: f.agentId! }),
    // WIIL's instruction configuration is the agent; deployments made without a project are in the workspace's.
    '/v1/deployment-configurations/by-instruction/:instructionConfigurationId': () => ({ instructionConfigurationId: f.agentId! }),
    '/v1/deployment-configurations/by-project/:projectId': () => ({ projectId: t.workspaceId }),
    '/v1/agents/:agentId/deployments': () => ({ agentId: f.agentId! }),
    '/v1/conversations/:id/messages': () => ({ id: f.conversationId! }),
    '/v1/teams/:id/observers': () => ({ id: f.teamId! }),
    '/v1/deployment-channels/:id/teams': () => ({ id: f.channelId! }),
    '/v1/workspaces/:id/keys': () => ({ id: t.workspaceId }),
    '/v1/connections/:id/inbound-events': () => ({ id: f.connectionId! }),
    '/v1/contacts/:id/events': () => ({ id: f.contactId! }),
  };

  /** Lists the fixtures fill: each must show at least one item. */
  const FILLED = [
    '/v1/deployment-channels',
    '/v1/deployment-channels/by-type/:type',
    '/v1/phone-configurations',
    '/v1/agents',
    '/v1/deployment-configurations',
    '/v1/deployment-configurations/by-agent/:agentId',
    '/v1/agents/:agentId/deployments',
    '/v1/conversations',
    '/v1/conversations/:id/messages',
    '/v1/contacts/:id/events',
    '/v1/secrets',
    '/v1/connections',
    '/v1/deliveries',
    '/v1/teams',
    '/v1/teams/:id/observers',
    '/v1/deployment-channels/:id/teams',
    '/v1/workflows',
    '/v1/webhooks',
    '/v1/workspaces',
    '/v1/workspaces/:id/keys',
  ];

  const listRoutes = (): RouteDefinition[] => t.app.routes.filter((route) => route.method === 'GET' && route.response.list);

  function concreteUrl(route: RouteDefinition): string {
    const params = route.url.includes(':') ? PATH_PARAMS[route.url]?.() : {};
    expect(params, `${route.url} is a list with path parameters: give them values in PATH_PARAMS`).toBeDefined();
    return route.url.replace(/:([A-Za-z]+)/g, (_m: string, name: string) => {
      expect(params![name], `${route.url}: no value for :${name}`).toEqual(expect.any(String));
      return encodeURIComponent(params![name]!);
    });
  }

  beforeAll(async () => {
    t = await createTestApp(engine);
    adminKey = (await issueApiKey(t.db, t.app.secretBox, t.workspaceId, 'instance admin', { instanceAdmin: true })).key;

    f.agentId = (await ok('POST', '/v1/agents', { name: 'Lister' })).id;
    f.channelId = (await ok('POST', '/v1/deployment-channels', { channelIdentifier: 'https://lists.example.com', deploymentType: 'web' })).id;
    await ok('POST', '/v1/deployment-configurations', { deploymentChannelId: f.channelId, agentId: f.agentId });
    await ok('POST', '/v1/phone-configurations', { phoneNumber: '+12025550170', provider: 'twilio' });
    f.teamId = (await ok('POST', '/v1/teams', { name: 'Listed' })).id;
    await ok('POST', `/v1/teams/${f.teamId}/observers`, { name: 'Olu', email: 'olu@example.com' });
    await ok('PUT', `/v1/deployment-channels/${f.channelId}/teams`, { teamIds: [f.teamId] });
    await ok('POST', '/v1/workflows', { name: 'Listed', rules: [], fallback: { agentId: f.agentId } });
    const secret = await ok('POST', '/v1/secrets', { name: 'listed-secret', value: 'whsec_' + Buffer.from('listed-secret-0123456789').toString('base64') });
    f.connectionId = (await ok('POST', '/v1/connections', {
      provider: 'webhook',
      name: 'Listed',
      settings: { outboundUrl: 'http://127.0.0.1:9/listed' },
      credentials: { outboundSecret: secret.id },
    })).id;
    const hook = await ok('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['*'] });
    await ok('POST', `/v1/webhooks/${hook.id}/test`);

    // A conversation with messages, through the widget runtime as a browser would start one.
    const web = await ok('POST', `/v1/agents/${f.agentId}/deployments`, {
      name: 'Listed widget',
      allowedOrigins: [ORIGIN],
      channel: { channelIdentifier: 'https://widget-lists.example.com' },
    });
    const runtimeHeaders = { authorization: `Bearer ${web.token}`, origin: ORIGIN };
    const session = await ok('POST', '/v1/public/runtime/sessions', {}, runtimeHeaders);
    await ok('POST', `/v1/public/runtime/sessions/${session.sessionId}/messages`, { text: 'Hello', clientMessageId: 'list-1' }, {
      ...runtimeHeaders,
      'x-visitor-token': session.visitorToken,
    });
    await t.app.conversations.drain();
    f.conversationId = session.sessionId; // a widget session is its conversation
    await ok('POST', '/v1/public/runtime/track', { event: 'listed' }, { ...runtimeHeaders, 'x-visitor-token': session.visitorToken });
    f.contactId = (await ok('GET', `/v1/conversations/${f.conversationId}`)).contactId;
  });
  afterAll(async () => {
    await t.close();
  });

  describe('every list answers one page inside data', () => {
    it('finds the lists among the declared routes, and every paginated GET is declared a list', () => {
      const lists = listRoutes().map((route) => route.url);
      for (const url of FILLED) expect(lists).toContain(url);
      // A GET that takes ?page= and ?pageSize= answers a page, so it must say so (and is checked below).
      for (const route of t.app.routes) {
        const shape = (route.query as { shape?: Record<string, unknown> } | undefined)?.shape ?? {};
        if (route.method === 'GET' && 'page' in shape && 'pageSize' in shape) expect(route.response.list, route.url).toBe(true);
      }
    });

    it('answers {success, data: {data: [...], meta}, metadata} on each, with no top-level meta', async () => {
      for (const route of listRoutes()) {
        const url = concreteUrl(route);
        const headers = url.startsWith('/v1/workspaces') ? { authorization: `Bearer ${adminKey}` } : undefined;
        const page = expectListShape(await t.request('GET', url, undefined, headers), url);
        if (FILLED.includes(route.url)) expect(page.data.length, `${url} lists the fixtures`).toBeGreaterThan(0);
        expect(page.meta).toMatchObject({ page: 1, pageSize: 20, hasPreviousPage: false });

        // The second page of one item each: the same shape, paged.
        const second = expectListShape(await t.request('GET', `${url}?page=2&pageSize=1`, undefined, headers), `${url}?page=2&pageSize=1`);
        expect(second.meta).toMatchObject({ page: 2, pageSize: 1, totalCount: page.meta.totalCount, hasPreviousPage: true });
      }
    });

    it('reads what WIIL reads: body.data is the page, body.data.data its items', async () => {
      const body = (await t.request('GET', '/v1/deployment-channels/by-type/web?pageSize=1')).body;
      const page = body.data; // WIIL's HttpClient.get returns response.data.data, the envelope's data
      expect(page.data).toHaveLength(1);
      expect(page.data[0]).toMatchObject({ deploymentType: 'web', channelIdentifier: expect.any(String) });
      expect(page.meta).toEqual({ page: 1, pageSize: 1, totalCount: 2, totalPages: 2, hasNextPage: true, hasPreviousPage: false });
      expect(body).not.toHaveProperty('meta');
    });

    it('leaves answers that are not lists as they were', async () => {
      const channel = await t.request('GET', `/v1/deployment-channels/${f.channelId}`);
      expect(Object.keys(channel.body).sort()).toEqual(['data', 'metadata', 'success']);
      expect(channel.body.data.id).toBe(f.channelId);
      // A PUT answering the whole list of teams answers it as an array, not a page.
      const teams = await t.request('PUT', `/v1/deployment-channels/${f.channelId}/teams`, { teamIds: [f.teamId] });
      expect(teams.body.data.map((team: { id: string }) => team.id)).toEqual([f.teamId]);
      // Outcome meta stays at the top level.
      const scratch = await ok('POST', '/v1/deployment-channels', { channelIdentifier: 'https://scratch-lists.example.com', deploymentType: 'web' });
      const deleted = await t.request('DELETE', `/v1/deployment-channels/${scratch.id}?deletePhoneConfig=true`);
      expect(deleted.body).toMatchObject({ success: true, data: true, meta: { phoneConfigurationDeleted: false } });
    });
  });

  describe('field errors reach meta', () => {
    it('repeats error.details as meta.details on a validation error', async () => {
      const response = await t.request('POST', '/v1/deployment-channels', { channelIdentifier: 'example.com', deploymentType: 'web', channelName: '' });
      expect(response.status).toBe(400);
      const details = [
        { field: 'channelIdentifier', message: RULES.webUrl },
        { field: 'channelName', message: 'must not be empty' },
      ];
      expect(response.body.error.details).toEqual(details);
      expect(response.body.meta).toEqual({ details });
      const wiil = asWiilError(response.body);
      expect(wiil).toEqual({ message: 'channelIdentifier: Invalid website URL format (and 1 more)', statusCode: 400, code: 'VALIDATION_ERROR', details: { details } });
    });

    it('on query and path parameters too, and keeps meta of other errors as it was', async () => {
      const paging = await t.request('GET', '/v1/agents?pageSize=5000');
      expect(paging.status).toBe(400);
      expect(paging.body.meta.details).toEqual(paging.body.error.details);
      expect(paging.body.meta.details[0].field).toBe('pageSize');
      const unknownQuery = await t.request('GET', '/v1/agents?sort=asc');
      expect(unknownQuery.body.meta).toEqual({ details: [{ field: 'sort', message: 'Unknown query parameter' }] });

      const missing = await t.request('GET', '/v1/agents/agent_doesnotexist');
      expect(missing.status).toBe(404);
      expect(missing.body.meta).toEqual({ id: 'agent_doesnotexist' });
      expect(missing.body.error.details).toBeNull();
      const conflict = await t.request('POST', '/v1/deployment-channels', { channelIdentifier: 'https://lists.example.com', deploymentType: 'web' });
      expect(conflict.status).toBe(409);
      expect(conflict.body.meta).toEqual({ existingChannelId: f.channelId });
      const malformed = await t.request('POST', '/v1/agents', '{"name":');
      expect(malformed.status).toBe(400);
      expect(malformed.body.meta).toEqual({});
    });
  });

  describe('phone numbers are stored in E.164', () => {
    const spaced = '+1 202 555 0111';
    const bracketed = '+1 (202) 555-0111';
    const dotted = '+1.202.555.0111';
    const e164 = '+12025550111';
    let phoneId: string;

    it('accepts separators after the + country code on phone configurations', async () => {
      const created = await t.request('POST', '/v1/phone-configurations', { phoneNumber: bracketed, provider: 'twilio' });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body.data.phoneNumber).toBe(e164);
      phoneId = created.body.data.id;
      // The same number however written.
      for (const phoneNumber of [spaced, dotted, e164, '+1-202-555-0111']) {
        const again = await t.request('POST', '/v1/phone-configurations', { phoneNumber, provider: 'twilio' });
        expect(again.status, phoneNumber).toBe(409);
        expect(again.body.meta.phoneConfigurationId).toBe(phoneId);
      }
      for (const written of [spaced, bracketed, dotted]) {
        const found = await t.request('GET', `/v1/phone-configurations/by-phone-number/${encodeURIComponent(written)}`);
        expect(found.status, written).toBe(200);
        expect(found.body.data.id).toBe(phoneId);
      }
    });

    it('accepts them on calls and sms channel identifiers, and finds the channels by any spelling', async () => {
      const calls = await t.request('POST', '/v1/deployment-channels', { channelIdentifier: spaced, deploymentType: 'calls', configuration: { phoneConfigurationId: phoneId } });
      expect(calls.status, JSON.stringify(calls.body)).toBe(201);
      expect(calls.body.data.channelIdentifier).toBe(e164);
      const sms = await t.request('POST', '/v1/deployment-channels', { channelIdentifier: dotted, deploymentType: 'SMS', configuration: { phoneConfigurationId: phoneId } });
      expect(sms.status, JSON.stringify(sms.body)).toBe(201);
      expect(sms.body.data.channelIdentifier).toBe(e164);
      const duplicate = await t.request('POST', '/v1/deployment-channels', { channelIdentifier: bracketed, deploymentType: 'calls', configuration: { phoneConfigurationId: phoneId } });
      expect(duplicate.status).toBe(409);
      expect(duplicate.body.meta.existingChannelId).toBe(calls.body.data.id);
      expect((await ok('GET', `/v1/phone-configurations/${phoneId}`)).voiceChannelId).toBe(calls.body.data.id);

      for (const written of [spaced, bracketed, dotted, e164]) {
        const byType = await t.request('GET', `/v1/deployment-channels/by-identifier/${encodeURIComponent(written)}?type=CALLS`);
        expect(byType.status, written).toBe(200);
        expect(byType.body.data.id).toBe(calls.body.data.id);
        const anyType = await t.request('GET', `/v1/deployment-channels/by-identifier/${encodeURIComponent(written)}`);
        expect(anyType.body.data.channelIdentifier, written).toBe(e164);
      }
      // A web identifier is looked up as written.
      const web = await t.request('GET', `/v1/deployment-channels/by-identifier/${encodeURIComponent('https://lists.example.com')}?type=web`);
      expect(web.body.data.id).toBe(f.channelId);

      // Updates and the one-step setup normalise too.
      const renamed = await t.request('PATCH', `/v1/deployment-channels/${sms.body.data.id}`, { channelIdentifier: '+1 (202) 555 0111' });
      expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
      expect(renamed.body.data.channelIdentifier).toBe(e164);
      const otherPhone = await ok('POST', '/v1/phone-configurations', { phoneNumber: '+1 202-555-0112', provider: 'telnyx' });
      expect(otherPhone.phoneNumber).toBe('+12025550112');
      const setup = await t.request('POST', '/v1/deployment-configurations/setup', {
        agentId: f.agentId,
        channel: { channelIdentifier: '+1 (202) 555-0112', deploymentType: 'calls', configuration: { phoneConfigurationId: otherPhone.id } },
      });
      expect(setup.status, JSON.stringify(setup.body)).toBe(201);
      expect(setup.body.data.channel.channelIdentifier).toBe('+12025550112');
    });

    it('still refuses numbers without a + country code, with the same message', async () => {
      const before = await t.snapshot();
      for (const written of ['202-555-0111', '12025550111', '1 202 555 0111', '(202) 555-0111', '+1 202 555 011', '+1 202 555 0111 ext 2']) {
        const phone = await t.request('POST', '/v1/phone-configurations', { phoneNumber: written, provider: 'twilio' });
        expect(phone.status, written).toBe(400);
        expect(phone.body.error.details, written).toEqual([{ field: 'phoneNumber', message: RULES.e164 }]);
        expect(phone.body.message).toBe(`phoneNumber: ${RULES.e164}`);
        const channel = await t.request('POST', '/v1/deployment-channels', { channelIdentifier: written, deploymentType: 'calls', configuration: { phoneConfigurationId: phoneId } });
        expect(channel.status, written).toBe(400);
        expect(channel.body.error.details, written).toEqual([{ field: 'channelIdentifier', message: RULES.e164 }]);
        expect(channel.body.message).toBe(`channelIdentifier: ${RULES.e164}`);
        expect((await t.request('GET', `/v1/deployment-channels/by-identifier/${encodeURIComponent(written)}?type=calls`)).status, written).toBe(404);
      }
      expect(await t.snapshot()).toEqual(before);
    });
  });

  describe('mobile-app channels take WIIL defaults', () => {
    it('defaults platform to ios and packageName to the channel identifier', async () => {
      const bare = await t.request('POST', '/v1/deployment-channels', { channelIdentifier: 'com.example.bare', deploymentType: 'mobile-app' });
      expect(bare.status, JSON.stringify(bare.body)).toBe(201);
      expect(bare.body.data.configuration).toEqual({ platform: 'ios', packageName: 'com.example.bare' });
      const empty = await t.request('POST', '/v1/deployment-channels', { channelIdentifier: 'com.example.empty', deploymentType: 'MOBILE', configuration: {} });
      expect(empty.body.data.configuration).toEqual({ platform: 'ios', packageName: 'com.example.empty' });
      const android = await t.request('POST', '/v1/deployment-channels', { channelIdentifier: 'com.example.droid', deploymentType: 'mobile-app', configuration: { platform: 'ANDROID' } });
      expect(android.body.data.configuration).toEqual({ platform: 'android', packageName: 'com.example.droid' });
      const named = await t.request('POST', '/v1/deployment-channels', { channelIdentifier: 'com.example.named', deploymentType: 'mobile-app', configuration: { packageName: 'com.example.app' } });
      expect(named.body.data.configuration).toEqual({ platform: 'ios', packageName: 'com.example.app' });
      expect((await ok('GET', `/v1/deployment-channels/${bare.body.data.id}`)).configuration).toEqual({ platform: 'ios', packageName: 'com.example.bare' });

      // Removing a key brings its default back; a bad platform is still refused.
      const reset = await t.request('PATCH', `/v1/deployment-channels/${named.body.data.id}`, { configuration: { packageName: null, platform: 'android' } });
      expect(reset.body.data.configuration).toEqual({ platform: 'android', packageName: 'com.example.named' });
      const windows = await t.request('POST', '/v1/deployment-channels', { channelIdentifier: 'com.example.win', deploymentType: 'mobile-app', configuration: { platform: 'windows' } });
      expect(windows.status).toBe(400);
      expect(windows.body.error.details).toEqual([{ field: 'configuration.platform', message: 'must be one of ios, android' }]);

      const setup = await t.request('POST', '/v1/deployment-configurations/setup', { agentId: f.agentId, channel: { channelIdentifier: 'com.example.setup', deploymentType: 'mobile-app' } });
      expect(setup.status, JSON.stringify(setup.body)).toBe(201);
      expect(setup.body.data.channel.configuration).toEqual({ platform: 'ios', packageName: 'com.example.setup' });
    });
  });
});

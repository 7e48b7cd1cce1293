import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { createTestApp, createTwilioConnection, type TestApp } from '../helpers/app.js';
import { inboundSmsParams, signedTwilioWebhook } from '../fakes/twilio.js';
import { REFUSALS_KEPT_PER_CONNECTION } from '../../packages/server/src/store/repositories/inbound-refusals.js';

const AUTH_TOKEN = 'a'.repeat(32);
const PUBLIC_URL = 'http://localhost:8787';

describe.each(ENGINES)('a connection\u2019s inbound activity on %s', (engine) => {
  let t: TestApp;
  let connectionId: string;
  let path: string;

  beforeAll(async () => {
    t = await createTestApp(engine);
    connectionId = await createTwilioConnection(t, AUTH_TOKEN, 'twilio-token');
    path = `/v1/public/channels/twilio/${connectionId}`;
  });
  afterAll(async () => {
    await t.close();
  });

  async function post(params: Record<string, string>, signWith = AUTH_TOKEN) {
    const { headers, body } = signedTwilioWebhook(signWith, `${PUBLIC_URL}${path}`, params);
    const response = await t.app.server.inject({ method: 'POST', url: path, headers, payload: body });
    return response.statusCode;
  }

  const activity = (query = '') => t.request('GET', `/v1/connections/${connectionId}/inbound-events${query}`);

  it('lists accepted events and refusals with their reason, newest first', async () => {
    expect(await post(inboundSmsParams({ MessageSid: `SM${'1'.repeat(32)}` }))).toBe(200);
    expect(await post(inboundSmsParams({ MessageSid: `SM${'2'.repeat(32)}` }), 'b'.repeat(32))).toBe(403);

    const response = await activity();
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const [refused, accepted] = response.body.data.data;
    expect(response.body.data.meta.totalCount).toBe(2);
    expect(refused).toMatchObject({ outcome: 'refused', httpStatus: 403 });
    expect(refused.reason).toMatch(/signature/i);
    expect(accepted).toMatchObject({ outcome: 'accepted', providerEventId: `SM${'1'.repeat(32)}` });
    expect(['pending', 'processing', 'processed', 'failed']).toContain(accepted.status);
    expect(refused.receivedAt).toBeGreaterThanOrEqual(accepted.receivedAt);
  });

  it(`keeps only the newest ${REFUSALS_KEPT_PER_CONNECTION} refusals of a connection`, async () => {
    for (let i = 0; i < REFUSALS_KEPT_PER_CONNECTION + 5; i++) expect(await post(inboundSmsParams(), 'c'.repeat(32))).toBe(403);
    const stored = await t.db.selectFrom('inbound_refusals').select((eb) => eb.fn.countAll<number>().as('n')).where('connection_id', '=', connectionId).executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(REFUSALS_KEPT_PER_CONNECTION);
    const response = await activity('?pageSize=100');
    expect(response.body.data.data.filter((entry: { outcome: string }) => entry.outcome === 'refused')).toHaveLength(REFUSALS_KEPT_PER_CONNECTION);
    expect(response.body.data.data.some((entry: { outcome: string }) => entry.outcome === 'accepted')).toBe(true);
  });

  it('pages and refuses bad paging', async () => {
    const first = await activity('?pageSize=10&page=2');
    expect(first.status).toBe(200);
    expect(first.body.data.data).toHaveLength(10);
    expect(first.body.data.meta).toMatchObject({ page: 2, pageSize: 10, hasPreviousPage: true });
    const bad = await activity('?pageSize=0');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('pageSize');
  });

  it('is not visible from another workspace', async () => {
    const other = await t.newWorkspace('Other');
    const response = await t.request('GET', `/v1/connections/${connectionId}/inbound-events`, undefined, { authorization: `Bearer ${other.apiKey}` });
    expect(response.status).toBe(404);
  });
});

/**
 * GET /v1/deliveries narrowed to one target: `?subscriptionId=` gives one webhook subscription's
 * event deliveries, `?connectionId=` the replies sent through one provider connection. The filter
 * holds across pages and in `totalCount`, combines with `status`, stays inside the workspace, and
 * a malformed id is a 400 naming the field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { deliveriesRepository, type NewDelivery } from '../../packages/server/src/store/repositories/deliveries.js';

interface Listed {
  ids: string[];
  rows: { id: string; kind: string; connectionId: string; status: string }[];
  meta: { totalCount: number; totalPages: number };
}

describe.each(ENGINES)('deliveries filtered by target on %s', (engine) => {
  let t: TestApp;
  let tested: string;
  let quiet: string;
  const testDeliveries: string[] = [];
  const connectionId = 'conn_filterTestConn01';
  const replies: string[] = [];

  const list = async (query: string): Promise<Listed> => {
    const response = await t.request('GET', `/v1/deliveries?${query}`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const { data, meta } = response.body.data;
    return { ids: data.map((row: { id: string }) => row.id), rows: data, meta };
  };

  /** A delivery recorded as already sent, in one transaction, so the running outbox never picks it up. */
  const recorded = (input: Omit<NewDelivery, 'channelId' | 'conversationId' | 'messageId' | 'payload' | 'maxAttempts'>) =>
    t.db.transaction().execute(async (trx) => {
      const id = await deliveriesRepository(trx).insert({
        channelId: 'chan_filterTestChan01',
        conversationId: 'conv_filterTestConv01',
        messageId: 'msg_filterTestMessage1',
        payload: { text: 'hello' },
        maxAttempts: 3,
        ...input,
      });
      await trx.updateTable('deliveries').set({ status: 'sent', sent_at: Date.now() }).where('id', '=', id).execute();
      return id;
    });

  beforeAll(async () => {
    t = await createTestApp(engine);
    const subscribe = async (path: string) => {
      const created = await t.request('POST', '/v1/webhooks', { url: `http://127.0.0.1:9/${path}`, events: ['conversation.created'] });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      return created.body.data.id as string;
    };
    tested = await subscribe('tested');
    quiet = await subscribe('quiet');
    for (let i = 0; i < 3; i++) {
      const sent = await t.request('POST', `/v1/webhooks/${tested}/test`);
      expect(sent.status, JSON.stringify(sent.body)).toBe(200);
      testDeliveries.push(sent.body.data.deliveryId);
    }
    replies.push(await recorded({ workspaceId: t.workspaceId, connectionId }), await recorded({ workspaceId: t.workspaceId, connectionId }));
    // Another connection's reply, and another workspace's deliveries to the same ids.
    await recorded({ workspaceId: t.workspaceId, connectionId: 'conn_someOtherConnect1' });
    const other = await t.newWorkspace('Other');
    await recorded({ workspaceId: other.workspaceId, connectionId });
    await recorded({ workspaceId: other.workspaceId, connectionId: tested, kind: 'event' });
  });
  afterAll(async () => {
    await t.close();
  });

  it("lists one webhook subscription's event deliveries, counted and paged", async () => {
    const all = await list(`subscriptionId=${tested}`);
    expect(all.ids.sort()).toEqual([...testDeliveries].sort());
    expect(all.rows.every((row) => row.kind === 'event' && row.connectionId === tested)).toBe(true);
    expect(all.meta.totalCount).toBe(3);

    const first = await list(`subscriptionId=${tested}&pageSize=2`);
    const second = await list(`subscriptionId=${tested}&pageSize=2&page=2`);
    expect(first.meta).toMatchObject({ totalCount: 3, totalPages: 2 });
    expect([...first.ids, ...second.ids].sort()).toEqual([...testDeliveries].sort());

    expect((await list(`subscriptionId=${quiet}`)).meta.totalCount).toBe(0);
    // Without a filter every delivery of the workspace is there.
    expect((await list('pageSize=100')).meta.totalCount).toBe(6);
  });

  it("lists the replies sent through one connection, and never a subscription's events", async () => {
    const through = await list(`connectionId=${connectionId}`);
    expect(through.ids.sort()).toEqual([...replies].sort());
    expect(through.rows.every((row) => row.kind === 'reply')).toBe(true);
    expect(through.meta.totalCount).toBe(2);
    expect((await list(`connectionId=${tested}`)).meta.totalCount).toBe(0);
  });

  it('combines with status', async () => {
    const dead = testDeliveries[0]!;
    await t.db.updateTable('deliveries').set({ status: 'dead' }).where('id', '=', dead).execute();
    const deadOnes = await list(`subscriptionId=${tested}&status=dead`);
    expect(deadOnes.ids).toEqual([dead]);
    expect(deadOnes.meta.totalCount).toBe(1);
    expect((await list(`connectionId=${connectionId}&status=dead`)).meta.totalCount).toBe(0);
  });

  it('answers 400 naming the field for a malformed id, or for both filters at once', async () => {
    for (const [query, field] of [
      ['subscriptionId=not%20an%20id', 'subscriptionId'],
      [`connectionId=${'x'.repeat(65)}`, 'connectionId'],
      ['subscriptionId=', 'subscriptionId'],
      [`subscriptionId=${tested}&connectionId=${connectionId}`, 'connectionId'],
    ] as const) {
      const response = await t.request('GET', `/v1/deliveries?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.body.success).toBe(false);
      expect(response.body.error.details[0].field, query).toBe(field);
      expect(response.body.error.details[0].message, query).toMatch(/must be 1-64 characters|cannot be combined with subscriptionId/);
    }
  });

  it('documents both filters as query parameters in the OpenAPI document', async () => {
    const response = await t.app.server.inject({ method: 'GET', url: '/v1/openapi.json' });
    const parameters = JSON.parse(response.body).paths['/v1/deliveries'].get.parameters as { name: string; in: string; schema: { pattern?: string } }[];
    for (const name of ['subscriptionId', 'connectionId']) {
      expect(parameters.find((parameter) => parameter.name === name)).toMatchObject({ in: 'query', required: false, schema: { type: 'string', pattern: expect.any(String) } });
    }
  });
});

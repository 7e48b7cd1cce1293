import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { SecretBox, webhookRoutes } from '@switchboard/server';
import { buildOpenApiDocument } from '../../packages/server/src/api/openapi.js';
import { ENGINES } from '../helpers/engines.js';
import { controlApi } from '../helpers/control.js';
import { startWebhookServer, type Api, type WebhookServer } from './support.js';

const WHSEC = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

describe.each(ENGINES)('Webhook subscriptions API on %s', (engine) => {
  let server: WebhookServer;
  let api: Api;
  let workspaceId: string;

  const count = async () =>
    Number((await server.db.selectFrom('webhook_subscriptions').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  beforeAll(async () => {
    server = await startWebhookServer(engine);
    const workspace = await server.newWorkspace();
    workspaceId = workspace.workspaceId;
    api = controlApi(server.baseUrl, workspace.apiKey);
  });
  afterAll(async () => {
    await server.close();
  });

  it('creates a subscription and shows its signing secret once, then only a mask and a fingerprint', async () => {
    const created = await api('POST', '/v1/webhooks', {
      url: 'https://ops.example.com/hooks/switchboard',
      events: ['message.created', 'handoff.requested'],
      description: 'Ops dashboard',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const data = created.body.data;
    expect(data).toMatchObject({
      url: 'https://ops.example.com/hooks/switchboard',
      events: ['message.created', 'handoff.requested'],
      description: 'Ops dashboard',
      active: true,
    });
    expect(data.id).toMatch(/^whk_[A-Za-z0-9]{16}$/);
    expect(data.secret).toMatch(WHSEC);
    expect(Buffer.from(data.secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    expect(data.secretFingerprint).toBe(server.app.secretBox.fingerprint(data.secret));
    expect(data.secretMask).toBe(`whsec_…${data.secret.slice(-4)}`);
    expect(data.createdAt).toEqual(expect.any(Number));
    const secret: string = data.secret;
    const key = secret.slice('whsec_'.length);

    const reads = [
      await api('GET', `/v1/webhooks/${data.id}`),
      await api('GET', '/v1/webhooks?pageSize=100'),
      await api('PATCH', `/v1/webhooks/${data.id}`, { description: 'Ops dashboard (prod)' }),
    ];
    for (const read of reads) {
      expect(read.status).toBe(200);
      const text = JSON.stringify(read.body);
      expect(text).not.toContain(key);
      expect(text).not.toContain('"secret"');
    }
    const got = reads[0]!.body.data;
    const { secret: _shownOnce, ...withoutSecret } = data;
    expect(got).toEqual(withoutSecret);
    expect(got).not.toHaveProperty('secret');

    // Sealed at rest: the row holds neither the secret nor its key.
    const row = await server.db.selectFrom('webhook_subscriptions').selectAll().where('id', '=', data.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(key);
    expect(row.secret_sealed).toMatch(/^v1\./);
    expect(server.app.secretBox.decrypt(row.secret_sealed, `webhook:${data.id}`)).toBe(secret);
    expect(() => server.app.secretBox.decrypt(row.secret_sealed, 'webhook:whk_other')).toThrow();
  });

  it("accepts ['*'], keeps each event type once, and stores a plain JSON array of types", async () => {
    const all = await api('POST', '/v1/webhooks', { url: 'http://127.0.0.1:8080/all', events: ['*'] });
    expect(all.status).toBe(201);
    expect(all.body.data).toMatchObject({ events: ['*'], description: null, active: true });
    const twice = await api('POST', '/v1/webhooks', { url: 'https://x.example.com/', events: ['delivery.failed', 'delivery.failed', 'conversation.created'] });
    expect(twice.status).toBe(201);
    expect(twice.body.data.events).toEqual(['delivery.failed', 'conversation.created']);
    const row = await server.db.selectFrom('webhook_subscriptions').select('events').where('id', '=', twice.body.data.id).executeTakeFirstOrThrow();
    expect(JSON.parse(row.events)).toEqual(['delivery.failed', 'conversation.created']);
  });

  it('refuses a bad URL, an unknown event type, no events or * with others, with 400 naming the field, and stores nothing', async () => {
    const before = await count();
    const cases: [unknown, string][] = [
      [{ url: 'ftp://ops.example.com/hook', events: ['message.created'] }, 'url'],
      [{ url: 'not a url', events: ['message.created'] }, 'url'],
      [{ url: '/relative/hook', events: ['message.created'] }, 'url'],
      [{ url: 42, events: ['message.created'] }, 'url'],
      [{ events: ['message.created'] }, 'url'],
      [{ url: 'https://ops.example.com/hook', events: ['message.sent'] }, 'events.0'],
      [{ url: 'https://ops.example.com/hook', events: ['message.created', 'conversation.closed'] }, 'events.1'],
      [{ url: 'https://ops.example.com/hook', events: [] }, 'events'],
      [{ url: 'https://ops.example.com/hook', events: 'message.created' }, 'events'],
      [{ url: 'https://ops.example.com/hook' }, 'events'],
      [{ url: 'https://ops.example.com/hook', events: ['*', 'message.created'] }, 'events'],
      [{ url: 'https://ops.example.com/hook', events: ['webhook.test'] }, 'events.0'],
      [{ url: 'https://ops.example.com/hook', events: ['*'], secret: 'whsec_bWluZQ==' }, ''],
      [{ url: 'https://ops.example.com/hook', events: ['*'], description: 'x'.repeat(501) }, 'description'],
    ];
    for (const [body, field] of cases) {
      const response = await api('POST', '/v1/webhooks', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.code).toBe('VALIDATION_ERROR');
      expect(response.body.error.details.map((d: { field: string }) => d.field), JSON.stringify(body)).toContain(field);
    }
    const unknownType = await api('POST', '/v1/webhooks', { url: 'https://ops.example.com/hook', events: ['message.sent'] });
    expect(unknownType.body.message).toMatch(/^events\.0: must be one of conversation\.created, message\.created, handoff\.requested, handoff\.accepted, delivery\.failed/);
    expect(await count()).toBe(before);
  });

  it('changes url, events, active and description; validates the change the same way', async () => {
    const created = (await api('POST', '/v1/webhooks', { url: 'https://a.example.com/h', events: ['message.created'], description: 'first' })).body.data;
    const patched = await api('PATCH', `/v1/webhooks/${created.id}`, {
      url: 'https://b.example.com/h',
      events: ['handoff.requested', 'handoff.accepted'],
      active: false,
      description: null,
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.data).toMatchObject({
      id: created.id,
      url: 'https://b.example.com/h',
      events: ['handoff.requested', 'handoff.accepted'],
      active: false,
      description: null,
      secretFingerprint: created.secretFingerprint,
      createdAt: created.createdAt,
    });
    expect(patched.body.data.updatedAt).toBeGreaterThan(created.updatedAt);
    expect((await api('GET', `/v1/webhooks/${created.id}`)).body.data).toEqual(patched.body.data);

    const reactivated = await api('PATCH', `/v1/webhooks/${created.id}`, { active: true });
    expect(reactivated.body.data).toMatchObject({ active: true, url: 'https://b.example.com/h', events: ['handoff.requested', 'handoff.accepted'] });

    for (const [body, field] of [
      [{ events: ['handoff.closed'] }, 'events.0'],
      [{ events: [] }, 'events'],
      [{ url: 'mailto:ops@example.com' }, 'url'],
      [{ active: 'yes' }, 'active'],
      [{ secret: 'whsec_bWluZQ==' }, ''],
    ] as const) {
      const refused = await api('PATCH', `/v1/webhooks/${created.id}`, body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    expect((await api('GET', `/v1/webhooks/${created.id}`)).body.data).toMatchObject({ url: 'https://b.example.com/h', active: true });
  });

  it('rotates the signing secret: the new one is shown once, the fingerprint changes', async () => {
    const created = (await api('POST', '/v1/webhooks', { url: 'https://rotate.example.com/h', events: ['*'] })).body.data;
    const rotated = await api('POST', `/v1/webhooks/${created.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    const data = rotated.body.data;
    expect(data.secret).toMatch(WHSEC);
    expect(data.secret).not.toBe(created.secret);
    expect(data.secretFingerprint).toBe(server.app.secretBox.fingerprint(data.secret));
    expect(data.secretFingerprint).not.toBe(created.secretFingerprint);
    expect(data).toMatchObject({ id: created.id, url: created.url, events: ['*'], active: true });

    const read = await api('GET', `/v1/webhooks/${created.id}`);
    expect(read.body.data.secretFingerprint).toBe(data.secretFingerprint);
    expect(JSON.stringify(read.body)).not.toContain(data.secret.slice('whsec_'.length));
    expect(read.body.data).not.toHaveProperty('secret');
    expect((await api('POST', '/v1/webhooks/whk_missing/rotate-secret')).status).toBe(404);
  });

  it('lists with pagination, deletes, and keeps workspaces apart', async () => {
    const other = await server.newWorkspace('Other');
    const otherApi = controlApi(server.baseUrl, other.apiKey);
    const theirs = (await otherApi('POST', '/v1/webhooks', { url: 'https://theirs.example.com/h', events: ['*'] })).body.data;

    const mine = await api('GET', '/v1/webhooks?page=1&pageSize=2');
    expect(mine.status).toBe(200);
    expect(mine.body.data.data).toHaveLength(2);
    const total = Number(
      (
        await server.db
          .selectFrom('webhook_subscriptions')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('workspace_id', '=', workspaceId)
          .executeTakeFirstOrThrow()
      ).n,
    );
    expect(mine.body.data.meta).toMatchObject({ page: 1, pageSize: 2, totalCount: total, hasNextPage: total > 2, hasPreviousPage: false });
    const everything = (await api('GET', '/v1/webhooks?pageSize=1000')).body.data.data.map((s: { id: string }) => s.id);
    expect(everything).not.toContain(theirs.id);
    expect((await api('GET', `/v1/webhooks/${theirs.id}`)).status).toBe(404);
    expect((await api('PATCH', `/v1/webhooks/${theirs.id}`, { active: false })).status).toBe(404);
    expect((await api('POST', `/v1/webhooks/${theirs.id}/rotate-secret`)).status).toBe(404);
    expect((await api('POST', `/v1/webhooks/${theirs.id}/test`)).status).toBe(404);
    expect((await api('DELETE', `/v1/webhooks/${theirs.id}`)).status).toBe(404);
    expect((await otherApi('GET', `/v1/webhooks/${theirs.id}`)).body.data.active).toBe(true);

    const doomed = (await api('POST', '/v1/webhooks', { url: 'https://doomed.example.com/h', events: ['*'] })).body.data;
    const deleted = await api('DELETE', `/v1/webhooks/${doomed.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.data).toBe(true);
    const gone = await api('GET', `/v1/webhooks/${doomed.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.message).toBe('Webhook subscription not found');
    expect((await api('DELETE', `/v1/webhooks/${doomed.id}`)).status).toBe(404);
    expect((await api('GET', '/v1/webhooks/not%20an%20id')).status).toBe(400);
  });

  it('describes itself in the OpenAPI document, from the schemas that validate', async () => {
    const routes = webhookRoutes(server.db, server.app.secretBox, () => undefined);
    const doc = buildOpenApiDocument([...server.app.routes.filter((r) => !r.url.startsWith('/v1/webhooks')), ...routes], { version: 'test' }) as any;
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/v1/webhooks')).sort()).toEqual([
      '/v1/webhooks',
      '/v1/webhooks/{id}',
      '/v1/webhooks/{id}/rotate-secret',
      '/v1/webhooks/{id}/test',
    ]);
    expect(Object.keys(doc.paths['/v1/webhooks']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/v1/webhooks/{id}']).sort()).toEqual(['delete', 'get', 'patch']);
    const ref = (op: any, status: string) => op.responses[status].content['application/json'].schema.properties.data;
    expect(ref(doc.paths['/v1/webhooks'].post, '201')).toEqual({ $ref: '#/components/schemas/IssuedWebhookSubscription' });
    expect(ref(doc.paths['/v1/webhooks/{id}'].get, '200')).toEqual({ $ref: '#/components/schemas/WebhookSubscription' });
    expect(ref(doc.paths['/v1/webhooks/{id}/rotate-secret'].post, '200')).toEqual({ $ref: '#/components/schemas/IssuedWebhookSubscription' });
    expect(ref(doc.paths['/v1/webhooks/{id}/test'].post, '200')).toEqual({ $ref: '#/components/schemas/WebhookTestResult' });
    for (const action of ['rotate-secret', 'test']) expect(doc.paths[`/v1/webhooks/{id}/${action}`].post.requestBody).toBeUndefined();
    expect(doc.components.schemas.WebhookSubscription.properties).not.toHaveProperty('secret');
    expect(doc.components.schemas.IssuedWebhookSubscription.required).toContain('secret');

    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema({ $id: 'switchboard', components: doc.components }, 'switchboard');
    const valid = (schema: string, body: unknown) => ajv.getSchema(`switchboard#/components/schemas/${schema}`)!(body);
    expect(valid('WebhookSubscriptionRequest', { url: 'https://ops.example.com/h', events: ['message.created'] })).toBe(true);
    expect(valid('WebhookSubscriptionRequest', { url: 'https://ops.example.com/h', events: ['*'], description: 'all' })).toBe(true);
    expect(valid('WebhookSubscriptionRequest', { url: 'https://ops.example.com/h', events: ['message.sent'] })).toBe(false);
    expect(valid('WebhookSubscriptionRequest', { url: 'https://ops.example.com/h', events: [] })).toBe(false);
    expect(valid('WebhookSubscriptionRequest', { url: 'https://ops.example.com/h', events: ['*'], secret: 'x' })).toBe(false);
    expect(valid('WebhookSubscriptionUpdateRequest', { active: false, description: null })).toBe(true);
    const created = await api('POST', '/v1/webhooks', { url: 'https://schema.example.com/h', events: ['handoff.accepted'] });
    expect(valid('IssuedWebhookSubscription', created.body.data)).toBe(true);
    expect(valid('WebhookSubscription', (await api('GET', `/v1/webhooks/${created.body.data.id}`)).body.data)).toBe(true);
  });

  it('queues a test event for one active subscription, and refuses one that is inactive', async () => {
    const created = (await api('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/nowhere', events: ['handoff.accepted'] })).body.data;
    await api('PATCH', `/v1/webhooks/${created.id}`, { active: false });
    const refused = await api('POST', `/v1/webhooks/${created.id}/test`);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/inactive/);
    await api('PATCH', `/v1/webhooks/${created.id}`, { active: true });
    const queued = await api('POST', `/v1/webhooks/${created.id}/test`);
    expect(queued.status).toBe(200);
    expect(queued.body.data.eventId).toMatch(/^wev_/);
    expect(queued.body.data.deliveryId).toMatch(/^dlv_/);
    const delivery = await api('GET', `/v1/deliveries/${queued.body.data.deliveryId}`);
    expect(delivery.status).toBe(200);
    expect(delivery.body.data).toMatchObject({ kind: 'event', connectionId: created.id });
  });
});

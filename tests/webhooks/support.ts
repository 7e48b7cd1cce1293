/**
 * A live Switchboard with the webhook subscription routes, on one engine: like
 * `startLiveServer`, but the routes are registered on the app before it listens (app.ts may not
 * register them yet; when it does, they are not registered twice).
 */
import { expect } from 'vitest';
import type { Kysely } from 'kysely';
import { buildApp, webhookRoutes, type App, type AppOptions, type DB, type Engine } from '@switchboard/server';
import { registerRoute } from '../../packages/server/src/http/route.js';
import { apiKeyAuthenticator } from '../../packages/server/src/http/auth.js';
import { createTestDatabase, type TestDatabase } from '../helpers/engines.js';
import { createWorkspace, type TestWorkspace } from '../helpers/app.js';
import { controlApi } from '../helpers/control.js';
import { startWebhookReceiver, type FakeWebhookReceiver } from '../fakes/webhook-receiver.js';
import { fakesEgress } from '../helpers/egress.js';

export interface WebhookServer {
  baseUrl: string;
  database: TestDatabase;
  db: Kysely<DB>;
  app: App;
  newWorkspace(name?: string): Promise<TestWorkspace>;
  close(): Promise<void>;
}

export async function startWebhookServer(engine: Engine, options: Partial<AppOptions> = {}): Promise<WebhookServer> {
  const database = await createTestDatabase(engine);
  const app = buildApp({ db: database.db, egress: fakesEgress, ...options });
  if (!app.routes.some((route) => route.url === '/v1/webhooks')) {
    const authenticate = apiKeyAuthenticator(database.db, app.secretBox);
    for (const route of webhookRoutes(database.db, app.secretBox, () => app.dispatcher.kick())) {
      registerRoute(app.server, route, (request) => authenticate(request.headers, request.method));
    }
  }
  const baseUrl = await app.server.listen({ port: 0, host: '127.0.0.1' });
  return {
    baseUrl,
    database,
    db: database.db,
    app,
    newWorkspace: (name) => createWorkspace(database.db, name, app.secretBox),
    async close() {
      await app.server.close();
      await database.destroy();
    },
  };
}

export type Api = ReturnType<typeof controlApi>;

export interface Subscribed {
  id: string;
  secret: string;
  receiver: FakeWebhookReceiver;
}

/**
 * Subscribes a fake receiver: the subscription is created first (its secret is only known then),
 * the receiver started with that secret, and the subscription pointed at it.
 */
export async function subscribeReceiver(api: Api, events: string[], description?: string): Promise<Subscribed> {
  const created = await api('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/not-yet', events, ...(description && { description }) });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const { id, secret } = created.body.data as { id: string; secret: string };
  const receiver = await startWebhookReceiver({ secret });
  const patched = await api('PATCH', `/v1/webhooks/${id}`, { url: receiver.url });
  expect(patched.status, JSON.stringify(patched.body)).toBe(200);
  return { id, secret, receiver };
}

/** Outbox rows of kind 'event', oldest first, with their parsed payload. */
export async function eventDeliveries(db: Kysely<DB>, workspaceId?: string) {
  let query = db.selectFrom('deliveries').selectAll().where('kind', '=', 'event');
  if (workspaceId) query = query.where('workspace_id', '=', workspaceId);
  const rows = await query.orderBy('created_at').orderBy('id').execute();
  return rows.map((row) => ({ ...row, payload: JSON.parse(row.payload) as { subscriptionId: string; eventId: string; type: string; occurredAt: number; data: any } }));
}

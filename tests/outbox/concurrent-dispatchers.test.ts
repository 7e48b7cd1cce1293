import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '@switchboard/server';
import { builtInProviders } from '../../packages/server/src/channels/registry.js';
import type { ChannelAdapter, OutboundMessage, ProviderDefinition } from '../../packages/server/src/channels/adapter.js';
import { deliveriesRepository } from '../../packages/server/src/store/repositories/deliveries.js';
import { connectionsRepository } from '../../packages/server/src/store/repositories/connections.js';
import { SecretBox } from '../../packages/server/src/secrets/secret-box.js';
import { createTestDatabase, type TestDatabase } from '../helpers/engines.js';
import { createWorkspace } from '../helpers/app.js';
import { waitUntil } from '../helpers/wait.js';
import { fakesEgress } from '../helpers/egress.js';

const ROWS = 300;

/**
 * Three server processes' dispatchers on one PostgreSQL outbox, with no crash: every row
 * is sent exactly once, because rows are claimed with FOR UPDATE SKIP LOCKED. The provider
 * here counts every request it gets; it deduplicates nothing.
 */
describe('concurrent dispatchers on PostgreSQL', () => {
  let database: TestDatabase;
  const apps: App[] = [];
  const sends: { key: string; node: number }[] = [];

  function countingProvider(node: number): ProviderDefinition {
    const real = builtInProviders.get('webhook')!;
    const adapter: ChannelAdapter = {
      ...real.adapter,
      async send(message: OutboundMessage) {
        sends.push({ key: message.idempotencyKey, node });
        await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 10));
        return { providerMessageId: `sent-${message.idempotencyKey}` };
      },
    };
    return { ...real, adapter };
  }

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const box = SecretBox.random();
    for (let node = 0; node < 3; node++) {
      const providers = new Map(builtInProviders);
      providers.set('webhook', countingProvider(node));
      const app = buildApp({ db: database.db, egress: fakesEgress, secretBox: box, providers, delivery: { pollMs: 20, baseDelayMs: 10, batchSize: 10 } as never });
      apps.push(app);
    }
    const { workspaceId } = await createWorkspace(database.db);
    const connection = await connectionsRepository(database.db, workspaceId).insert({
      id: 'conn_counting',
      provider: 'webhook',
      name: 'Counting',
      settings: { outboundUrl: 'http://127.0.0.1:9/unused' },
      credentials: {},
      apiBaseUrl: null,
      inboundSecretSealed: box.encrypt('whsec_x', 'connection:conn_counting:inbound'),
    });
    const outbox = deliveriesRepository(database.db);
    for (let i = 0; i < ROWS; i++) {
      await outbox.insert({
        workspaceId,
        connectionId: connection.id,
        channelId: 'chan_test',
        conversationId: 'conv_test',
        messageId: `msg_${i}`,
        payload: { idempotencyKey: `msg_${i}`, channelIdentifier: 'x', channelConfiguration: {}, to: { externalId: 'c' }, text: `hello ${i}` },
        maxAttempts: 3,
      });
    }
  });
  afterAll(async () => {
    for (const app of apps) await app.server.close();
    await database.destroy();
  });

  it('sends every row once while three dispatchers claim from the same table', async () => {
    await Promise.all(apps.map((app) => app.server.ready()));
    await waitUntil(async () => {
      const row = await database.db.selectFrom('deliveries').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'sent').executeTakeFirstOrThrow();
      return Number(row.n) === ROWS;
    }, 30_000, 'every delivery sent');
    expect(sends).toHaveLength(ROWS);
    expect(new Set(sends.map((s) => s.key)).size).toBe(ROWS);
    // The work was really shared: more than one node sent something.
    expect(new Set(sends.map((s) => s.node)).size).toBeGreaterThan(1);
  }, 60_000);
});

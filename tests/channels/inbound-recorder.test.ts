import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KyselyPlugin } from 'kysely';
import { workspacesRepository } from '@switchboard/server';
import { createInboundRecorder } from '../../packages/server/src/channels/inbound-recorder.js';
import type { NewInboundEvent } from '../../packages/server/src/store/repositories/inbound-events.js';
import { ENGINES, createTestDatabase, type TestDatabase } from '../helpers/engines.js';

/** Counts the statements run through the Kysely instance it is plugged into. */
function statementCounter(): KyselyPlugin & { count: number } {
  return {
    count: 0,
    transformQuery(args) {
      this.count++;
      return args.node;
    },
    async transformResult(args) {
      return args.result;
    },
  };
}

describe.each(ENGINES)('inbound recorder (group commit of webhook events) on %s', (engine) => {
  let database: TestDatabase;
  let workspaceId: string;
  const event = (connectionId: string, providerEventId: string): NewInboundEvent => ({
    workspaceId,
    connectionId,
    providerEventId,
    event: { providerEventId, text: `message ${providerEventId}` },
    receivedAt: Date.now(),
  });
  const stored = async (connectionId: string) =>
    (await database.db.selectFrom('inbound_events').select(['provider_event_id', 'status']).where('connection_id', '=', connectionId).execute())
      .map((row) => row.provider_event_id)
      .sort();

  beforeAll(async () => {
    database = await createTestDatabase(engine);
    workspaceId = (await workspacesRepository(database.db).create('Recorder')).id;
  });
  afterAll(async () => {
    await database.destroy();
  });

  it('stores the events of webhooks arriving together in a few statements, each caller answered once its events are stored', async () => {
    const counter = statementCounter();
    const recorder = createInboundRecorder(database.db.withPlugin(counter));
    const ids = Array.from({ length: 50 }, (_, i) => `SM${String(i).padStart(4, '0')}`);
    await Promise.all(
      ids.map(async (id) => {
        await recorder.record([event('conn_group', id)]);
        // Answered only once its own row is there.
        expect(await database.db.selectFrom('inbound_events').select('id').where('provider_event_id', '=', id).executeTakeFirst()).toBeDefined();
      }),
    );
    expect(await stored('conn_group')).toEqual(ids);
    expect(counter.count).toBeLessThanOrEqual(2);
  });

  it('drops redeliveries, within one write and across writes, and keeps a webhook with several events whole', async () => {
    const recorder = createInboundRecorder(database.db);
    await Promise.all([
      recorder.record([event('conn_dupes', 'SMa'), event('conn_dupes', 'SMb')]),
      recorder.record([event('conn_dupes', 'SMa')]),
      recorder.record([event('conn_dupes', 'SMb'), event('conn_dupes', 'SMc')]),
    ]);
    await recorder.record([event('conn_dupes', 'SMa'), event('conn_dupes', 'SMd')]);
    expect(await stored('conn_dupes')).toEqual(['SMa', 'SMb', 'SMc', 'SMd']);
    const rows = await database.db.selectFrom('inbound_events').select('status').where('connection_id', '=', 'conn_dupes').execute();
    expect(rows.every((row) => row.status === 'pending')).toBe(true);
  });

  it('refuses only the webhook whose event cannot be stored; the others written with it are stored and answered', async () => {
    const recorder = createInboundRecorder(database.db);
    const broken = { ...event('conn_poison', 'SMbad'), providerEventId: null as unknown as string };
    const results = await Promise.allSettled([
      recorder.record([event('conn_poison', 'SM1')]),
      recorder.record([broken]),
      recorder.record([event('conn_poison', 'SM2'), event('conn_poison', 'SM3')]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await stored('conn_poison')).toEqual(['SM1', 'SM2', 'SM3']);
  });

  it('answers at once when a webhook carries no event', async () => {
    const counter = statementCounter();
    await createInboundRecorder(database.db.withPlugin(counter)).record([]);
    expect(counter.count).toBe(0);
  });
});

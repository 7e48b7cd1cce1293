/**
 * Sends that succeeded are recorded together: the repository marks any number of rows sent in one
 * statement (each with its own provider message id, only the rows this node still holds), and the
 * dispatcher's recorder hands it every send that finished in the same turn of the event loop.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveriesRepository } from '../../packages/server/src/store/repositories/deliveries.js';
import { createSentRecorder } from '../../packages/server/src/outbox/sent-recorder.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/engines.js';

describe.each(ENGINES)('marking deliveries sent on %s', (engine) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(engine);
  });
  afterAll(() => database.destroy());

  async function claimed(node: string, count: number): Promise<string[]> {
    const outbox = deliveriesRepository(database.db);
    for (let i = 0; i < count; i++) {
      await outbox.insert({
        workspaceId: 'ws_sentRecordingTest1',
        connectionId: 'conn_sentRecordingTest',
        channelId: 'chan_sentRecordingTest',
        conversationId: 'conv_sentRecordingTest',
        messageId: `msg_sentRecording${i}`,
        payload: { text: `reply ${i}` },
        maxAttempts: 3,
      });
    }
    // Insert times are unique (monotonic) and may run a few milliseconds ahead of the clock: claim as of a moment later.
    return (await outbox.claim(node, count, 60_000, Date.now() + 1_000)).map((row) => row.id);
  }

  it('records several rows in one statement, each with its own provider id, and only those the node holds', async () => {
    const outbox = deliveriesRepository(database.db);
    const [named, unnamed, alsoNamed, lost] = await claimed('node_a', 4);
    const [otherNodes] = await claimed('node_b', 1);
    // Taken over by another node after its lease ran out: node_a no longer holds it.
    await database.db.updateTable('deliveries').set({ locked_by: 'node_c' }).where('id', '=', lost!).execute();

    const recorded = await outbox.markSent('node_a', [
      { id: named!, providerMessageId: 'SM-first' },
      { id: unnamed!, providerMessageId: null },
      { id: alsoNamed!, providerMessageId: 'SM-third' },
      { id: lost!, providerMessageId: 'SM-lost' },
      { id: otherNodes!, providerMessageId: 'SM-other' },
    ]);
    expect([...recorded].sort()).toEqual([named, unnamed, alsoNamed].sort());

    const rows = await database.db.selectFrom('deliveries').select(['id', 'status', 'provider_message_id', 'locked_until', 'sent_at']).execute();
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(byId.get(named!)).toMatchObject({ status: 'sent', provider_message_id: 'SM-first', locked_until: null });
    expect(byId.get(unnamed!)).toMatchObject({ status: 'sent', provider_message_id: null });
    expect(byId.get(alsoNamed!)).toMatchObject({ status: 'sent', provider_message_id: 'SM-third' });
    expect(Number(byId.get(named!)!.sent_at)).toBeGreaterThan(0);
    for (const untouched of [lost!, otherNodes!]) expect(byId.get(untouched)).toMatchObject({ status: 'sending', provider_message_id: null, sent_at: null });

    // Recording again changes nothing: the rows are no longer sending.
    expect((await outbox.markSent('node_a', [{ id: named!, providerMessageId: 'SM-again' }])).size).toBe(0);
    expect(await database.db.selectFrom('deliveries').select('provider_message_id').where('id', '=', named!).executeTakeFirstOrThrow()).toEqual({ provider_message_id: 'SM-first' });
  });
});

describe('the sent recorder', () => {
  const tick = () => new Promise((resolve) => setImmediate(resolve));

  it('records the sends of one turn with one write and tells each caller whether its row was held', async () => {
    const writes: string[][] = [];
    const record = createSentRecorder(async (sent) => {
      writes.push(sent.map((delivery) => delivery.id));
      return new Set(sent.filter((delivery) => delivery.id !== 'd2').map((delivery) => delivery.id));
    });
    const answers = await Promise.all(['d1', 'd2', 'd3'].map((id) => record({ id, providerMessageId: null })));
    expect(answers).toEqual([true, false, true]);
    expect(writes).toEqual([['d1', 'd2', 'd3']]);
  });

  it('gathers the sends finishing during a write into the next one', async () => {
    const writes: string[][] = [];
    let release!: () => void;
    const record = createSentRecorder(async (sent) => {
      writes.push(sent.map((delivery) => delivery.id));
      if (writes.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return new Set(sent.map((delivery) => delivery.id));
    });
    const first = record({ id: 'd1', providerMessageId: 'p1' });
    await tick();
    expect(writes).toEqual([['d1']]);
    const later = [record({ id: 'd2', providerMessageId: 'p2' }), record({ id: 'd3', providerMessageId: 'p3' })];
    await tick();
    expect(writes).toHaveLength(1);
    release();
    expect(await Promise.all([first, ...later])).toEqual([true, true, true]);
    expect(writes).toEqual([['d1'], ['d2', 'd3']]);
  });

  it('fails every send of a write that failed, and goes on with the next', async () => {
    let calls = 0;
    const record = createSentRecorder(async (sent) => {
      calls++;
      if (calls === 1) throw new Error('database is locked');
      return new Set(sent.map((delivery) => delivery.id));
    });
    const failed = await Promise.allSettled([record({ id: 'd1', providerMessageId: null }), record({ id: 'd2', providerMessageId: null })]);
    expect(failed.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect(await record({ id: 'd3', providerMessageId: null })).toBe(true);
  });

  it('writes at most 100 rows per statement', async () => {
    const sizes: number[] = [];
    const record = createSentRecorder(async (sent) => {
      sizes.push(sent.length);
      return new Set(sent.map((delivery) => delivery.id));
    });
    await Promise.all(Array.from({ length: 230 }, (_, i) => record({ id: `d${i}`, providerMessageId: null })));
    expect(sizes).toEqual([100, 100, 30]);
  });
});

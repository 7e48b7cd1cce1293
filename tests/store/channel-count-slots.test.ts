import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { DeploymentType } from '@switchboard/core';
import { workspaceRepositories, workspacesRepository } from '@switchboard/server';
import { ENGINES, createTestDatabase, type TestDatabase } from '../helpers/engines.js';
import { newChannel } from '../helpers/channels.js';

const rowsOf = (workspaceId: string, count: number, prefix: string) =>
  Array.from({ length: count }, (_, n) => ({
    id: `chan_${prefix}_${n}`,
    workspace_id: workspaceId,
    deployment_type: 'web',
    channel_identifier: `https://${prefix}-${n}.example.com`,
    channel_name: null,
    recording_enabled: 1,
    configuration: '{}',
    phone_configuration_id: null,
    created_at: n,
    updated_at: n,
  }));

describe.each(ENGINES)('channel totals on %s', (engine) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
  });
  afterAll(async () => {
    await database.destroy();
  });

  const actual = async (workspaceId: string, type?: string) => {
    let query = database.db.selectFrom('deployment_channels').where('workspace_id', '=', workspaceId);
    if (type) query = query.where('deployment_type', '=', type);
    return Number((await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  };

  it('stay exact under concurrent single inserts, multi-row inserts and deletes', async () => {
    const ws = await workspacesRepository(database.db).create('Concurrent totals');
    const repos = workspaceRepositories(database.db, ws.id);
    const first = await Promise.all(Array.from({ length: 30 }, (_, n) => repos.channels.insert(newChannel(`https://one-${n}.example.com`))));
    await Promise.all([
      ...Array.from({ length: 20 }, (_, n) => repos.channels.insert(newChannel(`https://sms-${n}`, DeploymentType.SMS))),
      ...first.slice(0, 12).map((c) => repos.channels.delete(c.id)),
      database.db.insertInto('deployment_channels').values(rowsOf(ws.id, 300, 'batch-a')).execute(),
      database.db.transaction().execute(async (trx) => {
        await trx.insertInto('deployment_channels').values(rowsOf(ws.id, 150, 'batch-b')).execute();
        await trx.deleteFrom('deployment_channels').where('id', 'in', ['chan_batch-b_0', 'chan_batch-b_1', 'chan_batch-b_2']).execute();
      }),
    ]);

    expect(await actual(ws.id)).toBe(30 - 12 + 20 + 300 + 147);
    expect((await repos.channels.list(1, 10)).meta.totalCount).toBe(485);
    expect((await repos.channels.list(1, 10, DeploymentType.WEB)).meta.totalCount).toBe(465);
    expect((await repos.channels.list(1, 10, DeploymentType.SMS)).meta.totalCount).toBe(20);

    // A rolled-back insert counts nothing.
    await expect(
      database.db.transaction().execute(async (trx) => {
        await trx.insertInto('deployment_channels').values(rowsOf(ws.id, 5, 'rolled-back')).execute();
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect((await repos.channels.list(1, 10)).meta.totalCount).toBe(485);
  });

  // SQLite has a single writer, so it keeps one counter row; only PostgreSQL spreads them.
  if (engine === 'postgres')
    it('spread concurrent writers over several counter rows, and count a multi-row insert once per statement', async () => {
    const ws = await workspacesRepository(database.db).create('Slots');
    const repos = workspaceRepositories(database.db, ws.id);
    await Promise.all(Array.from({ length: 40 }, (_, n) => repos.channels.insert(newChannel(`https://slot-${n}.example.com`))));
    const slots = await sql<{ n: number }>`SELECT count(*)::int AS n FROM channel_counts WHERE workspace_id = ${ws.id}`.execute(database.db);
    expect(slots.rows[0]!.n).toBeGreaterThan(1);

    const updates = await database.db.transaction().execute(async (trx) => {
      // The view may include this connection's earlier, not yet reported transactions: take the difference.
      const writes = async () => {
        const { rows } = await sql<{ n: number }>`SELECT (n_tup_ins + n_tup_upd)::int AS n FROM pg_stat_xact_user_tables WHERE relname = 'channel_counts'`.execute(trx);
        return rows[0]?.n ?? 0;
      };
      const before = await writes();
      for (const part of ['a', 'b', 'c', 'd']) await trx.insertInto('deployment_channels').values(rowsOf(ws.id, 250, `statement-${part}`)).execute();
      return (await writes()) - before;
    });
    // One counter write per statement (not per row), all four in this transaction's slot.
    expect(updates).toBe(4);
    expect((await repos.channels.list(1, 10)).meta.totalCount).toBe(1_040);
  });
});

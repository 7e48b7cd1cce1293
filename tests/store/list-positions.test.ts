/**
 * Channel list pages read from remembered positions (store/list-positions.ts) are the pages OFFSET
 * reads: in any order, after inserts and deletes made by another node (or process), after a
 * delete and an insert that leave the total where it was, and around transactions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tmpdir } from 'node:os';
import { DeploymentType } from '@switchboard/core';
import { openDatabase, workspaceRepositories, workspacesRepository, type Database } from '@switchboard/server';
import { listPositions, pageKey } from '../../packages/server/src/store/list-positions.js';
import { migrateTo } from '../../packages/server/src/store/migrations.js';
import { ENGINES, createTestDatabase, type TestDatabase } from '../helpers/engines.js';
import { earlierDatabase } from '../helpers/earlier-database.js';

const PAGE_SIZE = 4;

/** Channel rows with ties in created_at (three per millisecond) and ids that do not follow insertion order. */
const rowsOf = (workspaceId: string, prefix: string, count: number, type = 'web', createdFrom = 0) =>
  Array.from({ length: count }, (_, n) => ({
    id: `chan_${prefix}_${String((n * 7919) % 1000).padStart(3, '0')}_${n}`,
    workspace_id: workspaceId,
    deployment_type: type,
    channel_identifier: `https://${prefix}-${n}.example.com`,
    channel_name: null,
    recording_enabled: 1,
    configuration: '{}',
    phone_configuration_id: null,
    created_at: createdFrom + Math.floor(n / 3),
    updated_at: 0,
  }));

const shuffled = <T>(items: T[]) =>
  items
    .map((item) => ({ item, order: Math.random() }))
    .sort((a, b) => a.order - b.order)
    .map(({ item }) => item);

describe.each(ENGINES)('channel list pages from remembered positions on %s', (engine) => {
  let database: TestDatabase;
  let otherNode: Database;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
    otherNode = await openDatabase({ databaseUrl: database.url, dataDir: tmpdir(), poolSize: 2 });
  });
  afterAll(async () => {
    await otherNode.close();
    await database.destroy();
  });

  /** Every id of the list, in its order, as a plain query reads it. */
  const expectedIds = async (workspaceId: string, type?: string) => {
    let query = database.db.selectFrom('deployment_channels').select('id').where('workspace_id', '=', workspaceId);
    if (type) query = query.where('deployment_type', '=', type);
    return (await query.orderBy('created_at').orderBy('id').execute()).map((row) => row.id);
  };

  /** Pages 1 to one past the last, read in the given order, each checked against the plain query's slice. */
  const checkPages = async (workspaceId: string, order: 'in order' | 'shuffled', type?: DeploymentType) => {
    const ids = await expectedIds(workspaceId, type);
    const pages = Array.from({ length: Math.ceil(ids.length / PAGE_SIZE) + 1 }, (_, n) => n + 1);
    const repos = workspaceRepositories(database.db, workspaceId);
    for (const page of order === 'in order' ? pages : shuffled(pages)) {
      const read = await repos.channels.list(page, PAGE_SIZE, type);
      expect(read.data.map((c) => c.id), `page ${page}`).toEqual(ids.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE));
      expect(read.meta.totalCount).toBe(ids.length);
    }
  };

  it('reads every page as OFFSET does, in order and shuffled, after changes made on another node', async () => {
    const ws = await workspacesRepository(database.db).create('Pages');
    await database.db.insertInto('deployment_channels').values(rowsOf(ws.id, 'a', 30, 'web', 100)).execute();
    await checkPages(ws.id, 'in order');
    expect(listPositions(database.db).size).toBeGreaterThan(5);
    await checkPages(ws.id, 'shuffled');

    // Another node inserts before every remembered position and deletes from the middle.
    await otherNode.db.insertInto('deployment_channels').values(rowsOf(ws.id, 'b', 5, 'web', 0)).execute();
    await checkPages(ws.id, 'shuffled');
    await otherNode.db.deleteFrom('deployment_channels').where('id', 'in', (await expectedIds(ws.id)).slice(9, 12)).execute();
    await checkPages(ws.id, 'shuffled');

    // A delete and an insert in one transaction leave the total as it was, not the pages.
    const [first] = await expectedIds(ws.id);
    await otherNode.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('deployment_channels').where('id', '=', first!).execute();
      await trx.insertInto('deployment_channels').values(rowsOf(ws.id, 'c', 1, 'web', 120)).execute();
    });
    await checkPages(ws.id, 'shuffled');
  });

  it('reads a page from its remembered position only while the list has not changed since', async () => {
    const ws = await workspacesRepository(database.db).create('Positions');
    await database.db.insertInto('deployment_channels').values(rowsOf(ws.id, 'p', 12)).execute();
    const channels = workspaceRepositories(database.db, ws.id).channels;
    const ids = await expectedIds(ws.id);
    await channels.list(1, PAGE_SIZE);
    const positions = listPositions(database.db);
    const second = positions.latest(pageKey(ws.id, undefined, PAGE_SIZE, 2));
    expect(second?.id).toBe(ids[PAGE_SIZE - 1]);

    // A position moved by hand is where page 2 is read from, which shows it is used…
    positions.remember(pageKey(ws.id, undefined, PAGE_SIZE, 2), { ...second!, id: ids[PAGE_SIZE]!, createdAt: 1 });
    expect((await channels.list(2, PAGE_SIZE)).data.map((c) => c.id)).toEqual(ids.slice(PAGE_SIZE + 1, 2 * PAGE_SIZE + 1));
    // …until the list changes: then page 2 is read by OFFSET again.
    await otherNode.db.insertInto('deployment_channels').values(rowsOf(ws.id, 'q', 1, 'web', 50)).execute();
    expect((await channels.list(2, PAGE_SIZE)).data.map((c) => c.id)).toEqual(ids.slice(PAGE_SIZE, 2 * PAGE_SIZE));
  });

  it('keeps the positions of each type apart from the whole list', async () => {
    const ws = await workspacesRepository(database.db).create('Types');
    await database.db.insertInto('deployment_channels').values(rowsOf(ws.id, 'web', 14, 'web')).execute();
    await database.db.insertInto('deployment_channels').values(rowsOf(ws.id, 'sms', 11, 'sms')).execute();
    await checkPages(ws.id, 'in order');
    await checkPages(ws.id, 'in order', DeploymentType.SMS);
    await otherNode.db.insertInto('deployment_channels').values(rowsOf(ws.id, 'sms-front', 2, 'sms', -5)).execute();
    await checkPages(ws.id, 'shuffled', DeploymentType.SMS);
    await checkPages(ws.id, 'shuffled', DeploymentType.WEB);
    await checkPages(ws.id, 'shuffled');
  });

  it('neither uses nor keeps a position read inside a transaction that rolls back', async () => {
    const ws = await workspacesRepository(database.db).create('Rolled back');
    await database.db.insertInto('deployment_channels').values(rowsOf(ws.id, 'r', 10, 'web', 10)).execute();
    await checkPages(ws.id, 'in order');
    await expect(
      database.db.transaction().execute(async (trx) => {
        await trx.insertInto('deployment_channels').values(rowsOf(ws.id, 'uncommitted', 2, 'web', 0)).execute();
        const seen = await trx.selectFrom('deployment_channels').select('id').where('workspace_id', '=', ws.id).orderBy('created_at').orderBy('id').execute();
        const inside = await workspaceRepositories(trx, ws.id).channels.list(2, PAGE_SIZE);
        expect(inside.data.map((c) => c.id)).toEqual(seen.slice(PAGE_SIZE, 2 * PAGE_SIZE).map((row) => row.id));
        expect(inside.meta.totalCount).toBe(12);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    // The same number of changes again, from other rows: no position of the rolled-back rows applies.
    await otherNode.db.insertInto('deployment_channels').values(rowsOf(ws.id, 'committed', 2, 'web', 1000)).execute();
    await checkPages(ws.id, 'shuffled');
  });
});

describe.each(ENGINES)('upgrading to change counts on %s', (engine) => {
  it('keeps the counts, and the pages of a database that had channels before stay right', async () => {
    const old = await earlierDatabase(engine);
    let upgraded: Database | undefined;
    try {
      await migrateTo(old.db, '0017_channel_count_slots');
      await old.db.insertInto('workspaces').values({ id: 'ws_old', name: 'Old', created_at: 0 }).execute();
      await old.db.insertInto('deployment_channels').values(rowsOf('ws_old', 'old', 9)).execute();
      await old.db.destroy();

      upgraded = await openDatabase({ databaseUrl: old.url, dataDir: old.dataDir, poolSize: 2 });
      const channels = workspaceRepositories(upgraded.db, 'ws_old').channels;
      const ids = rowsOf('ws_old', 'old', 9)
        .sort((a, b) => a.created_at - b.created_at || (a.id < b.id ? -1 : 1))
        .map((row) => row.id);
      expect((await channels.list(2, PAGE_SIZE)).data.map((c) => c.id)).toEqual(ids.slice(PAGE_SIZE, 2 * PAGE_SIZE));
      await upgraded.db.deleteFrom('deployment_channels').where('id', '=', ids[0]!).execute();
      await upgraded.db.insertInto('deployment_channels').values(rowsOf('ws_old', 'new', 1, 'web', 1000)).execute();
      const now = [...ids.slice(1), 'chan_new_000_0'];
      const page2 = await channels.list(2, PAGE_SIZE);
      expect(page2.data.map((c) => c.id)).toEqual(now.slice(PAGE_SIZE, 2 * PAGE_SIZE));
      expect(page2.meta.totalCount).toBe(9);
      expect((await channels.list(3, PAGE_SIZE)).data.map((c) => c.id)).toEqual(now.slice(2 * PAGE_SIZE));
    } finally {
      await upgraded?.close();
      await old.drop();
    }
  });
});

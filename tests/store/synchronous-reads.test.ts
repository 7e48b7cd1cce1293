/**
 * The channel reads that bypass Kysely on SQLite: the same channel as through Kysely, the
 * statements Kysely itself would run, and never another request's uncommitted writes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompiledQuery } from 'kysely';
import { DeploymentType } from '@switchboard/core';
import { ANSWER_COLUMNS, deploymentChannelsRepository, toDeploymentChannel } from '../../packages/server/src/store/repositories/deployment-channels.js';
import { synchronousReader } from '../../packages/server/src/store/synchronous-reads.js';
import { workspacesRepository } from '../../packages/server/src/store/repositories/workspaces.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../helpers/engines.js';
import { newChannel } from '../helpers/channels.js';

describe.each(ENGINES)('deployment channel reads on %s', (engine) => {
  let database: TestDatabase;
  let workspaceId: string;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
    workspaceId = (await workspacesRepository(database.db).create('Reads')).id;
  });
  afterAll(async () => database.destroy());

  it('reads synchronously on SQLite only', () => {
    expect(synchronousReader(database.db) !== undefined).toBe(engine === 'sqlite');
  });

  it('answers get and findByIdentifier with the very channel Kysely reads, and undefined for none', async () => {
    const channels = deploymentChannelsRepository(database.db, workspaceId);
    const created = await channels.insert(newChannel('https://reads.example'));
    const row = await database.db.selectFrom('deployment_channels').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(await channels.get(created.id)).toEqual(toDeploymentChannel(row));
    expect(await channels.findByIdentifier('https://reads.example')).toEqual(toDeploymentChannel(row));
    expect(await channels.findByIdentifier('https://reads.example', DeploymentType.WEB)).toEqual(toDeploymentChannel(row));
    expect(await channels.findByIdentifier('https://reads.example', DeploymentType.SMS)).toBeUndefined();
    expect(await channels.get('chan_none')).toBeUndefined();
    // Another workspace's channel is not found by id.
    const other = await workspacesRepository(database.db).create('Other');
    expect(await deploymentChannelsRepository(database.db, other.id).get(created.id)).toBeUndefined();
  });

  // Only SQLite reads synchronously; PostgreSQL has no such path to compare.
  if (engine === 'sqlite')
    it('runs the SQL Kysely compiles for the same reads', () => {
    const scoped = database.db.selectFrom('deployment_channels').select(ANSWER_COLUMNS).where('workspace_id', '=', workspaceId);
    const compiled = [
      scoped.where('id', '=', 'x').compile(),
      scoped.where('channel_identifier', '=', 'x').compile(),
      scoped.where('channel_identifier', '=', 'x').where('deployment_type', '=', 'web').compile(),
    ];
    const seen: string[] = [];
    const reader = synchronousReader(database.db)!;
    const original = reader.selectIfIdle;
    reader.selectIfIdle = ((sql: string, parameters: readonly unknown[]) => {
      seen.push(sql);
      return original.call(reader, sql, parameters);
    }) as typeof reader.selectIfIdle;
    try {
      const channels = deploymentChannelsRepository(database.db, workspaceId);
      void channels.get('x');
      void channels.findByIdentifier('x');
      void channels.findByIdentifier('x', DeploymentType.WEB);
    } finally {
      reader.selectIfIdle = original;
    }
    expect(seen).toEqual(compiled.map((query: CompiledQuery) => query.sql));
  });

  it('lists the same page, values and total as through Kysely inside a transaction', async () => {
    const pagesWorkspace = (await workspacesRepository(database.db).create('Pages')).id;
    const listed = deploymentChannelsRepository(database.db, pagesWorkspace);
    const created = [];
    for (let n = 0; n < 5; n++) {
      created.push(await listed.insert({ ...newChannel(`https://page-${n}.example`), channelName: n % 2 ? null : `Page ${n}`, recordingEnabled: n % 2 === 0 }));
    }
    const outside = await listed.list(2, 2);
    expect(outside.data).toEqual(created.slice(2, 4));
    expect(outside.meta.totalCount).toBe(5);
    // Inside a transaction the synchronous reader steps aside and Kysely runs the page.
    const inside = await database.db.transaction().execute((trx) => deploymentChannelsRepository(trx, pagesWorkspace).list(2, 2));
    expect(inside).toEqual(outside);
    expect((await listed.list(3, 2)).data).toEqual(created.slice(4));
    expect((await listed.list(4, 2)).data).toEqual([]);
  });

  it('never shows a channel whose transaction has not committed, and shows it inside that transaction', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let insertedId = '';
    let inserted!: () => void;
    const insertedYet = new Promise<void>((resolve) => (inserted = resolve));
    const transaction = database.db
      .transaction()
      .execute(async (trx) => {
        const channels = deploymentChannelsRepository(trx, workspaceId);
        try {
          insertedId = (await channels.insert(newChannel('https://uncommitted.example'))).id;
          expect(await channels.get(insertedId)).toBeDefined();
        } finally {
          // Also on a failed assertion, so the test reports it instead of timing out.
          inserted();
        }
        await held;
        throw new Error('roll back');
      })
      .catch((error: Error) => {
        if (error.message !== 'roll back') throw error;
      });
    await insertedYet;
    const outside = deploymentChannelsRepository(database.db, workspaceId);
    const reads = Promise.all([outside.get(insertedId), outside.findByIdentifier('https://uncommitted.example')]);
    release();
    await transaction;
    expect(await reads).toEqual([undefined, undefined]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeploymentType, PhoneProvider, DeploymentStatus } from '@switchboard/core';
import { openDatabase, workspaceRepositories, workspacesRepository } from '@switchboard/server';
import { isUniqueViolation } from '../../packages/server/src/store/database.js';
import { ENGINES, createTestDatabase, type TestDatabase } from '../helpers/engines.js';
import { newChannel } from '../helpers/channels.js';

describe.each(ENGINES)('repositories on %s', (engine) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
  });
  afterAll(async () => {
    await database.destroy();
  });

  it('migrations are idempotent: reopening the same database applies nothing twice', async () => {
    const again = await openDatabase({ databaseUrl: database.url, dataDir: '/tmp' });
    const rows = await again.db.selectFrom('kysely_migration' as never).selectAll().execute();
    expect(rows.map((r: any) => r.name)).toEqual(['0001_foundation', '0002_channel_counts', '0003_web_runtime', '0004_providers', '0005_teams_workflows_handoff', '0006_workspace_security', '0007_replay_guards', '0008_wiil_configurations', '0009_members', '0010_workspace_events', '0011_inbound_refusals', '0012_deliveries_by_target', '0013_widget_identity', '0014_prechat_form', '0015_attachments', '0016_quick_replies', '0017_channel_count_slots', '0018_channel_list_changes']);
    await again.close();
  });

  it('round-trips every column type, with timestamps as numbers and booleans as booleans', async () => {
    const ws = await workspacesRepository(database.db).create('Types');
    const repos = workspaceRepositories(database.db, ws.id);
    const created = await repos.channels.insert({ ...newChannel('https://types.example.com'), recordingEnabled: false });
    const read = await repos.channels.get(created.id);
    expect(read).toEqual(created);
    expect(typeof read!.createdAt).toBe('number');
    expect(read!.recordingEnabled).toBe(false);
    expect(read!.configuration).toEqual({ communicationType: 'unified', widgetConfiguration: { position: 'right' } });
  });

  it('scopes every read and write to its workspace', async () => {
    const a = await workspacesRepository(database.db).create('A');
    const b = await workspacesRepository(database.db).create('B');
    const inA = workspaceRepositories(database.db, a.id);
    const inB = workspaceRepositories(database.db, b.id);
    const channel = await inA.channels.insert(newChannel('https://scoped.example.com'));
    expect(await inB.channels.get(channel.id)).toBeUndefined();
    expect(await inB.channels.findByIdentifier('https://scoped.example.com')).toBeUndefined();
    expect(await inB.channels.update(channel.id, { channelName: 'taken' })).toBeUndefined();
    expect(await inB.channels.delete(channel.id)).toBe(false);
    expect((await inA.channels.get(channel.id))!.channelName).toBe('Site');
    expect((await inB.channels.list(1, 10)).meta.totalCount).toBe(0);
  });

  it('enforces (workspace, identifier, type) uniqueness in the schema itself', async () => {
    const ws = await workspacesRepository(database.db).create('Unique');
    const repos = workspaceRepositories(database.db, ws.id);
    await repos.channels.insert(newChannel('https://unique.example.com'));
    const error = await repos.channels.insert(newChannel('https://unique.example.com')).catch((e: unknown) => e);
    expect(isUniqueViolation(error)).toBe(true);
    const phone = await repos.phones.insert({ phoneNumber: '+12025550140', provider: PhoneProvider.TWILIO });
    const dup = await repos.phones.insert({ phoneNumber: '+12025550140', provider: PhoneProvider.TELNYX }).catch((e: unknown) => e);
    expect(isUniqueViolation(dup)).toBe(true);
    expect(phone.provider).toBe('twilio');
  });

  it('allows one deployment per channel at the schema level', async () => {
    const ws = await workspacesRepository(database.db).create('Bindings');
    const repos = workspaceRepositories(database.db, ws.id);
    const channel = await repos.channels.insert(newChannel('https://bound.example.com'));
    const agent = await repos.agents.insert({ name: 'A', instructions: '', introductionMessage: null, backend: { type: 'echo' } as never });
    await repos.deployments.insert({ deploymentChannelId: channel.id, agentId: agent.id, status: DeploymentStatus.PENDING });
    const second = await repos.deployments
      .insert({ deploymentChannelId: channel.id, agentId: agent.id, status: DeploymentStatus.PENDING })
      .catch((e: unknown) => e);
    expect(isUniqueViolation(second)).toBe(true);
  });

  it('pages in creation order, even for rows written in the same millisecond, and counts exactly', async () => {
    const ws = await workspacesRepository(database.db).create('Paging');
    const repos = workspaceRepositories(database.db, ws.id);
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await repos.channels.insert(newChannel(`https://page-${i}.example.com`))).id);
    const all: string[] = [];
    for (let page = 1; page <= 3; page++) {
      const result = await repos.channels.list(page, 3);
      expect(result.meta).toMatchObject({ page, pageSize: 3, totalCount: 7, totalPages: 3 });
      all.push(...result.data.map((c) => c.id));
    }
    expect(all).toEqual(ids);
    expect((await repos.channels.list(4, 3)).data).toEqual([]);
  });

  it('reads a channel in one statement and a list page with its total in one round trip on PostgreSQL', async () => {
    const ws = await workspacesRepository(database.db).create('Statements');
    const repos = workspaceRepositories(database.db, ws.id);
    const created = await repos.channels.insert(newChannel('https://statements.example.com'));
    const statements = async (read: () => Promise<unknown>) => {
      const before = database.statementsExecuted();
      await read();
      return database.statementsExecuted() - before;
    };
    expect(await statements(() => repos.channels.get(created.id))).toBe(1);
    expect(await statements(() => repos.channels.findByIdentifier('https://statements.example.com', DeploymentType.WEB))).toBe(1);
    // SQLite answers the total and the page from two prepared statements on its one connection, no round trip.
    expect(await statements(() => repos.channels.list(1, 20))).toBe(engine === 'postgres' ? 1 : 2);
    expect(await statements(() => repos.channels.list(2, 20, DeploymentType.WEB))).toBe(engine === 'postgres' ? 1 : 2);
    expect(await repos.channels.list(2, 20, DeploymentType.WEB)).toEqual({
      data: [],
      meta: { page: 2, pageSize: 20, totalCount: 1, totalPages: 1, hasNextPage: false, hasPreviousPage: true },
    });
  });

  it('keeps list totals exact through inserts, deletes and rolled-back writes, per type', async () => {
    const ws = await workspacesRepository(database.db).create('Counts');
    const repos = workspaceRepositories(database.db, ws.id);
    const a = await repos.channels.insert(newChannel('https://count-a.example.com'));
    await repos.channels.insert(newChannel('https://count-b.example.com'));
    await repos.channels.insert({ ...newChannel('com.example.count'), deploymentType: DeploymentType.MOBILE, configuration: { platform: 'ios' } as never });
    await database.db
      .transaction()
      .execute(async (trx) => {
        await workspaceRepositories(trx, ws.id).channels.insert(newChannel('https://count-c.example.com'));
        throw new Error('abort');
      })
      .catch(() => undefined);
    expect((await repos.channels.list(1, 1)).meta.totalCount).toBe(3);
    expect((await repos.channels.list(1, 1, DeploymentType.WEB)).meta.totalCount).toBe(2);
    await repos.channels.delete(a.id);
    expect((await repos.channels.list(1, 10)).meta.totalCount).toBe(2);
    expect((await repos.channels.list(1, 10, DeploymentType.WEB)).meta).toMatchObject({ totalCount: 1, totalPages: 1 });
    expect((await repos.channels.list(1, 10, DeploymentType.SMS)).meta.totalCount).toBe(0);
  });

  it('rolls back every write of a failed transaction', async () => {
    const ws = await workspacesRepository(database.db).create('Rollback');
    await database.db
      .transaction()
      .execute(async (trx) => {
        await workspaceRepositories(trx, ws.id).channels.insert(newChannel('https://rollback.example.com'));
        throw new Error('abort');
      })
      .catch(() => undefined);
    expect(await workspaceRepositories(database.db, ws.id).channels.findByIdentifier('https://rollback.example.com')).toBeUndefined();
  });
});

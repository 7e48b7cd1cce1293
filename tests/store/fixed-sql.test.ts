/**
 * The fixed SQL texts hot paths run instead of building queries (store/fixed-sql.ts) are the very
 * texts Kysely compiles for the same queries, on both dialects, so the statement caches (SQLite's
 * prepared statements, PostgreSQL's named statements) share them with the query builder's paths.
 * Each repository runs on a Kysely without a database that records the SQL it is given.
 */
import { describe, expect, it } from 'vitest';
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  sql,
  type Compilable,
} from 'kysely';
import type { DB } from '../../packages/server/src/store/schema.js';
import { conversationsRepository } from '../../packages/server/src/store/repositories/conversations.js';
import { workspaceEventsRepository } from '../../packages/server/src/events/workspace-events.js';
import { emitEvents } from '../../packages/server/src/webhooks/events.js';
import { numberedPlaceholders } from '../../packages/server/src/store/fixed-sql.js';
import { ANSWER_COLUMNS, deploymentChannelsRepository } from '../../packages/server/src/store/repositories/deployment-channels.js';
import { findConnection } from '../../packages/server/src/store/repositories/connections.js';
import { agentsRepository } from '../../packages/server/src/store/repositories/agents.js';
import { deploymentConfigurationsRepository } from '../../packages/server/src/store/repositories/deployment-configurations.js';
import { phoneConfigurationsRepository } from '../../packages/server/src/store/repositories/phone-configurations.js';

function recordingDatabase(dialect: 'sqlite' | 'postgres') {
  const executed: string[] = [];
  const postgres = dialect === 'postgres';
  const db = new Kysely<DB>({
    dialect: {
      createAdapter: () => (postgres ? new PostgresAdapter() : new SqliteAdapter()),
      createDriver: () => new DummyDriver(),
      createIntrospector: (kysely) => (postgres ? new PostgresIntrospector(kysely) : new SqliteIntrospector(kysely)),
      createQueryCompiler: () => (postgres ? new PostgresQueryCompiler() : new SqliteQueryCompiler()),
    },
    log: (event) => {
      if (event.level === 'query') executed.push(event.query.sql);
    },
  });
  return { db, executed };
}

const compiled = (query: Compilable) => query.compile().sql;

describe.each(['sqlite', 'postgres'] as const)('fixed SQL texts on %s', (dialect) => {
  it('are what Kysely compiles for the widget turn’s statements', async () => {
    const { db, executed } = recordingDatabase(dialect);
    const repo = conversationsRepository(db, 'ws_1');
    await repo.sessionConversation('conv_1', { id: 'wd_1', channelId: 'ch_1' }, 'hash');
    await repo.contactByVisitorToken('ch_1', 'hash');
    const message = { conversationId: 'conv_1', role: 'contact' as const, text: 'hi', record: true };
    await repo.insertMessages([message, { ...message, role: 'agent' }]);
    await repo.appendEvents('conv_1', [
      { type: 'message', data: {} },
      { type: 'message', data: {} },
    ]);
    await workspaceEventsRepository(db).appendMany('ws_1', [{ type: 'message.created', data: {} }]);
    await emitEvents(db, 'ws_1', [{ type: 'message.created', data: {} }]);

    const visitorContact = (eb: any) =>
      eb.fn.coalesce(
        eb
          .selectFrom('contact_visitor_tokens as t')
          .innerJoin('contacts as c', 'c.id', 't.contact_id')
          .select('c.id')
          .where('t.token_hash', '=', 'hash')
          .where('c.workspace_id', '=', 'ws_1')
          .where('c.channel_id', '=', 'ch_1')
          .limit(1),
        eb.selectFrom('contacts').select('id').where('workspace_id', '=', 'ws_1').where('channel_id', '=', 'ch_1').where('visitor_token_hash', '=', 'hash').limit(1),
      );
    const messageRow = { id: 'm', workspace_id: 'ws_1', conversation_id: 'conv_1', role: 'contact', text: 'hi', client_message_id: null, fallback: 0, reply_context: null, author_id: null, quick_replies: null, created_at: 1 };
    const eventRow = { conversation_id: 'conv_1', type: 'message', payload: '{}', created_at: 1 };
    const workspaceEvent = { workspace_id: 'ws_1', type: 'message.created', payload: '{}', created_at: 1 };
    const lock = dialect === 'postgres' ? [numberedPlaceholders('SELECT pg_advisory_xact_lock(?, hashtext(?))')] : [];
    expect(executed).toEqual([
      compiled(
        db
          .selectFrom('conversations as conv')
          .leftJoin('deployment_channels as ch', 'ch.id', 'conv.channel_id')
          .leftJoin('agents as ag', (join) => join.onRef('ag.id', '=', 'conv.agent_id').onRef('ag.workspace_id', '=', 'conv.workspace_id'))
          .selectAll('conv')
          .select(['ch.recording_enabled', 'ch.connection_id', 'ch.phone_configuration_id', 'ch.workflow_id', 'ag.backend as agent_backend'])
          .where('conv.workspace_id', '=', 'ws_1')
          .where('conv.id', '=', 'conv_1')
          .where('conv.web_deployment_id', '=', 'wd_1')
          .where('conv.contact_id', '=', visitorContact),
      ),
      compiled(db.selectNoFrom((eb) => visitorContact(eb).as('id'))),
      compiled(db.insertInto('messages').values([messageRow, messageRow])),
      compiled(db.updateTable('conversations').set({ last_message_at: 1, updated_at: 1 }).where('id', '=', 'conv_1')),
      compiled(db.insertInto('conversation_events').values([eventRow, eventRow]).returning('seq')),
      ...lock,
      compiled(db.insertInto('workspace_events').values([workspaceEvent])),
      ...lock,
      compiled(db.insertInto('workspace_events').values([workspaceEvent])),
      compiled(
        db.selectFrom('webhook_subscriptions').select(['id', 'events']).where('workspace_id', '=', 'ws_1').where('active', '=', 1).orderBy('created_at').orderBy('id'),
      ),
    ]);
    // The lock is the same text Kysely's sql tag makes.
    if (dialect === 'postgres') expect(lock[0]).toBe(sql`SELECT pg_advisory_xact_lock(${1}, hashtext(${'ws_1'}))`.compile(db).sql);
  });

  it('are what Kysely compiles for a deployment channel’s get and findByIdentifier', async () => {
    const { db, executed } = recordingDatabase(dialect);
    const channels = deploymentChannelsRepository(db, 'ws_1');
    await channels.get('ch_1');
    await channels.findByIdentifier('https://a.example');
    await channels.findByIdentifier('https://a.example', 'web' as never);
    const scoped = db.selectFrom('deployment_channels').select(ANSWER_COLUMNS).where('workspace_id', '=', 'ws_1');
    expect(executed).toEqual([
      compiled(scoped.where('id', '=', 'ch_1')),
      compiled(scoped.where('channel_identifier', '=', 'x')),
      compiled(scoped.where('channel_identifier', '=', 'x').where('deployment_type', '=', 'web')),
    ]);
  });

  it('are what Kysely compiles for the lookups of every provider message and agent turn', async () => {
    const { db, executed } = recordingDatabase(dialect);
    await findConnection(db, 'conn_1');
    await agentsRepository(db, 'ws_1').get('agent_1');
    await deploymentConfigurationsRepository(db, 'ws_1').findByChannel('ch_1');
    const channels = deploymentChannelsRepository(db, 'ws_1');
    await channels.forConnection('conn_1');
    await channels.forConnection('conn_1', '+15550100');
    await phoneConfigurationsRepository(db, 'ws_1').forConnection('conn_1', '+15550100');
    const channelsOf = db.selectFrom('deployment_channels').select(ANSWER_COLUMNS).where('workspace_id', '=', 'ws_1').where('connection_id', '=', 'conn_1');
    expect(executed).toEqual([
      compiled(db.selectFrom('connections').selectAll().where('id', '=', 'conn_1')),
      compiled(db.selectFrom('agents').selectAll().where('workspace_id', '=', 'ws_1').where('id', '=', 'agent_1')),
      compiled(db.selectFrom('deployment_configurations').selectAll().where('workspace_id', '=', 'ws_1').where('deployment_channel_id', '=', 'ch_1')),
      compiled(channelsOf),
      compiled(channelsOf.where('channel_identifier', '=', 'x')),
      compiled(
        db
          .selectFrom('phone_configurations')
          .selectAll()
          .where('workspace_id', '=', 'ws_1')
          .where('connection_id', '=', 'conn_1')
          .where('phone_number', '=', 'x'),
      ),
    ]);
  });
});

import { monotonicNow } from '../clock.js';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { ChannelConfiguration, DeploymentChannel, DeploymentType, PaginatedResult } from '@switchboard/core';
import type { DB, DeploymentChannelsTable } from '../schema.js';
import { newId } from '../ids.js';
import { paginate } from './paginate.js';
import { deleteInWorkspace } from './scoped.js';
import { fixedSql, selectFixed } from '../fixed-sql.js';
import { readChannelPage } from './channel-pages.js';
import { SELECT_ANSWER, toDeploymentChannel, type AnswerRow } from './channel-rows.js';

export { ANSWER_COLUMNS, toDeploymentChannel } from './channel-rows.js';

// The SQL Kysely would compile for get, findByIdentifier and forConnection below, run without building it: on SQLite by
// the synchronous reader (store/synchronous-reads.ts) when the connection is idle and through the
// executor when it is not, on PostgreSQL with numbered placeholders.
const SELECT_BY_IDENTIFIER = `${SELECT_ANSWER} where "workspace_id" = ? and "channel_identifier" = ?`;
const BY_ID = fixedSql(`${SELECT_ANSWER} where "workspace_id" = ? and "id" = ?`);
const BY_IDENTIFIER = fixedSql(SELECT_BY_IDENTIFIER);
const BY_IDENTIFIER_AND_TYPE = fixedSql(`${SELECT_BY_IDENTIFIER} and "deployment_type" = ?`);
// Looked up on every inbound provider event (channels/inbox.ts).
const SELECT_BY_CONNECTION = `${SELECT_ANSWER} where "workspace_id" = ? and "connection_id" = ?`;
const BY_CONNECTION = fixedSql(SELECT_BY_CONNECTION);
const BY_CONNECTION_AND_IDENTIFIER = fixedSql(`${SELECT_BY_CONNECTION} and "channel_identifier" = ?`);

function connectionIdOf(configuration: ChannelConfiguration): string | null {
  const id = (configuration as { connectionId?: unknown }).connectionId;
  return typeof id === 'string' ? id : null;
}

export interface NewDeploymentChannel {
  id?: string;
  deploymentType: DeploymentType;
  channelIdentifier: string;
  channelName?: string | null | undefined;
  recordingEnabled: boolean;
  configuration: ChannelConfiguration;
  phoneConfigurationId: string | null;
}

export type DeploymentChannelChanges = Partial<Omit<NewDeploymentChannel, 'id' | 'deploymentType'>>;

export function deploymentChannelsRepository(db: Kysely<DB>, workspaceId: string) {
  const scoped = () => db.selectFrom('deployment_channels').where('workspace_id', '=', workspaceId);
  return {
    async insert(channel: NewDeploymentChannel): Promise<DeploymentChannel> {
      const now = monotonicNow();
      const row: Selectable<DeploymentChannelsTable> = {
        id: channel.id ?? newId('channel'),
        workspace_id: workspaceId,
        deployment_type: channel.deploymentType,
        channel_identifier: channel.channelIdentifier,
        channel_name: channel.channelName ?? null,
        recording_enabled: channel.recordingEnabled ? 1 : 0,
        configuration: JSON.stringify(channel.configuration),
        phone_configuration_id: channel.phoneConfigurationId,
        connection_id: connectionIdOf(channel.configuration),
        workflow_id: null,
        created_at: now,
        updated_at: now,
      };
      await db.insertInto('deployment_channels').values(row).execute();
      return toDeploymentChannel(row);
    },
    async get(id: string): Promise<DeploymentChannel | undefined> {
      const [row] = await selectFixed<AnswerRow>(db, BY_ID, [workspaceId, id]);
      return row && toDeploymentChannel(row);
    },
    async findByIdentifier(identifier: string, type?: DeploymentType): Promise<DeploymentChannel | undefined> {
      const statement = type ? BY_IDENTIFIER_AND_TYPE : BY_IDENTIFIER;
      const parameters = type ? [workspaceId, identifier, type] : [workspaceId, identifier];
      const rows = await selectFixed<AnswerRow>(db, statement, parameters);
      // At most one row per type: sorting here keeps the planner on the identifier index.
      const oldest = rows.sort((a, b) => a.created_at - b.created_at)[0];
      return oldest && toDeploymentChannel(oldest);
    },
    async list(page: number, pageSize: number, type?: DeploymentType, search?: string): Promise<PaginatedResult<DeploymentChannel>> {
      let query = type ? scoped().where('deployment_type', '=', type) : scoped();
      if (search !== undefined) {
        // lower() on both sides: SQLite's LIKE ignores case and PostgreSQL's does not.
        const pattern = `%${search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        const contains = (column: 'channel_name' | 'channel_identifier') => sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
        query = query.where((eb) => eb.or([contains('channel_name'), contains('channel_identifier')]));
        return paginate(query, page, pageSize, (q) => q.selectAll(), toDeploymentChannel);
      }
      const read = await readChannelPage(db, workspaceId, page, pageSize, type);
      if (read) return read;
      return paginate(query, page, pageSize, (q) => q.selectAll(), toDeploymentChannel, async () => {
        let counts = db.selectFrom('channel_counts').where('workspace_id', '=', workspaceId);
        if (type) counts = counts.where('deployment_type', '=', type);
        const row = await counts.select((eb) => eb.fn.sum<number>('count').as('total')).executeTakeFirst();
        return Number(row?.total ?? 0);
      });
    },
    /** Channels of a connection with this identifier (an inbound event names its channel this way). */
    async forConnection(connectionId: string, identifier?: string): Promise<DeploymentChannel[]> {
      const statement = identifier === undefined ? BY_CONNECTION : BY_CONNECTION_AND_IDENTIFIER;
      const parameters = identifier === undefined ? [workspaceId, connectionId] : [workspaceId, connectionId, identifier];
      return (await selectFixed<AnswerRow>(db, statement, parameters)).map(toDeploymentChannel);
    },
    async usingPhoneConfiguration(phoneConfigurationId: string): Promise<DeploymentChannel[]> {
      const rows = await scoped().selectAll().where('phone_configuration_id', '=', phoneConfigurationId).execute();
      return rows.map(toDeploymentChannel);
    },
    async update(id: string, changes: DeploymentChannelChanges): Promise<DeploymentChannel | undefined> {
      await db
        .updateTable('deployment_channels')
        .set({
          ...(changes.channelIdentifier !== undefined && { channel_identifier: changes.channelIdentifier }),
          ...(changes.channelName !== undefined && { channel_name: changes.channelName }),
          ...(changes.recordingEnabled !== undefined && { recording_enabled: changes.recordingEnabled ? 1 : 0 }),
          ...(changes.configuration !== undefined && {
            configuration: JSON.stringify(changes.configuration),
            connection_id: connectionIdOf(changes.configuration),
          }),
          ...(changes.phoneConfigurationId !== undefined && { phone_configuration_id: changes.phoneConfigurationId }),
          updated_at: monotonicNow(),
        })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .execute();
      return this.get(id);
    },
    delete(id: string): Promise<boolean> {
      return deleteInWorkspace(db, 'deployment_channels', workspaceId, id);
    },
  };
}

import { Kysely, Migrator, type Migration, type MigrationProvider } from 'kysely';

/**
 * One set of migrations for both engines: only types and constructs that SQLite and
 * PostgreSQL share (text, integer, bigint; JSON kept as text).
 */
const migrations: Record<string, Migration> = {
  '0001_foundation': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('workspaces')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('key_hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema.createIndex('api_keys_workspace').on('api_keys').columns(['workspace_id', 'created_at']).execute();

      await db.schema
        .createTable('phone_configurations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('phone_number', 'text', (c) => c.notNull())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('friendly_name', 'text')
        .addColumn('voice_channel_id', 'text')
        .addColumn('sms_channel_id', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('phone_configurations_number', ['workspace_id', 'phone_number'])
        .execute();
      await db.schema
        .createIndex('phone_configurations_list')
        .on('phone_configurations')
        .columns(['workspace_id', 'created_at', 'id'])
        .execute();

      await db.schema
        .createTable('deployment_channels')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('deployment_type', 'text', (c) => c.notNull())
        .addColumn('channel_identifier', 'text', (c) => c.notNull())
        .addColumn('channel_name', 'text')
        .addColumn('recording_enabled', 'integer', (c) => c.notNull())
        .addColumn('configuration', 'text', (c) => c.notNull())
        .addColumn('phone_configuration_id', 'text', (c) => c.references('phone_configurations.id'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('deployment_channels_identifier', ['workspace_id', 'channel_identifier', 'deployment_type'])
        .execute();
      await db.schema
        .createIndex('deployment_channels_list')
        .on('deployment_channels')
        .columns(['workspace_id', 'created_at', 'id'])
        .execute();
      await db.schema
        .createIndex('deployment_channels_by_type')
        .on('deployment_channels')
        .columns(['workspace_id', 'deployment_type', 'created_at', 'id'])
        .execute();
      await db.schema
        .createIndex('deployment_channels_phone')
        .on('deployment_channels')
        .column('phone_configuration_id')
        .execute();

      await db.schema
        .createTable('agents')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('instructions', 'text', (c) => c.notNull())
        .addColumn('introduction_message', 'text')
        .addColumn('backend', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('agents_list').on('agents').columns(['workspace_id', 'created_at', 'id']).execute();

      await db.schema
        .createTable('deployment_configurations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('deployment_channel_id', 'text', (c) => c.notNull().unique().references('deployment_channels.id'))
        .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id'))
        .addColumn('deployment_name', 'text')
        .addColumn('instructions', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('deployment_configurations_list')
        .on('deployment_configurations')
        .columns(['workspace_id', 'created_at', 'id'])
        .execute();
      await db.schema
        .createIndex('deployment_configurations_agent')
        .on('deployment_configurations')
        .columns(['workspace_id', 'agent_id', 'created_at'])
        .execute();
    },
  },
};

class InCodeMigrations implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations;
  }
}

export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  const migrator = new Migrator({ db, provider: new InCodeMigrations() });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`Database migration ${failed?.migrationName ?? ''} failed: ${String(error)}`, { cause: error });
  }
}

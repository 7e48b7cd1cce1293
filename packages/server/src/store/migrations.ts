import { Kysely, Migrator, PostgresAdapter, sql, type Migration, type MigrationProvider } from 'kysely';
import { FIXED_MASK } from '../secrets/secret-box.js';
import { markSecretViewsStale } from '../secrets/stored-views.js';
import { channelCountSlots } from './channel-count-slots.js';
import { channelListChanges } from './channel-list-changes.js';

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
  '0002_channel_counts': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('channel_counts')
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('deployment_type', 'text', (c) => c.notNull())
        .addColumn('count', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('channel_counts_pk', ['workspace_id', 'deployment_type'])
        .execute();
      await sql`INSERT INTO channel_counts (workspace_id, deployment_type, count)
        SELECT workspace_id, deployment_type, COUNT(*) FROM deployment_channels GROUP BY workspace_id, deployment_type`.execute(db);
      // Channels never change workspace or type, so inserts and deletes are all that move a count.
      if (isPostgres(db)) {
        await sql`CREATE FUNCTION channel_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            IF TG_OP = 'INSERT' THEN
              INSERT INTO channel_counts (workspace_id, deployment_type, count) VALUES (NEW.workspace_id, NEW.deployment_type, 1)
              ON CONFLICT (workspace_id, deployment_type) DO UPDATE SET count = channel_counts.count + 1;
            ELSE
              UPDATE channel_counts SET count = count - 1
              WHERE workspace_id = OLD.workspace_id AND deployment_type = OLD.deployment_type;
            END IF;
            RETURN NULL;
          END $$`.execute(db);
        await sql`CREATE TRIGGER channel_counts_track AFTER INSERT OR DELETE ON deployment_channels
          FOR EACH ROW EXECUTE FUNCTION channel_counts_track()`.execute(db);
      } else {
        await sql`CREATE TRIGGER channel_counts_insert AFTER INSERT ON deployment_channels BEGIN
            INSERT INTO channel_counts (workspace_id, deployment_type, count) VALUES (NEW.workspace_id, NEW.deployment_type, 1)
            ON CONFLICT (workspace_id, deployment_type) DO UPDATE SET count = count + 1;
          END`.execute(db);
        await sql`CREATE TRIGGER channel_counts_delete AFTER DELETE ON deployment_channels BEGIN
            UPDATE channel_counts SET count = count - 1
            WHERE workspace_id = OLD.workspace_id AND deployment_type = OLD.deployment_type;
          END`.execute(db);
      }
    },
  },
  '0003_web_runtime': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('web_deployments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id'))
        .addColumn('deployment_channel_id', 'text', (c) => c.notNull().references('deployment_channels.id'))
        .addColumn('deployment_configuration_id', 'text', (c) => c.notNull().references('deployment_configurations.id'))
        .addColumn('name', 'text')
        .addColumn('token_prefix', 'text', (c) => c.notNull())
        .addColumn('theme', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema.createIndex('web_deployments_agent').on('web_deployments').columns(['workspace_id', 'agent_id', 'created_at', 'id']).execute();
      await db.schema.createIndex('web_deployments_prefix').on('web_deployments').column('token_prefix').execute();

      // Every token a deployment ever had, so a rotated-out token still answers "revoked".
      await db.schema
        .createTable('web_deployment_tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('deployment_id', 'text', (c) => c.notNull().references('web_deployments.id'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute();

      await db.schema
        .createTable('web_deployment_origins')
        .addColumn('deployment_id', 'text', (c) => c.notNull().references('web_deployments.id'))
        .addColumn('origin', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('web_deployment_origins_pk', ['deployment_id', 'origin'])
        .execute();
      await db.schema.createIndex('web_deployment_origins_origin').on('web_deployment_origins').column('origin').execute();

      await db.schema
        .createTable('contacts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('visitor_token_hash', 'text', (c) => c.unique())
        .addColumn('display_name', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('conversations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('agent_id', 'text', (c) => c.notNull())
        .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id'))
        .addColumn('web_deployment_id', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('last_message_at', 'bigint')
        .execute();
      await db.schema.createIndex('conversations_list').on('conversations').columns(['workspace_id', 'created_at', 'id']).execute();
      await db.schema.createIndex('conversations_contact').on('conversations').columns(['contact_id', 'created_at']).execute();

      await db.schema
        .createTable('messages')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
        .addColumn('role', 'text', (c) => c.notNull())
        /** Null when the channel does not record message bodies. */
        .addColumn('text', 'text')
        .addColumn('client_message_id', 'text')
        .addColumn('fallback', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('messages_client_id', ['conversation_id', 'client_message_id'])
        .execute();
      await db.schema.createIndex('messages_conversation').on('messages').columns(['conversation_id', 'created_at', 'id']).execute();

      // The replayable event log of each conversation; seq is the SSE event id.
      await db.schema
        .createTable('conversation_events')
        .addColumn('seq', isPostgres(db) ? 'bigserial' : 'integer', (c) => (isPostgres(db) ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('conversation_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('conversation_events_replay').on('conversation_events').columns(['conversation_id', 'seq']).execute();
    },
  },
  '0004_providers': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('secrets')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('sealed', 'text', (c) => c.notNull())
        .addColumn('mask', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('secrets_name', ['workspace_id', 'name'])
        .execute();
      await db.schema.createIndex('secrets_list').on('secrets').columns(['workspace_id', 'created_at', 'id']).execute();

      await db.schema
        .createTable('connections')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('settings', 'text', (c) => c.notNull())
        /** JSON: credential field name → secret id. */
        .addColumn('credentials', 'text', (c) => c.notNull())
        .addColumn('api_base_url', 'text')
        .addColumn('inbound_secret_sealed', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('connections_list').on('connections').columns(['workspace_id', 'created_at', 'id']).execute();

      // Every verified webhook event, recorded before it is acknowledged; the unique key drops redeliveries.
      await db.schema
        .createTable('inbound_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('connection_id', 'text', (c) => c.notNull())
        .addColumn('provider_event_id', 'text', (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_error', 'text')
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .addColumn('processed_at', 'bigint')
        .addUniqueConstraint('inbound_events_dedupe', ['connection_id', 'provider_event_id'])
        .execute();
      await db.schema.createIndex('inbound_events_pending').on('inbound_events').columns(['status', 'received_at']).execute();

      // The transactional outbox: a reply and its delivery are written together; the dispatcher claims due rows.
      await db.schema
        .createTable('deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('connection_id', 'text', (c) => c.notNull())
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('conversation_id', 'text', (c) => c.notNull())
        .addColumn('message_id', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('max_attempts', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
        .addColumn('locked_until', 'bigint')
        .addColumn('locked_by', 'text')
        .addColumn('last_error', 'text')
        .addColumn('provider_message_id', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('sent_at', 'bigint')
        .execute();
      await db.schema.createIndex('deliveries_due').on('deliveries').columns(['status', 'next_attempt_at']).execute();
      await db.schema.createIndex('deliveries_list').on('deliveries').columns(['workspace_id', 'status', 'created_at', 'id']).execute();

      await db.schema.alterTable('contacts').addColumn('external_id', 'text').execute();
      await db.schema.createIndex('contacts_external').on('contacts').columns(['channel_id', 'external_id']).unique().execute();
      await db.schema.alterTable('messages').addColumn('reply_context', 'text').execute();
      await db.schema.alterTable('deployment_channels').addColumn('connection_id', 'text').execute();
      await db.schema.createIndex('deployment_channels_connection').on('deployment_channels').columns(['connection_id', 'channel_identifier']).execute();
      await db.schema.alterTable('phone_configurations').addColumn('connection_id', 'text').execute();
    },
  },
  '0005_teams_workflows_handoff': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('teams')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        /** A helpdesk connection (zendesk, servicenow, genesys, webhook) that takes this team's handoffs. */
        .addColumn('helpdesk_connection_id', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('teams_list').on('teams').columns(['workspace_id', 'created_at', 'id']).execute();

      // Members answer conversations; observers only watch.
      await db.schema
        .createTable('team_members')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('role', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('team_members_email', ['team_id', 'kind', 'email'])
        .execute();

      await db.schema
        .createTable('channel_teams')
        .addColumn('channel_id', 'text', (c) => c.notNull())
        .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id'))
        .addPrimaryKeyConstraint('channel_teams_pk', ['channel_id', 'team_id'])
        .execute();

      await db.schema
        .createTable('workflows')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        /** JSON: ordered rules and the fallback. */
        .addColumn('definition', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('workflows_list').on('workflows').columns(['workspace_id', 'created_at', 'id']).execute();
      await db.schema.alterTable('deployment_channels').addColumn('workflow_id', 'text').execute();

      await db.schema.alterTable('conversations').addColumn('handoff_state', 'text', (c) => c.notNull().defaultTo('bot')).execute();
      await db.schema.alterTable('conversations').addColumn('assigned_team_id', 'text').execute();
      await db.schema.alterTable('conversations').addColumn('assigned_member_id', 'text').execute();
      /** Where the helpdesk keeps this conversation (ticket id, Sunshine conversation id…), as JSON. */
      await db.schema.alterTable('conversations').addColumn('helpdesk_ref', 'text').execute();
      await db.schema.alterTable('contacts').addColumn('attributes', 'text').execute();
      await db.schema.alterTable('messages').addColumn('author_id', 'text').execute();

      await db.schema
        .createTable('webhook_subscriptions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('url', 'text', (c) => c.notNull())
        /** JSON array of event types. */
        .addColumn('events', 'text', (c) => c.notNull())
        .addColumn('secret_sealed', 'text', (c) => c.notNull())
        .addColumn('active', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('webhook_subscriptions_list').on('webhook_subscriptions').columns(['workspace_id', 'created_at', 'id']).execute();
      /** What an outbox row carries: a reply to a contact, or an event for an operator's webhook. */
      await db.schema.alterTable('deliveries').addColumn('kind', 'text', (c) => c.notNull().defaultTo('reply')).execute();
    },
  },
  '0006_workspace_security': {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('workspaces').addColumn('status', 'text', (c) => c.notNull().defaultTo('active')).execute();
      await db.schema.alterTable('workspaces').addColumn('updated_at', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
      await sql`UPDATE workspaces SET updated_at = created_at`.execute(db);
      await db.schema.alterTable('api_keys').addColumn('scope', 'text', (c) => c.notNull().defaultTo('admin')).execute();
      // No existing key becomes an instance administrator: `switchboard keys create --instance-admin` makes one.
      await db.schema.alterTable('api_keys').addColumn('instance_admin', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      // A key chosen through SWITCHBOARD_API_KEY kept its first 10 characters as its prefix; only a
      // generated key's (`sbk_` + 6 random characters) is kept.
      await sql`UPDATE api_keys SET prefix = '' WHERE NOT (substr(prefix, 1, 4) = 'sbk_' AND length(prefix) = 10)`.execute(db);
      await markSecretViewsStale(db, FIXED_MASK);
    },
  },
  '0007_replay_guards': {
    async up(db: Kysely<any>) {
      // Single-use keys (a Mailgun token, say) until they expire: the first insert wins, a conflict is a replay.
      await db.schema
        .createTable('replay_guards')
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('replay_guards_pk', ['scope', 'key'])
        .execute();
      await db.schema.createIndex('replay_guards_expiry').on('replay_guards').column('expires_at').execute();

      // One row per answered Twilio voice turn, claimed before the agent runs; a replay gets the same TwiML.
      await db.schema
        .createTable('voice_turns')
        .addColumn('connection_id', 'text', (c) => c.notNull())
        .addColumn('call_sid', 'text', (c) => c.notNull())
        .addColumn('turn', 'integer', (c) => c.notNull())
        .addColumn('twiml', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('voice_turns_pk', ['connection_id', 'call_sid', 'turn'])
        .execute();
      await db.schema.createIndex('voice_turns_created').on('voice_turns').column('created_at').execute();
    },
  },
  '0008_wiil_configurations': {
    async up(db: Kysely<any>) {
      // An agent is WIIL's agent configuration and instruction configuration at once: the WIIL
      // fields Switchboard keeps but does not use, as JSON text.
      await db.schema.alterTable('agents').addColumn('agent_profile', 'text').execute();
      await db.schema.alterTable('agents').addColumn('instruction_profile', 'text').execute();
      // 0 while an instruction configuration made on its own waits for its agent configuration.
      await db.schema.alterTable('agents').addColumn('is_agent_configuration', 'integer', (c) => c.notNull().defaultTo(1)).execute();
      // 1 when the instruction configuration was made on its own: it outlives its agent configuration.
      await db.schema.alterTable('agents').addColumn('standalone_instruction', 'integer', (c) => c.notNull().defaultTo(0)).execute();

      // A deployment's project (WIIL's grouping); the workspace id is the default project.
      await db.schema.alterTable('deployment_configurations').addColumn('project_id', 'text').execute();
      await sql`UPDATE deployment_configurations SET project_id = workspace_id`.execute(db);
      await db.schema
        .createIndex('deployment_configurations_project')
        .on('deployment_configurations')
        .columns(['workspace_id', 'project_id', 'created_at'])
        .execute();
      await db.schema
        .alterTable('deployment_configurations')
        .addColumn('provisioning_type', 'text', (c) => c.notNull().defaultTo('direct'))
        .execute();
      await db.schema.alterTable('deployment_configurations').addColumn('provisioning_config_chain_id', 'text').execute();
    },
  },
  '0009_members': {
    async up(db: Kysely<any>) {
      // People who sign in to the console. password_hash stays null until the invitation is accepted.
      await db.schema
        .createTable('members')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('last_sign_in_at', 'bigint')
        .addColumn('password_changed_at', 'bigint')
        .execute();
      // The owner invited at first start has no email until its invitation is accepted; the
      // unique index covers only real addresses.
      await sql`CREATE UNIQUE INDEX members_email ON members (workspace_id, email) WHERE email <> ''`.execute(db);
      await db.schema.createIndex('members_list').on('members').columns(['workspace_id', 'created_at', 'id']).execute();
      await db.schema.createIndex('members_by_email').on('members').column('email').execute();

      await db.schema
        .createTable('member_invitations')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('member_id', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('used_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('member_invitations_member').on('member_invitations').column('member_id').execute();

      await db.schema
        .createTable('member_sessions')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('member_id', 'text', (c) => c.notNull())
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('ended_at', 'bigint')
        .execute();
      await db.schema.createIndex('member_sessions_member').on('member_sessions').column('member_id').execute();

      await db.schema.alterTable('team_members').addColumn('member_id', 'text').execute();
    },
  },
  '0010_workspace_events': {
    async up(db: Kysely<any>) {
      // Every operator event of a workspace, in order: seq is the id of GET /v1/events, so a console
      // that reconnects with Last-Event-ID gets exactly what it missed. Pruned after a day.
      await db.schema
        .createTable('workspace_events')
        .addColumn('seq', isPostgres(db) ? 'bigserial' : 'integer', (c) => (isPostgres(db) ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('workspace_events_replay').on('workspace_events').columns(['workspace_id', 'seq']).execute();
      await db.schema.createIndex('workspace_events_created').on('workspace_events').column('created_at').execute();

      // The inbox: read up to here (per conversation), and its filters and recent-first order.
      await db.schema.alterTable('conversations').addColumn('last_read_at', 'bigint').execute();
      await db.schema.createIndex('conversations_recent').on('conversations').columns(['workspace_id', 'last_message_at', 'id']).execute();
      await db.schema.createIndex('conversations_state').on('conversations').columns(['workspace_id', 'handoff_state', 'created_at']).execute();
      await db.schema.createIndex('conversations_member').on('conversations').columns(['workspace_id', 'assigned_member_id']).execute();
      await db.schema.createIndex('messages_role').on('messages').columns(['conversation_id', 'role', 'created_at']).execute();
    },
  },
  '0011_inbound_refusals': {
    async up(db: Kysely<any>) {
      // Webhooks refused before they were recorded (bad signature, replay, malformed body), the
      // newest few per connection, so an operator can see why a provider's calls do not arrive.
      await db.schema
        .createTable('inbound_refusals')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('connection_id', 'text', (c) => c.notNull())
        .addColumn('http_status', 'integer', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('inbound_refusals_recent').on('inbound_refusals').columns(['connection_id', 'received_at']).execute();
      await db.schema.createIndex('inbound_events_recent').on('inbound_events').columns(['connection_id', 'received_at']).execute();
    },
  },
  '0012_deliveries_by_target': {
    async up(db: Kysely<any>) {
      // GET /v1/deliveries?subscriptionId= / ?connectionId=: one webhook's or connection's deliveries, counted and paged.
      await db.schema.createIndex('deliveries_target').on('deliveries').columns(['workspace_id', 'connection_id', 'created_at', 'id']).execute();
    },
  },
  '0016_quick_replies': {
    async up(db: Kysely<any>) {
      // The suggested replies offered with an agent or human message, as a JSON list.
      await db.schema.alterTable('messages').addColumn('quick_replies', 'text').execute();
    },
  },
  '0013_widget_identity': {
    async up(db: Kysely<any>) {
      // A web deployment's identity secret (sealed): identify() links a visitor to a user id only with its HMAC.
      await db.schema
        .createTable('web_deployment_identity_secrets')
        .addColumn('deployment_id', 'text', (c) => c.primaryKey().references('web_deployments.id'))
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('sealed', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      // The visitor tokens of verified users: one per browser, all naming the user's one contact.
      await db.schema
        .createTable('contact_visitor_tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id'))
        .addColumn('web_deployment_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('contact_visitor_tokens_deployment').on('contact_visitor_tokens').column('web_deployment_id').execute();
      // What the site tracked about a contact (track(event, data)), newest kept.
      await db.schema
        .createTable('contact_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id'))
        .addColumn('web_deployment_id', 'text')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('data', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('contact_events_recent').on('contact_events').columns(['contact_id', 'created_at']).execute();
    },
  },
  '0015_attachments': {
    async up(db: Kysely<any>) {
      // Files sent in conversations: metadata here, bytes in the attachment storage under storage_key.
      // message_id is null only between an upload and the message that carries it.
      await db.schema
        .createTable('attachments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', (c) => c.notNull())
        .addColumn('conversation_id', 'text', (c) => c.notNull())
        .addColumn('message_id', 'text')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('content_type', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('storage_key', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('attachments_conversation').on('attachments').columns(['workspace_id', 'conversation_id']).execute();
      await db.schema.createIndex('attachments_message').on('attachments').column('message_id').execute();
      // Per-deployment upload rules (JSON: enabled, maxBytes, allowedTypes); the defaults when null.
      await db.schema.alterTable('web_deployments').addColumn('attachment_settings', 'text').execute();
    },
  },
  '0014_prechat_form': {
    async up(db: Kysely<any>) {
      // A web deployment's pre-chat form (JSON: showBeforeFirstMessage, title, submitLabel, fields); none when null.
      await db.schema.alterTable('web_deployments').addColumn('pre_chat_form', 'text').execute();
    },
  },
  '0017_channel_count_slots': channelCountSlots,
  '0018_channel_list_changes': channelListChanges,
};

function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

class InCodeMigrations implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations;
  }
}

/** Migrates up (or down) to the named migration: for tests that need a database as an earlier version left it. */
export async function migrateTo(db: Kysely<any>, name: string): Promise<void> {
  const { error } = await new Migrator({ db, provider: new InCodeMigrations() }).migrateTo(name);
  if (error) throw new Error(`Database migration to ${name} failed: ${String(error)}`, { cause: error });
}

export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  const migrator = new Migrator({ db, provider: new InCodeMigrations() });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`Database migration ${failed?.migrationName ?? ''} failed: ${String(error)}`, { cause: error });
  }
}

/** Names of the migrations this build has that the database has not applied. */
export async function pendingMigrations(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new InCodeMigrations() });
  return (await migrator.getMigrations()).filter((migration) => migration.executedAt === undefined).map((migration) => migration.name);
}

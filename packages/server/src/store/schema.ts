/** Row shapes of the database. Timestamps are epoch milliseconds; booleans are 0/1 on both engines. */
export interface WorkspacesTable {
  id: string;
  name: string;
  created_at: number;
}

export interface ApiKeysTable {
  id: string;
  workspace_id: string;
  name: string;
  /** First characters of the key, shown in listings so an operator can tell keys apart. */
  prefix: string;
  /** SHA-256 (hex) of the whole key; the key itself is never stored. */
  key_hash: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface PhoneConfigurationsTable {
  id: string;
  workspace_id: string;
  phone_number: string;
  provider: string;
  friendly_name: string | null;
  voice_channel_id: string | null;
  sms_channel_id: string | null;
  created_at: number;
  updated_at: number;
}

export interface DeploymentChannelsTable {
  id: string;
  workspace_id: string;
  deployment_type: string;
  channel_identifier: string;
  channel_name: string | null;
  recording_enabled: number;
  /** JSON text of the per-type configuration. */
  configuration: string;
  /** Denormalised from configuration for calls/sms channels, so phone usage can be queried. */
  phone_configuration_id: string | null;
  created_at: number;
  updated_at: number;
}

export interface AgentsTable {
  id: string;
  workspace_id: string;
  name: string;
  instructions: string;
  introduction_message: string | null;
  /** JSON text of the backend settings. */
  backend: string;
  created_at: number;
  updated_at: number;
}

export interface DeploymentConfigurationsTable {
  id: string;
  workspace_id: string;
  deployment_channel_id: string;
  agent_id: string;
  deployment_name: string | null;
  instructions: string | null;
  status: string;
  created_at: number;
  updated_at: number;
}

/** Channels per workspace and type, kept by triggers so that listing never counts rows. */
export interface ChannelCountsTable {
  workspace_id: string;
  deployment_type: string;
  count: number;
}

export interface DB {
  workspaces: WorkspacesTable;
  api_keys: ApiKeysTable;
  phone_configurations: PhoneConfigurationsTable;
  deployment_channels: DeploymentChannelsTable;
  agents: AgentsTable;
  deployment_configurations: DeploymentConfigurationsTable;
  channel_counts: ChannelCountsTable;
}

import type { Generated } from 'kysely';

/** Row shapes of the database. Timestamps are epoch milliseconds; booleans are 0/1 on both engines. */
export interface WorkspacesTable {
  id: string;
  name: string;
  /** 'active' | 'suspended': a suspended workspace's keys and widget tokens answer 403. */
  status: string;
  created_at: number;
  updated_at: number;
}

export interface ApiKeysTable {
  id: string;
  workspace_id: string;
  name: string;
  /** `sbk_` and the first 6 random characters of a generated key; empty for a key chosen by the operator. */
  prefix: string;
  /**
   * HMAC-SHA256 (hex) of the whole key under a key derived from the master key; the key itself is
   * never stored. Rows written before that are a bare SHA-256, replaced on the key's next use.
   */
  key_hash: string;
  /** 'admin' (every method) | 'read' (GET and HEAD only). */
  scope: string;
  /** 1 when the key may manage every workspace (/v1/workspaces); 0 otherwise. */
  instance_admin: number;
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
  /** The Twilio connection that carries this number's traffic, if any. */
  connection_id: string | null;
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
  /** Denormalised from configuration.connectionId for provider channels. */
  connection_id: string | null;
  /** The routing workflow attached to the channel. */
  workflow_id: string | null;
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
  /** JSON text of the WIIL agent configuration fields Switchboard keeps; null when none were sent. */
  agent_profile: string | null;
  /** JSON text of the WIIL instruction configuration fields Switchboard keeps; null when none were sent. */
  instruction_profile: string | null;
  /** 0 while an instruction configuration made on its own has no agent configuration yet. */
  is_agent_configuration: number;
  /** 1 when the instruction configuration was made on its own (it outlives its agent configuration). */
  standalone_instruction: number;
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
  /** WIIL's project; the workspace id for the default project. */
  project_id: string | null;
  provisioning_type: string;
  provisioning_config_chain_id: string | null;
  created_at: number;
  updated_at: number;
}

/** Channels per workspace and type, kept by triggers so that listing never counts rows. */
export interface ChannelCountsTable {
  workspace_id: string;
  deployment_type: string;
  /** Which of a group's rows (migration 0017); the group's count is the sum over its slots. */
  slot: Generated<number>;
  count: number;
  /** Inserts and deletes the group has seen (migration 0018): what a remembered page position is checked against. */
  changes: Generated<number>;
}

export interface WebDeploymentsTable {
  id: string;
  workspace_id: string;
  agent_id: string;
  deployment_channel_id: string;
  deployment_configuration_id: string;
  name: string | null;
  /** First characters of the current token, for listings. */
  token_prefix: string;
  /** JSON text of the widget theme. */
  theme: string;
  /** JSON text of the pre-chat form, or null when the deployment has none. */
  pre_chat_form: string | null;
  created_at: number;
  updated_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  /** JSON of the deployment's upload rules (enabled, maxBytes, allowedTypes); the defaults when null. */
  attachment_settings: string | null;
}

export interface WebDeploymentTokensTable {
  /** SHA-256 (hex) of a `cdp_` token; the token itself is never stored. */
  token_hash: string;
  deployment_id: string;
  created_at: number;
  revoked_at: number | null;
}

export interface WebDeploymentOriginsTable {
  deployment_id: string;
  origin: string;
}

export interface ContactsTable {
  id: string;
  workspace_id: string;
  channel_id: string;
  /** SHA-256 of the widget visitor token that lets a browser resume its conversation. */
  visitor_token_hash: string | null;
  /** The provider's id of the contact (phone number, wa_id, PSID, LINE user id, email address…). */
  external_id: string | null;
  display_name: string | null;
  /** JSON of contact attributes (language, plan, …) that workflow rules can test. */
  attributes: string | null;
  created_at: number;
  last_seen_at: number;
}

export interface ConversationsTable {
  id: string;
  workspace_id: string;
  channel_id: string;
  agent_id: string;
  contact_id: string;
  web_deployment_id: string | null;
  status: string;
  /** bot → pending_human → human → resolved, and back to bot on hand-back. */
  handoff_state: Generated<string>;
  assigned_team_id: string | null;
  assigned_member_id: string | null;
  helpdesk_ref: string | null;
  created_at: number;
  updated_at: number;
  last_message_at: number | null;
  /** The inbox read the conversation up to here: contact messages after it are unread. */
  last_read_at: number | null;
}

export interface MessagesTable {
  id: string;
  workspace_id: string;
  conversation_id: string;
  role: string;
  text: string | null;
  client_message_id: string | null;
  fallback: number;
  /** JSON of provider reply facts (LINE reply token, email Message-Id…), for answering in context. */
  reply_context: string | null;
  /** The team member who wrote a human message. */
  author_id: string | null;
  /** JSON list of the quick replies offered with an agent or human message (null when none). */
  quick_replies: string | null;
  created_at: number;
}

export interface ConversationEventsTable {
  seq: Generated<number>;
  conversation_id: string;
  type: string;
  /** JSON text; without message bodies when the channel does not record them. */
  payload: string;
  created_at: number;
}

/** Operator events of a workspace (GET /v1/events); seq is the SSE event id. */
export interface WorkspaceEventsTable {
  seq: Generated<number>;
  workspace_id: string;
  type: string;
  /** JSON text of the event's data. */
  payload: string;
  created_at: number;
}

export interface SecretsTable {
  id: string;
  workspace_id: string;
  name: string;
  /** AES-256-GCM under the master key; the value is never stored in the clear. */
  sealed: string;
  mask: string;
  fingerprint: string;
  created_at: number;
  updated_at: number;
}

export interface ConnectionsTable {
  id: string;
  workspace_id: string;
  provider: string;
  name: string;
  settings: string;
  /** JSON: credential field name → secret id. */
  credentials: string;
  api_base_url: string | null;
  inbound_secret_sealed: string;
  created_at: number;
  updated_at: number;
}

export interface InboundEventsTable {
  id: string;
  workspace_id: string;
  connection_id: string;
  provider_event_id: string;
  /** JSON of the normalized event (its text only while it waits to be processed). */
  event: string;
  status: string;
  attempts: number;
  last_error: string | null;
  received_at: number;
  processed_at: number | null;
}

export interface InboundRefusalsTable {
  id: string;
  workspace_id: string;
  connection_id: string;
  http_status: number;
  reason: string;
  received_at: number;
}

export interface DeliveriesTable {
  id: string;
  workspace_id: string;
  connection_id: string;
  channel_id: string;
  conversation_id: string;
  message_id: string;
  /** JSON of the OutboundMessage to send. */
  payload: string;
  status: string;
  attempts: number;
  max_attempts: number;
  next_attempt_at: number;
  locked_until: number | null;
  locked_by: string | null;
  last_error: string | null;
  provider_message_id: string | null;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
  /** 'reply' (to a contact through its channel) or 'event' (to an operator's webhook subscription). */
  kind: Generated<string>;
}

export interface TeamsTable {
  id: string;
  workspace_id: string;
  name: string;
  description: string | null;
  helpdesk_connection_id: string | null;
  created_at: number;
  updated_at: number;
}

export interface TeamMembersTable {
  id: string;
  workspace_id: string;
  team_id: string;
  /** 'member' answers conversations; 'observer' watches. */
  kind: string;
  name: string;
  email: string;
  role: string | null;
  created_at: number;
  /** The console member (`mem_…`) this team member is, when it was added from one. */
  member_id: Generated<string | null>;
}

export interface ChannelTeamsTable {
  channel_id: string;
  team_id: string;
}

export interface WorkflowsTable {
  id: string;
  workspace_id: string;
  name: string;
  definition: string;
  created_at: number;
  updated_at: number;
}

/** A person who signs in to the console; `email` is lower-cased ('' for the first owner until it accepts). */
export interface MembersTable {
  id: string;
  workspace_id: string;
  email: string;
  name: string;
  /** 'owner' | 'admin' | 'agent'. */
  role: string;
  /** `scrypt$N$r$p$salt$hash`; null while invited. */
  password_hash: string | null;
  created_at: number;
  updated_at: number;
  last_sign_in_at: number | null;
  /** Sessions created before this are no longer valid. */
  password_changed_at: number | null;
}

/** One invitation link; only the SHA-256 of its token is stored. */
export interface MemberInvitationsTable {
  token_hash: string;
  member_id: string;
  expires_at: number;
  used_at: number | null;
  created_at: number;
}

/** One signed-in browser; only the SHA-256 of the cookie's session id is stored. */
export interface MemberSessionsTable {
  id_hash: string;
  member_id: string;
  workspace_id: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  ended_at: number | null;
}

export interface WebhookSubscriptionsTable {
  id: string;
  workspace_id: string;
  url: string;
  events: string;
  secret_sealed: string;
  active: number;
  created_at: number;
  updated_at: number;
}

/** Single-use keys (scope, key) remembered until `expires_at`, epoch ms. */
export interface ReplayGuardsTable {
  scope: string;
  key: string;
  expires_at: number;
}

/** A Twilio voice turn, claimed before the agent runs; `twiml` is what was answered (cleared after a day). */
export interface VoiceTurnsTable {
  connection_id: string;
  call_sid: string;
  turn: number;
  twiml: string | null;
  created_at: number;
}

/** A web deployment's identity secret, sealed under the master key (context `webDeployment:<id>:identitySecret`). */
export interface WebDeploymentIdentitySecretsTable {
  deployment_id: string;
  workspace_id: string;
  sealed: string;
  fingerprint: string;
  created_at: number;
}

/** Visitor tokens (SHA-256) of verified users: each browser of a user has one, all naming the user's contact. */
export interface ContactVisitorTokensTable {
  token_hash: string;
  contact_id: string;
  web_deployment_id: string;
  created_at: number;
}

/** An event the site tracked about a contact (the widget's track()). */
export interface ContactEventsTable {
  id: string;
  workspace_id: string;
  contact_id: string;
  web_deployment_id: string | null;
  name: string;
  /** JSON object, or null. */
  data: string | null;
  created_at: number;
}

export interface DB {
  workspaces: WorkspacesTable;
  api_keys: ApiKeysTable;
  phone_configurations: PhoneConfigurationsTable;
  deployment_channels: DeploymentChannelsTable;
  agents: AgentsTable;
  deployment_configurations: DeploymentConfigurationsTable;
  channel_counts: ChannelCountsTable;
  web_deployments: WebDeploymentsTable;
  web_deployment_tokens: WebDeploymentTokensTable;
  web_deployment_origins: WebDeploymentOriginsTable;
  contacts: ContactsTable;
  conversations: ConversationsTable;
  messages: MessagesTable;
  conversation_events: ConversationEventsTable;
  workspace_events: WorkspaceEventsTable;
  secrets: SecretsTable;
  connections: ConnectionsTable;
  inbound_events: InboundEventsTable;
  inbound_refusals: InboundRefusalsTable;
  deliveries: DeliveriesTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  members: MembersTable;
  member_invitations: MemberInvitationsTable;
  member_sessions: MemberSessionsTable;
  channel_teams: ChannelTeamsTable;
  workflows: WorkflowsTable;
  webhook_subscriptions: WebhookSubscriptionsTable;
  replay_guards: ReplayGuardsTable;
  voice_turns: VoiceTurnsTable;
  web_deployment_identity_secrets: WebDeploymentIdentitySecretsTable;
  contact_visitor_tokens: ContactVisitorTokensTable;
  contact_events: ContactEventsTable;
  attachments: AttachmentsTable;
}

/** A file sent in a conversation; its bytes are in the attachment storage under storage_key. */
export interface AttachmentsTable {
  id: string;
  workspace_id: string;
  conversation_id: string;
  /** Null only between an upload and the message that carries it. */
  message_id: string | null;
  name: string;
  content_type: string;
  size: number;
  storage_key: string;
  sha256: string;
  created_at: number;
}

import { resolveClientConfig, type SwitchboardClientOptions } from './config.js';
import { HttpClient } from './http.js';
import { AgentsResource } from './resources/agents.js';
import { ChannelResource } from './resources/channel.js';
import { ConnectionsResource } from './resources/connections.js';
import { ContactsResource } from './resources/contacts.js';
import { ConversationsResource } from './resources/conversations.js';
import { DeliveriesResource } from './resources/deliveries.js';
import { DeploymentChannelsResource } from './resources/deployment-channels.js';
import { DeploymentConfigurationsResource } from './resources/deployment-configurations.js';
import { PhoneConfigurationsResource } from './resources/phone-configurations.js';
import { SecretsResource } from './resources/secrets.js';
import { TeamsResource } from './resources/teams.js';
import { WebDeploymentsResource } from './resources/web-deployments.js';
import { WebhooksResource } from './resources/webhooks.js';
import { WorkflowsResource } from './resources/workflows.js';
import { WorkspacesResource } from './resources/workspaces.js';

/**
 * Client for the Switchboard API. Works in Node 20+ and browsers.
 *
 * ```ts
 * const client = new SwitchboardClient({ apiKey: 'sk_…', baseUrl: 'https://switchboard.example.com' });
 * const channel = await client.deploymentChannels.get('chan_123');
 * ```
 *
 * @throws ConfigurationError when apiKey is missing or baseUrl/timeout/fetch/headers are unusable.
 */
export class SwitchboardClient {
  /** Phone numbers, websites and apps through which agents are reached. */
  readonly deploymentChannels: DeploymentChannelsResource;
  /** Phone numbers registered with a telephony provider. Same object as {@link phoneConfigurations}. */
  readonly phoneConfigs: PhoneConfigurationsResource;
  /** Alias of {@link phoneConfigs}. */
  readonly phoneConfigurations: PhoneConfigurationsResource;
  /** Bindings of one agent to one channel, with their lifecycle status. */
  readonly deploymentConfigurations: DeploymentConfigurationsResource;
  /** The agents that answer conversations. */
  readonly agents: AgentsResource;
  /** An agent's web widget deployments: their `cdp_…` tokens, allowed origins, theme and embed snippet. */
  readonly deployments: WebDeploymentsResource;
  /** Conversations with contacts, their transcripts, and agent replies posted later. */
  readonly conversations: ConversationsResource;
  /** Who conversations are with: attributes, and the events a site tracked about them with the widget's `track`. */
  readonly contacts: ContactsResource;
  /** Encrypted, write-only credentials that connections name by id; reads show a mask and fingerprint, never the value. */
  readonly secrets: SecretsResource;
  /** Accounts with providers (Twilio, Meta, LINE, email…): settings, credentials, and the inbound URL and secret to paste into the provider. */
  readonly connections: ConnectionsResource;
  /** Outbound messages sent through connections, with their retries; `list({ status: 'dead' })` is the dead-letter list. */
  readonly deliveries: DeliveriesResource;
  /** Teams of people that conversations are handed to: members, observers, and the teams assignable to each channel. */
  readonly teams: TeamsResource;
  /** Routing rules attached to channels: who (an agent or a team) takes each conversation. */
  readonly workflows: WorkflowsResource;
  /** Subscriptions of your URLs to the workspace's events, signed with Standard Webhooks; the secret is shown once. */
  readonly webhooks: WebhooksResource;
  /** Messaging channels (web, WhatsApp, Messenger, Instagram, email, WeChat, LINE, WeCom) in the spec's `Channel` shape, their credentials, workflows and teams. */
  readonly channel: ChannelResource;
  /** The installation's workspaces (tenants) and their API keys; needs an instance administrator key. */
  readonly workspaces: WorkspacesResource;

  constructor(options: SwitchboardClientOptions) {
    const http = new HttpClient(resolveClientConfig(options));
    this.deploymentChannels = new DeploymentChannelsResource(http);
    this.phoneConfigs = new PhoneConfigurationsResource(http);
    this.phoneConfigurations = this.phoneConfigs;
    this.deploymentConfigurations = new DeploymentConfigurationsResource(http);
    this.agents = new AgentsResource(http);
    this.deployments = new WebDeploymentsResource(http);
    this.conversations = new ConversationsResource(http);
    this.contacts = new ContactsResource(http);
    this.secrets = new SecretsResource(http);
    this.connections = new ConnectionsResource(http);
    this.deliveries = new DeliveriesResource(http);
    this.teams = new TeamsResource(http);
    this.workflows = new WorkflowsResource(http);
    this.webhooks = new WebhooksResource(http);
    this.channel = new ChannelResource(http);
    this.workspaces = new WorkspacesResource(http);
  }
}

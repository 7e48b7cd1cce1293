import { CREATED, IDS, later } from './shared.js';

const webChannel = {
  id: IDS.channel,
  deploymentType: 'web',
  channelIdentifier: 'https://www.example.com',
  channelName: 'Website chat',
  recordingEnabled: true,
  configuration: { communicationType: 'unified', widgetConfiguration: { position: 'right' } },
  createdAt: CREATED,
  updatedAt: CREATED,
};

const deployment = {
  id: IDS.deployment,
  projectId: IDS.workspace,
  deploymentChannelId: IDS.channel,
  agentId: IDS.agent,
  agentConfigurationId: IDS.agent,
  instructionConfigurationId: IDS.agent,
  deploymentName: 'Website concierge',
  instructions: null,
  status: 'active',
  deploymentStatus: 'active',
  isActive: true,
  provisioningType: 'direct',
  provisioningConfigChainId: null,
  createdAt: later(27),
  updatedAt: later(27),
};

/** What `data` holds, by response schema: deployment channels and phone numbers. */
export const CHANNEL_DATA: Record<string, unknown> = {
  DeploymentChannel: webChannel,
  PhoneConfiguration: {
    id: IDS.phone,
    phoneNumber: '+12025551234',
    provider: 'twilio',
    providerType: 'twilio',
    friendlyName: 'Support line',
    status: 'INACTIVE',
    voiceChannelId: null,
    smsChannelId: null,
    connectionId: null,
    isImported: true,
    isPorted: false,
    markedForRelease: false,
    isUSSMSPermitted: false,
    providerPhoneNumberId: null,
    phoneRequestId: null,
    createdAt: later(12),
    updatedAt: later(12),
  },
  DeploymentConfiguration: deployment,
  ChannelSetupResult: {
    channel: { ...webChannel, id: IDS.phoneChannel, channelIdentifier: 'https://shop.example.com', channelName: null },
    deployment: { ...deployment, deploymentChannelId: IDS.phoneChannel, deploymentName: null },
  },
};

/** Request bodies, by schema. */
export const CHANNEL_BODIES: Record<string, unknown> = {
  DeploymentChannelRequest: {
    channelIdentifier: 'https://www.example.com',
    deploymentType: 'web',
    channelName: 'Website chat',
    configuration: { widgetConfiguration: { customTheme: { primaryColor: '#007bff' } } },
  },
  DeploymentChannelUpdateRequest: { id: IDS.channel, channelName: 'Renamed', recordingEnabled: false },
  PhoneConfigurationRequest: { phoneNumber: '+12025551234', provider: 'twilio', friendlyName: 'Support line' },
  PhoneConfigurationUpdateRequest: { id: IDS.phone, friendlyName: 'After-hours line' },
  DeploymentConfigurationRequest: { deploymentChannelId: IDS.channel, agentId: IDS.agent, deploymentName: 'Website concierge' },
  DeploymentConfigurationUpdateRequest: { status: 'active' },
  ChannelSetupRequest: {
    agentId: IDS.agent,
    status: 'active',
    channel: { channelIdentifier: 'https://shop.example.com', deploymentType: 'web' },
  },
  ChannelTeamsRequest: { teamIds: [IDS.team] },
  ChannelWorkflowRequest: { workflowId: IDS.workflow },
};

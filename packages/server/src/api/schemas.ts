import { z } from 'zod';
import {
  AgentBackendType,
  CommunicationType,
  DEPLOYMENT_STATUSES,
  DEPLOYMENT_TYPES,
  MobilePlatform,
  PhoneProvider,
  WidgetPosition,
} from '@switchboard/core';

/** Shapes of response data, for the OpenAPI document. Timestamps are epoch milliseconds. */
const timestamps = {
  createdAt: z.number().int().describe('Epoch milliseconds'),
  updatedAt: z.number().int().describe('Epoch milliseconds'),
};

const channelConfiguration = z.union([
  z.object({ phoneConfigurationId: z.string() }),
  z.object({
    communicationType: z.enum(Object.values(CommunicationType)),
    widgetConfiguration: z.object({
      position: z.enum(Object.values(WidgetPosition)),
      customTheme: z.record(z.string(), z.string()).optional(),
    }),
  }),
  z.object({ packageName: z.string().optional(), platform: z.enum(Object.values(MobilePlatform)) }),
]);

const deploymentChannel = z.object({
  id: z.string(),
  deploymentType: z.enum(DEPLOYMENT_TYPES),
  channelIdentifier: z.string(),
  channelName: z.string().nullable(),
  recordingEnabled: z.boolean(),
  configuration: channelConfiguration,
  ...timestamps,
});

const phoneConfiguration = z.object({
  id: z.string(),
  phoneNumber: z.string(),
  provider: z.enum(Object.values(PhoneProvider)),
  friendlyName: z.string().nullable(),
  voiceChannelId: z.string().nullable(),
  smsChannelId: z.string().nullable(),
  ...timestamps,
});

const agent = z.object({
  id: z.string(),
  name: z.string(),
  instructions: z.string(),
  introductionMessage: z.string().nullable(),
  backend: z.object({ type: z.enum(Object.values(AgentBackendType)) }),
  ...timestamps,
});

const deploymentConfiguration = z.object({
  id: z.string(),
  deploymentChannelId: z.string(),
  agentId: z.string(),
  deploymentName: z.string().nullable(),
  instructions: z.string().nullable(),
  status: z.enum(DEPLOYMENT_STATUSES),
  ...timestamps,
});

export const schemas = {
  deploymentChannel: { name: 'DeploymentChannel', schema: deploymentChannel },
  phoneConfiguration: { name: 'PhoneConfiguration', schema: phoneConfiguration },
  agent: { name: 'Agent', schema: agent },
  deploymentConfiguration: { name: 'DeploymentConfiguration', schema: deploymentConfiguration },
  channelSetup: {
    name: 'ChannelSetupResult',
    schema: z.object({ channel: deploymentChannel, deployment: deploymentConfiguration }),
  },
};

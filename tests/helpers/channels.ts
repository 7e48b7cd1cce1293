import { DeploymentType } from '@switchboard/core';

/** What a repository test inserts as a deployment channel: a website (by default) with the widget on the right. */
export const newChannel = (identifier: string, deploymentType: DeploymentType = DeploymentType.WEB, channelName = 'Site') => ({
  deploymentType,
  channelIdentifier: identifier,
  channelName,
  recordingEnabled: true,
  configuration: { communicationType: 'unified', widgetConfiguration: { position: 'right' } } as never,
  phoneConfigurationId: null,
});

/** The columns a channel's answer is made of: the repository's channel reads select only these. */
export const CHANNEL_ANSWER_COLUMNS = ['id', 'deployment_type', 'channel_identifier', 'channel_name', 'recording_enabled', 'configuration', 'created_at', 'updated_at'] as const;

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

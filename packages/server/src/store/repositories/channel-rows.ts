/** A deployment channel's row as reads select it, and the channel made from it. */
import type { Selectable } from 'kysely';
import type { ChannelConfiguration, DeploymentChannel, DeploymentType } from '@switchboard/core';
import type { DeploymentChannelsTable } from '../schema.js';

/** What a channel's answer is made of (toDeploymentChannel): reads decode only these, not all 12 columns. */
export const ANSWER_COLUMNS = ['id', 'deployment_type', 'channel_identifier', 'channel_name', 'recording_enabled', 'configuration', 'created_at', 'updated_at'] as const;
export type AnswerRow = Pick<Selectable<DeploymentChannelsTable>, (typeof ANSWER_COLUMNS)[number]>;
/** The same row as an array of its values in ANSWER_COLUMNS' order (SynchronousReader.selectValuesIfIdle). */
export type AnswerValues = [string, string, string, string | null, number, string, number, number];
export const SELECT_ANSWER = `select ${ANSWER_COLUMNS.map((c) => `"${c}"`).join(', ')} from "deployment_channels"`;

export function toDeploymentChannel(row: AnswerRow): DeploymentChannel {
  return {
    id: row.id,
    deploymentType: row.deployment_type as DeploymentType,
    channelIdentifier: row.channel_identifier,
    channelName: row.channel_name,
    recordingEnabled: row.recording_enabled === 1,
    configuration: JSON.parse(row.configuration) as ChannelConfiguration,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function channelFromValues([id, type, identifier, name, recording, configuration, createdAt, updatedAt]: AnswerValues): DeploymentChannel {
  return toDeploymentChannel({
    id,
    deployment_type: type,
    channel_identifier: identifier,
    channel_name: name,
    recording_enabled: recording,
    configuration,
    created_at: createdAt,
    updated_at: updatedAt,
  });
}

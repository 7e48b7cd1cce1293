import type { Kysely } from 'kysely';
import type { AttachmentSettings } from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { workspaceRepositories } from '../store/repositories/index.js';
import { readAttachmentSettings } from '../store/repositories/web-deployments.js';
import { announceCredentialChange } from '../store/credential-changes.js';

/**
 * What the widget offers: the deployment's rules, turned off on a channel that does not record
 * messages (a file is a message body: keeping it would break that promise).
 */
export function offeredRules(rules: AttachmentSettings, recordingEnabled: boolean): AttachmentSettings {
  return recordingEnabled ? rules : { ...rules, enabled: false };
}

/** Whether a conversation's channel keeps its messages, and so may keep files (a channel that is gone does not refuse). */
export async function recordsMessages(db: Kysely<DB>, conversation: { workspaceId: string; channelId: string }): Promise<boolean> {
  const channel = await workspaceRepositories(db, conversation.workspaceId).channels.get(conversation.channelId);
  return !channel || channel.recordingEnabled;
}

/** Per-deployment upload rules, kept as JSON on the web deployment. */
export function attachmentSettingsStore(db: Kysely<DB>) {
  return {
    /** The rules of a deployment of the workspace and agent, or undefined when there is no such deployment. */
    async get(workspaceId: string, agentId: string, deploymentId: string): Promise<AttachmentSettings | undefined> {
      const row = await db
        .selectFrom('web_deployments')
        .select('attachment_settings')
        .where('workspace_id', '=', workspaceId)
        .where('agent_id', '=', agentId)
        .where('id', '=', deploymentId)
        .executeTakeFirst();
      return row && readAttachmentSettings(row.attachment_settings);
    },
    /** Replaces the rules (announced, so cached widget tokens on every node pick them up); false when there is no such deployment. */
    async set(workspaceId: string, agentId: string, deploymentId: string, settings: AttachmentSettings): Promise<boolean> {
      const result = await db
        .updateTable('web_deployments')
        .set({ attachment_settings: JSON.stringify(settings), updated_at: Date.now() })
        .where('workspace_id', '=', workspaceId)
        .where('agent_id', '=', agentId)
        .where('id', '=', deploymentId)
        .executeTakeFirst();
      const updated = Number(result.numUpdatedRows) > 0;
      if (updated) announceCredentialChange(db, { kind: 'webDeployment', id: deploymentId });
      return updated;
    },
  };
}

/**
 * The iMBRACE SDK's channel methods that are other spellings of the channel service's own:
 * conversation counts for the inbox badge, a full replace of a channel, and workflow
 * attachment addressed by the workflow's id as well as by the channel's.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { ErrorCode, MESSAGING_CHANNEL_TYPES, idSchema, type Channel } from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { monotonicNow } from '../store/clock.js';
import { ApiError, notFound } from '../http/errors.js';
import { parseOrThrow } from '../http/validation.js';
import type { channelService } from './service.js';

type Service = ReturnType<typeof channelService>;

export const CONV_COUNT_VIEWS = ['all', 'unassigned', 'assigned', 'waiting'] as const;

export const convCountQuerySchema = z.object({
  view: z
    .string()
    .optional()
    .refine((view) => view === undefined || view !== 'mine', {
      message: 'mine needs a signed-in member; an API key belongs to no one (use all, unassigned, assigned or waiting)',
    })
    .pipe(z.enum(CONV_COUNT_VIEWS, { error: `must be one of ${CONV_COUNT_VIEWS.join(', ')}` }).optional()),
  team_id: idSchema.optional(),
});

export const replaceChannelSchema = z.object({
  channel_id: idSchema,
  name: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional(),
  /** The whole new configuration: keys left out return to their defaults. */
  config: z.record(z.string(), z.unknown()).optional(),
  active: z.boolean({ error: 'must be true or false' }).optional(),
});

const workflowBodySchema = z.object({ workflow_id: idSchema.optional(), channel_id: idSchema.optional() });

export function channelServiceCompat(db: Kysely<DB>, service: Service) {
  async function workflowExists(workspaceId: string, id: string): Promise<boolean> {
    const row = await db.selectFrom('workflows').select('id').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return row !== undefined;
  }

  async function channelExists(workspaceId: string, id: string): Promise<boolean> {
    const row = await db
      .selectFrom('deployment_channels')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .where('deployment_type', 'in', [...MESSAGING_CHANNEL_TYPES])
      .executeTakeFirst();
    return row !== undefined;
  }

  return {
    /**
     * Open conversations on the workspace's messaging channels: `all`, `unassigned` (no person
     * has it), `assigned` (a person has it) or `waiting` (asked for a person, not yet taken),
     * optionally only those assigned to `team_id`.
     */
    async convCount(workspaceId: string, query: z.output<typeof convCountQuerySchema>): Promise<{ count: number; view: string; team_id: string | null }> {
      let q = db
        .selectFrom('conversations as v')
        .innerJoin('deployment_channels as c', 'c.id', 'v.channel_id')
        .where('v.workspace_id', '=', workspaceId)
        .where('v.status', '=', 'open')
        .where('v.handoff_state', '!=', 'resolved')
        .where('c.deployment_type', 'in', [...MESSAGING_CHANNEL_TYPES]);
      const view = query.view ?? 'all';
      if (view === 'unassigned') q = q.where('v.assigned_member_id', 'is', null);
      if (view === 'assigned') q = q.where('v.assigned_member_id', 'is not', null);
      if (view === 'waiting') q = q.where('v.handoff_state', '=', 'pending_human');
      if (query.team_id) q = q.where('v.assigned_team_id', '=', query.team_id);
      const row = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
      return { count: Number(row?.n ?? 0), view, team_id: query.team_id ?? null };
    },

    /** A full replace: the name and configuration given become the channel's; configuration keys left out are dropped. */
    async replace(workspaceId: string, request: z.output<typeof replaceChannelSchema>): Promise<Channel> {
      const current = await service.get(workspaceId, request.channel_id);
      const cleared = Object.fromEntries(Object.keys(current.config ?? {}).map((key) => [key, null]));
      return service.update(workspaceId, request.channel_id, {
        ...(request.name !== undefined && { name: request.name }),
        ...(request.config !== undefined && { config: { ...cleared, ...request.config } as never }),
        ...(request.active !== undefined && { active: request.active }),
      });
    },

    /**
     * `PUT /v1/channels/workflows/{id}`: `id` names the workflow (the SDK's `workflowId`, with
     * `channel_id` in the body) or the channel (with `workflow_id` in the body).
     */
    async attachWorkflow(workspaceId: string, id: string, body: unknown): Promise<{ success: true } & Channel> {
      const parsed = parseOrThrow(workflowBodySchema, body ?? {});
      let channelId: string;
      let workflowId: string;
      if (await workflowExists(workspaceId, id)) {
        if (!parsed.channel_id) throw new ApiError(400, ErrorCode.VALIDATION_ERROR, 'channel_id: Required (the channel to attach workflow ' + id + ' to)', [{ field: 'channel_id', message: 'Required' }]);
        [workflowId, channelId] = [id, parsed.channel_id];
      } else if (await channelExists(workspaceId, id)) {
        if (!parsed.workflow_id) throw new ApiError(400, ErrorCode.VALIDATION_ERROR, 'workflow_id: Required', [{ field: 'workflow_id', message: 'Required' }]);
        [workflowId, channelId] = [parsed.workflow_id, id];
      } else {
        throw notFound(`No channel or workflow ${id}`, { id });
      }
      return { success: true, ...(await service.updateChannelWorkflow(workspaceId, channelId, workflowId)) };
    },

    /** Detaches a workflow from every channel that uses it, or a channel from its workflow. */
    async detachWorkflow(workspaceId: string, id: string): Promise<{ success: true }> {
      if (await workflowExists(workspaceId, id)) {
        const users = await db.selectFrom('deployment_channels').select('id').where('workspace_id', '=', workspaceId).where('workflow_id', '=', id).execute();
        if (users.length > 0) {
          await db
            .updateTable('deployment_channels')
            .set({ workflow_id: null, updated_at: monotonicNow() })
            .where('workspace_id', '=', workspaceId)
            .where('workflow_id', '=', id)
            .execute();
        }
        return { success: true };
      }
      await service.deleteChannelWorkflow(workspaceId, id);
      return { success: true };
    },
  };
}

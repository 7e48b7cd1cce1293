import type { Kysely } from 'kysely';
import type { HandoffState, Message } from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { conversationsRepository, type ConversationRecord } from '../store/repositories/conversations.js';
import { findConnection } from '../store/repositories/connections.js';
import type { ConnectionsService } from '../connections/connections-service.js';
import { conflict, invalidField, notFound } from '../http/errors.js';
import { evaluateWorkflow } from '../workflows/evaluate.js';
import { workflowForChannel } from '../workflows/channel-workflow.js';
import type { HelpdeskConnector, HelpdeskRef } from './helpdesks/connector.js';

/** Words that mean "let me talk to a person". */
const ASKS_FOR_PERSON =
  /\b(talk|speak|chat)\s+(to|with)\s+(a\s+|an\s+|some\s*one\s*)?(human|person|real person|agent|representative|operator)\b|\b(real person|human agent|live agent|a human, please|representative,? please)\b/i;
export const HANDOFF_NOTICE = "I'm connecting you with a member of our team. They will reply here.";

/** Which moves each state allows. Staying put is not a move: it is refused like any other move not listed. */
const MOVES: Record<HandoffState, readonly HandoffState[]> = {
  bot: ['pending_human'],
  pending_human: ['human', 'resolved', 'bot'],
  human: ['resolved', 'bot'],
  resolved: ['bot', 'pending_human'],
};

/** A conversation as the API shows it (webhook event data): no workspace id, no helpdesk ref. */
const publicView = ({ workspaceId: _w, helpdeskRef: _h, ...conversation }: ConversationRecord & { helpdeskRef: HelpdeskRef | null }) => conversation;

export type TurnDecision = { kind: 'agent'; agentId: string } | { kind: 'silent' };

export interface HandoffDeps {
  db: Kysely<DB>;
  connections: ConnectionsService;
  helpdesks: ReadonlyMap<string, HelpdeskConnector>;
  publicUrl: string;
  logger: { error(obj: unknown, msg?: string): void; warn(obj: unknown, msg?: string): void };
  /** Posts a message into a conversation the way every message goes out (live stream or outbox). */
  post(conversation: ConversationRecord, input: { role: 'agent' | 'human'; text: string; authorId?: string }): Promise<Message>;
  /** Operator events (webhook subscriptions). */
  emit?(workspaceId: string, type: 'handoff.requested' | 'handoff.accepted', data: Record<string, unknown>): Promise<void>;
  fetch?: typeof fetch;
}

/**
 * Who answers a conversation: the agent (`bot`), nobody yet (`pending_human`, waiting for
 * a team), or a person (`human`), until `resolved`. Handoff starts when the agent asks for
 * it, when a workflow rule routes to a team, or when the contact asks for a person; while a
 * person owns the conversation the agent stays silent. A team with a helpdesk connection
 * carries the handoff into that helpdesk, and the helpdesk's replies come back here.
 */
export function handoffService(deps: HandoffDeps) {
  const { db, connections, helpdesks, logger } = deps;

  async function load(workspaceId: string, id: string): Promise<ConversationRecord & { helpdeskRef: HelpdeskRef | null }> {
    const conversation = await conversationsRepository(db, workspaceId).getConversation(id);
    if (!conversation) throw notFound('Conversation not found', { id });
    const row = await db.selectFrom('conversations').select('helpdesk_ref').where('id', '=', id).executeTakeFirstOrThrow();
    return { ...conversation, helpdeskRef: row.helpdesk_ref ? (JSON.parse(row.helpdesk_ref) as HelpdeskRef) : null };
  }

  async function move(conversation: ConversationRecord, to: HandoffState, changes: { assigned_team_id?: string | null; assigned_member_id?: string | null; helpdesk_ref?: string | null } = {}) {
    const from = conversation.handoffState;
    if (!MOVES[from].includes(to)) {
      throw conflict(`Cannot move the conversation from ${from} to ${to}`, { from, to });
    }
    await db
      .updateTable('conversations')
      .set({ handoff_state: to, updated_at: Date.now(), ...changes })
      .where('id', '=', conversation.id)
      .where('workspace_id', '=', conversation.workspaceId)
      .execute();
  }

  async function helpdeskOf(teamId: string | null) {
    if (!teamId) return undefined;
    const team = await db.selectFrom('teams').select('helpdesk_connection_id').where('id', '=', teamId).executeTakeFirst();
    if (!team?.helpdesk_connection_id) return undefined;
    const record = await findConnection(db, team.helpdesk_connection_id);
    const connector = record && helpdesks.get(record.provider);
    return record && connector ? { record, connector } : undefined;
  }

  async function handoffContext(conversation: ConversationRecord, reason: string, record: NonNullable<Awaited<ReturnType<typeof helpdeskOf>>>['record']) {
    const contact = await db.selectFrom('contacts').select(['external_id', 'display_name']).where('id', '=', conversation.contactId).executeTakeFirst();
    const channel = await db.selectFrom('deployment_channels').select('deployment_type').where('id', '=', conversation.channelId).executeTakeFirst();
    const messages = await db
      .selectFrom('messages')
      .select(['role', 'text', 'created_at'])
      .where('conversation_id', '=', conversation.id)
      .where('text', 'is not', null)
      .orderBy('created_at')
      .execute();
    return {
      connection: await connections.context(record),
      conversation: {
        id: conversation.id,
        channelType: channel?.deployment_type ?? 'web',
        contactId: conversation.contactId,
        ...(contact?.display_name && { contactName: contact.display_name }),
        ...(contact?.external_id && { contactExternalId: contact.external_id }),
      },
      transcript: messages.map((m) => ({ role: m.role as 'contact' | 'agent' | 'human', text: m.text!, at: m.created_at })),
      reason,
      inboundUrl: `${deps.publicUrl}/v1/public/helpdesks/${record.provider}/${record.id}`,
    };
  }

  /** The team a handoff goes to: the one asked for, else the channel's first assignable team. */
  async function teamFor(conversation: ConversationRecord, teamId?: string): Promise<string | null> {
    if (teamId) {
      const team = await db.selectFrom('teams').select('id').where('id', '=', teamId).where('workspace_id', '=', conversation.workspaceId).executeTakeFirst();
      if (!team) throw notFound('Team not found', { field: 'teamId', teamId });
      return team.id;
    }
    // The oldest of the channel's assignable teams: a stable choice, whatever order they were assigned in.
    const assignable = await db
      .selectFrom('channel_teams')
      .innerJoin('teams', 'teams.id', 'channel_teams.team_id')
      .select('channel_teams.team_id')
      .where('channel_teams.channel_id', '=', conversation.channelId)
      .orderBy('teams.created_at')
      .orderBy('teams.id')
      .limit(1)
      .executeTakeFirst();
    return assignable?.team_id ?? null;
  }

  async function request(conversation: ConversationRecord, input: { teamId?: string; reason: string; by: 'agent' | 'workflow' | 'contact' | 'operator' }) {
    if (conversation.handoffState === 'pending_human' || conversation.handoffState === 'human') return;
    const teamId = await teamFor(conversation, input.teamId);
    await move(conversation, 'pending_human', { assigned_team_id: teamId, assigned_member_id: null });
    const helpdesk = await helpdeskOf(teamId);
    if (helpdesk) {
      try {
        const ref = await helpdesk.connector.open(await handoffContext(conversation, input.reason, helpdesk.record), deps.fetch ?? fetch);
        await db.updateTable('conversations').set({ helpdesk_ref: JSON.stringify(ref) }).where('id', '=', conversation.id).execute();
      } catch (error) {
        logger.error({ err: error, conversationId: conversation.id, helpdesk: helpdesk.record.provider }, 'helpdesk handoff failed; the team can still take it here');
      }
    }
    await deps.emit?.(conversation.workspaceId, 'handoff.requested', {
      conversation: publicView(await load(conversation.workspaceId, conversation.id)),
      conversationId: conversation.id,
      teamId,
      reason: input.reason,
      requestedBy: input.by,
    });
  }

  return {
    /** Decides, for a contact message, whether the agent answers (and which agent) or stays silent. */
    async decide(conversation: ConversationRecord, message: Message): Promise<TurnDecision> {
      const current = await load(conversation.workspaceId, conversation.id);
      const text = message.text ?? '';
      if (current.handoffState === 'pending_human' || current.handoffState === 'human') {
        const helpdesk = await helpdeskOf(current.assignedTeamId);
        if (helpdesk && current.helpdeskRef && text) {
          try {
            await helpdesk.connector.forward(await handoffContext(current, 'forward', helpdesk.record), current.helpdeskRef, text, deps.fetch ?? fetch);
          } catch (error) {
            logger.error({ err: error, conversationId: current.id }, 'forwarding to the helpdesk failed');
          }
        }
        return { kind: 'silent' };
      }
      if (current.handoffState === 'resolved') await move(current, 'bot');
      const fresh = { ...current, handoffState: 'bot' as const };

      if (ASKS_FOR_PERSON.test(text)) {
        await request(fresh, { reason: 'The contact asked for a person', by: 'contact' });
        await deps.post(fresh, { role: 'agent', text: HANDOFF_NOTICE });
        return { kind: 'silent' };
      }
      const workflow = await workflowForChannel(db, current.workspaceId, current.channelId);
      if (workflow) {
        const contact = await db.selectFrom('contacts').select('attributes').where('id', '=', current.contactId).executeTakeFirst();
        const attributes = contact?.attributes ? (JSON.parse(contact.attributes) as Record<string, string>) : {};
        const route = evaluateWorkflow(workflow, { text, attributes, now: new Date() });
        if (route.kind === 'team') {
          await request(fresh, { teamId: route.teamId, reason: `Workflow rule ${route.rule} routes to a team`, by: 'workflow' });
          await deps.post(fresh, { role: 'agent', text: HANDOFF_NOTICE });
          return { kind: 'silent' };
        }
        return { kind: 'agent', agentId: route.agentId };
      }
      return { kind: 'agent', agentId: current.agentId };
    },

    /** The agent asked for a person in its reply. */
    async agentAsked(conversation: ConversationRecord, reason: string) {
      await request(await load(conversation.workspaceId, conversation.id), { reason, by: 'agent' });
    },

    async requestByOperator(workspaceId: string, conversationId: string, input: { teamId?: string; reason?: string }) {
      const conversation = await load(workspaceId, conversationId);
      if (conversation.handoffState === 'pending_human' || conversation.handoffState === 'human') {
        throw conflict(`The conversation is already handed off (${conversation.handoffState})`, { state: conversation.handoffState });
      }
      await request(conversation, { ...input, reason: input.reason ?? 'Requested by an operator', by: 'operator' });
      return load(workspaceId, conversationId);
    },

    /** A team member takes the conversation. */
    async accept(workspaceId: string, conversationId: string, memberId: string | undefined, external?: { id?: string; name?: string }) {
      const conversation = await load(workspaceId, conversationId);
      if (memberId) {
        const member = await db.selectFrom('team_members').select(['team_id', 'kind']).where('id', '=', memberId).where('workspace_id', '=', workspaceId).executeTakeFirst();
        if (!member || member.kind !== 'member') throw notFound('Team member not found', { field: 'memberId', memberId });
        if (conversation.assignedTeamId && member.team_id !== conversation.assignedTeamId) {
          throw invalidField('memberId', `must be a member of team ${conversation.assignedTeamId}, which has this conversation`);
        }
      }
      await move(conversation, 'human', { assigned_member_id: memberId ?? external?.id ?? null });
      const accepted = await load(workspaceId, conversationId);
      await deps.emit?.(workspaceId, 'handoff.accepted', { conversation: publicView(accepted), conversationId, memberId: memberId ?? null, ...(external && { helpdeskAgent: external }) });
      return accepted;
    },

    async resolve(workspaceId: string, conversationId: string) {
      await move(await load(workspaceId, conversationId), 'resolved');
      return load(workspaceId, conversationId);
    },

    /** Hands the conversation back to the agent. */
    async handBack(workspaceId: string, conversationId: string) {
      await move(await load(workspaceId, conversationId), 'bot', { assigned_member_id: null, helpdesk_ref: null });
      return load(workspaceId, conversationId);
    },

    /** A person's reply, through the channel the contact used. Accepts a pending handoff on the way. */
    async humanReply(workspaceId: string, conversationId: string, input: { text: string; memberId?: string; external?: { id?: string; name?: string } }) {
      let conversation = await load(workspaceId, conversationId);
      if (conversation.handoffState === 'bot' || conversation.handoffState === 'resolved') {
        throw conflict(`A person can reply only to a handed-off conversation (this one is ${conversation.handoffState})`, { state: conversation.handoffState });
      }
      if (conversation.handoffState === 'pending_human') conversation = await this.accept(workspaceId, conversationId, input.memberId, input.external);
      else if (input.memberId) {
        const member = await db.selectFrom('team_members').select('team_id').where('id', '=', input.memberId).where('workspace_id', '=', workspaceId).where('kind', '=', 'member').executeTakeFirst();
        if (!member) throw notFound('Team member not found', { field: 'memberId', memberId: input.memberId });
        if (conversation.assignedTeamId && member.team_id !== conversation.assignedTeamId) {
          throw invalidField('memberId', `must be a member of team ${conversation.assignedTeamId}, which has this conversation`);
        }
      }
      return deps.post(conversation, { role: 'human', text: input.text, ...((input.memberId ?? input.external?.id) && { authorId: input.memberId ?? input.external?.id }) });
    },

    /** Finds the conversation a helpdesk event is about, by the reference stored when the handoff was opened. */
    async findByHelpdeskRef(workspaceId: string, ref: HelpdeskRef): Promise<string | undefined> {
      const rows = await db
        .selectFrom('conversations')
        .select(['id', 'helpdesk_ref'])
        .where('workspace_id', '=', workspaceId)
        .where('helpdesk_ref', 'is not', null)
        .where('handoff_state', 'in', ['pending_human', 'human', 'resolved'])
        .execute();
      const wanted = Object.entries(ref);
      return rows.find((row) => {
        const stored = JSON.parse(row.helpdesk_ref!) as HelpdeskRef;
        return wanted.length > 0 && wanted.every(([key, value]) => stored[key] === value);
      })?.id;
    },
  };
}
export type HandoffService = ReturnType<typeof handoffService>;

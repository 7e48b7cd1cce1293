import type { Kysely } from 'kysely';
import { ErrorCode, type Attachment, type HandoffState, type Message } from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { conversationsRepository, toConversation, type ConversationRecord } from '../store/repositories/conversations.js';
import { findConnection } from '../store/repositories/connections.js';
import type { ConnectionsService } from '../connections/connections-service.js';
import { ApiError, conflict, invalidField, notFound } from '../http/errors.js';
import type { OperatorEventType } from '../events/workspace-events.js';
import { inboxConversation } from '../conversations/inbox-queries.js';
import { monotonicNow } from '../store/clock.js';
import { describePerson, requirePerson } from './members.js';
import { evaluateWorkflow } from '../workflows/evaluate.js';
import { workflowForChannel } from '../workflows/channel-workflow.js';
import type { HelpdeskConnector, HelpdeskRef } from './helpdesks/connector.js';

/** Words that mean "let me talk to a person". */
const ASKS_FOR_PERSON =
  /\b(talk|speak|chat)\s+(to|with)\s+(a\s+|an\s+|some\s*one\s*)?(human|person|real person|agent|representative|operator)\b|\b(real person|human agent|live agent|a human, please|representative,? please)\b/i;
/**
 * Whether `decide` would hand a contact message to the conversation's own agent without reading
 * or writing anything: the agent has the conversation, the channel routes by no workflow, and
 * the contact does not ask for a person.
 */
export function ownAgentAnswers(conversation: ConversationRecord, text: string, routedByWorkflow: boolean): boolean {
  return conversation.handoffState === 'bot' && !routedByWorkflow && !ASKS_FOR_PERSON.test(text);
}
export const HANDOFF_NOTICE = "I'm connecting you with a member of our team. They will reply here.";

/** Which moves each state allows. Staying put is not a move: it is refused like any other move not listed. */
const MOVES: Record<HandoffState, readonly HandoffState[]> = {
  bot: ['pending_human'],
  pending_human: ['human', 'resolved', 'bot'],
  human: ['resolved', 'bot'],
  resolved: ['bot', 'pending_human'],
};

type Loaded = ConversationRecord & { helpdeskRef: HelpdeskRef | null };
type Changes = { handoff_state?: HandoffState; assigned_team_id?: string | null; assigned_member_id?: string | null; helpdesk_ref?: string | null; last_read_at?: number };

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
  post(
    conversation: ConversationRecord,
    input: { role: 'agent' | 'human'; text: string; authorId?: string; quickReplies?: string[]; attachments?: Attachment[] },
  ): Promise<Message>;
  /** Records an operator event (event stream, webhook subscriptions) in the transaction `trx`; how many webhook deliveries it queued. */
  emit?(trx: Kysely<DB>, workspaceId: string, type: OperatorEventType, data: Record<string, unknown>): Promise<number>;
  /** After a transaction that emitted events commits (kick the outbox, wake the event streams). */
  committed?(workspaceId: string, queued: number): void;
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

  async function load(workspaceId: string, id: string, from: Kysely<DB> = db): Promise<Loaded> {
    const row = await from.selectFrom('conversations').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('Conversation not found', { id });
    return { ...toConversation(row), helpdeskRef: row.helpdesk_ref ? (JSON.parse(row.helpdesk_ref) as HelpdeskRef) : null };
  }

  /**
   * Changes a conversation in one transaction with its events: `conversation.updated` (the inbox
   * view) and those `also` names. The update is conditional (on the states in `when`, and on nobody
   * owning it with `unowned`): undefined when the condition no longer held, and nothing changed.
   */
  async function apply(
    conversation: ConversationRecord,
    set: Changes,
    when: { states?: readonly HandoffState[]; unowned?: boolean } = {},
    also: (changed: Loaded) => [OperatorEventType, Record<string, unknown>][] = () => [],
  ): Promise<Loaded | undefined> {
    let queued = 0;
    const changed = await db.transaction().execute(async (trx) => {
      let update = trx
        .updateTable('conversations')
        .set({ updated_at: Date.now(), ...set })
        .where('id', '=', conversation.id)
        .where('workspace_id', '=', conversation.workspaceId);
      if (when.states) update = update.where('handoff_state', 'in', [...when.states]);
      if (when.unowned) update = update.where('assigned_member_id', 'is', null);
      const result = await update.executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return undefined;
      const fresh = await load(conversation.workspaceId, conversation.id, trx);
      if (deps.emit) {
        const view = await inboxConversation(trx, conversation.workspaceId, conversation.id);
        queued += await deps.emit(trx, conversation.workspaceId, 'conversation.updated', { conversation: view });
        for (const [type, data] of also(fresh)) queued += await deps.emit(trx, conversation.workspaceId, type, data);
      }
      return fresh;
    });
    if (changed) deps.committed?.(conversation.workspaceId, queued);
    return changed;
  }

  async function move(conversation: ConversationRecord, to: HandoffState, changes: Changes = {}, also?: (changed: Loaded) => [OperatorEventType, Record<string, unknown>][]): Promise<Loaded> {
    const from = conversation.handoffState;
    if (!MOVES[from].includes(to)) {
      throw conflict(`Cannot move the conversation from ${from} to ${to}`, { from, to });
    }
    const moved = await apply(conversation, { handoff_state: to, ...changes }, { states: [from] }, also);
    if (!moved) throw conflict('The conversation changed meanwhile: reload it and try again', { from, to });
    return moved;
  }

  /** A person takes the conversation: exactly one of several at once wins; the others learn who. */
  async function takeOwnership(
    conversation: Loaded,
    ownerId: string,
    states: readonly HandoffState[],
    event: { memberId: string | null; external?: { id?: string; name?: string } | undefined },
  ): Promise<Loaded> {
    const memberId = ownerId;
    const taken = await apply(conversation, { handoff_state: 'human', assigned_member_id: ownerId }, { states, unowned: true }, (changed) => [
      ['handoff.accepted', { conversation: publicView(changed), conversationId: changed.id, memberId: event.memberId, ...(event.external && { helpdeskAgent: event.external }) }],
    ]);
    if (taken) return taken;
    const now = await load(conversation.workspaceId, conversation.id);
    if (now.handoffState === 'human' && now.assignedMemberId === memberId) return now;
    if (now.assignedMemberId) {
      const owner = await describePerson(db, conversation.workspaceId, now.assignedMemberId);
      throw new ApiError(409, ErrorCode.CONFLICT, `Already taken over by ${owner}`, [{ field: 'assignedMemberId', message: `${owner} owns this conversation` }], {
        assignedMemberId: now.assignedMemberId,
      });
    }
    throw conflict(`Cannot take over a conversation that is ${now.handoffState}`, { state: now.handoffState });
  }

  /** The person exists in the workspace, and a team member belongs to the team that has the conversation. */
  async function checkPerson(conversation: ConversationRecord, memberId: string) {
    const person = await requirePerson(db, conversation.workspaceId, memberId);
    if (person.teamId && conversation.assignedTeamId && person.teamId !== conversation.assignedTeamId) {
      throw invalidField('memberId', `must be a member of team ${conversation.assignedTeamId}, which has this conversation`);
    }
    return person;
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
    await move(conversation, 'pending_human', { assigned_team_id: teamId, assigned_member_id: null }, (changed) => [
      ['handoff.requested', { conversation: publicView(changed), conversationId: conversation.id, teamId, reason: input.reason, requestedBy: input.by }],
    ]);
    const helpdesk = await helpdeskOf(teamId);
    if (helpdesk) {
      try {
        const ref = await helpdesk.connector.open(await handoffContext(conversation, input.reason, helpdesk.record), deps.fetch ?? fetch);
        await db.updateTable('conversations').set({ helpdesk_ref: JSON.stringify(ref) }).where('id', '=', conversation.id).execute();
      } catch (error) {
        logger.error({ err: error, conversationId: conversation.id, helpdesk: helpdesk.record.provider }, 'helpdesk handoff failed; the team can still take it here');
      }
    }
  }

  return {
    /**
     * Decides, for a contact message, whether the agent answers (and which agent) or stays silent.
     * `current` is the conversation as it is now (its caller has just read it); only a message
     * for a person reads it again, for the helpdesk reference it is forwarded by.
     * `routedByWorkflow`: false when the caller knows the channel has no workflow (none is looked up).
     */
    async decide(current: ConversationRecord, message: Message, routedByWorkflow?: boolean): Promise<TurnDecision> {
      const text = message.text ?? '';
      if (current.handoffState === 'pending_human' || current.handoffState === 'human') {
        const helpdesk = await helpdeskOf(current.assignedTeamId);
        const helpdeskRef = helpdesk && text ? (await load(current.workspaceId, current.id)).helpdeskRef : null;
        if (helpdesk && helpdeskRef && text) {
          try {
            await helpdesk.connector.forward(await handoffContext(current, 'forward', helpdesk.record), helpdeskRef, text, deps.fetch ?? fetch);
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
      const workflow = routedByWorkflow === false ? undefined : await workflowForChannel(db, current.workspaceId, current.channelId);
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

    /** A person takes a conversation pending a person. */
    async accept(workspaceId: string, conversationId: string, memberId: string | undefined, external?: { id?: string; name?: string }) {
      const conversation = await load(workspaceId, conversationId);
      if (memberId) await checkPerson(conversation, memberId);
      const owner = memberId ?? external?.id;
      if (conversation.handoffState !== 'pending_human') {
        throw conflict(`Cannot move the conversation from ${conversation.handoffState} to human`, { from: conversation.handoffState, to: 'human' });
      }
      if (owner) return takeOwnership(conversation, owner, ['pending_human'], { memberId: memberId ?? null, external });
      return move(conversation, 'human', { assigned_member_id: null }, (changed) => [
        ['handoff.accepted', { conversation: publicView(changed), conversationId, memberId: null, ...(external && { helpdeskAgent: external }) }],
      ]);
    },

    /** A person steps in, while the agent answers or while the conversation waits for a person. */
    async takeOver(workspaceId: string, conversationId: string, memberId: string) {
      const conversation = await load(workspaceId, conversationId);
      await checkPerson(conversation, memberId);
      return takeOwnership(conversation, memberId, ['bot', 'pending_human'], { memberId });
    },

    /** Assigns the conversation to a team and/or a person (null clears), whatever its state. */
    async assign(workspaceId: string, conversationId: string, input: { teamId?: string | null | undefined; memberId?: string | null | undefined }) {
      const conversation = await load(workspaceId, conversationId);
      const changes: Changes = {};
      if (input.teamId !== undefined) {
        if (input.teamId !== null) {
          const team = await db.selectFrom('teams').select('id').where('id', '=', input.teamId).where('workspace_id', '=', workspaceId).executeTakeFirst();
          if (!team) throw notFound('Team not found', { field: 'teamId', teamId: input.teamId });
        }
        changes.assigned_team_id = input.teamId;
      }
      if (input.memberId !== undefined) {
        if (input.memberId !== null) await requirePerson(db, workspaceId, input.memberId);
        changes.assigned_member_id = input.memberId;
      }
      return (await apply(conversation, changes))!;
    },

    /** Marks the conversation read up to now: its unread count drops to 0. */
    async markRead(workspaceId: string, conversationId: string) {
      const conversation = await load(workspaceId, conversationId);
      return (await apply(conversation, { last_read_at: monotonicNow() }))!;
    },

    async resolve(workspaceId: string, conversationId: string) {
      return move(await load(workspaceId, conversationId), 'resolved');
    },

    /** Hands the conversation back to the agent. */
    async handBack(workspaceId: string, conversationId: string) {
      return move(await load(workspaceId, conversationId), 'bot', { assigned_member_id: null, helpdesk_ref: null });
    },

    /** A person's reply, through the channel the contact used. Accepts a pending handoff on the way. */
    async humanReply(
      workspaceId: string,
      conversationId: string,
      input: { text: string; memberId?: string; external?: { id?: string; name?: string }; quickReplies?: string[] | undefined; attachments?: Attachment[] },
    ) {
      let conversation = await load(workspaceId, conversationId);
      if (conversation.handoffState === 'bot' || conversation.handoffState === 'resolved') {
        throw conflict(`A person can reply only to a handed-off conversation (this one is ${conversation.handoffState})`, { state: conversation.handoffState });
      }
      if (conversation.handoffState === 'pending_human') conversation = await this.accept(workspaceId, conversationId, input.memberId, input.external);
      else if (input.memberId) await checkPerson(conversation, input.memberId);
      return deps.post(conversation, {
        role: 'human',
        text: input.text,
        ...((input.memberId ?? input.external?.id) && { authorId: input.memberId ?? input.external?.id }),
        ...(input.quickReplies?.length && { quickReplies: input.quickReplies }),
        ...(input.attachments?.length && { attachments: input.attachments }),
      });
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

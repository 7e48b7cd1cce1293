import type { Kysely } from 'kysely';
import { DeploymentType, type Message } from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { newId } from '../store/ids.js';
import { workspaceRepositories } from '../store/repositories/index.js';
import { conversationsRepository, type ConversationRecord } from '../store/repositories/conversations.js';
import type { WebDeploymentRecord } from '../store/repositories/web-deployments.js';
import type { AgentRunner } from '../agents/types.js';
import { notFound } from '../http/errors.js';
import { issueVisitorToken, sha256Hex } from '../runtime/tokens.js';
import { capInboundText } from '../channels/inbound-text.js';
import { labelForNumber } from '../channels/quick-replies.js';
import { inboxConversation, listInbox, type InboxFilters } from './inbox-queries.js';
import { messageWriter, type ChannelFacts, type MessageWriterDeps } from './message-writer.js';
import type { StoredAgentBackend } from '../store/repositories/agents.js';
import type { Attachment } from '@switchboard/core';

export type { ChannelFacts } from './message-writer.js';

export const CONVERSATION_NOT_FOUND = 'Conversation not found';
const TRANSCRIPT_TURNS = 20;

export interface Logger {
  error(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
}

/** Agent replies on provider channels go out through the outbox (`outbox`): written with the reply, then dispatched. */
export interface ConversationDeps extends MessageWriterDeps {
  runner: AgentRunner;
  logger: Logger;
  /** Decides who answers a contact message (the agent, which one, or nobody while a person owns it). */
  router?: {
    decide(conversation: ConversationRecord, message: Message, routedByWorkflow?: boolean): Promise<{ kind: 'agent'; agentId: string } | { kind: 'silent' }>;
    agentAsked(conversation: ConversationRecord, reason: string): Promise<void>;
    /** Whether `decide` would give the message to the conversation's own agent without reading or writing anything. */
    ownAgentAnswers?(conversation: ConversationRecord, text: string, routedByWorkflow: boolean): boolean;
  };
}

interface TurnOptions {
  channelType: string;
  /** Writes committed together with the agent's reply (the outbox row of a provider channel). */
  alongsideReply?: (trx: Kysely<DB>, reply: Message) => Promise<void>;
  /** The backend will answer later through the API. */
  onDeferred?: () => Promise<void>;
}

/** An inbound provider message, already verified and recorded. */
export interface ProviderMessage {
  workspaceId: string;
  channel: { id: string; deploymentType: string; recordingEnabled: boolean };
  agentId: string;
  providerEventId: string;
  contact: { externalId: string; displayName?: string };
  text: string;
  replyContext?: Record<string, unknown> | undefined;
  /** Fetches and stores the files the message carries, once its conversation is known (not again for a reprocessed event). */
  media?: ((conversation: ConversationRecord) => Promise<Attachment[]>) | undefined;
  /** The channel shows quick replies as a numbered list: a bare number answers with that label. */
  numberedChoices?: boolean | undefined;
}

export interface StartedSession {
  conversation: ConversationRecord;
  visitorToken: string;
  resumed: boolean;
}

/** A widget session's conversation with what its messages and their answers need of its channel and agent (read with it). */
export type WidgetSession = ConversationRecord & {
  channel: Required<ChannelFacts>;
  agentBackend: StoredAgentBackend | null;
};

export function conversationService({ db, bus, runner, logger, outbox, router, emitAll, notify }: ConversationDeps) {
  /** Agent turns of one conversation run one after another, so replies keep the order of questions. */
  const turnQueues = new Map<string, Promise<void>>();
  /** Turns in flight, so shutdown (and tests) can wait for them. */
  const pending = new Set<Promise<void>>();

  /** conversation.created for operators' webhooks, in the transaction that created it. */
  async function announce(trx: Kysely<DB>, conversation: ConversationRecord): Promise<number> {
    if (!emitAll) return 0;
    const { workspaceId: _w, ...view } = conversation;
    return emitAll(trx, conversation.workspaceId, [{ type: 'conversation.created', data: { conversation: view } }]);
  }

  async function recordingEnabled(workspaceId: string, channelId: string): Promise<boolean> {
    const channel = await workspaceRepositories(db, workspaceId).channels.get(channelId);
    return channel?.recordingEnabled ?? true;
  }

  const writer = messageWriter({ db, bus, emitAll, notify, outbox });
  const appendMessage = writer.append;

  /** `conversation` as it is now: loaded by the request that stored the contact message, or again after waiting for an earlier turn. */
  async function runTurn(conversation: ConversationRecord, channel: ChannelFacts, contactMessage: Message, options: TurnOptions): Promise<void> {
    const repo = conversationsRepository(db, conversation.workspaceId);
    const decision = router ? await router.decide(conversation, contactMessage, channel.routedByWorkflow) : { kind: 'agent' as const, agentId: conversation.agentId };
    if (decision.kind === 'silent') {
      // A person owns the conversation (or is being asked to): the agent stays silent.
      await options.onDeferred?.();
      return;
    }
    bus.publish(conversation.id, { type: 'typing', data: { active: true } });
    const replyId = newId('message');
    try {
      const history = (await repo.recentTranscript(conversation.id, TRANSCRIPT_TURNS + 1)).slice(0, -1);
      const outcome = await runner.respond(
        decision.agentId,
        conversation.workspaceId,
        {
          workspaceId: conversation.workspaceId,
          conversationId: conversation.id,
          channelType: options.channelType,
          contactId: conversation.contactId,
          messageId: contactMessage.id,
          text: contactMessage.text ?? '',
          history,
        },
        (chunk) => bus.publish(conversation.id, { type: 'delta', data: { messageId: replyId, text: chunk } }),
      );
      if (outcome.kind === 'reply') {
        await appendMessage(
          conversation,
          channel,
          {
            id: replyId,
            role: 'agent',
            text: outcome.text,
            fallback: outcome.fallback,
            answering: contactMessage.id,
            quickReplies: outcome.quickReplies,
          },
          options.alongsideReply,
        );
        if (outcome.handoff) await router?.agentAsked(conversation, outcome.handoff.reason);
      } else {
        await options.onDeferred?.();
      }
    } catch (error) {
      logger.error({ err: error, conversationId: conversation.id }, 'agent turn failed');
      const data = { code: 'AGENT_UNAVAILABLE', message: 'The agent could not answer.' };
      // The failure may be the database's: then the event is only streamed, not stored.
      const seq = await repo.appendEvent(conversation.id, 'error', data).catch(() => undefined);
      bus.publish(conversation.id, { ...(seq !== undefined && { id: seq }), type: 'error', data });
    } finally {
      bus.publish(conversation.id, { type: 'typing', data: { active: false } });
    }
  }

  function enqueueTurn(conversation: ConversationRecord, channel: ChannelFacts, message: Message, options: TurnOptions): Promise<void> {
    const waiting = turnQueues.get(conversation.id);
    const previous = waiting ?? Promise.resolve();
    // A turn that waited for an earlier one reads the conversation again: a person may have taken it meanwhile.
    const current = async () =>
      waiting ? ((await conversationsRepository(db, conversation.workspaceId).getConversation(conversation.id)) ?? conversation) : conversation;
    // A turn runs after the one before it whether that one succeeded or failed (its caller saw the failure).
    const run = async () => runTurn(await current(), channel, message, options);
    const turn = previous.then(run, run);
    turnQueues.set(conversation.id, turn);
    pending.add(turn);
    turn
      .finally(() => {
        pending.delete(turn);
        if (turnQueues.get(conversation.id) === turn) turnQueues.delete(conversation.id);
      })
      .catch(() => undefined); // the failure belongs to the turn's caller; this chain must not report it again
    return turn;
  }

  /**
   * The agent's reply to a contact message, when it is known before the message is stored: no
   * turn of the conversation is under way, the conversation's own agent answers (see the
   * router), and its backend answers from the text alone. The two are then stored together.
   */
  function immediateReply(conversation: ConversationRecord, routedByWorkflow: boolean, backend: StoredAgentBackend | null, text: string) {
    if (turnQueues.has(conversation.id) || !backend || !runner.answerAtOnce) return undefined;
    if (router && !router.ownAgentAnswers?.(conversation, text, routedByWorkflow)) return undefined;
    return runner.answerAtOnce(backend, text);
  }

  /** Work that later turns of the conversation wait for, as they wait for a turn. */
  function asTurn<T>(conversationId: string, work: Promise<T>): Promise<T> {
    const turn = work.then(
      () => undefined,
      () => undefined,
    );
    turnQueues.set(conversationId, turn);
    pending.add(turn);
    void turn.finally(() => {
      pending.delete(turn);
      if (turnQueues.get(conversationId) === turn) turnQueues.delete(conversationId);
    });
    return work;
  }

  return {
    /** Starts a conversation for a widget visitor, or resumes theirs when the visitor token is known. */
    async startSession(deployment: WebDeploymentRecord, visitorToken: string | undefined, locale?: string): Promise<StartedSession> {
      const repo = conversationsRepository(db, deployment.workspaceId);
      // A known visitor (their chat ended, or identify/track made their contact) keeps their contact and token.
      const known = visitorToken ? await repo.contactByVisitorToken(deployment.deploymentChannelId, sha256Hex(visitorToken)) : undefined;
      if (known) {
        const open = await repo.openConversationOf(known, deployment.id);
        if (open) {
          await repo.touchContact(known);
          return { conversation: open, visitorToken: visitorToken!, resumed: true };
        }
      }
      const visitor = known ? { token: visitorToken!, hash: '' } : issueVisitorToken();
      const conversation = await db.transaction().execute(async (trx) => {
        const inTrx = conversationsRepository(trx, deployment.workspaceId);
        const contactId = known ?? (await inTrx.createContact(deployment.deploymentChannelId, visitor.hash));
        // The browser's language (`en-US` → `en`) is what workflow language rules test.
        const language = locale?.split(/[-_]/)[0]?.toLowerCase();
        if (language && /^[a-z]{2,3}$/.test(language)) await inTrx.setContactAttributes(contactId, { language });
        const created = await inTrx.createConversation({
          channelId: deployment.deploymentChannelId,
          agentId: deployment.agentId,
          contactId,
          webDeploymentId: deployment.id,
        });
        return { created, events: (await announce(trx, created)) ?? 0 };
      });
      if (conversation.events > 0) outbox?.kick();
      notify?.(deployment.workspaceId);
      return { conversation: conversation.created, visitorToken: visitor.token, resumed: false };
    },

    /** The conversation of a session, provided the visitor token is the one it was started with. */
    async sessionFor(deployment: WebDeploymentRecord, sessionId: string, visitorToken: string | undefined): Promise<WidgetSession> {
      const found =
        visitorToken &&
        (await conversationsRepository(db, deployment.workspaceId).sessionConversation(
          sessionId,
          { id: deployment.id, channelId: deployment.deploymentChannelId },
          sha256Hex(visitorToken),
        ));
      if (!found) throw notFound('Session not found', { sessionId });
      const { conversation, recordingEnabled, providerLinked, routedByWorkflow, agentBackend } = found;
      return { ...conversation, channel: { recordingEnabled, providerLinked, routedByWorkflow }, agentBackend };
    },

    /** Stores a contact message once per clientMessageId and asks the agent. */
    async receiveContactMessage(session: WidgetSession, text: string, clientMessageId: string, attachments?: Attachment[]) {
      const { channel, agentBackend, ...conversation } = session;
      let message: Message;
      try {
        const reply = immediateReply(conversation, channel.routedByWorkflow, agentBackend, text);
        if (reply) {
          const contact = { role: 'contact' as const, text, clientMessageId, attachments };
          message = await asTurn(conversation.id, writer.appendExchange(conversation, channel, contact, { ...reply, id: newId('message'), role: 'agent' }));
          return { message, duplicate: false };
        }
        message = await appendMessage(conversation, channel, { role: 'contact', text, clientMessageId, attachments });
      } catch (error) {
        // A message sent again (a retry, or a concurrent duplicate) is refused by the unique
        // (conversation, clientMessageId) key: no lookup beforehand, the key is the check.
        const raced = await conversationsRepository(db, conversation.workspaceId).messageByClientId(conversation.id, clientMessageId);
        if (raced) return { message: raced, duplicate: true };
        throw error;
      }
      // The message is stored and acknowledged; a turn that fails (the database went away) is logged, never thrown.
      enqueueTurn(conversation, channel, message, { channelType: DeploymentType.WEB }).catch((error: unknown) =>
        logger.error({ err: error, conversationId: conversation.id }, 'agent turn failed'),
      );
      return { message, duplicate: false };
    },

    /** A message the service writes itself (a handoff notice, a person's reply): stored, streamed, and sent through the outbox on provider channels. */
    async post(
      conversation: ConversationRecord,
      input: { role: 'agent' | 'human'; text: string; authorId?: string; quickReplies?: string[]; attachments?: Attachment[] },
    ): Promise<Message> {
      const recording = await recordingEnabled(conversation.workspaceId, conversation.channelId);
      return appendMessage(conversation, { recordingEnabled: recording }, {
        role: input.role,
        text: input.text,
        authorId: input.authorId ?? null,
        quickReplies: input.quickReplies,
        attachments: input.attachments,
      });
    },

    /** An agent reply posted through the API (e.g. by a webhook backend that answered later). */
    async postAgentMessage(workspaceId: string, conversationId: string, text: string, clientMessageId?: string, quickReplies?: string[]) {
      const repo = conversationsRepository(db, workspaceId);
      const conversation = await repo.getConversation(conversationId);
      if (!conversation) throw notFound(CONVERSATION_NOT_FOUND, { id: conversationId });
      if (clientMessageId) {
        const existing = await repo.messageByClientId(conversationId, clientMessageId);
        if (existing) return existing;
      }
      const recording = await recordingEnabled(workspaceId, conversation.channelId);
      return appendMessage(conversation, { recordingEnabled: recording }, { role: 'agent', text, clientMessageId: clientMessageId ?? null, quickReplies });
    },

    async history(conversation: ConversationRecord, limit = 200): Promise<Message[]> {
      return (await conversationsRepository(db, conversation.workspaceId).listMessages(conversation.id, 1, limit)).data;
    },

    eventsAfter(conversation: ConversationRecord, afterSeq: number) {
      return conversationsRepository(db, conversation.workspaceId).eventsAfter(conversation.id, afterSeq);
    },

    /** The conversation as the inbox shows it (with its last message's preview and unread count). */
    async getConversation(workspaceId: string, id: string) {
      const conversation = await inboxConversation(db, workspaceId, id);
      if (!conversation) throw notFound(CONVERSATION_NOT_FOUND, { id });
      return conversation;
    },
    listConversations(workspaceId: string, page: number, pageSize: number, filters: InboxFilters = {}) {
      return listInbox(db, workspaceId, filters, page, pageSize);
    },
    async listMessages(workspaceId: string, conversationId: string, page: number, pageSize: number) {
      const repo = conversationsRepository(db, workspaceId);
      if (!(await repo.getConversation(conversationId))) throw notFound(CONVERSATION_NOT_FOUND, { id: conversationId });
      return repo.listMessages(conversationId, page, pageSize);
    },

    /**
     * Files a provider message into its contact's open conversation on the channel and asks
     * the agent. Idempotent on the provider's event id, so a reprocessed event (after a crash)
     * stores nothing twice. `alongsideReply` commits with the reply; `onDeferred` runs when the
     * backend answers later. Resolves when the turn is over. Every provider's messages pass
     * here, so this is where their text is held to MAX_INBOUND_TEXT.
     */
    async handleProviderMessage(
      input: ProviderMessage,
      hooks: Pick<TurnOptions, 'alongsideReply' | 'onDeferred'> & { onDuplicateWithReply?: () => Promise<void> },
    ): Promise<void> {
      const repo = conversationsRepository(db, input.workspaceId);
      let text = capInboundText(input.text);
      let contact = await repo.contactByExternalId(input.channel.id, input.contact.externalId);
      let conversation = contact && (await repo.openConversationOnChannel(contact.id, input.channel.id));
      if (!conversation) {
        try {
          conversation = await db.transaction().execute(async (trx) => {
            const inTrx = conversationsRepository(trx, input.workspaceId);
            const contactId =
              contact?.id ?? (await inTrx.createContact(input.channel.id, null, { id: input.contact.externalId, displayName: input.contact.displayName }));
            const created = await inTrx.createConversation({ channelId: input.channel.id, agentId: input.agentId, contactId, webDeploymentId: null });
            if ((await announce(trx, created)) > 0) setImmediate(() => outbox?.kick());
            return created;
          });
          notify?.(input.workspaceId);
        } catch (error) {
          // Another message of the same new contact (processed concurrently) created the contact and
          // its conversation first: the unique (channel, external id) key refused this one. Join them.
          contact = await repo.contactByExternalId(input.channel.id, input.contact.externalId);
          const created = contact && (await repo.openConversationOnChannel(contact.id, input.channel.id));
          if (!created) throw error;
          conversation = created;
        }
        contact ??= { id: conversation.contactId, displayName: input.contact.displayName ?? null };
      }
      const existing = await repo.messageByClientId(conversation.id, input.providerEventId);
      if (input.numberedChoices && !existing) text = await labelForNumber(db, conversation.id, text);
      const message =
        existing ??
        (await appendMessage(conversation, { recordingEnabled: input.channel.recordingEnabled }, {
          role: 'contact',
          text,
          clientMessageId: input.providerEventId,
          replyContext: input.replyContext,
          // A file is a message body: not kept where the channel does not record them.
          attachments: input.media && input.channel.recordingEnabled ? await input.media(conversation) : undefined,
        }));
      if (existing) message.text = existing.text ?? text;
      await enqueueTurn(conversation, { recordingEnabled: input.channel.recordingEnabled }, message, {
        channelType: input.channel.deploymentType,
        ...hooks,
      });
    },

    /** Answers a provider message inside the provider's request (a phone call's turn): the reply text, or undefined when the backend defers. */
    async answerNow(input: ProviderMessage): Promise<string | undefined> {
      let reply: string | undefined;
      await this.handleProviderMessage(input, {
        alongsideReply: async (_trx, message) => {
          reply = message.text ?? undefined;
        },
      });
      return reply;
    },

    /** Ends the contact's open conversation on a channel (a call hung up): the next contact starts a new one. */
    async closeConversation(workspaceId: string, channelId: string, externalId: string): Promise<void> {
      const repo = conversationsRepository(db, workspaceId);
      const contact = await repo.contactByExternalId(channelId, externalId);
      const open = contact && (await repo.openConversationOnChannel(contact.id, channelId));
      if (open) await db.updateTable('conversations').set({ status: 'closed', updated_at: Date.now() }).where('id', '=', open.id).execute();
    },

    /** Resolves when every agent turn started so far has finished. */
    async drain(): Promise<void> {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
export type ConversationService = ReturnType<typeof conversationService>;

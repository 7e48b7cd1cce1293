import type { Kysely } from 'kysely';
import type { Attachment, Message } from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { conversationsRepository, type ConversationRecord, type NewMessage } from '../store/repositories/conversations.js';
import type { EventBus } from '../bus/event-bus.js';
import { carryAttachments } from '../attachments/carry.js';
import type { QueuedReply } from '../outbox/enqueue-reply.js';
import { sharedTransactions } from '../store/shared-transactions.js';

type EventType = 'conversation.created' | 'message.created';

export interface MessageWriterDeps {
  db: Kysely<DB>;
  bus: EventBus;
  /** Queues operator events (webhook subscriptions), in order, in the given transaction; the count of queued deliveries. */
  emitAll?: (trx: Kysely<DB>, workspaceId: string, events: { type: EventType; data: Record<string, unknown> }[]) => Promise<number>;
  /** After a transaction that emitted operator events commits: wakes the workspace's event streams. */
  notify?: (workspaceId: string) => void;
  outbox?: {
    /** `answering`: the id of the contact message the reply answers (its provider reply context goes along). */
    enqueue(trx: Kysely<DB>, conversation: ConversationRecord, reply: Message, answering?: string): Promise<QueuedReply | undefined>;
    /** After the transaction that enqueued `queued` ended, committed or not. */
    settle(queued: readonly QueuedReply[], committed: boolean): void;
    kick(): void;
  };
}

/** What storing and sending a message needs to know of its conversation's channel. */
export interface ChannelFacts {
  recordingEnabled: boolean;
  /** False when the channel has no provider connection, so no reply of it can go through the outbox; unknown when absent. */
  providerLinked?: boolean;
  /** False when the channel routes by no workflow, so none is looked up for its turns; unknown when absent. */
  routedByWorkflow?: boolean;
}

export interface MessageInput {
  id?: string;
  role: Message['role'];
  text: string;
  clientMessageId?: string | null;
  fallback?: boolean;
  replyContext?: Record<string, unknown> | undefined;
  authorId?: string | null;
  quickReplies?: string[] | undefined;
  /** An agent reply: the contact message it answers (not stored; picks the reply context of the outbox row). */
  answering?: string;
  /** Uploaded files the message carries (their rows are given the message in its transaction). */
  attachments?: Attachment[] | undefined;
}

/** The message as streamed live: with its body (and quick replies) even where the channel does not record. */
const liveCopy = (stored: Message, input: MessageInput): Message => ({
  ...stored,
  text: input.text,
  ...(input.quickReplies?.length && { quickReplies: input.quickReplies }),
});

/** Stores messages with their events in one transaction each (shared with other writes' on SQLite), then publishes them live. */
export function messageWriter({ db, bus, emitAll, notify, outbox }: MessageWriterDeps) {
  const newMessage = (conversation: ConversationRecord, record: boolean, { answering: _a, attachments: _f, ...fields }: MessageInput): NewMessage => ({
    ...fields,
    conversationId: conversation.id,
    record,
  });


  const transact = sharedTransactions(db);

  /**
   * Runs a write that may queue replies and operator events, in a transaction that may be shared
   * with other writes (store/shared-transactions.ts), and settles its replies with the outbox
   * however it ends. What one attempt queued is its own: an attempt rolled back with a shared
   * transaction frees its replies' slots before the write runs again.
   */
  async function withReplies<T>(write: (trx: Kysely<DB>, queue: (reply: QueuedReply | undefined) => void) => Promise<T>): Promise<T> {
    let queued: QueuedReply[] = [];
    let committed = false;
    try {
      const result = await transact(async (trx) => {
        if (queued.length > 0) outbox?.settle(queued, false);
        queued = [];
        return write(trx, (reply) => void (reply && queued.push(reply)));
      });
      committed = true;
      return result;
    } finally {
      if (queued.length > 0) outbox?.settle(queued, committed);
    }
  }

  return {
    /** Stores a message with its event in one transaction, then publishes it live (with its body). */
    async append(
      conversation: ConversationRecord,
      channel: ChannelFacts,
      input: MessageInput,
      /** More writes that must commit with the message (its outbox row, say) or not at all. */
      alongside?: (trx: Kysely<DB>, message: Message) => Promise<void>,
    ): Promise<Message> {
      const { message, seq, eventsQueued } = await withReplies(async (trx, queue) => {
        const repo = conversationsRepository(trx, conversation.workspaceId);
        const inserted = await repo.insertMessage(newMessage(conversation, channel.recordingEnabled, input));
        const stored = await carryAttachments(trx, conversation, inserted, input.attachments);
        const seq = await repo.appendEvent(conversation.id, 'message', stored);
        const full = liveCopy(stored, input);
        if (input.role !== 'contact' && outbox && channel.providerLinked !== false) queue(await outbox.enqueue(trx, conversation, full, input.answering));
        // The stored copy: no body when the channel does not record.
        const eventsQueued = emitAll !== undefined && (await emitAll(trx, conversation.workspaceId, [{ type: 'message.created', data: { message: stored } }])) > 0;
        await alongside?.(trx, full);
        return { message: stored, seq, eventsQueued };
      });
      if (eventsQueued) outbox?.kick();
      notify?.(conversation.workspaceId);
      const live = liveCopy(message, input);
      bus.publish(conversation.id, { id: seq, type: 'message', data: live });
      return live;
    },

    /**
     * Stores a contact message and the agent's reply to it in one transaction (a reply known
     * before anything was written), then streams what a turn streams: the message, typing, the
     * reply's text, the reply, typing over. Nothing is stored unless both are.
     */
    async appendExchange(conversation: ConversationRecord, channel: ChannelFacts, contact: MessageInput, reply: MessageInput & { id: string }): Promise<Message> {
      const stored = await withReplies(async (trx, queue) => {
        const repo = conversationsRepository(trx, conversation.workspaceId);
        const record = channel.recordingEnabled;
        const [inserted, answer] = await repo.insertMessages([newMessage(conversation, record, contact), newMessage(conversation, record, reply)]);
        const question = await carryAttachments(trx, conversation, inserted!, contact.attachments);
        const seqs = await repo.appendEvents(conversation.id, [
          { type: 'message', data: question },
          { type: 'message', data: answer },
        ]);
        if (outbox && channel.providerLinked !== false) queue(await outbox.enqueue(trx, conversation, liveCopy(answer!, reply), question.id));
        const events = [question, answer!].map((message) => ({ type: 'message.created' as const, data: { message } }));
        const eventsQueued = emitAll !== undefined && (await emitAll(trx, conversation.workspaceId, events)) > 0;
        return { question, answer: answer!, seqs, eventsQueued };
      });
      if (stored.eventsQueued) outbox?.kick();
      notify?.(conversation.workspaceId);
      const question = liveCopy(stored.question, contact);
      bus.publish(conversation.id, { id: stored.seqs[0], type: 'message', data: question });
      bus.publish(conversation.id, { type: 'typing', data: { active: true } });
      bus.publish(conversation.id, { type: 'delta', data: { messageId: reply.id, text: reply.text } });
      bus.publish(conversation.id, { id: stored.seqs[1], type: 'message', data: liveCopy(stored.answer, reply) });
      bus.publish(conversation.id, { type: 'typing', data: { active: false } });
      return question;
    },
  };
}

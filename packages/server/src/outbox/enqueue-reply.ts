import type { Kysely } from 'kysely';
import type { Message } from '@switchboard/core';
import type { DB } from '../store/schema.js';
import type { ConversationRecord } from '../store/repositories/conversations.js';
import { deliveriesRepository, type DeliveryClaim, type DeliveryRecord } from '../store/repositories/deliveries.js';
import type { OutboundMessage } from '../channels/adapter.js';

/**
 * Writes the outbox row of an agent reply, inside the transaction that stores the reply,
 * when the conversation runs on a provider channel. The reply's message id is the
 * idempotency key the provider sees on every attempt. Answers the row (claimed by `claim`'s node
 * when given), or undefined for channels that deliver by other means (the widget's live stream).
 */
export async function enqueueReply(
  trx: Kysely<DB>,
  conversation: ConversationRecord,
  reply: Message,
  /** Attempts before the delivery is dead; messages a long reply may be split into (MAX_REPLY_SEGMENTS). */
  limits: { maxAttempts: number; maxReplySegments: number },
  /** The contact message this reply answers; without it, the contact's latest message. */
  answering?: string,
  claim?: DeliveryClaim,
): Promise<DeliveryRecord | undefined> {
  const channel = await trx
    .selectFrom('deployment_channels')
    .select(['channel_identifier', 'deployment_type', 'configuration', 'connection_id', 'phone_configuration_id'])
    .where('id', '=', conversation.channelId)
    .executeTakeFirst();
  // Calls are answered inside the provider's own request (TwiML), not sent afterwards.
  if (!channel || reply.text === null || channel.deployment_type === 'calls') return undefined;
  let connectionId = channel.connection_id;
  if (!connectionId && channel.phone_configuration_id) {
    const phone = await trx.selectFrom('phone_configurations').select('connection_id').where('id', '=', channel.phone_configuration_id).executeTakeFirst();
    connectionId = phone?.connection_id ?? null;
  }
  if (!connectionId) return undefined;

  const contact = await trx.selectFrom('contacts').select(['external_id', 'display_name']).where('id', '=', conversation.contactId).executeTakeFirst();
  if (!contact?.external_id) return undefined;
  // The provider context (reply token, Message-Id…) of the message being answered travels along: when
  // several messages arrive together, each reply must use its own (not the latest message's).
  let answered = trx
    .selectFrom('messages')
    .select(['reply_context', 'created_at'])
    .where('conversation_id', '=', conversation.id)
    .where('role', '=', 'contact');
  if (answering) answered = answered.where('id', '=', answering);
  const last = await answered.orderBy('created_at', 'desc').limit(1).executeTakeFirst();

  const payload: OutboundMessage = {
    idempotencyKey: reply.id,
    channelIdentifier: channel.channel_identifier,
    channelType: channel.deployment_type,
    channelConfiguration: JSON.parse(channel.configuration) as Record<string, unknown>,
    to: { externalId: contact.external_id, ...(contact.display_name && { displayName: contact.display_name }) },
    text: reply.text,
    ...(last?.reply_context && { replyContext: JSON.parse(last.reply_context) as Record<string, unknown> }),
    ...(last && { inboundReceivedAt: last.created_at }),
    maxSegments: limits.maxReplySegments,
    ...(reply.quickReplies?.length && { quickReplies: reply.quickReplies }),
  };
  return deliveriesRepository(trx).insertRecord(
    {
      workspaceId: conversation.workspaceId,
      connectionId,
      channelId: conversation.channelId,
      conversationId: conversation.id,
      messageId: reply.id,
      payload,
      maxAttempts: limits.maxAttempts,
    },
    claim,
  );
}

/** A reply's outbox row written in a transaction, and whether this node holds it to send at once. */
export interface QueuedReply {
  delivery: DeliveryRecord;
  claimed: boolean;
}

interface ReplyDispatcher {
  reserve(): DeliveryClaim | undefined;
  adopt(delivery: DeliveryRecord): void;
  cancel(): void;
  kick(): void;
}

/**
 * The outbox as the message writer uses it. A reply is written already claimed by this node when
 * its dispatcher has a free slot, and handed to it once the transaction commits: no claim
 * statement, no wait for a pass. Otherwise it is written pending and the dispatcher is woken.
 */
export function replyOutbox(dispatcher: ReplyDispatcher, limits: { maxAttempts: number; maxReplySegments: number }) {
  return {
    async enqueue(trx: Kysely<DB>, conversation: ConversationRecord, reply: Message, answering?: string): Promise<QueuedReply | undefined> {
      const claim = dispatcher.reserve();
      let delivery: DeliveryRecord | undefined;
      try {
        delivery = await enqueueReply(trx, conversation, reply, limits, answering, claim);
      } finally {
        if (claim && !delivery) dispatcher.cancel();
      }
      return delivery && { delivery, claimed: claim !== undefined };
    },
    /** After the transaction that wrote `queued` ended: sends what committed, frees the slots of what did not. */
    settle(queued: readonly QueuedReply[], committed: boolean): void {
      for (const { delivery, claimed } of queued) {
        if (!claimed) continue;
        if (committed) dispatcher.adopt(delivery);
        else dispatcher.cancel();
      }
      if (committed && queued.some(({ claimed }) => !claimed)) dispatcher.kick();
    },
    kick: () => dispatcher.kick(),
  };
}

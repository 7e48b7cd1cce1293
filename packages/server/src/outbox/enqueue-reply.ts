import type { Kysely } from 'kysely';
import type { Message } from '@switchboard/core';
import type { DB } from '../store/schema.js';
import type { ConversationRecord } from '../store/repositories/conversations.js';
import { deliveriesRepository } from '../store/repositories/deliveries.js';
import type { OutboundMessage } from '../channels/adapter.js';

/**
 * Writes the outbox row of an agent reply, inside the transaction that stores the reply,
 * when the conversation runs on a provider channel. The reply's message id is the
 * idempotency key the provider sees on every attempt. Returns false for channels that
 * deliver by other means (the widget's live stream).
 */
export async function enqueueReply(
  trx: Kysely<DB>,
  conversation: ConversationRecord,
  reply: Message,
  /** Attempts before the delivery is dead; messages a long reply may be split into (MAX_REPLY_SEGMENTS). */
  limits: { maxAttempts: number; maxReplySegments: number },
  /** The contact message this reply answers; without it, the contact's latest message. */
  answering?: string,
): Promise<boolean> {
  const channel = await trx
    .selectFrom('deployment_channels')
    .select(['channel_identifier', 'deployment_type', 'configuration', 'connection_id', 'phone_configuration_id'])
    .where('id', '=', conversation.channelId)
    .executeTakeFirst();
  // Calls are answered inside the provider's own request (TwiML), not sent afterwards.
  if (!channel || reply.text === null || channel.deployment_type === 'calls') return false;
  let connectionId = channel.connection_id;
  if (!connectionId && channel.phone_configuration_id) {
    const phone = await trx.selectFrom('phone_configurations').select('connection_id').where('id', '=', channel.phone_configuration_id).executeTakeFirst();
    connectionId = phone?.connection_id ?? null;
  }
  if (!connectionId) return false;

  const contact = await trx.selectFrom('contacts').select(['external_id', 'display_name']).where('id', '=', conversation.contactId).executeTakeFirst();
  if (!contact?.external_id) return false;
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
  await deliveriesRepository(trx).insert({
    workspaceId: conversation.workspaceId,
    connectionId,
    channelId: conversation.channelId,
    conversationId: conversation.id,
    messageId: reply.id,
    payload,
    maxAttempts: limits.maxAttempts,
  });
  return true;
}

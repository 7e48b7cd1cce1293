/**
 * Quick replies on provider channels. Providers with a native form show them as buttons (WhatsApp
 * Cloud API reply buttons or a list, Messenger and Instagram quick_replies, LINE quickReply items,
 * a Telegram one-time keyboard); the rest get the labels as a numbered list under the text, and a
 * contact who answers with a bare number on those channels is taken to mean that label.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.js';
import type { ChannelAdapter, OutboundMessage } from './adapter.js';

/** `${text}\n\n1. Yes\n2. No`: the labels as a numbered list under the text (the text alone when there are none). */
export function numberedText(text: string, quickReplies: readonly string[] | undefined): string {
  if (!quickReplies || quickReplies.length === 0) return text;
  return `${text}\n\n${quickReplies.map((label, index) => `${index + 1}. ${label}`).join('\n')}`;
}

/** The text a provider without buttons sends: the reply with its quick replies numbered under it. */
export const textWithChoices = (message: OutboundMessage): string => numberedText(message.text, message.quickReplies);

/**
 * Whether a provider shows a channel type's quick replies as numbered text, so that a contact's
 * bare "2" means the second label: the adapter says (`numberedChoices`), and a provider it does
 * not know of (a helpdesk) answers in text.
 */
export function answersByNumber(adapter: ChannelAdapter | undefined, channelType: string): boolean {
  return adapter?.numberedChoices?.(channelType) ?? true;
}

/**
 * The label a contact chose by number: when `text` is a bare number (`2`, `2.`, ` 2 `) and the
 * conversation's latest message is one offering quick replies, that many-th label; else the
 * text unchanged.
 */
export async function labelForNumber(db: Kysely<DB>, conversationId: string, text: string): Promise<string> {
  const match = /^\s*(\d{1,2})\.?\s*$/.exec(text);
  if (!match) return text;
  const latest = await db
    .selectFrom('messages')
    .select(['role', 'quick_replies'])
    .where('conversation_id', '=', conversationId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!latest?.quick_replies || latest.role === 'contact') return text;
  const labels = JSON.parse(latest.quick_replies) as unknown;
  const chosen = Array.isArray(labels) ? labels[Number(match[1]) - 1] : undefined;
  return typeof chosen === 'string' ? chosen : text;
}

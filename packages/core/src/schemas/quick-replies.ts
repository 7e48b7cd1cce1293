import { z } from 'zod';

/**
 * Quick replies: short labels offered under an agent message; choosing one sends its label as
 * the contact's message. The limits are the strictest of the providers that show them natively:
 * WhatsApp list messages take 10 rows and reply buttons 20-character titles; Messenger, Instagram
 * and LINE take 13 items of 20 characters.
 */
export const MAX_QUICK_REPLIES = 10;
export const MAX_QUICK_REPLY_LENGTH = 20;

/** Length in characters (code points), as providers count it, not UTF-16 units. */
const characters = (value: string) => [...value].length;

export const quickReplySchema = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, 'must not be empty')
  .refine((value) => characters(value) <= MAX_QUICK_REPLY_LENGTH, `must be at most ${MAX_QUICK_REPLY_LENGTH} characters`)
  .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), 'must not contain line breaks or control characters');

export const quickRepliesSchema = z
  .array(quickReplySchema, { error: 'must be a list of strings' })
  .max(MAX_QUICK_REPLIES, `must have at most ${MAX_QUICK_REPLIES} quick replies`)
  .superRefine((labels, ctx) => {
    const seen = new Set<string>();
    labels.forEach((label, index) => {
      if (seen.has(label)) ctx.addIssue({ code: 'custom', path: [index], message: 'must not repeat another quick reply', input: label });
      seen.add(label);
    });
  })
  .describe(
    `Suggested replies shown under the message (at most ${MAX_QUICK_REPLIES}, each 1-${MAX_QUICK_REPLY_LENGTH} characters, no repeats); ` +
      "choosing one sends its label as the contact's message",
  );

/**
 * The usable quick replies of an untrusted list (a backend's answer): entries that are not
 * non-empty single-line strings of at most MAX_QUICK_REPLY_LENGTH characters, repeats and
 * entries past MAX_QUICK_REPLIES are dropped, each with the reason it was.
 */
export function sanitizeQuickReplies(value: unknown): { quickReplies: string[]; dropped: string[] } {
  if (value === undefined || value === null) return { quickReplies: [], dropped: [] };
  if (!Array.isArray(value)) return { quickReplies: [], dropped: ['quickReplies is not a list'] };
  const quickReplies: string[] = [];
  const dropped: string[] = [];
  value.forEach((entry: unknown, index) => {
    const parsed = quickReplySchema.safeParse(entry);
    if (!parsed.success) dropped.push(`[${index}] ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
    else if (quickReplies.includes(parsed.data)) dropped.push(`[${index}] repeats another quick reply`);
    else if (quickReplies.length >= MAX_QUICK_REPLIES) dropped.push(`[${index}] is past the ${MAX_QUICK_REPLIES} quick replies allowed`);
    else quickReplies.push(parsed.data);
  });
  return { quickReplies, dropped };
}

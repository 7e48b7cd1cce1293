/**
 * The custom webhook message format (what a system POSTs to a webhook channel):
 *
 *   POST {inboundUrl}
 *   webhook-id: msg_…            ← the dedupe key (send the same id when you retry)
 *   webhook-timestamp: 1714000000
 *   webhook-signature: v1,…      ← Standard Webhooks, signed with the connection's inbound secret
 *   content-type: application/json
 *
 *   { "type": "message",
 *     "channel": "support-desk",                     ← the webhook channel's identifier
 *     "contact": { "id": "user-42", "name": "Ada" }, ← your id of the person; name optional
 *     "text": "Hello" }
 *
 * Unknown fields are refused (a typo must not silently drop data). Answer: 202 {"accepted": true}.
 */
import { z } from 'zod';
import { DeploymentType, channelTypeRules } from '@switchboard/core';
import { InboundFormatError, type InboundEvent, type RawInbound } from '../adapter.js';
import { MAX_INBOUND_TEXT } from '../inbound-text.js';

/** Longer text is refused (400) rather than cut: the sender is told, and can split it. */
export const MAX_WEBHOOK_TEXT = MAX_INBOUND_TEXT;

export const webhookMessageSchema = z.strictObject({
  type: z.literal('message', { error: 'must be "message"' }),
  channel: channelTypeRules[DeploymentType.WEBHOOK].identifier,
  contact: z.strictObject({
    id: z.string({ error: 'must be a string' }).trim().min(1, 'must not be empty').max(256, 'must be at most 256 characters'),
    name: z.string({ error: 'must be a string' }).trim().max(256, 'must be at most 256 characters').optional(),
  }),
  text: z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(MAX_WEBHOOK_TEXT, `must be at most ${MAX_WEBHOOK_TEXT} characters`),
});
export type WebhookMessage = z.output<typeof webhookMessageSchema>;

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** `contact.id: required; text: must not be empty` */
export function describeIssues(error: z.ZodError, input: unknown): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.map(String).join('.') : 'body';
      if (issue.code === 'unrecognized_keys') return `${path}: unknown field(s) ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
      if (valueAt(input, issue.path) === undefined) return `${path}: required`;
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}

export function parseWebhookMessage(raw: RawInbound): InboundEvent[] {
  const id = raw.headers['webhook-id']?.trim();
  if (!id) throw new InboundFormatError('Missing webhook-id header');
  let json: unknown;
  try {
    json = JSON.parse(raw.body.toString('utf8'));
  } catch {
    throw new InboundFormatError('The body must be JSON: {"type":"message","channel":…,"contact":{"id":…},"text":…}');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InboundFormatError('The body must be a JSON object: {"type":"message","channel":…,"contact":{"id":…},"text":…}');
  }
  const result = webhookMessageSchema.safeParse(json);
  if (!result.success) throw new InboundFormatError(`Invalid webhook message: ${describeIssues(result.error, json)}`);
  const message = result.data;
  return [
    {
      providerEventId: id,
      channelIdentifier: message.channel,
      contact: { externalId: message.contact.id, ...(message.contact.name ? { displayName: message.contact.name } : {}) },
      text: message.text,
      replyContext: { webhookId: id },
    },
  ];
}

/**
 * Custom webhook helpdesk: any system that speaks Standard Webhooks (see
 * ../../../channels/webhook/standard-webhooks.ts) both ways.
 *
 * Out (signed with the `signingSecret` credential, `webhook-id` the idempotency key):
 *   POST {settings.url}
 *   { "type": "handoff.opened", "conversationId", "contact": {"id", "name"?, "externalId"?, "channelType"},
 *     "transcript": [{"role": "contact"|"agent"|"human", "text", "at"}…], "reason", "replyUrl" }
 *   { "type": "handoff.message", "conversationId", "contact": {…}, "text", "reason" }
 *   Any 2xx delivers; 408 / 429 / 5xx / network errors are retryable DeliveryErrors, other answers not.
 *   `webhook-id` of handoff.opened is derived from the conversation and its transcript, so a
 *   retried open repeats it; handoff.message ids are derived from the message and when it was recorded.
 *
 * Back (signed with the connection's `whsec_` inbound secret, ±5 min):
 *   POST {inboundUrl}
 *   { "type": "agent.message" | "agent.accepted" | "handoff.resolved", "conversationId", "text"?, "agent"?: {"id"?, "name"?} }
 *   → message / accepted / resolved; the event id is the `webhook-id`. Other types yield nothing.
 *
 * Connections of provider `webhook` are shared with custom webhook channels, whose settings say
 * `outboundUrl` and whose credential is `outboundSecret`: both are accepted here as synonyms of
 * `url` and `signingSecret`.
 *
 * open → ref { connection, conversationId }; parse → ref { connection, conversationId }.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { DeliveryError, InboundFormatError, type ConnectionContext, type RawInbound } from '../../../channels/adapter.js';
import { standardWebhookHeaders, standardWebhooksKey, verifyStandardWebhook } from '../../../channels/webhook/standard-webhooks.js';
import type { HandoffContext, HelpdeskConnector, HelpdeskInbound, HelpdeskRef } from '../connector.js';
import { helpdeskRequest, settingsOf, stableHash } from '../http.js';
import { authorOf, isObject, jsonObjectOf, text } from '../inbound.js';
import { httpUrlSchema } from '@switchboard/core';

export const helpdeskWebhookSettingsSchema = z
  .strictObject({
    /** Where handoffs and contact messages are POSTed. */
    url: httpUrlSchema.optional(),
    /** Synonym of `url` (the setting of custom webhook channels on the same connection). */
    outboundUrl: httpUrlSchema.optional(),
  })
  .refine((settings) => settings.url !== undefined || settings.outboundUrl !== undefined, { message: 'url is required', path: ['url'] });

export type HelpdeskWebhookSettings = z.output<typeof helpdeskWebhookSettingsSchema>;

export const HELPDESK_WEBHOOK_EVENT_TYPES = { 'agent.message': 'message', 'agent.accepted': 'accepted', 'handoff.resolved': 'resolved' } as const;

function signingSecretOf(connection: ConnectionContext, what: string): string {
  const secret = connection.secrets.signingSecret || connection.secrets.outboundSecret;
  if (!secret) throw new DeliveryError(`${what}: the connection has no signingSecret credential to sign with`, { retryable: false });
  try {
    standardWebhooksKey(secret);
  } catch (error) {
    throw new DeliveryError(`${what}: the signingSecret credential is not usable: ${(error as Error).message}`, { retryable: false });
  }
  return secret;
}

const contactOf = (context: HandoffContext) => ({
  id: context.conversation.contactId,
  ...(context.conversation.contactName && { name: context.conversation.contactName }),
  ...(context.conversation.contactExternalId && { externalId: context.conversation.contactExternalId }),
  channelType: context.conversation.channelType,
});

async function deliver(context: HandoffContext, what: string, webhookId: string, payload: Record<string, unknown>, fetchImpl: typeof fetch): Promise<void> {
  const settings = settingsOf(helpdeskWebhookSettingsSchema, context.connection, what);
  const url = settings.url ?? settings.outboundUrl!;
  const secret = signingSecretOf(context.connection, what);
  const body = JSON.stringify(payload);
  await helpdeskRequest(fetchImpl, `${what} (${new URL(url).origin})`, {
    method: 'POST',
    url,
    headers: { 'user-agent': 'Switchboard-Webhooks/1', ...standardWebhookHeaders(secret, webhookId, body) },
    rawJson: body,
  });
}

export async function openWebhookHandoff(context: HandoffContext, fetchImpl: typeof fetch = fetch): Promise<HelpdeskRef> {
  const { connection, conversation } = context;
  const last = context.transcript.at(-1)?.at ?? 0;
  const webhookId = `hnd_${stableHash(connection.id, conversation.id, 'open', context.transcript.length, last).slice(0, 32)}`;
  await deliver(
    context,
    'Helpdesk webhook handoff.opened',
    webhookId,
    {
      type: 'handoff.opened',
      conversationId: conversation.id,
      contact: contactOf(context),
      transcript: context.transcript.map((turn) => ({ role: turn.role, text: turn.text, at: turn.at })),
      reason: context.reason,
      replyUrl: context.inboundUrl,
    },
    fetchImpl,
  );
  return { connection: connection.id, conversationId: conversation.id };
}

export async function forwardToWebhook(context: HandoffContext, ref: HelpdeskRef, message: string, fetchImpl: typeof fetch = fetch): Promise<void> {
  const { connection, conversation } = context;
  // The contact message being forwarded is normally the transcript's newest contact turn: its
  // time makes the id stable across retries. Without it, a fresh id.
  const turn = [...context.transcript].reverse().find((t) => t.role === 'contact' && t.text === message);
  const webhookId = turn ? `hmsg_${stableHash(connection.id, conversation.id, 'message', turn.at, message).slice(0, 32)}` : `hmsg_${randomUUID().replace(/-/g, '')}`;
  await deliver(
    context,
    'Helpdesk webhook handoff.message',
    webhookId,
    { type: 'handoff.message', conversationId: ref.conversationId ?? conversation.id, contact: contactOf(context), text: message, reason: context.reason },
    fetchImpl,
  );
}

export function parseWebhookCallback(raw: RawInbound, connection: ConnectionContext): HelpdeskInbound[] {
  const body = jsonObjectOf(raw, 'Helpdesk webhook');
  const type = text(body.type);
  if (!type) throw new InboundFormatError('Helpdesk webhook: expected "type" (agent.message, agent.accepted or handoff.resolved)');
  const kind = HELPDESK_WEBHOOK_EVENT_TYPES[type as keyof typeof HELPDESK_WEBHOOK_EVENT_TYPES];
  if (!kind) return [];
  const conversationId = text(body.conversationId)?.trim();
  if (!conversationId) throw new InboundFormatError(`Helpdesk webhook: ${type} needs "conversationId"`);
  const said = text(body.text)?.trim();
  if (kind === 'message' && !said) throw new InboundFormatError('Helpdesk webhook: agent.message needs a non-empty "text"');
  const eventId = raw.headers['webhook-id']?.trim();
  if (!eventId) throw new InboundFormatError('Helpdesk webhook: the webhook-id header is missing');
  const author = isObject(body.agent) ? authorOf(body.agent.id, body.agent.name) : undefined;
  return [
    {
      ref: { connection: connection.id, conversationId },
      kind,
      ...(kind === 'message' && { text: said }),
      ...(author && { author }),
      eventId: `webhook:${eventId}`,
    },
  ];
}

export const helpdeskWebhookConnector: HelpdeskConnector = {
  provider: 'webhook',
  defaultApiBaseUrl: '',
  settings: helpdeskWebhookSettingsSchema,
  credentials: [
    {
      name: 'signingSecret',
      required: true,
      description: 'Standard Webhooks secret (whsec_…) Switchboard signs handoffs with; give the same value to the helpdesk receiving them at `url`. (`outboundSecret` is accepted as a synonym.)',
    },
  ],
  open: openWebhookHandoff,
  forward: forwardToWebhook,
  verify(raw, connection) {
    verifyStandardWebhook(connection.inboundSecret, raw.headers, raw.body, raw.receivedAt);
  },
  parse: parseWebhookCallback,
  acknowledge: () => ({ status: 202, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ accepted: true }) }),
  setup:
    'Switchboard POSTs each handoff to the connection\'s `url` as `{"type":"handoff.opened","conversationId","contact":{"id","name","externalId","channelType"},"transcript":[{"role","text","at"}],"reason","replyUrl"}` and each later contact message as `{"type":"handoff.message","conversationId","contact","text","reason"}`, signed with Standard Webhooks using the `signingSecret` credential (verify with any Standard Webhooks library and drop duplicates by `webhook-id`). ' +
    'Your helpdesk answers by POSTing to `{inboundUrl}` JSON `{"type":"agent.message","conversationId","text","agent":{"id","name"}}`, `{"type":"agent.accepted","conversationId","agent":{…}}` or `{"type":"handoff.resolved","conversationId"}`, signed with Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`) using the secret `{inboundSecret}`; reuse the same `webhook-id` when retrying.',
};

export default helpdeskWebhookConnector;

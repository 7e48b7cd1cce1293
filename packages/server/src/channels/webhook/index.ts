/**
 * Custom webhook channels: any system that speaks Standard Webhooks.
 *
 * Inbound: POST {inboundUrl} signed with the connection's `whsec_` inbound secret (see parse.ts for
 * the body). Outbound: POST {settings.outboundUrl} signed with the `outboundSecret` credential
 * (see send.ts). There is no provider API, so `defaultApiBaseUrl` is empty: the destination is the
 * connection's `outboundUrl`.
 */
import { z } from 'zod';
import type { ChannelAdapter, ProviderDefinition } from '../adapter.js';
import { parseWebhookMessage } from './parse.js';
import { sendWebhookMessage } from './send.js';
import { verifyStandardWebhook } from './standard-webhooks.js';
import { httpUrlSchema } from '@switchboard/core';

export { signStandardWebhook, standardWebhookHeaders, verifyStandardWebhook } from './standard-webhooks.js';
export { webhookMessageSchema, type WebhookMessage } from './parse.js';

export const webhookSettingsSchema = z.strictObject({
  /** Where replies are POSTed. */
  outboundUrl: httpUrlSchema,
});

export const webhookAdapter: ChannelAdapter = {
  provider: 'webhook',
  defaultApiBaseUrl: '',
  verify(raw, connection) {
    verifyStandardWebhook(connection.inboundSecret, raw.headers, raw.body, raw.receivedAt);
  },
  parse(raw) {
    return parseWebhookMessage(raw);
  },
  acknowledge() {
    return { status: 202, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ accepted: true }) };
  },
  send(message, connection, fetchImpl) {
    return sendWebhookMessage(message, connection, fetchImpl);
  },
};

export const webhookProvider: ProviderDefinition = {
  adapter: webhookAdapter,
  settings: webhookSettingsSchema,
  credentials: [
    {
      name: 'outboundSecret',
      required: true,
      description:
        'Standard Webhooks secret (whsec_…) Switchboard signs replies with; give the same value to the system receiving them at outboundUrl.',
    },
  ],
  inboundSecret: 'whsec',
  channelTypes: ['webhook'],
  setup:
    'In the sending system, POST messages to `{inboundUrl}` as JSON `{"type":"message","channel":"<channel identifier>","contact":{"id":"<user id>","name":"<optional>"},"text":"…"}`, ' +
    'signed with Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature` headers) using the secret `{inboundSecret}`; reuse the same `webhook-id` when retrying. ' +
    'Replies are POSTed to the connection\'s `outboundUrl` in the same shape (plus `inReplyTo`), signed with the `outboundSecret` credential: verify them with any Standard Webhooks library and drop duplicates by `webhook-id`.',
};

/**
 * Voice gateway channels: a speech gateway (SIP/telephony in front, speech-to-text and
 * text-to-speech inside) that POSTs call events and transcripts to Switchboard and receives the
 * agent's replies on a callback URL. Both directions are signed with the connection's inbound
 * secret: see signature.ts for the exact scheme, parse.ts for the events, send.ts for replies.
 * There is no provider API, so `defaultApiBaseUrl` is empty: replies go to `callbackUrl`.
 */
import { z } from 'zod';
import type { ChannelAdapter, ProviderDefinition } from '../adapter.js';
import { parseVoiceGatewayEvent } from './parse.js';
import { sendVoiceGatewayReply } from './send.js';
import { verifyVoiceGatewaySignature } from './signature.js';
import { httpUrlSchema } from '@switchboard/core';

export { voiceGatewayHeaders, voiceGatewaySignature, verifyVoiceGatewaySignature } from './signature.js';
export { voiceGatewayEventSchema, type VoiceGatewayEvent } from './parse.js';

export const voiceGatewaySettingsSchema = z.strictObject({
  /** Where replies are POSTed for the gateway to speak. */
  callbackUrl: httpUrlSchema,
});

export const voiceGatewayAdapter: ChannelAdapter = {
  provider: 'voice-gateway',
  defaultApiBaseUrl: '',
  verify(raw, connection) {
    verifyVoiceGatewaySignature(connection.inboundSecret, raw.headers, raw.body, raw.receivedAt);
  },
  parse(raw) {
    return parseVoiceGatewayEvent(raw);
  },
  acknowledge() {
    return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ok: true }) };
  },
  send(message, connection, fetchImpl) {
    return sendVoiceGatewayReply(message, connection, fetchImpl);
  },
  // Replies are spoken: numbers said on a call are left as they are.
  numberedChoices: () => false,
};

export const voiceGatewayProvider: ProviderDefinition = {
  adapter: voiceGatewayAdapter,
  settings: voiceGatewaySettingsSchema,
  credentials: [],
  inboundSecret: 'token',
  channelTypes: ['voice-gateway'],
  setup:
    'In the voice gateway, set the event webhook URL to `{inboundUrl}` and the signing secret to `{inboundSecret}`: it POSTs JSON `{"event":"transcript"|"call.started"|"call.ended","eventId","callId","to","from","text"}` ' +
    'with `X-Timestamp: <unix seconds>` and `X-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>`. ' +
    'Set the connection\'s `callbackUrl` to the gateway endpoint that speaks replies: Switchboard POSTs `{"callId","text","idempotencyKey"}` there, signed the same way with the same secret.',
};

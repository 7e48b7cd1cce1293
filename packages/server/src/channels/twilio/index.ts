import { z } from 'zod';
import type { ChannelAdapter, ProviderDefinition } from '../adapter.js';
import { parseTwilioMessage } from './parse.js';
import { sendTwilioMessage } from './send.js';
import { emptyTwiml, TWIML_CONTENT_TYPE } from './twiml.js';
import { authTokenOf, verifyTwilioRequest } from './verify.js';

export const TWILIO_API_BASE_URL = 'https://api.twilio.com';

/** Non-secret settings of a `twilio` connection. */
export const twilioSettingsSchema = z.strictObject({
  /** The account the numbers belong to: `AC` + 32 hex characters (Console → Account info). */
  accountSid: z
    .string({ error: 'Required: the Twilio Account SID (AC followed by 32 hex characters)' })
    .trim()
    .regex(/^AC[0-9a-fA-F]{32}$/, 'must be a Twilio Account SID: AC followed by 32 hex characters'),
});

export type TwilioSettings = z.output<typeof twilioSettingsSchema>;

export const twilioAdapter: ChannelAdapter = {
  provider: 'twilio',
  defaultApiBaseUrl: TWILIO_API_BASE_URL,

  verify(raw, connection) {
    verifyTwilioRequest(raw, authTokenOf(connection));
  },

  parse(raw) {
    return parseTwilioMessage(raw);
  },

  acknowledge() {
    // Empty TwiML: received, no reply now. The reply goes out later through the Messages API.
    return { status: 200, headers: { 'content-type': TWIML_CONTENT_TYPE }, body: emptyTwiml() };
  },

  send(message, connection, fetchImpl) {
    return sendTwilioMessage(message, connection, fetchImpl);
  },

  // SMS and WhatsApp through Twilio get numbered text; a call speaks the reply alone.
  numberedChoices: (channelType) => channelType !== 'calls',
};

export const twilioProvider: ProviderDefinition = {
  adapter: twilioAdapter,
  settings: twilioSettingsSchema,
  credentials: [
    {
      name: 'authToken',
      required: true,
      description:
        'Auth Token of the account (Twilio Console → Account info). Twilio signs every webhook with it (X-Twilio-Signature) and Switchboard uses it to send through the Messages API.',
    },
  ],
  // Twilio cannot present a secret of ours: it signs with the Auth Token. The token is generated but unused.
  inboundSecret: 'token',
  channelTypes: ['sms', 'whatsapp', 'calls'],
  setup:
    'In the Twilio Console, copy the **Account SID** into the connection\'s `accountSid` setting and the **Auth Token** into its `authToken` credential. ' +
    'SMS: Phone Numbers → Manage → Active numbers → your number → Messaging Configuration → "A message comes in": Webhook, `{inboundUrl}`, HTTP POST. ' +
    'WhatsApp: Messaging → Senders → WhatsApp senders → your sender (or the Sandbox settings) → "Webhook URL for incoming messages": `{inboundUrl}`, HTTP POST. ' +
    'Voice: the same number → Voice Configuration → "A call comes in": Webhook, `{inboundUrl}/voice`, HTTP POST; "Call status changes": `{inboundUrl}/voice/status`. ' +
    'Leave the webhook URLs exactly as shown (Twilio signs the URL it calls, so PUBLIC_URL must be the address Twilio reaches). ' +
    'No shared secret is pasted into Twilio: requests are authenticated by their X-Twilio-Signature, made with your Auth Token, so `{inboundSecret}` is not used.',
};

export { parseTwilioMessage, type TwilioReplyContext } from './parse.js';
export { sendTwilioMessage, splitBody, isWhatsAppMessage, MAX_BODY_LENGTH } from './send.js';
export { twilioSignature, verifyTwilioRequest, signedUrlCandidates } from './verify.js';
export { emptyTwiml, escapeXml } from './twiml.js';
export * from './voice.js';

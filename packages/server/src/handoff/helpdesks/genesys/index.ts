/**
 * Genesys Cloud: handoffs as Open Messaging conversations. The contact's side is sent in as
 * inbound Open Messaging messages (OAuth client credentials); agent replies come back as the
 * integration's signed outbound webhooks. See open-messaging.ts, oauth.ts and verify.ts.
 */
import type { HelpdeskConnector } from '../connector.js';
import { JSON_OK } from '../inbound.js';
import { forwardToGenesys, openGenesysConversation, parseGenesysOutbound } from './open-messaging.js';
import { genesysSettingsSchema, GENESYS_DEFAULT_API_BASE_URL } from './settings.js';
import { verifyGenesysSignature } from './verify.js';

export { genesysSettingsSchema, GENESYS_DEFAULT_API_BASE_URL, type GenesysSettings } from './settings.js';
export { genesysSignature, verifyGenesysSignature, GENESYS_SIGNATURE_HEADER } from './verify.js';
export { parseGenesysOutbound, GENESYS_MAX_TEXT } from './open-messaging.js';
export { clearGenesysTokenCache } from './oauth.js';

export const genesysConnector: HelpdeskConnector = {
  provider: 'genesys',
  defaultApiBaseUrl: GENESYS_DEFAULT_API_BASE_URL,
  settings: genesysSettingsSchema,
  credentials: [
    { name: 'clientId', required: true, description: 'The client id of a Genesys Cloud OAuth client (Client Credentials grant) whose role allows conversation:message:create for Open Messaging.' },
    { name: 'clientSecret', required: true, description: 'That OAuth client\'s secret.' },
  ],
  open: openGenesysConversation,
  forward: forwardToGenesys,
  verify: verifyGenesysSignature,
  parse: parseGenesysOutbound,
  // Genesys expects an answer within 10 s and retries 5 times otherwise.
  acknowledge: () => JSON_OK(),
  setup:
    'In Genesys Cloud Admin → Message → Platforms, create an Open Messaging integration: Outbound Notification Webhook URL `{inboundUrl}`, Outbound Notification Webhook Signature Secret Token `{inboundSecret}`, and a messaging deployment / inbound message flow that routes its conversations to the queue that should take Switchboard handoffs. ' +
    'Set the connection\'s `integrationId` to the integration\'s id and `region` to your Genesys Cloud domain (e.g. mypurecloud.com, usw2.pure.cloud, mypurecloud.de), and store a Client Credentials OAuth client as the `clientId` and `clientSecret` credentials (its role needs conversation:message:create). ' +
    'Each handoff sends the transcript in as an Open Messaging message from an Opaque user whose id is the Switchboard conversation id (the reason and conversation id are also in the message\'s customAttributes), and forwards the contact\'s later messages the same way. ' +
    "Agents' replies come back signed in X-Hub-Signature-256 (base64 HMAC-SHA256 with the secret token) and reach the contact through Switchboard; disconnecting the conversation resolves the handoff.",
};

export default genesysConnector;

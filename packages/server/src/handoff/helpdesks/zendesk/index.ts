/**
 * Zendesk: handoffs as Support tickets (`mode: 'ticket'`, the default) or as Sunshine
 * Conversations passed to the Agent Workspace (`mode: 'sunshine'`). See tickets.ts and
 * sunshine.ts for the calls and the shapes that come back, verify.ts for authentication.
 */
import type { HelpdeskConnector } from '../connector.js';
import { JSON_OK } from '../inbound.js';
import { zendeskMode, zendeskSettingsSchema, ZENDESK_DEFAULT_API_BASE_URL } from './settings.js';
import { forwardToSunshine, openSunshineConversation, parseSunshineWebhook } from './sunshine.js';
import { forwardToZendeskTicket, openZendeskTicket, parseZendeskTicketWebhook } from './tickets.js';
import { verifyZendesk } from './verify.js';

export { zendeskSettingsSchema, ZENDESK_DEFAULT_API_BASE_URL, type ZendeskSettings } from './settings.js';
export {
  verifySunshineWebhook,
  verifyZendeskWebhook,
  zendeskWebhookSignature,
  ZENDESK_SIGNATURE_HEADER,
  ZENDESK_TIMESTAMP_HEADER,
  SUNSHINE_API_KEY_HEADER,
} from './verify.js';
export { parseZendeskTicketWebhook } from './tickets.js';
export { parseSunshineWebhook, SUNSHINE_MAX_TEXT } from './sunshine.js';

const TICKET_BODY =
  '{"ticket_id":"{{ticket.id}}","status":"{{ticket.status}}","comment":{"body":"{{ticket.latest_public_comment}}","public":true},"author":{"id":"{{current_user.id}}","name":"{{current_user.name}}"}}';

export const zendeskConnector: HelpdeskConnector = {
  provider: 'zendesk',
  defaultApiBaseUrl: ZENDESK_DEFAULT_API_BASE_URL,
  settings: zendeskSettingsSchema,
  credentials: [
    { name: 'apiToken', required: false, description: 'Ticket mode: a Zendesk API token (Admin Center → Apps and integrations → Zendesk API), used with the `email` setting as `{email}/token:{apiToken}`.' },
    { name: 'keyId', required: false, description: 'Sunshine mode: the key id of a Conversations API key (app scope).' },
    { name: 'keySecret', required: false, description: 'Sunshine mode: the secret of that Conversations API key.' },
    {
      name: 'webhookSecret',
      required: false,
      description:
        "The secret Zendesk generated for the webhook (ticket mode: the webhook's signing secret; sunshine mode: the Conversations integration's webhook secret). When set it is used instead of the connection's inbound secret to authenticate what Zendesk sends back.",
    },
  ],
  open: (context, fetchImpl) => (zendeskMode(context.connection) === 'sunshine' ? openSunshineConversation(context, fetchImpl) : openZendeskTicket(context, fetchImpl)),
  forward: (context, ref, text, fetchImpl) =>
    zendeskMode(context.connection) === 'sunshine' ? forwardToSunshine(context, ref, text, fetchImpl) : forwardToZendeskTicket(context, ref, text, fetchImpl),
  verify: verifyZendesk,
  parse: (raw, connection) => (zendeskMode(connection) === 'sunshine' ? parseSunshineWebhook(raw, connection) : parseZendeskTicketWebhook(raw, connection)),
  // Zendesk webhooks and Sunshine Conversations both take any 2xx; they retry on failures and timeouts.
  acknowledge: () => JSON_OK(),
  setup:
    "**Ticket mode** (settings `subdomain`, `email`; credential `apiToken`): each handoff opens a ticket tagged `switchboard_handoff` whose external id is the Switchboard conversation id and whose first comment (an internal note) is the transcript; the contact's later messages are added as public comments from the requester. " +
    'To get agent replies back, in Admin Center → Apps and integrations → Webhooks create a webhook: endpoint `{inboundUrl}`, method POST, request format JSON, no authentication. ' +
    "Zendesk signs every call with the webhook's signing secret: store it as this connection's `webhookSecret` credential (Switchboard checks X-Zendesk-Webhook-Signature over the raw body and refuses timestamps more than 5 minutes off; without that credential it expects the secret `{inboundSecret}`). " +
    `Then create triggers that notify the webhook: (1) agent reply — conditions: Tags contains \`switchboard_handoff\`, Comment is Public, Current user is (agent), Update via is not Web service (API); body \`${TICKET_BODY}\`; ` +
    '(2) solved — conditions: Tags contains `switchboard_handoff`, Status changed to Solved; body `{"ticket_id":"{{ticket.id}}","status":"solved"}`; ' +
    'optionally (3) assigned — conditions: Tags contains `switchboard_handoff`, Assignee changed, Assignee is not empty; body `{"ticket_id":"{{ticket.id}}","assignee":{"id":"{{ticket.assignee.id}}","name":"{{ticket.assignee.name}}"}}` (marks the handoff accepted). ' +
    "**Sunshine mode** (setting `appId`, optionally `subdomain`; credentials `keyId`, `keySecret`): in Admin Center → Apps and integrations → Conversations integrations create an integration whose webhook URL is `{inboundUrl}` with the triggers conversation:message, switchboard:acceptControl and switchboard:releaseControl (payload version v2), create an API key for it, and in the switchboard make the Agent Workspace this integration's next integration. " +
    "Store the webhook's secret as the `webhookSecret` credential (Sunshine presents it in X-API-Key; without the credential Switchboard expects `{inboundSecret}`). Each handoff creates a Sunshine user and conversation for the contact, posts the transcript, and passes control to the next integration; business (agent) messages come back as replies and releasing control resolves the handoff.",
};

export default zendeskConnector;

/**
 * ServiceNow: handoffs as incidents (`mode: 'incident'`, the default; incident.ts) or as Live
 * Agent chats through the Virtual Agent Bot Integration API (`mode: 'live-agent'`; live-agent.ts).
 * Both send back to the inbound URL with `Authorization: Bearer <inbound secret>` (verify.ts).
 */
import type { HelpdeskConnector } from '../connector.js';
import { JSON_OK } from '../inbound.js';
import { forwardToServiceNowIncident, openServiceNowIncident, parseServiceNowIncidentCallback } from './incident.js';
import { forwardToServiceNowLiveAgent, openServiceNowLiveAgent, parseServiceNowLiveAgentResponse } from './live-agent.js';
import { serviceNowMode, serviceNowSettingsSchema, SERVICENOW_DEFAULT_API_BASE_URL } from './settings.js';
import { verifyServiceNowBearer } from './verify.js';

export { serviceNowSettingsSchema, SERVICENOW_DEFAULT_API_BASE_URL, type ServiceNowSettings } from './settings.js';
export { verifyServiceNowBearer } from './verify.js';
export { parseServiceNowIncidentCallback } from './incident.js';
export { parseServiceNowLiveAgentResponse } from './live-agent.js';

const BUSINESS_RULE = [
  "var r = new sn_ws.RESTMessageV2(); r.setEndpoint('{inboundUrl}'); r.setHttpMethod('POST');",
  "r.setRequestHeader('Content-Type', 'application/json'); r.setRequestHeader('Authorization', 'Bearer {inboundSecret}');",
  "r.setRequestBody(JSON.stringify({ sys_id: current.getUniqueValue(), number: current.getValue('number'), state: current.getValue('state'),",
  "sys_mod_count: current.getValue('sys_mod_count'), comment: current.comments.changes() ? current.comments.getJournalEntry(1) : '',",
  "author: { id: gs.getUserName(), name: gs.getUserDisplayName() }, assigned_to: current.assigned_to.getDisplayValue() })); r.executeAsync();",
].join(' ');

export const serviceNowConnector: HelpdeskConnector = {
  provider: 'servicenow',
  defaultApiBaseUrl: SERVICENOW_DEFAULT_API_BASE_URL,
  settings: serviceNowSettingsSchema,
  credentials: [
    { name: 'password', required: true, description: "The integration user's password (Basic auth with the `username` setting)." },
    {
      name: 'botToken',
      required: false,
      description: 'Live-agent mode: the token of the Virtual Agent provider channel, sent in the `token` header, when the channel uses token authentication.',
    },
  ],
  open: (context, fetchImpl) => (serviceNowMode(context.connection) === 'live-agent' ? openServiceNowLiveAgent(context, fetchImpl) : openServiceNowIncident(context, fetchImpl)),
  forward: (context, ref, text, fetchImpl) =>
    serviceNowMode(context.connection) === 'live-agent'
      ? forwardToServiceNowLiveAgent(context, ref, text, fetchImpl)
      : forwardToServiceNowIncident(context, ref, text, fetchImpl),
  verify: verifyServiceNowBearer,
  parse: (raw, connection) =>
    serviceNowMode(connection) === 'live-agent' ? parseServiceNowLiveAgentResponse(raw, connection) : parseServiceNowIncidentCallback(raw, connection),
  acknowledge: () => JSON_OK({ status: 'success' }),
  setup:
    'Create an integration user with the itil role (and, for live-agent mode, the virtual_agent_admin role or the roles your Virtual Agent API channel requires); set the `instance` and `username` settings and store its password as the `password` credential. ' +
    '**Incident mode**: each handoff creates an incident (correlation_id = the Switchboard conversation id, the transcript in the description), and the contact\'s later messages are added as Additional comments. ' +
    `To send agent comments and state changes back, add an after update business rule on Incident, condition \`current.correlation_display == 'Switchboard' && (current.comments.changes() || current.state.changes()) && gs.getUserName() != '<username>'\`, with the script: \`${BUSINESS_RULE}\`. ` +
    "Resolving, closing or canceling the incident resolves the handoff; moving it to In Progress accepts it. " +
    '**Live-agent mode**: install the Virtual Agent API (sn_va_as_service) plugin and, on its provider channel, set the response REST message endpoint to `{inboundUrl}` with an HTTP header `Authorization: Bearer {inboundSecret}` (store the channel\'s token as the `botToken` credential if it uses token authentication). ' +
    'Each handoff escalates to Live Agent with `action: AGENT`, the transcript as history and `clientSessionId` = the Switchboard conversation id; the agent\'s messages come back as replies, and the chat ending resolves the handoff.',
};

export default serviceNowConnector;

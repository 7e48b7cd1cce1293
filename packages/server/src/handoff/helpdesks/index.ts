/**
 * Helpdesk connectors by provider name: where handoffs go when a team's helpdesk connection is
 * a zendesk, servicenow, genesys or (custom) webhook connection. See connector.ts.
 */
import type { HelpdeskConnector } from './connector.js';
import { genesysConnector } from './genesys/index.js';
import { serviceNowConnector } from './servicenow/index.js';
import { helpdeskWebhookConnector } from './webhook/index.js';
import { zendeskConnector } from './zendesk/index.js';

export type { HandoffContext, HelpdeskConnector, HelpdeskInbound, HelpdeskRef } from './connector.js';
export { zendeskConnector } from './zendesk/index.js';
export { serviceNowConnector } from './servicenow/index.js';
export { genesysConnector, clearGenesysTokenCache } from './genesys/index.js';
export { helpdeskWebhookConnector } from './webhook/index.js';

export const helpdeskConnectors: ReadonlyMap<string, HelpdeskConnector> = new Map<string, HelpdeskConnector>(
  [zendeskConnector, serviceNowConnector, genesysConnector, helpdeskWebhookConnector].map((connector) => [connector.provider, connector]),
);

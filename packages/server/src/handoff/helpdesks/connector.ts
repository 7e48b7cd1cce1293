/**
 * Helpdesk connectors: how a handoff is carried into a helpdesk (Zendesk, ServiceNow, Genesys
 * Cloud, or any system behind a signed webhook) and how the helpdesk's answers come back.
 *
 * A connector does no storage. The handoff service calls `open` when a conversation is handed
 * to a team whose helpdesk this is and stores the returned ref with the conversation; `forward`
 * for each later contact message. The public helpdesk route (`/v1/public/helpdesks/{provider}/{id}`)
 * calls `verify` over the raw bytes, then `parse`, finds the conversation whose stored ref holds
 * every key/value of the event's ref, deduplicates on `eventId`, and answers `acknowledge`.
 *
 * `open` and `forward` throw DeliveryError (from ../../channels/adapter.js): `retryable` tells a
 * transient failure (network, 408, 429, 5xx) from one that will not heal (bad credentials, bad
 * settings, other 4xx). `verify` throws InboundAuthError; `parse` throws InboundFormatError.
 */
import type { ZodType } from 'zod';
import type { ConnectionContext, HttpReply, RawInbound } from '../../channels/adapter.js';

export interface HandoffContext {
  connection: ConnectionContext;           // settings, opened secrets, inboundSecret, apiBaseUrl (tests: a fake)
  conversation: { id: string; channelType: string; contactId: string; contactName?: string; contactExternalId?: string };
  transcript: { role: 'contact' | 'agent' | 'human'; text: string; at: number }[];  // recorded turns, oldest first
  reason: string;                           // why the handoff happened
  inboundUrl: string;                       // where the helpdesk must send agent replies for this connection
}
export interface HelpdeskRef { [key: string]: string }   // e.g. { ticketId } or { conversationId } — stored with the conversation
export interface HelpdeskInbound {
  /** Finds the conversation: values compared with the stored ref (e.g. ticketId). */
  ref: HelpdeskRef;
  kind: 'message' | 'accepted' | 'resolved';
  text?: string;
  author?: { id?: string; name?: string };
  /** Dedupe key of this helpdesk event. */
  eventId: string;
}
export interface HelpdeskConnector {
  readonly provider: 'zendesk' | 'servicenow' | 'genesys' | 'webhook';
  readonly defaultApiBaseUrl: string;
  readonly settings: ZodType<Record<string, unknown>>;   // strict connection settings (e.g. zendesk subdomain or mode 'ticket'|'sunshine', appId; servicenow instance + mode 'incident'|'live-agent'; genesys integrationId, region)
  readonly credentials: { name: string; required: boolean; description: string }[];
  /** Opens the handoff at the helpdesk (ticket / incident / escalation / open-messaging conversation) with the transcript; returns the ref to store. */
  open(context: HandoffContext, fetchImpl?: typeof fetch): Promise<HelpdeskRef>;
  /** Forwards a later contact message into the helpdesk conversation. */
  forward(context: HandoffContext, ref: HelpdeskRef, text: string, fetchImpl?: typeof fetch): Promise<void>;
  /** Authenticates a request the helpdesk sends back (agent replies, status changes); throws InboundAuthError. Constant time, raw bytes. */
  verify(raw: RawInbound, connection: ConnectionContext): void;
  /** Parses it; events that don't concern a handoff yield none. */
  parse(raw: RawInbound, connection: ConnectionContext): HelpdeskInbound[];
  /** What the helpdesk must get back now. */
  acknowledge(raw: RawInbound): HttpReply;
  /** Setup text: what to paste where in the helpdesk console, with {inboundUrl} and {inboundSecret}. */
  readonly setup: string;
}

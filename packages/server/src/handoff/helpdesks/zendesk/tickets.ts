/**
 * Zendesk Support tickets (mode `ticket`).
 *
 * Open:    POST {root}/api/v2/tickets.json, Basic `{email}/token:{apiToken}`, `Idempotency-Key`
 *          derived from the conversation and its transcript (a retried open does not make a
 *          second ticket within Zendesk's two-hour key window):
 *          { "ticket": { "subject", "comment": { "body": <header + transcript>, "public": false },
 *                        "requester": { "name", "email"? }, "external_id": <conversation id>,
 *                        "tags": ["switchboard", "switchboard_handoff", …], "group_id"?, "priority"? } }
 *          → 201 { "ticket": { "id", "requester_id", … } }
 *          The transcript is an internal note: Zendesk's default triggers mail public comments to the
 *          requester, and the contact already saw the conversation.
 * Forward: PUT {root}/api/v2/tickets/{id}.json
 *          { "ticket": { "comment": { "body", "public": true, "author_id": <requester> } } }
 *          so the contact's words show as the requester's.
 *
 * Back:    a trigger-driven Zendesk webhook POSTs JSON to the inbound URL (see `setup`):
 *          { "ticket_id", "status", "comment": {"id"?, "body", "public"?} | "<text>",
 *            "author": {"id", "name", "role"} | "<name>", "assignee": {"id", "name"}?, "event_id"? }
 *          Assumptions (Zendesk lets the operator write the body): `ticket_id` is required; a comment
 *          whose author role is an end user, or that is not public, is not an agent reply; status
 *          solved/closed resolves; a non-empty assignee (status not solved/closed) accepts.
 */
import { InboundFormatError, DeliveryError, type ConnectionContext, type RawInbound } from '../../../channels/adapter.js';
import type { HandoffContext, HelpdeskInbound, HelpdeskRef } from '../connector.js';
import { basicAuth, helpdeskRequest, requireSecret, stableHash } from '../http.js';
import { authorOf, bodyDigest, isObject, jsonObjectOf, text } from '../inbound.js';
import { contactLabel, handoffSubject, handoffText } from '../transcript.js';
import { zendeskApiRoot, zendeskSettings, type ZendeskSettings } from './settings.js';

/** Zendesk caps a comment at 64 KB. */
const MAX_COMMENT_CHARS = 60_000;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function auth(connection: ConnectionContext, settings: ZendeskSettings, what: string): string {
  if (!settings.email) throw new DeliveryError(`${what}: the connection has no email setting`, { retryable: false });
  return basicAuth(`${settings.email}/token`, requireSecret(connection, 'apiToken', what));
}

const channelTag = (channelType: string) => `switchboard_${channelType.toLowerCase().replace(/[^a-z0-9_]+/g, '_')}`.slice(0, 80);

export async function openZendeskTicket(context: HandoffContext, fetchImpl: typeof fetch = fetch): Promise<HelpdeskRef> {
  const what = 'Zendesk create ticket';
  const { connection, conversation } = context;
  const settings = zendeskSettings(connection, what);
  const root = zendeskApiRoot(connection, settings);
  const last = context.transcript.at(-1)?.at ?? 0;
  const email = conversation.contactExternalId && EMAIL.test(conversation.contactExternalId) ? conversation.contactExternalId : undefined;
  const tags = [...new Set(['switchboard', 'switchboard_handoff', channelTag(conversation.channelType), ...(settings.tags ?? [])])];
  const answer = await helpdeskRequest(fetchImpl, what, {
    method: 'POST',
    url: `${root}/api/v2/tickets.json`,
    headers: {
      authorization: auth(connection, settings, what),
      'idempotency-key': `switchboard-${stableHash(connection.id, conversation.id, 'open', context.transcript.length, last).slice(0, 40)}`,
    },
    json: {
      ticket: {
        subject: handoffSubject(context),
        comment: { body: handoffText(context, MAX_COMMENT_CHARS - 1000), public: false },
        requester: { name: contactLabel(context), ...(email && { email }) },
        external_id: conversation.id,
        tags,
        ...(settings.groupId !== undefined && { group_id: settings.groupId }),
        ...(settings.priority && { priority: settings.priority }),
      },
    },
  });
  const ticket = isObject(answer.json) && isObject(answer.json.ticket) ? answer.json.ticket : undefined;
  const ticketId = text(ticket?.id);
  if (!ticketId) throw new DeliveryError(`${what} answered ${answer.status} without a ticket id`, { retryable: false, status: answer.status });
  const requesterId = text(ticket?.requester_id);
  return { connection: connection.id, ticketId, ...(requesterId && { requesterId }) };
}

export async function forwardToZendeskTicket(context: HandoffContext, ref: HelpdeskRef, message: string, fetchImpl: typeof fetch = fetch): Promise<void> {
  const what = 'Zendesk update ticket';
  const { connection } = context;
  const settings = zendeskSettings(connection, what);
  const ticketId = ref.ticketId;
  if (!ticketId || !/^\d+$/.test(ticketId)) throw new DeliveryError(`${what}: the stored handoff has no ticket id`, { retryable: false });
  const authorId = ref.requesterId && /^\d+$/.test(ref.requesterId) && Number.isSafeInteger(Number(ref.requesterId)) ? Number(ref.requesterId) : undefined;
  await helpdeskRequest(fetchImpl, what, {
    method: 'PUT',
    url: `${zendeskApiRoot(connection, settings)}/api/v2/tickets/${ticketId}.json`,
    headers: { authorization: auth(connection, settings, what) },
    json: { ticket: { comment: { body: message.slice(0, MAX_COMMENT_CHARS), public: true, ...(authorId !== undefined && { author_id: authorId }) } } },
  });
}

const END_USER = /^end[-_ ]?user$/i;
const CLOSED = new Set(['solved', 'closed']);

function commentOf(value: unknown): { id?: string; body?: string; public?: boolean } | undefined {
  if (typeof value === 'string') return value.trim().length > 0 ? { body: value } : undefined;
  if (!isObject(value)) return undefined;
  const body = text(value.body) ?? text(value.value) ?? text(value.text) ?? text(value.plain_body);
  const isPublic = value.public === false || value.public === 'false' ? false : true;
  const id = text(value.id);
  return body ? { ...(id && { id }), body, public: isPublic } : undefined;
}

/** The events of one ticket webhook call (see the module header for the body). */
export function parseZendeskTicketWebhook(raw: RawInbound, connection: ConnectionContext): HelpdeskInbound[] {
  const body = jsonObjectOf(raw, 'Zendesk webhook');
  const ticketId = text(body.ticket_id) ?? (isObject(body.ticket) ? text(body.ticket.id) : undefined);
  if (!ticketId) throw new InboundFormatError('Zendesk webhook: expected "ticket_id" (configure the webhook body as the setup text shows)');
  const ref = { connection: connection.id, ticketId: ticketId.trim() };
  const base = `zendesk:${text(body.event_id) ?? raw.headers['x-zendesk-webhook-invocation-id'] ?? `sha256:${bodyDigest(raw)}`}`;
  const status = text(body.status)?.trim().toLowerCase();
  const closed = status !== undefined && CLOSED.has(status);
  const events: HelpdeskInbound[] = [];

  const assignee = isObject(body.assignee) ? authorOf(body.assignee.id, body.assignee.name) : undefined;
  if (assignee && !closed) {
    // Stable per ticket and assignee: every later call naming the same assignee is a duplicate.
    events.push({ ref, kind: 'accepted', author: assignee, eventId: `zendesk:ticket:${ref.ticketId}:accepted:${assignee.id ?? assignee.name}` });
  }

  const comment = commentOf(body.comment);
  const rawAuthor = body.author;
  const author = isObject(rawAuthor) ? authorOf(rawAuthor.id, rawAuthor.name) : authorOf(undefined, rawAuthor);
  const role = isObject(rawAuthor) ? text(rawAuthor.role) : undefined;
  if (comment?.body && comment.public !== false && !(role && END_USER.test(role.trim()))) {
    events.push({
      ref,
      kind: 'message',
      text: comment.body.trim(),
      ...(author && { author }),
      eventId: comment.id ? `zendesk:comment:${comment.id}` : `${base}:message`,
    });
  }

  if (closed) events.push({ ref, kind: 'resolved', eventId: `${base}:resolved` });
  return events;
}

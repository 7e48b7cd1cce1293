/**
 * ServiceNow incidents (mode `incident`), Table API with Basic auth (`username` setting,
 * `password` credential).
 *
 * Open:    POST {root}/api/now/table/incident?sysparm_exclude_reference_link=true&sysparm_fields=sys_id,number,state
 *          { short_description, description: <header + transcript, newest turns within 4000 characters>,
 *            work_notes?: <the whole transcript, when the description could not hold it>, correlation_id: <conversation id>,
 *            correlation_display: 'Switchboard', contact_type: 'chat', caller_id?, assignment_group?, category?, urgency? }
 *          → 201 { result: { sys_id, number } } → ref { connection, sysId, number }
 * Forward: PATCH {root}/api/now/table/incident/{sys_id} { comments: '<contact>: <text>' } (Additional comments:
 *          customer-visible journal entries)
 *
 * Back:    a business rule on incident (after update, when Additional comments or State change) sends a
 *          REST message to the inbound URL with `Authorization: Bearer <inbound secret>` and JSON
 *          { sys_id, number?, comment?, author?, state?, assigned_to?, sys_mod_count?, event_id? }.
 *          Assumptions: `comment` is the newest journal entry (`current.comments.getJournalEntry(1)`,
 *          whose "date - Name (Additional comments)" header is stripped; "(Work notes)" entries are
 *          internal and skipped); comments by the integration user (`username`) are our own forwards
 *          and skipped; the event id is `event_id`, else sys_id + sys_mod_count (one per update), else
 *          a digest of the body; state 6/7/8 (Resolved/Closed/Canceled, by value or label) resolves; state 2
 *          (In Progress) accepts, once per incident.
 */
import { DeliveryError, InboundFormatError, type ConnectionContext, type RawInbound } from '../../../channels/adapter.js';
import type { HandoffContext, HelpdeskInbound, HelpdeskRef } from '../connector.js';
import { basicAuth, helpdeskRequest, requireSecret } from '../http.js';
import { authorOf, bodyDigest, isObject, jsonObjectOf, text } from '../inbound.js';
import { contactLabel, handoffSubject, handoffText, transcriptTruncated } from '../transcript.js';
import { isSysId, serviceNowApiRoot, serviceNowSettings, type ServiceNowSettings } from './settings.js';

/** incident.description holds 4000 characters; what does not fit goes to a work note in full. */
const DESCRIPTION_TRANSCRIPT_CHARS = 3_400;

const auth = (connection: ConnectionContext, settings: ServiceNowSettings, what: string) =>
  basicAuth(settings.username, requireSecret(connection, 'password', what));

export async function openServiceNowIncident(context: HandoffContext, fetchImpl: typeof fetch = fetch): Promise<HelpdeskRef> {
  const what = 'ServiceNow create incident';
  const { connection, conversation } = context;
  const settings = serviceNowSettings(connection, what);
  const answer = await helpdeskRequest(fetchImpl, what, {
    method: 'POST',
    url: `${serviceNowApiRoot(connection, settings)}/api/now/table/incident?sysparm_exclude_reference_link=true&sysparm_fields=sys_id,number,state`,
    headers: { authorization: auth(connection, settings, what) },
    json: {
      short_description: handoffSubject(context),
      description: handoffText(context, DESCRIPTION_TRANSCRIPT_CHARS),
      ...(transcriptTruncated(context, DESCRIPTION_TRANSCRIPT_CHARS) && { work_notes: handoffText(context) }),
      correlation_id: conversation.id,
      correlation_display: 'Switchboard',
      contact_type: 'chat',
      ...(settings.callerId && { caller_id: settings.callerId }),
      ...(settings.assignmentGroup && { assignment_group: settings.assignmentGroup }),
      ...(settings.category && { category: settings.category }),
      ...(settings.urgency && { urgency: settings.urgency }),
    },
  });
  const result = isObject(answer.json) && isObject(answer.json.result) ? answer.json.result : undefined;
  const sysId = text(result?.sys_id);
  if (!sysId) throw new DeliveryError(`${what} answered ${answer.status} without a sys_id`, { retryable: false, status: answer.status });
  const number = text(result?.number);
  return { connection: connection.id, sysId, ...(number && { number }) };
}

export async function forwardToServiceNowIncident(context: HandoffContext, ref: HelpdeskRef, message: string, fetchImpl: typeof fetch = fetch): Promise<void> {
  const what = 'ServiceNow update incident';
  const { connection } = context;
  const settings = serviceNowSettings(connection, what);
  if (!ref.sysId || !isSysId(ref.sysId)) throw new DeliveryError(`${what}: the stored handoff has no incident sys_id`, { retryable: false });
  await helpdeskRequest(fetchImpl, what, {
    method: 'PATCH',
    url: `${serviceNowApiRoot(connection, settings)}/api/now/table/incident/${ref.sysId}?sysparm_exclude_reference_link=true&sysparm_fields=sys_id`,
    headers: { authorization: auth(connection, settings, what) },
    json: { comments: `${contactLabel(context)}: ${message}` },
  });
}

const JOURNAL_HEADER = /^\s*\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\s+-\s+(.+?)\s+\((Additional comments|Work notes)\)\s*\n/;
const RESOLVED = new Set(['6', '7', '8', 'resolved', 'closed', 'canceled', 'cancelled']);
const IN_PROGRESS = new Set(['2', 'in progress', 'in_progress', 'work in progress']);

/** The events of one incident callback (see the module header). */
export function parseServiceNowIncidentCallback(raw: RawInbound, connection: ConnectionContext): HelpdeskInbound[] {
  const body = jsonObjectOf(raw, 'ServiceNow incident callback');
  const sysId = text(body.sys_id)?.trim();
  if (!sysId) throw new InboundFormatError('ServiceNow incident callback: expected "sys_id" (the incident the business rule ran on)');
  const ref = { connection: connection.id, sysId };
  // sys_mod_count grows by one with every update of the record: with the sys_id it names this update.
  const modCount = text(body.sys_mod_count);
  const base = `servicenow:${text(body.event_id) ?? (modCount ? `incident:${sysId}:${modCount}` : `sha256:${bodyDigest(raw)}`)}`;
  const state = text(body.state)?.trim().toLowerCase();
  const events: HelpdeskInbound[] = [];

  if (state && IN_PROGRESS.has(state)) {
    const assigned = isObject(body.assigned_to) ? authorOf(body.assigned_to.id ?? body.assigned_to.sys_id, body.assigned_to.name) : authorOf(undefined, body.assigned_to);
    events.push({ ref, kind: 'accepted', ...(assigned && { author: assigned }), eventId: `servicenow:incident:${sysId}:accepted` });
  }

  let comment = text(body.comment) ?? text(body.comments);
  let author = isObject(body.author)
    ? authorOf(body.author.id ?? body.author.sys_id ?? body.author.user_name, body.author.name)
    : authorOf(undefined, body.author);
  let internal = false;
  const header = comment ? JOURNAL_HEADER.exec(comment) : null;
  if (comment && header) {
    internal = header[2] === 'Work notes';
    author ??= authorOf(undefined, header[1]);
    comment = comment.slice(header[0].length);
  }
  const userName = typeof connection.settings?.username === 'string' ? connection.settings.username.trim().toLowerCase() : undefined;
  const byIntegrationUser =
    userName !== undefined && [author?.id, author?.name, isObject(body.author) ? text(body.author.user_name) : undefined].some((v) => v?.trim().toLowerCase() === userName);
  const said = comment?.trim();
  if (said && !internal && !byIntegrationUser) {
    events.push({ ref, kind: 'message', text: said, ...(author && { author }), eventId: `${base}:message` });
  }

  if (state && RESOLVED.has(state)) events.push({ ref, kind: 'resolved', eventId: `${base}:resolved` });
  return events;
}

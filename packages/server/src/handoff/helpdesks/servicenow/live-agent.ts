/**
 * ServiceNow Live Agent (mode `live-agent`) through the Virtual Agent Bot Integration API,
 * `POST {root}/api/sn_va_as_service/bot/integration`, Basic auth (`username` / `password`) plus
 * the `token` header when the provider channel uses token auth (`botToken` credential).
 *
 * Open:    { requestId, action: 'AGENT', clientSessionId: <conversation id>, userId, emailId?,
 *            message: { text: <handoff header>, typed: true, clientMessageId }, timestamp,
 *            history: [{ displayName, isBotMessage, timestamp, type: 'text', value }…],
 *            contextVariables: { live_agent_only: 'true', …settings.contextVariables }, botToBot: true }
 *          → 200 { status: 'success' } (the VA answers asynchronously) → ref { connection, clientSessionId, userId }
 * Forward: the same without `action` (the message goes to the agent of the ongoing chat).
 *
 * Back:    the VA posts its responses to the configured response endpoint (our inbound URL, with
 *          `Authorization: Bearer <inbound secret>` set on the REST message):
 *          { requestId, clientSessionId, userId, body: [{ uiType, group, value | label, messageId?,
 *            agentInfo?: { agentId, agentName, sentFromAgent } }…], agentChat?, completed?, takeControl? }
 *          - with `agentChat: true`, every OutputText/OutputHtml item is a message to the contact
 *            (author from agentInfo); the first item a live agent sent (agentInfo.sentFromAgent) also
 *            accepts the handoff (once per session); responses without agentChat are the Virtual
 *            Agent's own topic flow and are not relayed
 *          - `completed: true` or `takeControl: true` (control back to the primary bot) resolves
 *          Message ids: body[].messageId when present, else derived from the request bytes.
 */
import { randomUUID } from 'node:crypto';
import { DeliveryError, InboundFormatError, type ConnectionContext, type RawInbound } from '../../../channels/adapter.js';
import type { HandoffContext, HelpdeskInbound, HelpdeskRef } from '../connector.js';
import { basicAuth, helpdeskRequest, requireSecret, stableUuid } from '../http.js';
import { authorOf, bodyDigest, isObject, jsonObjectOf, text } from '../inbound.js';
import { handoffHeader, speakerOf } from '../transcript.js';
import { serviceNowApiRoot, serviceNowSettings } from './settings.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const TEXT_UI = new Set(['OutputText', 'OutputHtml', 'Text']);

async function call(context: HandoffContext, what: string, payload: Record<string, unknown>, fetchImpl: typeof fetch): Promise<void> {
  const { connection } = context;
  const settings = serviceNowSettings(connection, what);
  const token = connection.secrets.botToken;
  const answer = await helpdeskRequest(fetchImpl, what, {
    method: 'POST',
    url: `${serviceNowApiRoot(connection, settings)}/api/sn_va_as_service/bot/integration`,
    headers: { authorization: basicAuth(settings.username, requireSecret(connection, 'password', what)), ...(token && { token }) },
    json: payload,
  });
  if (isObject(answer.json) && answer.json.status === 'failure') {
    const error = isObject(answer.json.error) ? answer.json.error : {};
    throw new DeliveryError(`${what} failed: ${text(error.message) ?? 'no message'}${text(error.detail) ? ` (${text(error.detail)})` : ''}`, {
      retryable: false,
      status: answer.status,
    });
  }
}

const userIdOf = (context: HandoffContext) => context.conversation.contactExternalId ?? context.conversation.contactId;

export async function openServiceNowLiveAgent(context: HandoffContext, fetchImpl: typeof fetch = fetch): Promise<HelpdeskRef> {
  const what = 'ServiceNow Live Agent escalation';
  const { connection, conversation } = context;
  const settings = serviceNowSettings(connection, what);
  const userId = userIdOf(context);
  const last = context.transcript.at(-1)?.at ?? 0;
  await call(
    context,
    what,
    {
      requestId: stableUuid(connection.id, conversation.id, 'open', context.transcript.length, last),
      action: 'AGENT',
      botToBot: true,
      clientSessionId: conversation.id,
      userId,
      ...(EMAIL.test(userId) && { emailId: userId }),
      message: { text: handoffHeader(context).join('\n'), typed: true, clientMessageId: stableUuid(conversation.id, 'open-message', last) },
      timestamp: Date.now(),
      history: context.transcript.map((turn) => ({
        displayName: turn.role === 'contact' ? speakerOf(context, turn.role) : 'Bot',
        isBotMessage: turn.role !== 'contact',
        timestamp: String(turn.at),
        type: 'text',
        value: turn.text,
      })),
      contextVariables: { live_agent_only: 'true', ...settings.contextVariables },
    },
    fetchImpl,
  );
  return { connection: connection.id, clientSessionId: conversation.id, userId };
}

export async function forwardToServiceNowLiveAgent(context: HandoffContext, ref: HelpdeskRef, message: string, fetchImpl: typeof fetch = fetch): Promise<void> {
  const what = 'ServiceNow Live Agent message';
  await call(
    context,
    what,
    {
      requestId: randomUUID(),
      botToBot: true,
      clientSessionId: ref.clientSessionId ?? context.conversation.id,
      userId: ref.userId ?? userIdOf(context),
      message: { text: message, typed: true, clientMessageId: randomUUID() },
      timestamp: Date.now(),
    },
    fetchImpl,
  );
}

function itemText(item: Record<string, unknown>): string | undefined {
  const value = typeof item.value === 'string' ? item.value : undefined;
  return (value ?? text(item.label))?.trim() || undefined;
}

/** The events of one Virtual Agent response (see the module header). */
export function parseServiceNowLiveAgentResponse(raw: RawInbound, connection: ConnectionContext): HelpdeskInbound[] {
  const text_ = raw.body.toString('utf8').trim();
  // UPDATE_MESSAGES is answered with a bare "Message Processed Successfully": nothing to do.
  if (!text_.startsWith('{')) {
    if (text_.length === 0 || /^message processed/i.test(text_)) return [];
    throw new InboundFormatError('ServiceNow Virtual Agent response: the body is not JSON');
  }
  const body = jsonObjectOf(raw, 'ServiceNow Virtual Agent response');
  const clientSessionId = text(body.clientSessionId)?.trim();
  if (!clientSessionId) return [];
  const ref = { connection: connection.id, clientSessionId };
  const digest = bodyDigest(raw);
  const events: HelpdeskInbound[] = [];
  const items = Array.isArray(body.body) ? body.body : isObject(body.body) ? [body.body] : [];
  if (body.agentChat === true) {
    let accepted = false;
    items.forEach((item, index) => {
      if (!isObject(item) || typeof item.uiType !== 'string' || !TEXT_UI.has(item.uiType)) return;
      const said = itemText(item);
      if (!said) return;
      const info = isObject(item.agentInfo) ? item.agentInfo : undefined;
      const fromAgent = info?.sentFromAgent === true;
      const author = fromAgent && info ? authorOf(info.agentId, info.agentName) : undefined;
      if (fromAgent && !accepted) {
        accepted = true;
        events.push({ ref, kind: 'accepted', ...(author && { author }), eventId: `servicenow:live:${clientSessionId}:accepted` });
      }
      const messageId = text(item.messageId);
      events.push({
        ref,
        kind: 'message',
        text: said,
        ...(author && { author }),
        eventId: messageId ? `servicenow:message:${messageId}` : `servicenow:live:sha256:${digest}:${index}`,
      });
    });
  }
  if (body.completed === true || body.takeControl === true) {
    events.push({ ref, kind: 'resolved', eventId: `servicenow:live:${clientSessionId}:resolved:${text(body.requestId) ?? digest}` });
  }
  return events;
}

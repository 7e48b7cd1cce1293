/**
 * Zendesk Sunshine Conversations (mode `sunshine`): the contact becomes a Sunshine user, the
 * handoff a personal conversation that control is passed to the next switchboard integration
 * (the Zendesk Agent Workspace), where it becomes a messaging ticket.
 *
 * Open (Basic `{keyId}:{keySecret}`, an app-scoped API key):
 *   1. POST {root}/v2/apps/{appId}/users {externalId: <contact id>, profile: {givenName}} — 409 (exists) is fine
 *   2. POST {root}/v2/apps/{appId}/conversations {type: 'personal', participants: [{userExternalId}], displayName, metadata}
 *      — on 409 (apps without multi-conversations allow one personal conversation per user)
 *      GET {root}/v2/apps/{appId}/conversations?filter[userExternalId]=… and take the first
 *   3. POST {root}/v2/apps/{appId}/conversations/{id}/messages {author: {type: 'user', userExternalId}, content: {type: 'text', text}}
 *      — the header and transcript, in pieces of at most 4096 characters (Sunshine's text limit)
 *   4. POST {root}/v2/apps/{appId}/conversations/{id}/passControl {switchboardIntegration: 'next', metadata: {first_message_id}}
 *   → ref { connection, conversationId, userExternalId }
 * Forward: step 3 with the contact's message.
 *
 * Back: the integration's webhook (v2 payload `{app, webhook, events: [{id, type, createdAt, payload}]}`):
 *   - `conversation:message` authored by `business` (an agent; `user` messages are the contact's,
 *     which Switchboard posted itself) → message, event id = the message id
 *   - `switchboard:acceptControl` → accepted; `switchboard:releaseControl` (the ticket was closed) → resolved
 *   - everything else (passControl echoes of our own call, reads, typing, …) → nothing
 */
import { DeliveryError, InboundFormatError, type ConnectionContext, type RawInbound } from '../../../channels/adapter.js';
import type { HandoffContext, HelpdeskInbound, HelpdeskRef } from '../connector.js';
import { basicAuth, chunkText, helpdeskRequest, requireSecret } from '../http.js';
import { authorOf, isObject, jsonObjectOf, text, type Json } from '../inbound.js';
import { contactLabel, handoffText } from '../transcript.js';
import { zendeskApiRoot, zendeskSettings } from './settings.js';

/** Sunshine Conversations refuses text messages longer than this. */
export const SUNSHINE_MAX_TEXT = 4096;

interface Api {
  what: string;
  base: string;
  authorization: string;
}

function api(context: HandoffContext, what: string): Api {
  const { connection } = context;
  const settings = zendeskSettings(connection, what);
  if (!settings.appId) throw new DeliveryError(`${what}: the connection has no appId setting`, { retryable: false });
  return {
    what,
    base: `${zendeskApiRoot(connection, settings)}/v2/apps/${encodeURIComponent(settings.appId)}`,
    authorization: basicAuth(requireSecret(connection, 'keyId', what), requireSecret(connection, 'keySecret', what)),
  };
}

async function postMessages(fetchImpl: typeof fetch, target: Api, conversationId: string, userExternalId: string, body: string): Promise<string | undefined> {
  let firstId: string | undefined;
  for (const piece of chunkText(body, SUNSHINE_MAX_TEXT)) {
    const answer = await helpdeskRequest(fetchImpl, `${target.what} (post message)`, {
      method: 'POST',
      url: `${target.base}/conversations/${encodeURIComponent(conversationId)}/messages`,
      headers: { authorization: target.authorization },
      json: { author: { type: 'user', userExternalId }, content: { type: 'text', text: piece } },
    });
    const messages = isObject(answer.json) && Array.isArray(answer.json.messages) ? answer.json.messages : [];
    firstId ??= isObject(messages[0]) ? text(messages[0].id) : undefined;
  }
  return firstId;
}

export async function openSunshineConversation(context: HandoffContext, fetchImpl: typeof fetch = fetch): Promise<HelpdeskRef> {
  const target = api(context, 'Sunshine Conversations handoff');
  const { conversation } = context;
  const userExternalId = conversation.contactId;
  const auth = { authorization: target.authorization };

  await helpdeskRequest(fetchImpl, `${target.what} (create user)`, {
    method: 'POST',
    url: `${target.base}/users`,
    headers: auth,
    json: {
      externalId: userExternalId,
      ...(conversation.contactName && { profile: { givenName: conversation.contactName } }),
      metadata: { switchboardContactId: conversation.contactId, ...(conversation.contactExternalId && { channelUserId: conversation.contactExternalId }) },
    },
    allow: [409],
  });

  const created = await helpdeskRequest(fetchImpl, `${target.what} (create conversation)`, {
    method: 'POST',
    url: `${target.base}/conversations`,
    headers: auth,
    json: {
      type: 'personal',
      participants: [{ userExternalId, subscribeSDKClient: false }],
      displayName: `${contactLabel(context)} (Switchboard)`.slice(0, 100),
      metadata: { switchboardConversationId: conversation.id, switchboardChannel: conversation.channelType, handoffReason: context.reason.slice(0, 500) },
    },
    allow: [409],
  });
  let conversationId = isObject(created.json) && isObject(created.json.conversation) ? text(created.json.conversation.id) : undefined;
  if (created.status === 409) {
    const listed = await helpdeskRequest(fetchImpl, `${target.what} (find conversation)`, {
      method: 'GET',
      url: `${target.base}/conversations?${new URLSearchParams({ 'filter[userExternalId]': userExternalId })}`,
      headers: auth,
    });
    const conversations = isObject(listed.json) && Array.isArray(listed.json.conversations) ? listed.json.conversations.filter(isObject) : [];
    const personal = conversations.find((c) => c.type === 'personal') ?? conversations[0];
    conversationId = personal ? text(personal.id) : undefined;
  }
  if (!conversationId) throw new DeliveryError(`${target.what}: Sunshine Conversations returned no conversation id`, { retryable: false });

  const firstMessageId = await postMessages(fetchImpl, target, conversationId, userExternalId, handoffText(context, 20_000));

  await helpdeskRequest(fetchImpl, `${target.what} (pass control)`, {
    method: 'POST',
    url: `${target.base}/conversations/${encodeURIComponent(conversationId)}/passControl`,
    headers: auth,
    json: { switchboardIntegration: 'next', ...(firstMessageId && { metadata: { first_message_id: firstMessageId } }) },
  });
  return { connection: context.connection.id, conversationId, userExternalId };
}

export async function forwardToSunshine(context: HandoffContext, ref: HelpdeskRef, message: string, fetchImpl: typeof fetch = fetch): Promise<void> {
  const target = api(context, 'Sunshine Conversations forward');
  if (!ref.conversationId) throw new DeliveryError(`${target.what}: the stored handoff has no conversation id`, { retryable: false });
  await postMessages(fetchImpl, target, ref.conversationId, ref.userExternalId ?? context.conversation.contactId, message);
}

function messageText(content: Json): string | undefined {
  const body = text(content.text)?.trim();
  const media = text(content.mediaUrl);
  if (body && media) return `${body}\n${media}`;
  return body ?? media ?? text(content.altText);
}

/** The events of one Sunshine Conversations webhook call. */
export function parseSunshineWebhook(raw: RawInbound, connection: ConnectionContext): HelpdeskInbound[] {
  const body = jsonObjectOf(raw, 'Sunshine Conversations webhook');
  if (!Array.isArray(body.events)) throw new InboundFormatError('Sunshine Conversations webhook: expected an "events" array (a v2 webhook payload)');
  const events: HelpdeskInbound[] = [];
  for (const event of body.events) {
    if (!isObject(event) || !isObject(event.payload)) continue;
    const payload = event.payload;
    const conversationId = isObject(payload.conversation) ? text(payload.conversation.id) : undefined;
    if (!conversationId) continue;
    const ref = { connection: connection.id, conversationId };
    const eventId = text(event.id);
    switch (event.type) {
      case 'conversation:message': {
        const message = isObject(payload.message) ? payload.message : undefined;
        const author = message && isObject(message.author) ? message.author : undefined;
        if (!message || author?.type !== 'business' || !isObject(message.content)) break;
        const said = messageText(message.content);
        const id = text(message.id) ?? eventId;
        if (!said || !id) break;
        const who = authorOf(author.userId ?? author.agentId, author.displayName);
        events.push({ ref, kind: 'message', text: said, ...(who && { author: who }), eventId: `sunshine:message:${id}` });
        break;
      }
      case 'switchboard:acceptControl':
        if (eventId) events.push({ ref, kind: 'accepted', eventId: `sunshine:${eventId}` });
        break;
      case 'switchboard:releaseControl':
        if (eventId) events.push({ ref, kind: 'resolved', eventId: `sunshine:${eventId}` });
        break;
      default:
        break;
    }
  }
  return events;
}

/**
 * Genesys Cloud Open Messaging.
 *
 * Open:    POST {api}/api/v2/conversations/messages/{integrationId}/inbound/open/message, Bearer (oauth.ts):
 *          { channel: { messageId, from: { id: <conversation id>, idType: 'Opaque', nickname, firstName? },
 *                       time, metadata: { customAttributes: { switchboardConversationId, switchboardChannel, handoffReason } } },
 *            type: 'Text', text, direction: 'Inbound' }
 *          The header and transcript go as the first inbound message(s) (pieces of at most 4000
 *          characters); Genesys starts a conversation for the Opaque user `from.id` = the
 *          Switchboard conversation id, so agent replies come back addressed to it.
 *          → ref { connection, userId: <conversation id>, messageId?: <Genesys id of the first message> }
 * Forward: the same call with the contact's message.
 *          `channel.messageId` is derived from the content (open) so a retried call repeats it.
 *
 * Back:    Open Messaging outbound webhook to the integration's Outbound Notification Webhook URL,
 *          signed `X-Hub-Signature-256: sha256=<base64 HMAC-SHA256(outbound secret token, raw body)>`:
 *          { id, channel: { id, platform: 'Open', type: 'Private', to: { id, idType }, from: { nickname, id, idType, image? },
 *                           time, messageId? }, type, text?, direction: 'Outbound', originatingEntity?, events?, status? }
 *          - `type: 'Text'` (or 'Structured') with text → message (author: from.nickname), event id = `id`
 *            (else channel.messageId)
 *          - `type: 'Event'` with a Presence event of type Disconnect → resolved; type Join → accepted
 *          - receipts, typing indicators and inbound echoes → nothing
 *          `channel.to.id` is the Opaque user id: the ref's `userId`.
 */
import { randomUUID } from 'node:crypto';
import { DeliveryError, InboundFormatError, type ConnectionContext, type RawInbound } from '../../../channels/adapter.js';
import type { HandoffContext, HelpdeskInbound, HelpdeskRef } from '../connector.js';
import { chunkText, helpdeskRequest, requireSecret, stableUuid, type HelpdeskAnswer, type HelpdeskCall } from '../http.js';
import { authorOf, bodyDigest, isObject, jsonObjectOf, text } from '../inbound.js';
import { contactLabel, handoffText } from '../transcript.js';
import { forgetGenesysToken, genesysAccessToken, type GenesysClient } from './oauth.js';
import { genesysApiRoot, genesysLoginRoot, genesysSettings } from './settings.js';

/** Longest text sent in one Open Messaging message. */
export const GENESYS_MAX_TEXT = 4000;

/** One API call with a bearer token; a 401 drops the token and retries once with a fresh one. */
async function withToken(client: GenesysClient, fetchImpl: typeof fetch, what: string, call: HelpdeskCall): Promise<HelpdeskAnswer> {
  const attempt = async () => {
    const token = await genesysAccessToken(client, fetchImpl);
    return helpdeskRequest(fetchImpl, what, { ...call, headers: { ...call.headers, authorization: `Bearer ${token}` }, allow: [401] });
  };
  let answer = await attempt();
  if (answer.status === 401) {
    forgetGenesysToken(client);
    answer = await attempt();
    if (answer.status === 401) throw new DeliveryError(`${what} answered 401 with a fresh token: check the OAuth client's roles`, { retryable: false, status: 401 });
  }
  return answer;
}

async function sendInbound(
  context: HandoffContext,
  what: string,
  userId: string,
  pieces: { messageId: string; text: string }[],
  fetchImpl: typeof fetch,
): Promise<string | undefined> {
  const { connection, conversation } = context;
  const settings = genesysSettings(connection, what);
  const client: GenesysClient = {
    loginRoot: genesysLoginRoot(settings),
    clientId: requireSecret(connection, 'clientId', what),
    clientSecret: requireSecret(connection, 'clientSecret', what),
  };
  const url = `${genesysApiRoot(connection, settings)}/api/v2/conversations/messages/${encodeURIComponent(settings.integrationId)}/inbound/open/message`;
  const from = {
    id: userId,
    idType: 'Opaque',
    nickname: contactLabel(context).slice(0, 100),
    ...(conversation.contactName && { firstName: conversation.contactName.slice(0, 100) }),
  };
  let firstId: string | undefined;
  for (const piece of pieces) {
    const answer = await withToken(client, fetchImpl, what, {
      method: 'POST',
      url,
      json: {
        channel: {
          messageId: piece.messageId,
          from,
          time: new Date().toISOString(),
          metadata: {
            customAttributes: { switchboardConversationId: conversation.id, switchboardChannel: conversation.channelType, handoffReason: context.reason.slice(0, 500) },
          },
        },
        type: 'Text',
        text: piece.text,
        direction: 'Inbound',
      },
    });
    firstId ??= isObject(answer.json) ? text(answer.json.id) : undefined;
  }
  return firstId;
}

export async function openGenesysConversation(context: HandoffContext, fetchImpl: typeof fetch = fetch): Promise<HelpdeskRef> {
  const { connection, conversation } = context;
  const last = context.transcript.at(-1)?.at ?? 0;
  const pieces = chunkText(handoffText(context), GENESYS_MAX_TEXT).map((piece, index) => ({
    messageId: stableUuid(connection.id, conversation.id, 'open', context.transcript.length, last, index),
    text: piece,
  }));
  const messageId = await sendInbound(context, 'Genesys Cloud Open Messaging handoff', conversation.id, pieces, fetchImpl);
  return { connection: connection.id, userId: conversation.id, ...(messageId && { messageId }) };
}

export async function forwardToGenesys(context: HandoffContext, ref: HelpdeskRef, message: string, fetchImpl: typeof fetch = fetch): Promise<void> {
  const pieces = chunkText(message, GENESYS_MAX_TEXT).map((piece) => ({ messageId: randomUUID(), text: piece }));
  await sendInbound(context, 'Genesys Cloud Open Messaging message', ref.userId ?? context.conversation.id, pieces, fetchImpl);
}

/** The events of one Open Messaging outbound webhook call (see the module header). */
export function parseGenesysOutbound(raw: RawInbound, connection: ConnectionContext): HelpdeskInbound[] {
  const body = jsonObjectOf(raw, 'Genesys Open Messaging webhook');
  if (!isObject(body.channel)) throw new InboundFormatError('Genesys Open Messaging webhook: expected a "channel" object');
  const channel = body.channel;
  if (text(body.direction) && body.direction !== 'Outbound') return [];
  const userId = isObject(channel.to) ? text(channel.to.id) : undefined;
  if (!userId) return [];
  const ref = { connection: connection.id, userId };
  const id = text(body.id) ?? text(channel.messageId) ?? `sha256:${bodyDigest(raw)}`;
  const from = isObject(channel.from) ? channel.from : {};
  const integrationId = typeof connection.settings?.integrationId === 'string' ? connection.settings.integrationId : undefined;
  const fromId = text(from.id);
  const author = authorOf(fromId && fromId !== integrationId ? fromId : undefined, from.nickname);

  if (body.type === 'Text' || body.type === 'Structured') {
    const said = text(body.text)?.trim();
    return said ? [{ ref, kind: 'message', text: said, ...(author && { author }), eventId: `genesys:${id}` }] : [];
  }
  if (body.type === 'Event' && Array.isArray(body.events)) {
    const events: HelpdeskInbound[] = [];
    for (const event of body.events) {
      if (!isObject(event) || event.eventType !== 'Presence' || !isObject(event.presence)) continue;
      const kind = event.presence.type === 'Disconnect' ? 'resolved' : event.presence.type === 'Join' ? 'accepted' : undefined;
      if (kind) events.push({ ref, kind, ...(kind === 'accepted' && author && { author }), eventId: `genesys:${id}:${kind}` });
    }
    return events;
  }
  return [];
}

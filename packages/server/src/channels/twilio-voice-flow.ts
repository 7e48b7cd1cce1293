import type { Kysely } from 'kysely';
import { DeploymentStatus } from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { findConnection } from '../store/repositories/connections.js';
import { workspaceRepositories } from '../store/repositories/index.js';
import { voiceTurnsRepository } from '../store/repositories/voice-turns.js';
import type { ConversationService } from '../conversations/conversation-service.js';
import type { ConnectionsService } from '../connections/connections-service.js';
import { inboundUrl } from '../connections/connections-service.js';
import { gatherTwiml, hangupTwiml, isCallStart, parseVoiceRequest, voiceTurnEvent } from './twilio/voice.js';
import type { HttpReply, RawInbound } from './adapter.js';

const XML = { 'content-type': 'text/xml; charset=utf-8' };
const GOODBYE = /\b(good ?bye|bye|hang up|that'?s all)\b/i;
const MAX_SILENCES = 2;
const DEFAULT_GREETING = 'Hello! How can I help you?';
/** How long after a turn was claimed a copy of it waits for its answer (Twilio gives up after 15 s). */
const DUPLICATE_WAIT_MS = 12_000;

function twiml(body: string): HttpReply {
  return { status: 200, headers: XML, body };
}

/**
 * Phone calls over Twilio: a `<Gather input="speech">` loop. The first webhook greets the
 * caller; each Gather action carries what they said, which the agent answers in the same
 * request (Twilio waits for the TwiML); saying goodbye, or silence twice, ends the call.
 * The turn counter and the silence counter travel in the signed action URL, which makes
 * each turn's id unique within the call. A turn is answered once: its row is claimed before
 * the agent runs, and a replayed or duplicated request gets the TwiML stored on that row.
 */
export function twilioVoiceFlow(deps: { db: Kysely<DB>; connections: ConnectionsService; conversations: ConversationService; publicUrl: string }) {
  const { db, connections, conversations, publicUrl } = deps;
  const turns = voiceTurnsRepository(db);

  /**
   * The TwiML a turn was answered with, waiting while the request that claimed it may still be
   * running. A turn without TwiML after that (its answer forgotten, or its request lost) hangs up.
   */
  async function answeredBefore(connectionId: string, callSid: string, turn: number): Promise<HttpReply> {
    for (;;) {
      const row = await turns.get(connectionId, callSid, turn);
      if (row?.twiml) return twiml(row.twiml);
      if (!row || Date.now() > row.claimedAt + DUPLICATE_WAIT_MS) return twiml(hangupTwiml('Sorry, this call cannot continue. Goodbye.'));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  return async function handleVoice(raw: RawInbound, connectionId: string): Promise<HttpReply> {
    const record = (await findConnection(db, connectionId))!;
    const context = await connections.context(record);
    const call = parseVoiceRequest(raw, context);
    const base = `${inboundUrl(publicUrl, 'twilio', connectionId)}/voice`;

    const repos = workspaceRepositories(db, record.workspaceId);
    const phone = await repos.phones.forConnection(connectionId, call.to);
    const channel = phone?.voiceChannelId ? await repos.channels.get(phone.voiceChannelId) : undefined;
    const deployment = channel && (await repos.deployments.findByChannel(channel.id));
    if (raw.subpath === '/voice/status') {
      if (channel && ['completed', 'busy', 'failed', 'no-answer', 'canceled'].includes(call.callStatus)) {
        await conversations.closeConversation(record.workspaceId, channel.id, call.from);
      }
      return { status: 204 };
    }
    if (!channel || !deployment || deployment.status !== DeploymentStatus.ACTIVE) {
      return twiml(hangupTwiml('Sorry, this number is not taking calls right now. Goodbye.'));
    }
    const agent = await repos.agents.get(deployment.agentId);

    const counter = (value: string | undefined) => (value !== undefined && /^\d{1,9}$/.test(value) ? Number(value) : 0);
    const turn = counter(raw.query.turn);
    const silences = counter(raw.query.silence);
    const next = (n: number, silence = 0) => `${base}/gather?turn=${n}&silence=${silence}`;

    if (raw.subpath === '/voice') {
      return twiml(
        gatherTwiml({
          say: agent?.introductionMessage ?? DEFAULT_GREETING,
          actionUrl: next(1),
          redirectUrl: next(1, 1),
          record: channel.recordingEnabled && isCallStart(call),
        }),
      );
    }

    // A Gather action (or the silence redirect).
    const event = voiceTurnEvent(call, String(turn));
    if (!event) {
      if (silences >= MAX_SILENCES) {
        await conversations.closeConversation(record.workspaceId, channel.id, call.from);
        return twiml(hangupTwiml("I haven't heard anything, so I'll hang up now. Goodbye."));
      }
      return twiml(gatherTwiml({ say: 'Are you still there?', actionUrl: next(turn), redirectUrl: next(turn, silences + 1) }));
    }
    if (!(await turns.claim(connectionId, call.callSid, turn))) return answeredBefore(connectionId, call.callSid, turn);
    let body: string;
    try {
      const answer =
        (await conversations.answerNow({
          workspaceId: record.workspaceId,
          channel,
          agentId: deployment.agentId,
          providerEventId: event.providerEventId,
          contact: event.contact,
          text: event.text,
          replyContext: event.replyContext,
        })) ?? 'One moment, please.';
      if (GOODBYE.test(event.text)) {
        await conversations.closeConversation(record.workspaceId, channel.id, call.from);
        body = hangupTwiml(answer);
      } else {
        body = gatherTwiml({ say: answer, actionUrl: next(turn + 1), redirectUrl: next(turn + 1, 1) });
      }
    } catch (error) {
      await turns.release(connectionId, call.callSid, turn);
      throw error;
    }
    await turns.answered(connectionId, call.callSid, turn, body);
    return twiml(body);
  };
}

/**
 * Voice gateway events (a speech gateway in front of a phone system, POSTing JSON):
 *
 *   { "event": "transcript" | "call.started" | "call.ended",
 *     "eventId": "evt_…",        ← unique per event, reused on retry: the dedupe key
 *     "callId": "call_…",        ← replies are addressed to it
 *     "to": "+15551230000",      ← the voice-gateway channel's identifier (number or line name)
 *     "from": "+15557654321",    ← the caller
 *     "text": "I'd like to…" }   ← transcripts only
 *
 * Transcripts become inbound messages; call.started / call.ended are acknowledged and yield none.
 * Other fields are ignored (gateways add confidence, language, …). Answer: 200 {"ok":true}.
 */
import { z } from 'zod';
import { InboundFormatError, type InboundEvent, type RawInbound } from '../adapter.js';
import { MAX_INBOUND_TEXT } from '../inbound-text.js';

const id = (what: string) =>
  z.string({ error: `must be a string (${what})` }).trim().min(1, `must not be empty (${what})`).max(256, 'must be at most 256 characters');

export const voiceGatewayEventSchema = z.object({
  event: z.enum(['transcript', 'call.started', 'call.ended'], { error: 'must be "transcript", "call.started" or "call.ended"' }),
  eventId: id('the event id'),
  callId: id('the call id'),
  to: id('the number or line that was called'),
  from: id('the caller'),
  text: z.string({ error: 'must be a string' }).max(MAX_INBOUND_TEXT, `must be at most ${MAX_INBOUND_TEXT} characters`).optional(),
});
export type VoiceGatewayEvent = z.output<typeof voiceGatewayEventSchema>;

export function parseVoiceGatewayEvent(raw: RawInbound): InboundEvent[] {
  let json: unknown;
  try {
    json = JSON.parse(raw.body.toString('utf8'));
  } catch {
    throw new InboundFormatError('The body must be JSON: {"event":"transcript","eventId":…,"callId":…,"to":…,"from":…,"text":…}');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new InboundFormatError('The body must be a JSON object');
  const result = voiceGatewayEventSchema.safeParse(json);
  if (!result.success) {
    const input = json as Record<string, unknown>;
    const details = result.error.issues
      .map((issue) => {
        const path = issue.path.map(String).join('.') || 'body';
        return issue.path.length === 1 && input[String(issue.path[0])] === undefined ? `${path}: required` : `${path}: ${issue.message}`;
      })
      .join('; ');
    throw new InboundFormatError(`Invalid voice gateway event: ${details}`);
  }
  const event = result.data;
  if (event.event !== 'transcript') return [];
  const text = event.text?.trim();
  if (!text) throw new InboundFormatError('Invalid voice gateway event: text: required (a transcript must carry the recognized text)');
  return [
    {
      providerEventId: event.eventId,
      channelIdentifier: event.to,
      contact: { externalId: event.from },
      text,
      replyContext: { callId: event.callId },
    },
  ];
}

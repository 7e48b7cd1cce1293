/**
 * The transcript a human agent reads when a handoff lands in a helpdesk: a short header (reason,
 * contact, channel, conversation id) and one line per recorded turn, oldest first, in UTC. Very
 * long transcripts keep their most recent turns (helpdesks cap comment sizes: Zendesk at 64 KB).
 */
import type { HandoffContext } from './connector.js';

/** Default cap on the rendered transcript, in characters. */
export const TRANSCRIPT_MAX_CHARS = 50_000;

export function contactLabel(context: HandoffContext): string {
  return context.conversation.contactName?.trim() || context.conversation.contactExternalId?.trim() || 'Contact';
}

export function speakerOf(context: HandoffContext, role: HandoffContext['transcript'][number]['role']): string {
  if (role === 'contact') return contactLabel(context);
  return role === 'agent' ? 'AI agent' : 'Human agent';
}

/** `2025-06-09 10:00:02 UTC`. */
export function utc(at: number): string {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return 'unknown time';
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function fit(context: HandoffContext, maxChars: number): { lines: string[]; omitted: number } {
  const lines = context.transcript.map((turn) => `[${utc(turn.at)}] ${speakerOf(context, turn.role)}: ${turn.text}`);
  let total = 0;
  let keep = lines.length;
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    total += lines[i]!.length + 1;
    if (total > maxChars) break;
    keep = i;
  }
  if (keep === lines.length && lines.length > 0) {
    // Not even the newest turn fits: show its beginning rather than nothing.
    return { lines: [`${lines.at(-1)!.slice(0, Math.max(0, maxChars - 1))}…`], omitted: lines.length - 1 };
  }
  return { lines: lines.slice(keep), omitted: keep };
}

/** One line per turn, oldest first; the oldest are dropped (and counted) past `maxChars`. */
export function transcriptLines(context: HandoffContext, maxChars = TRANSCRIPT_MAX_CHARS): string[] {
  const { lines, omitted } = fit(context, maxChars);
  return omitted > 0 ? [`… ${omitted} earlier turn${omitted === 1 ? '' : 's'} omitted`, ...lines] : lines;
}

/** True when `transcriptLines(context, maxChars)` has to leave turns out. */
export function transcriptTruncated(context: HandoffContext, maxChars = TRANSCRIPT_MAX_CHARS): boolean {
  return fit(context, maxChars).omitted > 0;
}

/** The header lines: why, who, where. */
export function handoffHeader(context: HandoffContext): string[] {
  const { conversation } = context;
  const contact = [conversation.contactName, conversation.contactExternalId].filter((part) => part && part.trim().length > 0);
  return [
    `Handoff from Switchboard: ${context.reason.length > 500 ? `${context.reason.slice(0, 499)}…` : context.reason}`,
    `Contact: ${contact.length > 0 ? contact.join(', ') : conversation.contactId} (via ${conversation.channelType})`,
    `Switchboard conversation: ${conversation.id}`,
  ];
}

/** Header, a blank line, then the transcript (or a note that there is none). */
export function handoffText(context: HandoffContext, maxChars = TRANSCRIPT_MAX_CHARS): string {
  const lines = transcriptLines(context, maxChars);
  return [...handoffHeader(context), '', 'Transcript:', ...(lines.length > 0 ? lines : ['(no messages recorded)'])].join('\n');
}

/** A one-line subject: `Handoff: Ada Lovelace via whatsapp`. */
export function handoffSubject(context: HandoffContext): string {
  const subject = `Handoff: ${contactLabel(context)} via ${context.conversation.channelType}`;
  return subject.length > 150 ? `${subject.slice(0, 149)}…` : subject;
}

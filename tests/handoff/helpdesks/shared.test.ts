import { describe, expect, it } from 'vitest';
import { chunkText, stableUuid } from '../../../packages/server/src/handoff/helpdesks/http.js';
import { handoffText, transcriptLines, transcriptTruncated } from '../../../packages/server/src/handoff/helpdesks/transcript.js';
import { connectionContext, handoffContext, T0 } from './support.js';

const connection = connectionContext({ id: 'conn_x', provider: 'webhook', inboundSecret: 's' });

describe('handoff transcript', () => {
  it('renders a header and one UTC line per turn, speakers named', () => {
    const text = handoffText(handoffContext(connection, { transcript: [...handoffContext(connection).transcript, { role: 'human', text: 'Taking over.', at: T0 + 60_000 }] }));
    expect(text.split('\n')).toEqual([
      'Handoff from Switchboard: The contact asked for a person',
      'Contact: Ada Lovelace, +447700900123 (via whatsapp)',
      'Switchboard conversation: conv_7Hq2LmX9',
      '',
      'Transcript:',
      '[2025-06-09 10:00:00 UTC] Ada Lovelace: Hi, my order #1042 never arrived.',
      '[2025-06-09 10:00:02 UTC] AI agent: Sorry to hear that! Let me check order #1042.',
      '[2025-06-09 10:00:04 UTC] AI agent: It shows as delivered on June 2nd.',
      '[2025-06-09 10:00:30 UTC] Ada Lovelace: It was not. I want to talk to a real person.',
      '[2025-06-09 10:01:00 UTC] Human agent: Taking over.',
    ]);
  });

  it('keeps the newest turns within the limit and says how many were left out', () => {
    const context = handoffContext(connection, { transcript: Array.from({ length: 10 }, (_, i) => ({ role: 'contact' as const, text: `message ${i} ${'a'.repeat(50)}`, at: T0 })) });
    const lines = transcriptLines(context, 310);
    expect(lines[0]).toBe('… 7 earlier turns omitted');
    expect(lines.slice(1).map((line) => line.match(/message (\d)/)![1])).toEqual(['7', '8', '9']);
    expect(transcriptTruncated(context, 310)).toBe(true);
    expect(transcriptTruncated(context)).toBe(false);
  });

  it('a single turn longer than the limit is cut rather than dropped; no turns is said so', () => {
    const huge = handoffContext(connection, { transcript: [{ role: 'contact', text: 'b'.repeat(10_000), at: T0 }] });
    const lines = transcriptLines(huge, 1000);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.length).toBe(1000);
    expect(handoffText(handoffContext(connection, { transcript: [] }))).toContain('Transcript:\n(no messages recorded)');
  });
});

describe('chunkText and stableUuid', () => {
  it('splits at line breaks where it can, hard-splits lines that are too long', () => {
    expect(chunkText('aaa\nbbb\nccc', 7)).toEqual(['aaa\nbbb', 'ccc']);
    expect(chunkText('x'.repeat(10), 4)).toEqual(['xxxx', 'xxxx', 'xx']);
    expect(chunkText('short', 100)).toEqual(['short']);
    for (const piece of chunkText(`${'y'.repeat(50)}\n${'z'.repeat(120)}\nend`, 40)) expect(piece.length).toBeLessThanOrEqual(40);
  });

  it('derives the same UUID-shaped id from the same parts', () => {
    expect(stableUuid('a', 1)).toBe(stableUuid('a', 1));
    expect(stableUuid('a', 1)).not.toBe(stableUuid('a', 2));
    expect(stableUuid('a', 1)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

import { describe, expect, it } from 'vitest';
import { SseDecoder } from '@switchboard/server';
import { chatCompletionChunks } from '../../packages/server/src/agents/openai-compatible.js';

function decodeInPieces(text: string, cuts: number[]): string[] {
  const decoder = new SseDecoder();
  const events: string[] = [];
  let last = 0;
  for (const cut of [...cuts, text.length]) {
    events.push(...decoder.push(text.slice(last, cut)));
    last = cut;
  }
  return [...events, ...decoder.end()];
}

function streamOf(pieces: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const piece of pieces) controller.enqueue(piece);
      controller.close();
    },
  });
}

async function collect(chunks: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

describe('SseDecoder', () => {
  const text = ': comment\r\nevent: message\r\nid: 1\r\ndata: first\r\ndata:  second line\r\n\r\ndata: {"a":1}\n\ndata\r\rretry: 10\ndata: last';
  const expected = ['first\n second line', '{"a":1}', '', 'last'];

  it('handles \\n, \\r\\n and \\r endings, comments, other fields and a missing final blank line', () => {
    expect(decodeInPieces(text, [])).toEqual(expected);
  });

  it('gives the same events wherever the text is cut, including between \\r and \\n', () => {
    for (let i = 0; i <= text.length; i++) {
      expect(decodeInPieces(text, [i]), `cut at ${i}`).toEqual(expected);
      for (let j = i; j <= text.length; j += 7) expect(decodeInPieces(text, [i, j]), `cuts at ${i}, ${j}`).toEqual(expected);
    }
    const oneByOne = [...Array(text.length).keys()];
    expect(decodeInPieces(text, oneByOne)).toEqual(expected);
  });

  it('splits events a lax server runs together without blank lines', () => {
    expect(decodeInPieces('data: {"n":1}\ndata: {"n":2}\ndata: [DONE]\n', [])).toEqual(['{"n":1}', '{"n":2}', '[DONE]']);
  });
});

describe('chatCompletionChunks', () => {
  const event = (content: string) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\r\n\r\n`;
  const body = Buffer.from(
    ': ping\r\n\r\n' + event('Grüße, ') + event('🌍') + event('!') + `data: ${JSON.stringify({ choices: [{ delta: {}, finish_reason: 'stop' }] })}\r\n\r\ndata: [DONE]\r\n\r\n`,
    'utf8',
  );

  it('yields each delta whatever the byte boundaries, multi-byte characters included', async () => {
    for (let cut = 0; cut <= body.length; cut++) {
      const chunks = await collect(chatCompletionChunks(streamOf([body.subarray(0, cut), body.subarray(cut)])));
      expect(chunks, `cut at ${cut}`).toEqual(['Grüße, ', '🌍', '!']);
    }
    const bytes = [...body].map((b) => Uint8Array.of(b));
    expect(await collect(chatCompletionChunks(streamOf(bytes)))).toEqual(['Grüße, ', '🌍', '!']);
  });

  it('stops at [DONE] and ignores what follows', async () => {
    const chunks = await collect(chatCompletionChunks(streamOf([Buffer.from(event('a') + 'data: [DONE]\n\n' + event('after'))])));
    expect(chunks).toEqual(['a']);
  });

  it('fails when the stream ends early', async () => {
    await expect(collect(chatCompletionChunks(streamOf([Buffer.from(event('cut'))])))).rejects.toThrow(/ended before \[DONE\]/);
  });
});

import type { AgentBackendType } from '@switchboard/core';
import { VERSION } from '../version.js';
import { BackendError, bodySnippet, readBody, type AgentBackendHandler, type BackendFor } from './backend.js';
import { SseDecoder } from './sse.js';
import type { AgentTurnInput } from './types.js';

const MAX_JSON_BYTES = 4 * 1024 * 1024;

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/**
 * The agent's instructions, then its guardrails when it has any (WIIL's instruction
 * configurations keep the rules the model must follow apart from the instructions).
 */
export function systemPrompt(agent: { instructions: string; instructionProfile?: { guardrails?: string } | null }): string {
  const guardrails = agent.instructionProfile?.guardrails?.trim();
  if (!guardrails) return agent.instructions;
  return agent.instructions.trim() === '' ? guardrails : `${agent.instructions}\n\n${guardrails}`;
}

/** System prompt (the agent's instructions, when any), the transcript, then the message being answered. */
export function chatMessages(instructions: string, input: AgentTurnInput): ChatMessage[] {
  return [
    ...(instructions.trim() !== '' ? [{ role: 'system' as const, content: instructions }] : []),
    ...input.history.map((turn) => ({ role: turn.role === 'contact' ? ('user' as const) : ('assistant' as const), content: turn.text })),
    { role: 'user', content: input.text },
  ];
}

interface ChatChunk {
  error?: { message?: string } | string;
  choices?: { delta?: { content?: unknown }; message?: { content?: unknown }; finish_reason?: unknown }[];
}

function errorMessage(error: ChatChunk['error']): string {
  return typeof error === 'string' ? error : (error?.message ?? JSON.stringify(error));
}

/**
 * The reply chunks of a streamed chat completion: `data: {json}` events carrying
 * `choices[0].delta.content`, ended by `data: [DONE]`. A stream that closes before `[DONE]`
 * or a `finish_reason` was cut short, and fails; an `error` event fails too.
 */
export async function* chatCompletionChunks(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const sse = new SseDecoder();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      const events = done ? [...sse.push(decoder.decode()), ...sse.end()] : sse.push(decoder.decode(value, { stream: true }));
      for (const data of events) {
        if (data.trim() === '') continue; // a keep-alive with an empty data field
        if (data.trim() === '[DONE]') return;
        let chunk: ChatChunk;
        try {
          chunk = JSON.parse(data) as ChatChunk;
        } catch {
          throw new BackendError('malformed stream event: not JSON');
        }
        if (chunk.error !== undefined) throw new BackendError(`stream error: ${errorMessage(chunk.error)}`);
        const choice = chunk.choices?.[0];
        const content = choice?.delta?.content;
        if (typeof content === 'string' && content !== '') yield content;
        if (choice?.finish_reason) finished = true;
      }
      if (done) break;
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
  if (!finished) throw new BackendError('stream ended before [DONE]');
}

/** `choices[0].message.content` of a non-streamed answer. */
function completionText(json: ChatChunk): string {
  if (json.error !== undefined) throw new BackendError(`chat completions error: ${errorMessage(json.error)}`);
  const content = json.choices?.[0]?.message?.content;
  if (typeof content !== 'string') throw new BackendError('chat completions answer has no choices[0].message.content');
  return content;
}

/**
 * Chat completions from any OpenAI-compatible server (OpenAI, Azure-style gateways, Ollama,
 * vLLM, llama.cpp…): POST `${baseUrl}/chat/completions` with `stream: true`; a server that
 * answers plain JSON instead is accepted too.
 */
export const openAICompatibleBackend: AgentBackendHandler<BackendFor<AgentBackendType.OPENAI_COMPATIBLE>> = {
  async respond({ agent, backend, input, signal, fetch }) {
    const url = `${backend.baseUrl.replace(/\/+$/, '')}/chat/completions`;
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream, application/json',
        'user-agent': `Switchboard/${VERSION}`,
        ...(backend.apiKey && { authorization: `Bearer ${backend.apiKey}` }),
      },
      body: JSON.stringify({
        model: backend.model,
        stream: true,
        messages: chatMessages(systemPrompt(agent), input),
        ...(backend.temperature !== undefined && { temperature: backend.temperature }),
        ...(backend.maxTokens !== undefined && { max_tokens: backend.maxTokens }),
      }),
      signal,
      // Never replay the request (and its key) to wherever a redirect points.
      redirect: 'manual',
    });
    if (!response.ok) {
      const detail = await bodySnippet(response);
      throw new BackendError(`chat completions answered HTTP ${response.status}${detail ? `: ${detail}` : ''}`, { status: response.status });
    }
    if (!response.body) throw new BackendError('chat completions answered without a body', { status: response.status });
    const contentType = response.headers.get('content-type') ?? '';
    if (contentType.includes('text/event-stream')) return { kind: 'stream', chunks: chatCompletionChunks(response.body) };

    const text = await readBody(response, MAX_JSON_BYTES);
    let json: ChatChunk;
    try {
      json = JSON.parse(text) as ChatChunk;
    } catch {
      // An event stream without its content type.
      if (/^\s*(data:|:)/.test(text)) {
        return { kind: 'stream', chunks: chatCompletionChunks(new Blob([text]).stream() as ReadableStream<Uint8Array>) };
      }
      throw new BackendError('chat completions answer is neither JSON nor an event stream');
    }
    return { kind: 'text', text: completionText(json) };
  },
};

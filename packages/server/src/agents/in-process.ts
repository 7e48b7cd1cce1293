import { AgentBackendType, sanitizeQuickReplies } from '@switchboard/core';
import type { StoredAgentBackend } from '../store/repositories/agents.js';
import { scriptedAnswer } from './scripted.js';

/** A reply known at once, as the runner would return it. */
export interface ImmediateReply {
  kind: 'reply';
  text: string;
  fallback: false;
  quickReplies?: string[];
}

/**
 * The reply of a backend that answers from the message text alone, in this process (echo,
 * scripted): known before anything is written. Undefined for backends that answer over the
 * network, and for an answer the runner would not pass on as it is (empty, or with quick
 * replies it would drop with a warning), which then takes the runner's own way.
 */
export function inProcessAnswer(backend: StoredAgentBackend, text: string): ImmediateReply | undefined {
  let answer: { reply: string; quickReplies?: string[] | undefined };
  switch (backend.type) {
    case AgentBackendType.ECHO:
      answer = { reply: text };
      break;
    case AgentBackendType.SCRIPTED:
      answer = scriptedAnswer(backend, text);
      break;
    default:
      return undefined;
  }
  if (answer.reply.trim() === '') return undefined;
  const { quickReplies, dropped } = sanitizeQuickReplies(answer.quickReplies);
  if (dropped.length > 0) return undefined;
  return { kind: 'reply', text: answer.reply, fallback: false, ...(quickReplies.length > 0 && { quickReplies }) };
}

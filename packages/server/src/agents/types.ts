import type { Agent } from '@switchboard/core';
import type { StoredAgentBackend } from '../store/repositories/agents.js';
import type { ImmediateReply } from './in-process.js';

/** One earlier turn of the conversation, oldest first. Turns whose body was not recorded are left out. */
export interface TranscriptTurn {
  role: 'contact' | 'agent';
  text: string;
}

/** What an agent is asked to answer. */
export interface AgentTurnInput {
  workspaceId: string;
  conversationId: string;
  /** The deployment channel type the contact wrote on (`web`, `sms`, …). */
  channelType: string;
  contactId: string;
  /** Id of the contact message being answered (`msg_…`). */
  messageId: string;
  text: string;
  history: TranscriptTurn[];
}

export type AgentOutcome =
  /**
   * The reply text; `fallback` is true when the backend failed or was too slow and the polite fallback stands in.
   * `quickReplies`: valid suggested replies offered with it (absent when none).
   */
  | { kind: 'reply'; text: string; fallback: boolean; handoff?: { reason: string }; quickReplies?: string[] }
  /** The backend accepted the turn and will post its reply later through the API. */
  | { kind: 'deferred' };

export interface AgentRunner {
  /**
   * Asks the agent's backend for a reply. Streaming backends call `onDelta` with each chunk
   * as it arrives; the outcome's text is always the whole reply. Never throws: failures
   * become a fallback reply and a logged error.
   */
  respond(agentId: string, workspaceId: string, input: AgentTurnInput, onDelta: (chunk: string) => void): Promise<AgentOutcome>;
  /**
   * The reply `respond` would give, when the agent's backend (as stored) answers from the text
   * alone without leaving the process; undefined otherwise. A contact message and such a reply
   * can then be stored together.
   */
  answerAtOnce?(backend: StoredAgentBackend, text: string): ImmediateReply | undefined;
}

export type { Agent };

import type { Agent } from '@switchboard/core';

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
  /** The reply text; `fallback` is true when the backend failed or was too slow and the polite fallback stands in. */
  | { kind: 'reply'; text: string; fallback: boolean; handoff?: { reason: string } }
  /** The backend accepted the turn and will post its reply later through the API. */
  | { kind: 'deferred' };

export interface AgentRunner {
  /**
   * Asks the agent's backend for a reply. Streaming backends call `onDelta` with each chunk
   * as it arrives; the outcome's text is always the whole reply. Never throws: failures
   * become a fallback reply and a logged error.
   */
  respond(agentId: string, workspaceId: string, input: AgentTurnInput, onDelta: (chunk: string) => void): Promise<AgentOutcome>;
}

export type { Agent };

import type { Kysely } from 'kysely';
import { AgentBackendType, sanitizeQuickReplies } from '@switchboard/core';
import type { DB } from '../store/schema.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { loadOpenedAgent, type OpenedAgent, type OpenedAgentBackend } from './backend-store.js';
import { BackendError, type AgentBackendHandler, type FetchFunction } from './backend.js';
import { echoBackend } from './echo.js';
import { scriptedBackend } from './scripted.js';
import { webhookBackend } from './webhook.js';
import { openAICompatibleBackend } from './openai-compatible.js';
import { inProcessAnswer } from './in-process.js';
import type { AgentOutcome, AgentRunner, AgentTurnInput } from './types.js';
import { withoutNul } from '../http/nul-characters.js';

export const DEFAULT_FALLBACK_TEXT = "Sorry — I'm having trouble answering right now. Please try again in a moment.";
/** The limit for loading the agent, and for backends without a `timeoutMs` of their own (echo, scripted). */
export const DEFAULT_RUNNER_TIMEOUT_MS = 15_000;

/** pino-like; fastify's `server.log` fits. */
export interface RunnerLogger {
  error(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface AgentRunnerOptions {
  db: Kysely<DB>;
  secretBox: SecretBox;
  logger: RunnerLogger;
  /** Defaults to the global fetch. */
  fetch?: FetchFunction;
  /** The reply sent when a backend fails or is too slow. */
  fallbackText?: string;
  /** Limit for loading the agent and for echo and scripted agents (webhook and openai-compatible use their `timeoutMs`). */
  defaultTimeoutMs?: number;
}

export const BACKENDS: { [T in AgentBackendType]: AgentBackendHandler<Extract<OpenedAgentBackend, { type: T }>> } = {
  [AgentBackendType.ECHO]: echoBackend,
  [AgentBackendType.SCRIPTED]: scriptedBackend,
  [AgentBackendType.WEBHOOK]: webhookBackend,
  [AgentBackendType.OPENAI_COMPATIBLE]: openAICompatibleBackend,
};

/** The runner gave up waiting: the backend took longer than its `timeoutMs`. */
export class BackendTimeoutError extends BackendError {
  constructor(readonly timeoutMs: number) {
    super(`no complete reply within ${timeoutMs} ms`);
    this.name = 'BackendTimeoutError';
  }
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  const causeText = cause instanceof Error ? cause.message : cause !== undefined ? String(cause) : '';
  return causeText && !error.message.includes(causeText) ? `${error.message} (${causeText})` : error.message;
}

/**
 * The real agent runner: loads the agent (within its workspace) with its secrets opened,
 * asks its backend under an overall timeout (the backend's `timeoutMs`, enforced with an
 * AbortController and a race, so a backend that ignores the abort cannot hang the turn),
 * streams chunks through `onDelta` and returns the whole reply. Any failure (agent missing,
 * secret that does not open, network error, non-2xx, malformed body, empty reply, timeout)
 * becomes `{kind: 'reply', text: fallbackText, fallback: true}` and one logged error naming
 * the agent and the cause. Never throws.
 *
 * Deltas already sent before a stream fails midway are superseded by the fallback outcome;
 * after `respond` settles, `onDelta` is never called again.
 */
export function createAgentRunner(options: AgentRunnerOptions): AgentRunner {
  const { db, secretBox, logger } = options;
  const fetchFn: FetchFunction = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const fallbackText = options.fallbackText ?? DEFAULT_FALLBACK_TEXT;
  const defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_RUNNER_TIMEOUT_MS;

  /** The valid quick replies of a backend's answer; the invalid ones are dropped with a warning, never an error. */
  function keptQuickReplies(raw: unknown, agentId: string, input: AgentTurnInput): string[] {
    const { quickReplies, dropped } = sanitizeQuickReplies(raw);
    if (dropped.length > 0) {
      logger.warn(
        { agentId, conversationId: input.conversationId, messageId: input.messageId, dropped },
        `agent ${agentId} answered invalid quick replies; ${dropped.length} dropped`,
      );
    }
    return quickReplies;
  }

  async function answer(agent: OpenedAgent, input: AgentTurnInput, signal: AbortSignal, emit: (chunk: string) => void): Promise<AgentOutcome> {
    const handler = BACKENDS[agent.backend.type] as AgentBackendHandler;
    // A reply holding a NUL could not be stored on PostgreSQL (http/nul-characters.ts).
    const result = withoutNul(await handler.respond({ agent, backend: agent.backend, input, signal, fetch: fetchFn }));
    if (result.kind === 'deferred') return { kind: 'deferred' };
    if (result.kind === 'text') {
      if (result.text.trim() === '') throw new BackendError('the backend answered an empty reply');
      emit(result.text);
      const quickReplies = keptQuickReplies(result.quickReplies, agent.id, input);
      return {
        kind: 'reply',
        text: result.text,
        fallback: false,
        ...(result.handoff && { handoff: result.handoff }),
        ...(quickReplies.length > 0 && { quickReplies }),
      };
    }
    let text = '';
    for await (const sent of result.chunks) {
      if (signal.aborted) throw signal.reason;
      const chunk = withoutNul(sent);
      text += chunk;
      emit(chunk);
    }
    if (text.trim() === '') throw new BackendError('the backend streamed an empty reply');
    return { kind: 'reply', text, fallback: false };
  }

  return {
    answerAtOnce: inProcessAnswer,
    async respond(agentId, workspaceId, input, onDelta) {
      const startedAt = Date.now();
      let backendType: string | undefined;
      let settled = false;
      const emit = (chunk: string) => {
        if (settled) return;
        try {
          onDelta(chunk);
        } catch (error) {
          logger.warn({ agentId, conversationId: input.conversationId, err: error }, 'onDelta threw; the reply goes on');
        }
      };

      const controller = new AbortController();
      const timers: NodeJS.Timeout[] = [];
      /** Settles with `work`, or rejects with a BackendTimeoutError (aborting the signal) after `ms`. */
      const within = <T>(work: Promise<T>, ms: number): Promise<T> => {
        work.catch(() => undefined); // it may still fail after the timeout won the race
        const timeout = new Promise<never>((_resolve, reject) => {
          timers.push(
            setTimeout(() => {
              const error = new BackendTimeoutError(ms);
              controller.abort(error);
              reject(error);
            }, ms),
          );
        });
        return Promise.race([work, timeout]);
      };

      try {
        const agent = await within(loadOpenedAgent(db, secretBox, workspaceId, agentId), defaultTimeoutMs);
        if (!agent) throw new BackendError(`agent ${agentId} not found in workspace ${workspaceId}`);
        backendType = agent.backend.type;
        const timeoutMs = 'timeoutMs' in agent.backend ? agent.backend.timeoutMs : defaultTimeoutMs;
        return await within(answer(agent, input, controller.signal, emit), timeoutMs);
      } catch (error) {
        logger.error(
          {
            agentId,
            workspaceId,
            conversationId: input.conversationId,
            messageId: input.messageId,
            backend: backendType,
            elapsedMs: Date.now() - startedAt,
            ...(error instanceof BackendError && error.status !== undefined && { status: error.status }),
            cause: describeError(error),
            err: error,
          },
          `agent ${agentId} failed to answer; sent the fallback reply`,
        );
        return { kind: 'reply', text: fallbackText, fallback: true };
      } finally {
        settled = true;
        for (const timer of timers) clearTimeout(timer);
        // Releases whatever the backend still holds (a connection, a stream) once the turn is over.
        if (!controller.signal.aborted) controller.abort(new Error('turn finished'));
      }
    },
  };
}

import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { AgentBackendType, type AgentBackendView, type ParsedAgentBackend, type ParsedScriptedBackend } from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { agentsRepository, type AgentRecord, type SealedSecret, type StoredAgentBackend } from '../store/repositories/agents.js';
import { SecretBox } from '../secrets/secret-box.js';
import { invalidField } from '../http/errors.js';

/** A backend with its secrets opened: what the runner calls. Never leaves the server. */
export type OpenedAgentBackend =
  | { type: AgentBackendType.ECHO }
  | ParsedScriptedBackend
  | { type: AgentBackendType.WEBHOOK; url: string; timeoutMs: number; secret: string }
  | {
      type: AgentBackendType.OPENAI_COMPATIBLE;
      baseUrl: string;
      model: string;
      temperature?: number | undefined;
      maxTokens?: number | undefined;
      timeoutMs: number;
      apiKey: string | null;
    };

export interface OpenedAgent extends Omit<AgentRecord, 'backend'> {
  backend: OpenedAgentBackend;
}

/** AAD binding a sealed secret to its agent and field. */
const secretContext = (agentId: string, field: 'secret' | 'apiKey') => `agent:${agentId}:${field}`;

/** A fresh Standard Webhooks signing secret: `whsec_` + base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

function seal(box: SecretBox, value: string, context: string): SealedSecret {
  return { sealed: box.encrypt(value, context), mask: SecretBox.mask(value), fingerprint: box.fingerprint(value) };
}

const sameOrigin = (a: string, b: string) => {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
};

/**
 * Turns a validated backend into its stored form, sealing its secrets under the agent's id.
 * `previous` is the stored backend being replaced (on update): a webhook `secret` or an
 * openai-compatible `apiKey` left out of a backend of the same type is kept from it, except an
 * API key whose `baseUrl` moves to another origin (the key is not sent to a new host unasked).
 * `signingSecret` is set when a webhook secret was generated: the caller shows it once.
 */
export function sealBackend(
  box: SecretBox,
  agentId: string,
  backend: ParsedAgentBackend,
  previous?: StoredAgentBackend,
): { backend: StoredAgentBackend; signingSecret?: string } {
  switch (backend.type) {
    case AgentBackendType.ECHO:
      return { backend: { type: AgentBackendType.ECHO } };
    case AgentBackendType.SCRIPTED:
      return {
        backend: {
          type: backend.type,
          rules: backend.rules,
          fallback: backend.fallback,
          ...(backend.fallbackQuickReplies?.length && { fallbackQuickReplies: backend.fallbackQuickReplies }),
        },
      };
    case AgentBackendType.WEBHOOK: {
      const base = { type: backend.type, url: backend.url, timeoutMs: backend.timeoutMs };
      if (backend.secret !== undefined) {
        return { backend: { ...base, secretSealed: seal(box, backend.secret, secretContext(agentId, 'secret')) } };
      }
      if (previous?.type === AgentBackendType.WEBHOOK) return { backend: { ...base, secretSealed: previous.secretSealed } };
      const generated = generateWebhookSecret();
      return { backend: { ...base, secretSealed: seal(box, generated, secretContext(agentId, 'secret')) }, signingSecret: generated };
    }
    case AgentBackendType.OPENAI_COMPATIBLE: {
      const { apiKey, ...rest } = backend;
      let apiKeySealed: SealedSecret | null = null;
      if (typeof apiKey === 'string') {
        apiKeySealed = seal(box, apiKey, secretContext(agentId, 'apiKey'));
      } else if (apiKey === undefined && previous?.type === AgentBackendType.OPENAI_COMPATIBLE && previous.apiKeySealed) {
        if (!sameOrigin(previous.baseUrl, backend.baseUrl)) {
          throw invalidField(
            'backend.apiKey',
            `Required when baseUrl moves to another origin (${new URL(previous.baseUrl).origin} → ${new URL(backend.baseUrl).origin}): ` +
              'the stored key is not sent to a new host. Send the key again, or null for none',
          );
        }
        apiKeySealed = previous.apiKeySealed;
      }
      return { backend: { ...rest, apiKeySealed } };
    }
  }
}

/** The public view of a stored backend: secrets as `{mask, fingerprint}` only. */
export function toBackendView(backend: StoredAgentBackend): AgentBackendView {
  const view = ({ mask, fingerprint }: SealedSecret) => ({ mask, fingerprint });
  switch (backend.type) {
    case AgentBackendType.ECHO:
      return { type: backend.type };
    case AgentBackendType.SCRIPTED:
      return {
        type: backend.type,
        rules: backend.rules.map((r) => ({
          match: r.match,
          pattern: r.pattern,
          reply: r.reply,
          caseSensitive: r.caseSensitive ?? false,
          ...(r.quickReplies?.length && { quickReplies: r.quickReplies }),
        })),
        fallback: backend.fallback,
        ...(backend.fallbackQuickReplies?.length && { fallbackQuickReplies: backend.fallbackQuickReplies }),
      };
    case AgentBackendType.WEBHOOK:
      return { type: backend.type, url: backend.url, timeoutMs: backend.timeoutMs, secret: view(backend.secretSealed) };
    case AgentBackendType.OPENAI_COMPATIBLE:
      return {
        type: backend.type,
        baseUrl: backend.baseUrl,
        model: backend.model,
        ...(backend.temperature !== undefined && { temperature: backend.temperature }),
        ...(backend.maxTokens !== undefined && { maxTokens: backend.maxTokens }),
        timeoutMs: backend.timeoutMs,
        apiKey: backend.apiKeySealed ? view(backend.apiKeySealed) : null,
      };
  }
}

/** Opens a stored backend's secrets (throws SecretBoxError when they do not open). */
export function openBackend(box: SecretBox, agentId: string, backend: StoredAgentBackend): OpenedAgentBackend {
  switch (backend.type) {
    case AgentBackendType.ECHO:
    case AgentBackendType.SCRIPTED:
      return backend;
    case AgentBackendType.WEBHOOK: {
      const { secretSealed, ...rest } = backend;
      return { ...rest, secret: box.decrypt(secretSealed.sealed, secretContext(agentId, 'secret')) };
    }
    case AgentBackendType.OPENAI_COMPATIBLE: {
      const { apiKeySealed, ...rest } = backend;
      return { ...rest, apiKey: apiKeySealed ? box.decrypt(apiKeySealed.sealed, secretContext(agentId, 'apiKey')) : null };
    }
  }
}

/** Loads an agent of the workspace with its secrets opened, for the runner; undefined when it does not exist there. */
export async function loadOpenedAgent(db: Kysely<DB>, box: SecretBox, workspaceId: string, agentId: string): Promise<OpenedAgent | undefined> {
  const record = await agentsRepository(db, workspaceId).get(agentId);
  if (!record) return undefined;
  return { ...record, backend: openBackend(box, record.id, record.backend) };
}

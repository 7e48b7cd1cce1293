import { createHmac } from 'node:crypto';
import type { AgentBackendType } from '@switchboard/core';
import { VERSION } from '../version.js';
import { BackendError, bodySnippet, readBody, type AgentBackendHandler, type BackendFor } from './backend.js';

const MAX_REPLY_BYTES = 1024 * 1024;

/**
 * The Standard Webhooks signature of one delivery: `v1,<base64 HMAC-SHA256>` over
 * `${id}.${timestamp}.${body}`, keyed with the base64-decoded part of the secret after `whsec_`.
 */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** The JSON the operator's URL receives for each contact message. */
export interface WebhookTurnPayload {
  type: 'conversation.message';
  agentId: string;
  conversationId: string;
  contactId: string;
  channelType: string;
  message: { id: string; text: string };
  history: { role: 'contact' | 'agent'; text: string }[];
}

/**
 * POSTs the turn to the operator's URL, signed with Standard Webhooks (`webhook-id` is the
 * message id, so a retried delivery is recognisable). A 2xx answer with `{"reply": "…"}` (or
 * `{"text": "…"}`, optionally with `"quickReplies": ["…"]` and `"handoff"`) is the reply; 202 or 204 means the reply will be posted later through the
 * API; anything else (other statuses, redirects, a body without a reply) is a failure.
 */
export const webhookBackend: AgentBackendHandler<BackendFor<AgentBackendType.WEBHOOK>> = {
  async respond({ agent, backend, input, signal, fetch }) {
    const payload: WebhookTurnPayload = {
      type: 'conversation.message',
      agentId: agent.id,
      conversationId: input.conversationId,
      contactId: input.contactId,
      channelType: input.channelType,
      message: { id: input.messageId, text: input.text },
      history: input.history,
    };
    const body = JSON.stringify(payload);
    const timestamp = Math.floor(Date.now() / 1000);
    const response = await fetch(backend.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        'user-agent': `Switchboard/${VERSION}`,
        'webhook-id': input.messageId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signWebhook(backend.secret, input.messageId, timestamp, body),
      },
      body,
      signal,
      // A redirected POST would turn into a GET elsewhere: point the URL at the final address instead.
      redirect: 'manual',
    });
    if (response.status === 202 || response.status === 204) {
      await response.body?.cancel().catch(() => undefined);
      return { kind: 'deferred' };
    }
    if (response.status < 200 || response.status >= 300) {
      const detail = await bodySnippet(response);
      const redirect = response.status >= 300 && response.status < 400 ? ' (redirects are not followed)' : '';
      throw new BackendError(`webhook answered HTTP ${response.status}${redirect}${detail ? `: ${detail}` : ''}`, { status: response.status });
    }
    const text = await readBody(response, MAX_REPLY_BYTES);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new BackendError(`webhook answered HTTP ${response.status} without a JSON body: expected {"reply": "…"}`, { status: response.status });
    }
    const reply = (parsed as { reply?: unknown } | null)?.reply ?? (parsed as { text?: unknown } | null)?.text;
    if (typeof reply !== 'string') {
      throw new BackendError(`webhook answered HTTP ${response.status} without a string "reply" field: expected {"reply": "…"}`, {
        status: response.status,
      });
    }
    // `"handoff": true` (or `{"reason": "…"}`) asks for a person to take the conversation over.
    const handoff = (parsed as { handoff?: unknown }).handoff;
    const reason =
      handoff === true ? 'The agent asked for a person' : typeof (handoff as { reason?: unknown } | null)?.reason === 'string' ? String((handoff as { reason: string }).reason) : undefined;
    // `"quickReplies": ["Yes", "No"]`: suggested replies, checked by the runner.
    const quickReplies = (parsed as { quickReplies?: unknown }).quickReplies;
    return { kind: 'text', text: reply, ...(reason && { handoff: { reason } }), ...(quickReplies !== undefined && { quickReplies }) };
  },
};

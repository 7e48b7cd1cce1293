import {
  conversationMessageSchema,
  type Conversation,
  type ConversationMessageRequest,
  type Message,
  type PaginatedResult,
} from '@switchboard/core';
import { apiPath, type HttpClient } from '../http.js';
import { paginationQuery, type PaginationParams } from '../pagination.js';
import { assertValid, requireId } from '../validation.js';

/** Conversations: the exchanges between a contact (e.g. a website visitor) and an agent, with their transcripts. */
export class ConversationsResource {
  readonly #http: HttpClient;

  constructor(http: HttpClient) {
    this.#http = http;
  }

  /** Lists conversations one page at a time, oldest first. */
  async list(params?: PaginationParams): Promise<PaginatedResult<Conversation>> {
    return this.#http.requestPage({ method: 'GET', path: '/conversations', query: paginationQuery(params) });
  }

  /** Fetches a conversation by id. @throws NotFoundError when it does not exist. */
  async get(id: string): Promise<Conversation> {
    requireId(id);
    return this.#http.request({ method: 'GET', path: apiPath`/conversations/${id}` });
  }

  /**
   * The transcript of conversation `id`, one page at a time, oldest first. `text` is null for
   * messages of channels with `recordingEnabled: false`: their bodies are never stored.
   */
  async messages(id: string, params?: PaginationParams): Promise<PaginatedResult<Message>> {
    requireId(id);
    return this.#http.requestPage({
      method: 'GET',
      path: apiPath`/conversations/${id}/messages`,
      query: paginationQuery(params),
    });
  }

  /**
   * Posts an agent reply into conversation `id`, for backends that answer later (a webhook
   * agent that returned 202, say). The reply reaches the contact live. Idempotent on
   * `clientMessageId`: posting the same id again stores nothing new.
   * @throws ValidationError before sending when a rule is broken (empty text, over 4000 characters, …).
   */
  async postMessage(id: string, request: ConversationMessageRequest): Promise<Message> {
    requireId(id);
    assertValid(conversationMessageSchema, request);
    return this.#http.request({ method: 'POST', path: apiPath`/conversations/${id}/messages`, body: request });
  }
}

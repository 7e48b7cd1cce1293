import {
  conversationMessageSchema,
  handoffAcceptSchema,
  handoffRequestSchema,
  type Conversation,
  type ConversationMessageRequest,
  type Message,
  type PaginatedResult,
} from '@switchboard/core';
import { apiPath, type HttpClient } from '../http.js';
import { paginationQuery, type PaginationParams } from '../pagination.js';
import { assertValid, requireId } from '../validation.js';
import { ValidationError } from '../errors.js';

/** A reply from the agent's backend, posted later (a webhook agent that answered 202, say). */
export type AgentMessageRequest = Omit<ConversationMessageRequest, 'role' | 'memberId'> & { role?: 'agent'; memberId?: never };

/** A team member's reply in a handed-off conversation. */
export type HumanMessageRequest = Omit<ConversationMessageRequest, 'role' | 'memberId' | 'clientMessageId'> & {
  role: 'human';
  /** The team member writing: a member of the team the conversation was handed to. */
  memberId: string;
};

/** The body of {@link ConversationsResource.postMessage}: an agent reply (the default) or a person's. */
export type PostMessageRequest = AgentMessageRequest | HumanMessageRequest;

/** A file for {@link ConversationsResource.sendAttachment}. */
export interface AttachmentUpload {
  /** The name people see (a path is cut to its last part). */
  name: string;
  /** Its media type, e.g. `application/pdf`. */
  contentType: string;
  /** Its bytes: at most 25 MiB. */
  data: Uint8Array | ArrayBuffer | Blob;
  /** `agent` (the default) or `human`: a person's reply in a handed-off conversation. */
  role?: 'agent' | 'human';
  /** Who writes a `human` message: a team member or workspace member id. */
  memberId?: string;
}

/** The body of {@link ConversationsResource.handoff}. */
export interface HandoffRequest {
  /** The team to hand to; by default the channel's first assignable team. */
  teamId?: string;
  /** Why, at most 500 characters; shown to the helpdesk and in the `handoff.requested` event. */
  reason?: string;
}

/**
 * Conversations: the exchanges between a contact (e.g. a website visitor) and an agent, with
 * their transcripts, and their handoff to people. `handoffState` says who answers: the agent
 * (`bot`), nobody yet (`pending_human`), a team member (`human`), until `resolved`.
 */
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
   * Posts a message into conversation `id`; it reaches the contact through the channel they used
   * (live to the widget, or through the outbox to the provider).
   * - `{ text, clientMessageId? }` (role `agent`): a reply from a backend that answers later (a
   *   webhook agent that returned 202, say). Idempotent on `clientMessageId`: posting the same id
   *   again stores nothing new.
   * - `{ role: 'human', memberId, text }`: a team member's reply in a handed-off conversation,
   *   stored with `authorId: memberId`. On a conversation pending a person it accepts it first;
   *   the member must belong to the team the conversation was handed to (else APIError 400).
   * - Either may carry `quickReplies`: up to 10 suggested replies of 1-20 characters, shown as
   *   buttons (or numbered) under the message; the contact's choice comes back as their message.
   * @throws ValidationError before sending when a rule is broken (empty text, over 4000 characters,
   *   a human message without `memberId`…).
   * @throws NotFoundError when the conversation or the member does not exist.
   * @throws ConflictError for a human message when the conversation is not handed off (`bot` or `resolved`).
   */
  async postMessage(id: string, request: PostMessageRequest): Promise<Message> {
    requireId(id);
    assertValid(conversationMessageSchema, request);
    // The API lets a signed-in member omit memberId; a client holding an API key must name the person.
    if (request.role === 'human') requireId(request.memberId, 'memberId');
    return this.#http.request({ method: 'POST', path: apiPath`/conversations/${id}/messages`, body: request });
  }

  /**
   * Sends a file into conversation `id` as the agent's message (or a person's, with `role: 'human'`),
   * its name as the text. The contact gets it as a text reply goes: live in the widget (an image
   * previewed, another file as a link), through the provider elsewhere.
   * @returns the message, its `attachments` with a signed `url` valid for 15 minutes.
   * @throws ValidationError before sending when `name` or `contentType` is empty, or a human message has no `memberId`;
   *   from the server when the type is not accepted (415) or the file is over 25 MiB (413).
   * @throws NotFoundError when the conversation does not exist.
   * @throws ConflictError for a human message when the conversation is not handed off.
   */
  async sendAttachment(id: string, file: AttachmentUpload): Promise<Message> {
    requireId(id);
    if (!file.name || !file.name.trim()) throw new ValidationError([{ field: 'name', message: 'Required: the file name' }]);
    if (!/^[\w.+-]+\/[\w.+-]+$/.test(file.contentType ?? '')) {
      throw new ValidationError([{ field: 'contentType', message: 'must be a media type such as application/pdf' }]);
    }
    if (file.role === 'human') requireId(file.memberId, 'memberId');
    return this.#http.request({
      method: 'POST',
      path: apiPath`/conversations/${id}/attachments`,
      query: { name: file.name, role: file.role, memberId: file.memberId },
      file: { data: file.data, contentType: file.contentType },
    });
  }

  /**
   * Hands conversation `id` to people: `bot` (or `resolved`) → `pending_human`. The team is
   * `teamId`, else the channel's first assignable team (`client.teams.setChannelTeams`); a team
   * with a helpdesk connection carries it into that helpdesk. The agent stays silent until
   * {@link handBack}. Emits `handoff.requested`.
   * @returns the conversation, with `handoffState: 'pending_human'` and `assignedTeamId`.
   * @throws ValidationError before sending when a rule is broken.
   * @throws NotFoundError when the conversation or the team does not exist.
   * @throws ConflictError when it is already handed off (`pending_human` or `human`).
   */
  async handoff(id: string, request: HandoffRequest = {}): Promise<Conversation> {
    requireId(id);
    assertValid(handoffRequestSchema, request);
    return this.#http.request({ method: 'POST', path: apiPath`/conversations/${id}/handoff`, body: request });
  }

  /**
   * Team member `memberId` takes conversation `id`: `pending_human` → `human`. Emits `handoff.accepted`.
   * @returns the conversation, with `handoffState: 'human'` and `assignedMemberId`.
   * @throws NotFoundError when the conversation or the member does not exist.
   * @throws APIError (400) when the member is not in the team the conversation was handed to.
   * @throws ConflictError when the conversation is not pending a person (already taken, say).
   */
  async accept(id: string, memberId: string): Promise<Conversation> {
    requireId(id);
    const body = { memberId };
    assertValid(handoffAcceptSchema, body);
    return this.#http.request({ method: 'POST', path: apiPath`/conversations/${id}/handoff/accept`, body });
  }

  /**
   * Marks handed-off conversation `id` resolved (`pending_human` or `human` → `resolved`); the
   * contact's next message goes to the agent again.
   * @throws ConflictError when it is not handed off (`bot`) or already resolved.
   */
  async resolve(id: string): Promise<Conversation> {
    requireId(id);
    return this.#http.request({ method: 'POST', path: apiPath`/conversations/${id}/handoff/resolve` });
  }

  /**
   * Hands conversation `id` back to the agent (`pending_human`, `human` or `resolved` → `bot`),
   * clearing the assigned member.
   * @throws NotFoundError when the conversation does not exist.
   * @throws ConflictError when it is already with the agent.
   */
  async handBack(id: string): Promise<Conversation> {
    requireId(id);
    return this.#http.request({ method: 'POST', path: apiPath`/conversations/${id}/handoff/handback` });
  }
}

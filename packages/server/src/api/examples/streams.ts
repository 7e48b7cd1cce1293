import { AGENT_MESSAGE, CONVERSATION_DATA } from './conversations.js';
import { IDS, later } from './shared.js';

type JsonSchema = Record<string, unknown>;

const frame = (event: string, data: unknown, id?: number) => `${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

const closed: JsonSchema = {
  type: 'object',
  required: ['status', 'code', 'reason', 'message'],
  description: 'Access was taken away (token revoked, member removed, workspace suspended): do not reconnect',
  properties: { status: { type: 'integer' }, code: { type: 'string' }, reason: { type: ['string', 'null'] }, message: { type: 'string' } },
};
const shutdown: JsonSchema = {
  type: 'object',
  required: ['reconnect', 'retryMs'],
  description: 'The server is stopping: reconnect after `retryMs` with `Last-Event-ID`',
  properties: { reconnect: { const: true }, retryMs: { type: 'integer', minimum: 0 } },
};

/** The `data` of each event the widget's stream sends, by event name. */
export const WIDGET_STREAM_EVENTS: Record<string, JsonSchema> = {
  message: { $ref: '#/components/schemas/Message', description: 'A message of the conversation (the contact\'s own too); the frame has `id:`' },
  typing: { type: 'object', required: ['active'], properties: { active: { type: 'boolean' } }, description: 'The agent started or stopped composing' },
  delta: {
    type: 'object',
    required: ['messageId', 'text'],
    properties: { messageId: { type: 'string' }, text: { type: 'string' } },
    description: 'The next chunk of the agent message being streamed; its final `message` event carries the same id and the whole text',
  },
  error: {
    type: 'object',
    required: ['code', 'message'],
    properties: { code: { type: 'string' }, message: { type: 'string' } },
    description: 'The agent could not answer; the frame has `id:`',
  },
  closed,
  shutdown,
};

export const WIDGET_EVENTS_EXAMPLE =
  'retry: 2000\n\n' +
  frame('typing', { active: true }) +
  frame('delta', { messageId: IDS.agentMessage, text: 'It left our ' }) +
  frame('delta', { messageId: IDS.agentMessage, text: 'warehouse this morning.' }) +
  frame('message', AGENT_MESSAGE, 2) +
  frame('typing', { active: false }) +
  ': ping\n\n' +
  frame('error', { code: 'AGENT_UNAVAILABLE', message: 'The agent could not answer.' }, 3) +
  frame('shutdown', { reconnect: true, retryMs: 1000 }) +
  frame('closed', { status: 401, code: 'UNAUTHORIZED', reason: 'TOKEN_REVOKED', message: 'Deployment token was revoked' });

const workspaceEvent: JsonSchema = {
  type: 'object',
  required: ['id', 'type', 'createdAt', 'data'],
  properties: {
    id: { type: 'integer', description: 'The sequence number, also sent as the frame\'s `id:`' },
    type: { type: 'string' },
    createdAt: { type: 'integer' },
    data: { type: 'object', description: 'The event\'s subject: ids of the conversation, message, delivery… it concerns' },
  },
};

const OPERATOR_EVENT_TYPES = ['conversation.created', 'conversation.updated', 'message.created', 'handoff.requested', 'handoff.accepted', 'delivery.failed', 'delivery.retried'];

/** The `data` of each event the workspace stream (`GET /v1/events`) sends, by event name. */
export const OPERATOR_STREAM_EVENTS: Record<string, JsonSchema> = {
  ...Object.fromEntries(OPERATOR_EVENT_TYPES.map((type) => [type, workspaceEvent])),
  reset: {
    type: 'object',
    required: ['reason', 'lastEventId'],
    properties: { reason: { type: 'string' }, lastEventId: { type: 'integer' } },
    description: 'Events after the given Last-Event-ID are no longer kept: reload the lists',
  },
  closed,
  shutdown,
};

const workspaceFrame = (id: number, type: string, data: Record<string, unknown>) => frame(type, { id, type, createdAt: later(50 + id), data }, id);

export const OPERATOR_EVENTS_EXAMPLE =
  'retry: 2000\n\n' +
  frame('reset', { reason: 'Events after the given Last-Event-ID are no longer kept: reload', lastEventId: 40 }) +
  workspaceFrame(41, 'conversation.created', { conversation: CONVERSATION_DATA.Conversation }) +
  workspaceFrame(42, 'message.created', { message: CONVERSATION_DATA.Message }) +
  ': ping\n\n' +
  workspaceFrame(43, 'handoff.requested', { conversationId: IDS.conversation, teamId: IDS.team, reason: 'Asked for a refund' }) +
  workspaceFrame(44, 'handoff.accepted', { conversationId: IDS.conversation, memberId: IDS.member }) +
  workspaceFrame(45, 'conversation.updated', { conversationId: IDS.conversation, handoffState: 'human', assignedMemberId: IDS.member }) +
  workspaceFrame(46, 'delivery.failed', { deliveryId: IDS.delivery, conversationId: IDS.conversation, error: 'Twilio answered 400' }) +
  workspaceFrame(47, 'delivery.retried', { deliveryId: IDS.delivery, conversationId: IDS.conversation }) +
  frame('shutdown', { reconnect: true, retryMs: 1000 }) +
  frame('closed', { status: 401, code: 'UNAUTHORIZED', reason: 'UNAUTHORIZED', message: 'API key key_4mz8rTq1Lx0Wn2Pa was revoked' });

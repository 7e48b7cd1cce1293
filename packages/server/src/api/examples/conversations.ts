import { IDS, later } from './shared.js';

const contactMessage = {
  id: IDS.contactMessage,
  conversationId: IDS.conversation,
  sessionId: IDS.conversation,
  role: 'contact',
  text: 'Where is my order?',
  clientMessageId: 'c-1',
  fallback: false,
  authorId: null,
  createdAt: later(55),
};
export const AGENT_MESSAGE = {
  ...contactMessage,
  id: IDS.agentMessage,
  role: 'agent',
  text: 'It left our warehouse this morning.',
  clientMessageId: null,
  quickReplies: ['Track it', 'Talk to a person'],
  createdAt: later(64),
};
const teamMember = { id: IDS.teamMember, name: 'Ada Lovelace', email: 'ada@example.com', role: 'agent', memberId: null };
const observer = { id: IDS.observer, name: 'Grace Hopper', email: 'grace@example.com' };
const team = {
  id: IDS.team,
  name: 'Support',
  description: 'Front line',
  helpdeskConnectionId: null,
  members: [teamMember],
  observers: [observer],
  createdAt: later(595),
  updatedAt: later(602),
};

/** What `data` holds, by response schema: conversations, their messages and contacts, deliveries, teams and workflows. */
export const CONVERSATION_DATA: Record<string, unknown> = {
  Conversation: {
    id: IDS.conversation,
    channelId: IDS.channel,
    agentId: IDS.agent,
    contactId: IDS.contact,
    webDeploymentId: IDS.webDeployment,
    status: 'open',
    handoffState: 'bot',
    assignedTeamId: null,
    assignedMemberId: null,
    lastMessageAt: later(64),
    lastReadAt: null,
    lastMessagePreview: 'It left our warehouse this morning.',
    unreadCount: 0,
    createdAt: later(52),
    updatedAt: later(64),
  },
  Message: contactMessage,
  Contact: {
    id: IDS.contact,
    channelId: IDS.channel,
    externalId: null,
    displayName: 'Jordan',
    attributes: { language: 'en', plan: 'pro' },
    createdAt: later(52),
    lastSeenAt: later(55),
  },
  Delivery: {
    id: IDS.delivery,
    kind: 'reply',
    connectionId: IDS.connection,
    channelId: IDS.phoneChannel,
    conversationId: IDS.conversation,
    messageId: IDS.agentMessage,
    status: 'sent',
    attempts: 1,
    maxAttempts: 8,
    nextAttemptAt: later(64),
    lastError: null,
    providerMessageId: 'SM0123456789abcdef0123456789abcdef',
    sentAt: later(310),
    createdAt: later(64),
    updatedAt: later(310),
  },
  InboundActivity: { id: IDS.inboundEvent, outcome: 'accepted', status: 'processed', providerEventId: 'SM5f0e1d2c3b4a59687766554433221100', receivedAt: later(40) },
  Team: team,
  TeamList: [team],
  TeamMember: teamMember,
  TeamObserver: observer,
  Workflow: {
    id: IDS.workflow,
    name: 'Route by keyword',
    rules: [{ name: 'Billing to people', when: { keywords: ['refund', 'invoice'] }, then: { teamId: IDS.team } }],
    fallback: { agentId: IDS.agent },
    createdAt: later(604),
    updatedAt: later(604),
  },
};

/** Request bodies, by schema. */
export const CONVERSATION_BODIES: Record<string, unknown> = {
  ConversationMessageRequest: {
    text: 'A colleague will call you back today. Which suits you?',
    role: 'human',
    memberId: IDS.member,
    clientMessageId: 'op-42',
    quickReplies: ['Morning', 'Afternoon'],
  },
  HandoffRequest: { teamId: IDS.team, reason: 'Asked for a refund' },
  HandoffAccept: { memberId: IDS.member },
  HandoffTakeover: { memberId: IDS.member },
  ConversationAssign: { teamId: IDS.team, memberId: IDS.member },
  ContactAttributesRequest: { attributes: { plan: 'pro', language: 'en' } },
  TeamRequest: { name: 'Support', description: 'Front line' },
  TeamUpdateRequest: { description: 'Front line, weekdays' },
  TeamMemberRequest: { name: 'Ada Lovelace', email: 'ada@example.com', role: 'agent' },
  TeamObserverRequest: { name: 'Grace Hopper', email: 'grace@example.com' },
  WorkflowRequest: {
    name: 'Route by keyword',
    rules: [{ name: 'Billing to people', when: { keywords: ['refund', 'invoice'] }, then: { teamId: IDS.team } }],
    fallback: { agentId: IDS.agent },
  },
  WorkflowUpdateRequest: { fallback: { teamId: IDS.team } },
};

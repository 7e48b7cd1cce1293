import { IDS, VISITOR_TOKEN } from './shared.js';

/** A web deployment's pre-chat form, as stored and answered (defaults filled in). */
export const PRECHAT_FORM = {
  showBeforeFirstMessage: true,
  title: 'Before we start',
  submitLabel: 'Start chat',
  fields: [
    { key: 'name', label: 'Your name', type: 'text', required: true },
    { key: 'email', label: 'Email', type: 'email', required: true },
    { key: 'plan', label: 'Your plan', type: 'select', options: ['Free', 'Team', 'Enterprise'], required: false },
  ],
};

/** The same form as a request may spell it: `type` defaults to text, `required` to false. */
export const PRECHAT_FORM_REQUEST = {
  title: 'Before we start',
  submitLabel: 'Start chat',
  fields: [
    { key: 'name', label: 'Your name', required: true },
    { key: 'email', label: 'Email', type: 'email', required: true },
    { key: 'plan', label: 'Your plan', type: 'select', options: ['Free', 'Team', 'Enterprise'] },
  ],
};

export const PRECHAT_BODIES = {
  RuntimePreChatRequest: { values: { name: 'Ada Lovelace', email: 'ada@example.com', plan: 'Team' }, visitorToken: VISITOR_TOKEN, locale: 'en-GB' },
};

export const PRECHAT_DATA = {
  RuntimePreChatAnswer: { sessionId: IDS.conversation, visitorToken: VISITOR_TOKEN, resumed: false, stored: ['name', 'email', 'plan'] },
};

import { AGENT_MESSAGE, CONVERSATION_DATA } from './conversations.js';
import { IDS, VISITOR_TOKEN, WEB_TOKEN } from './shared.js';
import { PRECHAT_FORM } from './prechat.js';
import { EN_STRINGS } from '../../runtime/widget-locales.js';

const config = {
  agent: { id: IDS.agent, name: 'Concierge' },
  greeting: 'Hi! How can I help?',
  widget: {
    theme: {
      primaryColor: '#0b5fff',
      launcherColor: '#0b5fff',
      launcherIcon: 'chat',
      position: 'right',
      greeting: 'Hi! How can I help?',
      avatarUrl: null,
      headerTitle: 'Ask us',
      fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
      colorScheme: 'auto',
      launcherText: 'Chat with us',
      sound: false,
    },
    locale: 'en',
    dir: 'ltr',
    strings: EN_STRINGS,
    preChatForm: PRECHAT_FORM,
  },
};

/** What `data` holds in the widget runtime's answers, by schema. */
export const RUNTIME_DATA = {
  RuntimeConfig: config,
  RuntimeSession: { sessionId: IDS.conversation, visitorToken: VISITOR_TOKEN, resumed: false, ...config },
  ResumedRuntimeSession: { sessionId: IDS.conversation, visitorToken: VISITOR_TOKEN, resumed: true, ...config },
  RuntimeMessageAccepted: { message: CONVERSATION_DATA.Message, duplicate: false },
  RuntimeMessages: [CONVERSATION_DATA.Message, AGENT_MESSAGE],
  OriginCheck: { origin: 'http://localhost:5501', allowed: false, reason: 'ORIGIN_NOT_ALLOWED', message: 'Origin http://localhost:5501 is not allowed for this deployment' },
};

export const RUNTIME_BODIES = {
  RuntimeSessionStart: { visitorToken: VISITOR_TOKEN, pageUrl: 'https://www.example.com/pricing', locale: 'en' },
  RuntimeMessageRequest: { text: 'Where is my order?', clientMessageId: 'c-1' },
};

export const TOKEN_PREFIX = WEB_TOKEN.slice(0, 10);

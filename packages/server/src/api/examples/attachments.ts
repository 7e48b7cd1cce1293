import { IDS, PUBLIC_URL, later } from './shared.js';

const ATTACHMENT_ID = 'att_Jx4mP2qLw9ZcT7Vb';
const EXPIRES = Math.ceil(later(900_000) / 1000);

/** An attachment as readers get it: with a signed address that works for 15 minutes. */
export const ATTACHMENT = {
  id: ATTACHMENT_ID,
  name: 'receipt.png',
  contentType: 'image/png',
  size: 48213,
  url: `${PUBLIC_URL}/v1/public/attachments/${ATTACHMENT_ID}?expires=${EXPIRES}&signature=3qH2mB0c9yU1tV8xZr4LkP6sQ7wE5aDfGhJnKo2MiNs`,
  urlExpiresAt: EXPIRES * 1000,
};

/** The visitor's message that carries a file: its text is the file's name. */
export const ATTACHMENT_MESSAGE = {
  id: IDS.contactMessage,
  conversationId: IDS.conversation,
  sessionId: IDS.conversation,
  role: 'contact',
  authorId: null,
  text: 'receipt.png',
  clientMessageId: 'c-1796519097900',
  fallback: false,
  attachments: [ATTACHMENT],
  createdAt: later(60),
};

export const ATTACHMENT_SETTINGS = {
  enabled: true,
  maxBytes: 5 * 1024 * 1024,
  allowedTypes: ['image/*', 'application/pdf'],
};

export const ATTACHMENT_DATA = { AttachmentSettings: ATTACHMENT_SETTINGS };
export const ATTACHMENT_BODIES = { AttachmentSettingsRequest: { maxBytes: 5 * 1024 * 1024, allowedTypes: ['image/*', 'application/pdf'] } };

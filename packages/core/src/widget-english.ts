/**
 * The widget's own English texts: the widget bundles them as its defaults and the runtime answers
 * them for English. Plain data with no imports, so the widget's bundle takes only these bytes.
 * A text with `{n}` has plural forms by CLDR category; the keys and placeholders are those of
 * schemas/widget-strings.ts.
 */
export const WIDGET_ENGLISH = {
  offline: 'You appear to be offline. Retrying…',
  unreachable: 'Cannot reach the chat service. Retrying…',
  busy: { one: 'Too many messages right now. Retrying in {n} second…', other: 'Too many messages right now. Retrying in {n} seconds…' },
  busySoon: 'Too many messages right now. Retrying shortly…',
  revoked: 'This chat is no longer available (the deployment token was revoked).',
  paused: 'This chat is paused for now. Please come back later.',
  notHere: 'This chat is not available on this page.',
  unavailable: 'This chat is not available right now.',
  agentFailed: 'The assistant could not answer. Please try again.',
  notStored: 'This message was not stored.',
  notSent: 'Your message could not be sent ({reason})',
  openChat: 'Open chat',
  closeChat: 'Close chat',
  unread: { one: '{n} unread message', other: '{n} unread messages' },
  typing: '{name} is typing…',
  placeholder: 'Write a message…',
  disabledPlaceholder: 'Chat unavailable',
  inputLabel: 'Your message',
  send: 'Send message',
  attach: 'Attach a file',
  log: 'Conversation',
  agent: 'Agent: ',
  you: 'You: ',
  avatar: '{name} avatar',
};

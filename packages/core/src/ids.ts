/** Type prefixes of the ids the service generates. */
export const ID_PREFIX = {
  workspace: 'ws',
  apiKey: 'key',
  channel: 'chan',
  phoneConfiguration: 'phone',
  agent: 'agent',
  deployment: 'dep',
  webDeployment: 'wdp',
  contact: 'ct',
  conversation: 'conv',
  message: 'msg',
  secret: 'sec',
  connection: 'conn',
  inboundEvent: 'evt',
  delivery: 'dlv',
  webhookSubscription: 'whk',
  /** An event for operators' webhooks (`evt` is taken by inbound provider events). */
  webhookEvent: 'wev',
  team: 'team',
  teamMember: 'tm',
  workflow: 'wf',
  /** A person who signs in to the console. */
  member: 'mem',
  /** A file sent in a conversation. */
  attachment: 'att',
} as const;

export type IdKind = keyof typeof ID_PREFIX;

/**
 * Every id accepted on the wire: letters, digits, '_' and '-', at most 64 characters.
 * Generated ids are `prefix_` + 16 base62 characters; ids imported from elsewhere
 * only need to fit this shape.
 */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
export const ID_RULE = "must be 1-64 characters: letters, digits, '_' or '-'";

export function isWellFormedId(value: string): boolean {
  return ID_PATTERN.test(value);
}

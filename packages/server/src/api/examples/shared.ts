/** Ids and times shared by the examples, so one operation's answer names what another created. */
export const IDS = {
  workspace: 'ws_H0PuTBo7UzX2FkIQ',
  channel: 'chan_iIbW7URuFt7L33yy',
  phoneChannel: 'chan_935SogPmhSjvgi9d',
  phone: 'phone_XYW5ed9zfxSBYnqa',
  agent: 'agent_KDDYjWPLUjUBhWWN',
  agentConfiguration: 'agent_wc3qnUUlPEIWQ3qY',
  instruction: 'agent_Uc24tAZW5S00SCqm',
  deployment: 'dep_qNKosG3Ms7bVeY8J',
  webDeployment: 'wdp_USzPxXZ7ZE9hOQ00',
  conversation: 'conv_FaeazkiMtVljz7IB',
  contact: 'ct_2nDyHJaqcGyV0uak',
  contactMessage: 'msg_eJN44CM9SPDAnNTh',
  agentMessage: 'msg_BIFflgwAAbazBGoM',
  secret: 'sec_YhhEwEr2KocPXRcG',
  connection: 'conn_5Qw2mZ8rT1yXb7Kd',
  delivery: 'dlv_J40Uf3jPBtwe5wgP',
  inboundEvent: 'evt_7dKq2LmN9pRs4TuV',
  webhook: 'whk_CQNuCbCtoph7Xruh',
  webhookEvent: 'wev_xMZYwhIhLThnaO3S',
  team: 'team_PycZpHb9cuCwyqeM',
  teamMember: 'tm_khl37rQmvnlRZeRN',
  observer: 'tm_uxqSTPKdzMzQNgN0',
  workflow: 'wf_aeElbwk05NPn0AzV',
  member: 'mem_QY3vfYXtLqQTqNRA',
  apiKey: 'key_4mz8rTq1Lx0Wn2Pa',
} as const;

/** Epoch milliseconds of the examples' moment of creation. */
export const CREATED = 1796519097846;
export const later = (ms: number) => CREATED + ms;
export const PUBLIC_URL = 'https://switchboard.example.com';
export const WEB_TOKEN = 'cdp_2wI5Ufbueg24U3o4lCtWgtVsYZLBYAxbDLRmWh2J2To';
export const VISITOR_TOKEN = 'vt_fqisxHq4XQQdZiYZ4TFPPVQm13aWgihSgApeoZecInY';

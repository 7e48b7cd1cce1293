import { IDS } from './shared.js';

const created = '2026-12-06T01:04:57.846Z';
const channel = {
  object_name: 'channel',
  id: IDS.channel,
  name: 'Website chat',
  type: 'web',
  organization_id: IDS.workspace,
  business_unit_id: null,
  is_active: true,
  config: { communicationType: 'unified', widgetConfiguration: { position: 'right' } },
  identifier: 'https://www.example.com',
  credential_id: null,
  workflow_id: null,
  created_at: created,
  updated_at: created,
};
const whatsapp = {
  ...channel,
  id: 'chan_Wq4Lm8Tz2Kp6Rs0N',
  name: 'Support on WhatsApp',
  type: 'whatsapp',
  config: { connectionId: IDS.connection, phoneNumberId: '109876543210987' },
  identifier: '+12025551234',
  credential_id: IDS.connection,
};

/** Answers of the channel service, by schema: plain JSON, no envelope. */
export const CHANNEL_SERVICE_DATA = {
  channel,
  whatsapp,
  channels: [channel, whatsapp],
  credential: { _id: IDS.connection, type: 'meta', name: 'Meta', provider: 'meta', created_at: created, updated_at: created },
  pages: [{ _id: '104857600123456', name: 'Acme Store', category: 'Retail' }],
  count: { count: 2 },
  convCount: { count: 1, view: 'all', team_id: null },
  success: { success: true },
  workflowAttached: { success: true, ...channel, workflow_id: IDS.workflow },
  teams: [
    {
      _id: IDS.team,
      name: 'Support',
      description: 'Front line',
      members: [{ _id: IDS.teamMember, name: 'Ada Lovelace', email: 'ada@example.com', role: 'agent' }],
      created_at: created,
      updated_at: created,
    },
  ],
  observers: [{ _id: IDS.observer, team_id: IDS.team, name: 'Grace Hopper', email: 'grace@example.com', created_at: created }],
};

export const CHANNEL_SERVICE_ERRORS = {
  400: { error: { code: 'VALIDATION_ERROR', message: 'name: Required', details: [{ field: 'name', message: 'Required' }] } },
  401: { error: { code: 'UNAUTHORIZED', message: 'Missing API key: send it as "Authorization: Bearer <key>", "X-Api-Key" or "X-Wiil-Api-Key"', details: null } },
  404: { error: { code: 'NOT_FOUND', message: 'Channel not found', details: null, meta: { id: 'chan_nope' } } },
};

/** Request bodies of the channel service, by path. */
export const CHANNEL_SERVICE_BODIES: Record<string, unknown> = {
  'post /v1/channels': { type: 'web', name: 'Docs site', url: 'https://docs.example.com' },
  'post /v1/channels/_replace': { channel_id: IDS.channel, name: 'Website chat', config: { widgetConfiguration: { position: 'left' } }, active: true },
  'put /v1/channels/{id}': { name: 'Website chat (EU)', active: false },
  web: { name: 'Docs site', url: 'https://docs.example.com' },
  whatsapp: { phone_number_id: '109876543210987', access_token: 'EAAG…', app_secret: '<Meta app secret>', name: 'Support on WhatsApp' },
  'put /v2/channels/_whatsapp': { id: whatsapp.id, name: 'Support on WhatsApp (EU)' },
  'post /v1/channels/_email': { name: 'Support inbox', email: 'support@example.com', from_name: 'Acme Support' },
  'post /v1/channels/_wechat': { original_id: 'gh_0123456789ab', app_id: 'wx0123456789abcdef', app_secret: '<AppSecret>', token: '<Token>' },
  'post /v1/channels/_line': { name: 'Acme on LINE', channel_secret: '<Channel secret>', channel_access_token: '<Channel access token>' },
  instagram: { credential_id: IDS.connection, page_id: '104857600123456', name: 'Acme on Instagram' },
  'post /v3/channels/_facebook': { page_id: '104857600123456', credential_id: IDS.connection, name: 'Acme on Messenger' },
  'put /v2/channels/_facebook': { id: 'chan_Fb7Kd2Lq9Wm4Tx1Z', name: 'Acme on Messenger (EU)' },
  'put /v1/channels/credentials/{id}': { name: 'Meta (production)', access_token: 'EAAG…' },
  'put /v1/channels/workflows/{id}': { channel_id: IDS.channel },
};

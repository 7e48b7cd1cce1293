import {
  createEmailChannelSchema,
  createFacebookChannelSchema,
  createInstagramChannelSchema,
  createLineChannelSchema,
  createWebChannelSchema,
  createWechatChannelSchema,
  createWhatsAppChannelSchema,
  updateChannelSchema,
  updateCredentialSchema,
  updateFacebookChannelSchema,
  updateWhatsAppChannelSchema,
  MESSAGING_CHANNEL_TYPES,
} from '@switchboard/core';
import type { z } from 'zod';
import { replaceChannelSchema } from '../channel-service/compat.js';
import { CHANNEL_SERVICE_BODIES, CHANNEL_SERVICE_DATA, CHANNEL_SERVICE_ERRORS } from './examples/channel-service.js';
import { jsonSchema } from './openapi-json-schema.js';
import { API_KEY, answer, json, pathParam, ref, type JsonSchema, type Short } from './openapi-path-helpers.js';

const string = { type: 'string' };
const nullableString = { type: ['string', 'null'] };
const isoTime = { type: 'string', format: 'date-time' };
const object = (required: string[], properties: Record<string, JsonSchema>, extra: JsonSchema = {}): JsonSchema => ({
  type: 'object',
  required,
  additionalProperties: false,
  properties,
  ...extra,
});

const channelProperties: Record<string, JsonSchema> = {
  object_name: { const: 'channel' },
  id: string,
  name: { type: 'string', description: 'The channel name; the identifier when the channel has none' },
  type: { enum: [...MESSAGING_CHANNEL_TYPES] },
  organization_id: { type: 'string', description: 'The workspace' },
  business_unit_id: nullableString,
  is_active: { type: 'boolean', description: "True while the channel's deployment is active, i.e. while an agent answers it" },
  config: { type: 'object', description: "The deployment channel's configuration; never holds secrets" },
  identifier: { type: 'string', description: 'What the provider calls the entry point: the E.164 number, page id, address, URL…' },
  credential_id: { type: ['string', 'null'], description: "The connection carrying the channel's traffic; null for web channels" },
  workflow_id: nullableString,
  created_at: isoTime,
  updated_at: isoTime,
};
const channelRequired = ['id', 'name', 'type', 'organization_id', 'is_active', 'identifier', 'credential_id', 'workflow_id', 'created_at', 'updated_at'];

const requestSchemas: Record<string, z.ZodType> = {
  ChannelServiceUpdateRequest: updateChannelSchema,
  ChannelServiceReplaceRequest: replaceChannelSchema,
  ChannelServiceWebRequest: createWebChannelSchema,
  ChannelServiceWhatsAppRequest: createWhatsAppChannelSchema,
  ChannelServiceWhatsAppUpdateRequest: updateWhatsAppChannelSchema,
  ChannelServiceEmailRequest: createEmailChannelSchema,
  ChannelServiceWechatRequest: createWechatChannelSchema,
  ChannelServiceLineRequest: createLineChannelSchema,
  ChannelServiceInstagramRequest: createInstagramChannelSchema,
  ChannelServiceFacebookRequest: createFacebookChannelSchema,
  ChannelServiceFacebookUpdateRequest: updateFacebookChannelSchema,
  ChannelServiceCredentialUpdateRequest: updateCredentialSchema,
};

/** Schemas of the channel service's bodies (snake_case, no envelope), for the document's components. */
export function channelServiceSchemas(): Record<string, JsonSchema> {
  return {
    ChannelServiceChannel: object(channelRequired, channelProperties),
    ChannelServiceCredential: object(['_id'], { _id: string, type: string, name: string, provider: string, created_at: isoTime, updated_at: isoTime }, { description: 'A connection, never with its secrets' }),
    ChannelServiceFacebookPage: object(['_id', 'name', 'category'], { _id: string, name: string, category: nullableString }),
    ChannelServiceAssignableTeam: object(['_id', 'name', 'description', 'members', 'created_at', 'updated_at'], {
      _id: string,
      name: string,
      description: nullableString,
      members: { type: 'array', items: object(['_id', 'name', 'email', 'role'], { _id: string, name: string, email: string, role: nullableString }) },
      created_at: isoTime,
      updated_at: isoTime,
    }),
    ChannelServiceTeamObserver: object(['_id', 'team_id', 'name', 'email', 'created_at'], { _id: string, team_id: string, name: string, email: string, created_at: isoTime }),
    ChannelServiceCount: object(['count'], { count: { type: 'integer', minimum: 0 } }),
    ChannelServiceConvCount: object(['count', 'view', 'team_id'], { count: { type: 'integer', minimum: 0 }, view: { enum: ['all', 'unassigned', 'assigned', 'waiting'] }, team_id: nullableString }),
    ChannelServiceSuccess: object(['success'], { success: { const: true } }),
    ChannelServiceWorkflowAttached: object(['success', ...channelRequired], { success: { const: true }, ...channelProperties }),
    ChannelServiceCreateRequest: {
      type: 'object',
      required: ['type'],
      description: 'The fields of the per-type creation of `type` (e.g. `ChannelServiceWebRequest` for `web`)',
      properties: { type: { enum: [...MESSAGING_CHANNEL_TYPES] } },
    },
    ChannelServiceWorkflowRequest: {
      type: 'object',
      description: 'With a workflow id in the path: `channel_id`; with a channel id in the path: `workflow_id`',
      properties: { workflow_id: string, channel_id: string },
    },
    ChannelServiceError: object(['error'], {
      error: object(['code', 'message', 'details'], {
        code: { type: 'string', description: 'The `/v1` codes, plus `UPSTREAM_UNAVAILABLE` (502)' },
        message: string,
        details: { description: 'For validation errors: a list of `{field, message}` with snake_case field names; otherwise null' },
        meta: { type: 'object', description: 'Facts such as the id of a conflicting channel' },
      }),
    }),
    ...Object.fromEntries(Object.entries(requestSchemas).map(([name, schema]) => [name, jsonSchema(schema, 'input')])),
  };
}

const data = CHANNEL_SERVICE_DATA;
const list = (name: string) => ({ type: 'array', items: ref(name) });
type Row = [method: string, path: string, summary: string, body: string | undefined, schema: JsonSchema, example: unknown];

export function channelServiceOperations(): [string, string, Short][] {
  const id = pathParam('id', 'The channel, credential or team id');
  const channel = ref('ChannelServiceChannel');
  const success = ref('ChannelServiceSuccess');
  const table: Row[] = [
    ['get', '/v1/channels', 'List channels (optionally `?type=`)', undefined, list('ChannelServiceChannel'), data.channels],
    ['post', '/v1/channels', 'Create a channel', 'ChannelServiceCreateRequest', channel, data.channel],
    ['get', '/v1/channels/_count', 'Count channels', undefined, ref('ChannelServiceCount'), data.count],
    ['get', '/v1/channels/_conv_count', 'Count conversations per channel', undefined, ref('ChannelServiceConvCount'), data.convCount],
    ['post', '/v1/channels/_replace', 'Replace a channel', 'ChannelServiceReplaceRequest', channel, data.channel],
    ['get', '/v1/channels/{id}', 'Get a channel', undefined, channel, data.channel],
    ['put', '/v1/channels/{id}', 'Update a channel', 'ChannelServiceUpdateRequest', channel, data.channel],
    ['delete', '/v1/channels/{id}', 'Delete a channel', undefined, success, data.success],
    ['delete', '/v3/channels/{id}', 'Delete a channel (v3 path)', undefined, success, data.success],
    ['post', '/v1/channels/_web', 'Create a web channel', 'ChannelServiceWebRequest', channel, data.channel],
    ['post', '/v3/channels/_web', 'Create a web channel (v3 path)', 'ChannelServiceWebRequest', channel, data.channel],
    ['post', '/v1/channels/_whatsapp', 'Create a WhatsApp channel', 'ChannelServiceWhatsAppRequest', channel, data.whatsapp],
    ['post', '/v2/channels/_whatsapp', 'Create a WhatsApp channel (v2 path)', 'ChannelServiceWhatsAppRequest', channel, data.whatsapp],
    ['post', '/v3/channels/_whatsapp', 'Create a WhatsApp channel (v3 path)', 'ChannelServiceWhatsAppRequest', channel, data.whatsapp],
    ['put', '/v2/channels/_whatsapp', 'Update a WhatsApp channel', 'ChannelServiceWhatsAppUpdateRequest', channel, data.whatsapp],
    ['post', '/v1/channels/_email', 'Create an email channel', 'ChannelServiceEmailRequest', channel, { ...data.channel, type: 'email', identifier: 'support@example.com' }],
    ['post', '/v1/channels/_wechat', 'Create a WeChat channel', 'ChannelServiceWechatRequest', channel, { ...data.channel, type: 'wechat', identifier: 'gh_0123456789ab' }],
    ['post', '/v1/channels/_line', 'Create a LINE channel', 'ChannelServiceLineRequest', channel, { ...data.channel, type: 'line', identifier: 'U0123456789abcdef0123456789abcdef' }],
    ['post', '/v1/channels/_instagram', 'Create an Instagram channel', 'ChannelServiceInstagramRequest', channel, { ...data.channel, type: 'instagram', identifier: '17841400000000000' }],
    ['post', '/v1/channels/_instagramV2', 'Create an Instagram channel (v2 body)', 'ChannelServiceInstagramRequest', channel, { ...data.channel, type: 'instagram', identifier: '17841400000000000' }],
    ['post', '/v3/channels/_facebook', 'Create a Facebook Messenger channel', 'ChannelServiceFacebookRequest', channel, { ...data.channel, type: 'facebook', identifier: '104857600123456' }],
    ['put', '/v2/channels/_facebook', 'Update a Facebook Messenger channel', 'ChannelServiceFacebookUpdateRequest', channel, { ...data.channel, type: 'facebook', identifier: '104857600123456' }],
    ['get', '/v1/channels/credentials/{id}', 'Get a credential', undefined, ref('ChannelServiceCredential'), data.credential],
    ['put', '/v1/channels/credentials/{id}', 'Update a credential', 'ChannelServiceCredentialUpdateRequest', ref('ChannelServiceCredential'), data.credential],
    ['delete', '/v1/channels/credentials/{id}', 'Delete a credential', undefined, success, data.success],
    ['get', '/v1/channels/credentials/{id}/pages', "A Facebook credential's pages", undefined, list('ChannelServiceFacebookPage'), data.pages],
    ['get', '/v1/channels/_facebook/credential/{id}', "A Facebook credential's pages (older path)", undefined, list('ChannelServiceFacebookPage'), data.pages],
    ['put', '/v1/channels/workflows/{id}', "Set a channel's workflow", 'ChannelServiceWorkflowRequest', ref('ChannelServiceWorkflowAttached'), data.workflowAttached],
    ['delete', '/v1/channels/workflows/{id}', "Remove a channel's workflow", undefined, success, data.success],
    ['get', '/v1/assign/teams/all', 'Teams a channel can be assigned to (optionally `?channel_id=`)', undefined, list('ChannelServiceAssignableTeam'), data.teams],
    ['get', '/v1/assign/team/{id}/observers', "A team's observers", undefined, list('ChannelServiceTeamObserver'), data.observers],
  ];
  const error = (status: 400 | 401 | 404, description: string) => answer(description, json(ref('ChannelServiceError'), CHANNEL_SERVICE_ERRORS[status]));
  return table.map(([method, path, summary, body, schema, example]) => [
    method,
    `/channel-service${path}`,
    {
      tag: 'Channel service',
      summary,
      description:
        "iMBRACE's channel service as `client.channel` speaks it: snake_case bodies, no envelope and its own error shape; see docs/messaging-channels.md. Authenticate with `x-api-key` (or a bearer key).",
      ...(path.includes('{id}') && { parameters: [id] }),
      ...(body && { body: { description: 'The channel service body of this operation', content: json(ref(body), bodyExample(method, path, body)) } }),
      responses: {
        [method === 'post' && path !== '/v1/channels/_replace' ? 201 : 200]: answer('The channel service answer', json(schema, example)),
        400: error(400, 'Invalid request'),
        401: error(401, 'Missing or unknown API key'),
        ...(path.includes('{id}') && { 404: error(404, 'Not found') }),
      },
      security: API_KEY,
    },
  ]);
}

function bodyExample(method: string, path: string, schema: string): unknown {
  const bodies = CHANNEL_SERVICE_BODIES;
  if (schema === 'ChannelServiceWebRequest') return bodies.web;
  if (schema === 'ChannelServiceWhatsAppRequest') return bodies.whatsapp;
  if (schema === 'ChannelServiceInstagramRequest') return bodies.instagram;
  return bodies[`${method} ${path}`];
}

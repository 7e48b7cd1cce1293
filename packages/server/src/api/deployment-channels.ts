import { z } from 'zod';
import {
  byIdentifierQuerySchema,
  caseInsensitiveEnum,
  deleteChannelQuerySchema,
  deploymentChannelRequestSchema,
  deploymentChannelUpdateSchema,
  DEPLOYMENT_TYPES,
  DeploymentType,
  idSchema,
  channelListQuerySchema,
} from '@switchboard/core';
import { invalidField } from '../http/errors.js';
import { item, page, withMeta } from '../http/envelope.js';
import { defineRoute, type RouteDefinition } from '../http/route.js';
import type { Services } from '../services.js';
import { schemas } from './schemas.js';

const tag = 'Deployment channels';
const base = '/v1/deployment-channels';
const request = { name: 'DeploymentChannelRequest', schema: deploymentChannelRequestSchema };
const update = { name: 'DeploymentChannelUpdateRequest', schema: deploymentChannelUpdateSchema };
const channel = schemas.deploymentChannel;
const typeParam = caseInsensitiveEnum(DEPLOYMENT_TYPES, { mobile: DeploymentType.MOBILE, MOBILE: DeploymentType.MOBILE });
const identifierParam = z.string().min(1, 'Required').max(2048, 'must be at most 2048 characters');

export function deploymentChannelRoutes(services: Services): RouteDefinition[] {
  const channels = services.deploymentChannels;
  return [
    defineRoute({
      method: 'POST',
      url: base,
      tag,
      summary: 'Create a deployment channel',
      description:
        'Identifiers are validated per type: E.164 numbers for calls and sms, absolute http(s) URLs for web, reverse-DNS ids for mobile-app. calls and sms channels reference a phone configuration whose number is the identifier.',
      body: request,
      response: { status: 201, description: 'The created channel', schema: channel },
      errors: { 404: 'Phone configuration not found', 409: 'Channel identifier already in use' },
      handler: async ({ body, principal }) => item(await channels.create(principal.workspaceId, body), 201),
    }),
    defineRoute({
      method: 'GET',
      url: base,
      tag,
      summary: 'List deployment channels',
      description: '`search` keeps the channels whose name or identifier contains it, in any case.',
      query: channelListQuerySchema,
      response: { description: 'One page of channels, oldest first', schema: channel, list: true },
      handler: async ({ query, principal }) => page(await channels.list(principal.workspaceId, query.page, query.pageSize, undefined, query.search)),
    }),
    defineRoute({
      method: 'GET',
      url: `${base}/by-type/:type`,
      tag,
      summary: 'List deployment channels of one type',
      params: { type: typeParam },
      query: channelListQuerySchema,
      response: { description: 'One page of channels of that type', schema: channel, list: true },
      handler: async ({ params, query, principal }) =>
        page(await channels.list(principal.workspaceId, query.page, query.pageSize, params.type, query.search)),
    }),
    defineRoute({
      method: 'GET',
      url: `${base}/by-identifier/:identifier`,
      tag,
      summary: 'Find a deployment channel by its identifier',
      description: 'The identifier is URL-encoded in the path; `type` narrows the search when one identifier has channels of several types.',
      params: { identifier: identifierParam },
      query: byIdentifierQuerySchema,
      response: { description: 'The channel', schema: channel },
      errors: { 404: 'Deployment channel not found' },
      handler: async ({ params, query, principal }) =>
        item(await channels.getByIdentifier(principal.workspaceId, params.identifier, query.type)),
    }),
    defineRoute({
      method: 'GET',
      url: `${base}/:id`,
      tag,
      summary: 'Get a deployment channel',
      params: { id: idSchema },
      response: { description: 'The channel', schema: channel },
      errors: { 404: 'Deployment channel not found' },
      handler: async ({ params, principal }) => item(await channels.get(principal.workspaceId, params.id)),
    }),
    defineRoute({
      method: 'PATCH',
      url: base,
      tag,
      summary: 'Update a deployment channel (id in the body)',
      description: 'Partial update. `configuration` is merged into the current one (a null value removes a key) and validated against the channel type; the type itself cannot change.',
      body: update,
      response: { description: 'The updated channel', schema: channel },
      errors: { 404: 'Deployment channel not found', 409: 'Channel identifier already in use' },
      handler: async ({ body, principal }) => {
        if (!body.id) throw invalidField('id', 'Required');
        return item(await channels.update(principal.workspaceId, body.id, body));
      },
    }),
    defineRoute({
      method: 'PATCH',
      url: `${base}/:id`,
      tag,
      summary: 'Update a deployment channel',
      params: { id: idSchema },
      body: update,
      response: { description: 'The updated channel', schema: channel },
      errors: { 404: 'Deployment channel not found', 409: 'Channel identifier already in use' },
      handler: async ({ params, body, principal }) => {
        if (body.id !== undefined && body.id !== params.id) throw invalidField('id', `must match the id in the path (${params.id})`);
        return item(await channels.update(principal.workspaceId, params.id, body));
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: `${base}/:id`,
      tag,
      summary: 'Delete a deployment channel',
      description:
        'With `deletePhoneConfig=true` the phone configuration of a calls/sms channel is deleted too, unless another channel still uses it; `meta` says which happened.',
      params: { id: idSchema },
      query: deleteChannelQuerySchema,
      response: { description: '`true`' },
      errors: { 404: 'Deployment channel not found', 409: 'The channel is bound to a deployment' },
      handler: async ({ params, query, principal }) => {
        const { meta } = await channels.delete(principal.workspaceId, params.id, query.deletePhoneConfig);
        return withMeta(true, meta);
      },
    }),
  ];
}

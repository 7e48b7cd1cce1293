import { z } from 'zod';
import { idSchema, paginationQuerySchema, phoneConfigurationRequestSchema, phoneConfigurationUpdateSchema } from '@switchboard/core';
import { invalidField, notFound } from '../http/errors.js';
import { PHONE_NOT_FOUND } from '../deployments/phone-configurations.js';
import { item, page } from '../http/envelope.js';
import { defineRoute, type RouteDefinition } from '../http/route.js';
import type { Services } from '../services.js';
import { schemas } from './schemas.js';

const tag = 'Phone configurations';
const base = '/v1/phone-configurations';
const phone = schemas.phoneConfiguration;
const update = { name: 'PhoneConfigurationUpdateRequest', schema: phoneConfigurationUpdateSchema };

export function phoneConfigurationRoutes(services: Services): RouteDefinition[] {
  const phones = services.phoneConfigurations;
  return [
    defineRoute({
      method: 'POST',
      url: base,
      tag,
      summary: 'Create a phone configuration',
      body: { name: 'PhoneConfigurationRequest', schema: phoneConfigurationRequestSchema },
      response: { status: 201, description: 'The created phone configuration', schema: phone },
      errors: { 409: 'Phone number already configured' },
      handler: async ({ body, principal }) => item(await phones.create(principal.workspaceId, body), 201),
    }),
    defineRoute({
      method: 'GET',
      url: base,
      tag,
      summary: 'List phone configurations',
      query: paginationQuerySchema,
      response: { description: 'One page of phone configurations', schema: phone, list: true },
      handler: async ({ query, principal }) => page(await phones.list(principal.workspaceId, query.page, query.pageSize)),
    }),
    defineRoute({
      method: 'GET',
      url: `${base}/by-phone-number/:phoneNumber`,
      tag,
      summary: 'Find a phone configuration by its E.164 number',
      params: { phoneNumber: z.string().max(32, 'must be at most 32 characters') },
      response: { description: 'The phone configuration', schema: phone },
      errors: { 404: 'Phone configuration not found' },
      handler: async ({ params, principal }) => item(await phones.getByNumber(principal.workspaceId, params.phoneNumber)),
    }),
    defineRoute({
      method: 'GET',
      url: `${base}/by-request/:requestId`,
      tag,
      summary: 'Find a phone configuration by its purchase request',
      description:
        'Switchboard registers numbers bought elsewhere and buys none, so no phone configuration has a purchase request: this always answers 404.',
      params: { requestId: z.string().min(1, 'Required').max(200, 'must be at most 200 characters') },
      response: { description: 'The phone configuration', schema: phone },
      errors: { 404: 'Phone configuration not found' },
      handler: async ({ params }) => {
        throw notFound(PHONE_NOT_FOUND, {
          phoneRequestId: params.requestId,
          reason: 'Switchboard does not buy phone numbers, so no phone configuration has a purchase request',
        });
      },
    }),
    defineRoute({
      method: 'GET',
      url: `${base}/:id`,
      tag,
      summary: 'Get a phone configuration',
      params: { id: idSchema },
      response: { description: 'The phone configuration', schema: phone },
      errors: { 404: 'Phone configuration not found' },
      handler: async ({ params, principal }) => item(await phones.get(principal.workspaceId, params.id)),
    }),
    defineRoute({
      method: 'PATCH',
      url: base,
      tag,
      summary: 'Rename a phone configuration (id in the body)',
      body: update,
      response: { description: 'The updated phone configuration', schema: phone },
      errors: { 404: 'Phone configuration not found' },
      handler: async ({ body, principal }) => {
        if (!body.id) throw invalidField('id', 'Required');
        return item(await phones.update(principal.workspaceId, body.id, body));
      },
    }),
    defineRoute({
      method: 'PATCH',
      url: `${base}/:id`,
      tag,
      summary: 'Rename a phone configuration',
      params: { id: idSchema },
      body: update,
      response: { description: 'The updated phone configuration', schema: phone },
      errors: { 404: 'Phone configuration not found' },
      handler: async ({ params, body, principal }) => {
        if (body.id !== undefined && body.id !== params.id) throw invalidField('id', `must match the id in the path (${params.id})`);
        return item(await phones.update(principal.workspaceId, params.id, body));
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: `${base}/:id`,
      tag,
      summary: 'Delete a phone configuration',
      params: { id: idSchema },
      response: { description: '`true`' },
      errors: { 404: 'Phone configuration not found', 409: 'A channel still uses it' },
      handler: async ({ params, principal }) => item(await phones.delete(principal.workspaceId, params.id)),
    }),
  ];
}

/**
 * A web deployment's identity secret (issue, read its status, remove) and the events a site
 * tracked about a contact.
 */
import { z } from 'zod';
import type { Kysely } from 'kysely';
import { idSchema, paginationQuerySchema } from '@switchboard/core';
import type { DB } from '../store/schema.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { notFound } from '../http/errors.js';
import { item, page } from '../http/envelope.js';
import { defineRoute, type RouteDefinition } from '../http/route.js';
import { identitySecrets } from '../runtime/identity-secrets.js';
import { visitorContactsRepository } from '../store/repositories/visitor-contacts.js';
import type { Services } from '../services.js';

const base = '/v1/agents/:agentId/deployments/:id/identity-secret';
const params = { agentId: idSchema, id: idSchema };

const statusShape = {
  enabled: z.boolean().describe('True when identify() needs a valid userHash'),
  createdAt: z.number().int().nullable(),
  fingerprint: z.string().nullable().describe('Tells two secrets apart without revealing either'),
};
const statusSchema = { name: 'IdentitySecretStatus', schema: z.object(statusShape) };
const issuedSchema = {
  name: 'IssuedIdentitySecret',
  schema: z.object({ identitySecret: z.string().describe('Shown in this answer only: keep it on your server'), ...statusShape }),
};
const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const contactEventSchema = {
  name: 'ContactEvent',
  schema: z.object({
    id: z.string(),
    contactId: z.string(),
    webDeploymentId: z.string().nullable(),
    name: z.string(),
    data: z.record(z.string(), scalar).nullable(),
    createdAt: z.number().int(),
  }),
};

export function webDeploymentIdentityRoutes(services: Services, db: Kysely<DB>, box: SecretBox): RouteDefinition[] {
  const secrets = identitySecrets(db, box);
  const deployment = (workspaceId: string, agentId: string, id: string) => services.webDeployments.get(workspaceId, agentId, id);
  return [
    defineRoute({
      method: 'POST',
      url: base,
      tag: 'Web deployments',
      summary: 'Issue (or rotate) the identity secret',
      description:
        'With an identity secret, the widget\'s `identify` links a visitor to your `userId` only when `userHash` is the hex HMAC-SHA256 of `userId` under it, and refuses everything else. ' +
        'The secret is in this answer only. Issuing another replaces it at once: hashes made with the old one are refused and browsers linked under it must identify again.',
      params,
      response: { status: 201, description: 'The new secret, shown once', schema: issuedSchema },
      errors: { 404: 'Web deployment not found' },
      handler: async ({ params, principal }) => {
        await deployment(principal.workspaceId, params.agentId, params.id);
        return item(await secrets.issue(principal.workspaceId, params.id), 201);
      },
    }),
    defineRoute({
      method: 'GET',
      url: base,
      tag: 'Web deployments',
      summary: 'Whether identities are verified',
      description: 'Never returns the secret itself.',
      params,
      response: { description: 'Whether an identity secret is set, since when, and its fingerprint', schema: statusSchema },
      errors: { 404: 'Web deployment not found' },
      handler: async ({ params, principal }) => {
        await deployment(principal.workspaceId, params.agentId, params.id);
        return item(await secrets.status(params.id));
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: base,
      tag: 'Web deployments',
      summary: 'Stop verifying identities',
      description: 'Removes the secret: identify then stores name, email and attributes only, and links no visitor to a user id. Browsers linked to a user are unlinked.',
      params,
      response: { description: 'The status, now disabled', schema: statusSchema },
      errors: { 404: 'Web deployment not found' },
      handler: async ({ params, principal }) => {
        await deployment(principal.workspaceId, params.agentId, params.id);
        return item(await secrets.remove(params.id));
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/contacts/:id/events',
      tag: 'Contacts',
      summary: 'The events a site tracked about a contact',
      description: "What the widget's `track(event, data)` recorded, oldest first; the newest 1000 are kept per contact.",
      params: { id: idSchema },
      query: paginationQuerySchema,
      response: { description: 'One page of events', schema: contactEventSchema, list: true },
      errors: { 404: 'Contact not found' },
      handler: async ({ params, query, principal }) => {
        const contact = await db.selectFrom('contacts').select('id').where('workspace_id', '=', principal.workspaceId).where('id', '=', params.id).executeTakeFirst();
        if (!contact) throw notFound('Contact not found', { id: params.id });
        return page(await visitorContactsRepository(db, principal.workspaceId).listEvents(params.id, query.page, query.pageSize));
      },
    }),
  ];
}

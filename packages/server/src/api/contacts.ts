import { z } from 'zod';
import { idSchema } from '@switchboard/core';
import type { Kysely } from 'kysely';
import type { DB } from '../store/schema.js';
import { notFound } from '../http/errors.js';
import { item } from '../http/envelope.js';
import { defineRoute, type RouteDefinition } from '../http/route.js';

const tag = 'Contacts';

const attributesSchema = z.strictObject({
  /** Merged into the contact's attributes; a null value removes one. Workflow rules test them (`attribute`, `languages`). */
  attributes: z
    .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, 'attribute names are 1-64 letters, digits, _ . or -'), z.string().max(500).nullable())
    .refine((attributes) => Object.keys(attributes).length <= 50, 'at most 50 attributes at a time'),
});

const contactSchema = z.object({
  id: z.string(),
  channelId: z.string(),
  externalId: z.string().nullable(),
  displayName: z.string().nullable(),
  attributes: z.record(z.string(), z.string()),
  createdAt: z.number().int(),
  lastSeenAt: z.number().int(),
});

async function readContact(db: Kysely<DB>, workspaceId: string, id: string) {
  const row = await db.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Contact not found', { id });
  return {
    id: row.id,
    channelId: row.channel_id,
    externalId: row.external_id,
    displayName: row.display_name,
    attributes: row.attributes ? (JSON.parse(row.attributes) as Record<string, string>) : {},
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
  };
}

export function contactRoutes(db: Kysely<DB>): RouteDefinition[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/v1/contacts/:id',
      tag,
      summary: 'Get a contact',
      params: { id: idSchema },
      response: { description: 'The contact with its attributes', schema: { name: 'Contact', schema: contactSchema } },
      errors: { 404: 'Contact not found' },
      handler: async ({ params, principal }) => item(await readContact(db, principal.workspaceId, params.id)),
    }),
    defineRoute({
      method: 'PATCH',
      url: '/v1/contacts/:id',
      tag,
      summary: "Set a contact's attributes",
      description: 'Attributes (plan, language, region…) are what workflow rules test with `attribute` and `languages`. Values are merged; null removes one.',
      params: { id: idSchema },
      body: { name: 'ContactAttributesRequest', schema: attributesSchema },
      response: { description: 'The contact with its attributes', schema: { name: 'Contact', schema: contactSchema } },
      errors: { 404: 'Contact not found' },
      handler: async ({ params, body, principal }) => {
        const current = await readContact(db, principal.workspaceId, params.id);
        const merged: Record<string, string> = { ...current.attributes };
        for (const [name, value] of Object.entries(body.attributes)) {
          if (value === null) delete merged[name];
          else merged[name] = value;
        }
        await db.updateTable('contacts').set({ attributes: JSON.stringify(merged) }).where('id', '=', params.id).where('workspace_id', '=', principal.workspaceId).execute();
        return item(await readContact(db, principal.workspaceId, params.id));
      },
    }),
  ];
}

/** The bodies of the widget's identify and track calls (POST /v1/public/runtime/identify, …/track). */
import { z } from 'zod';

const NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const NAME_RULE = 'names are 1-64 characters: a letter, then letters, digits, _ . or -';
const MAX_ATTRIBUTES = 50;
const MAX_EVENT_DATA_KEYS = 20;
const MAX_EVENT_DATA_BYTES = 2048;

const scalar = z.union([z.string().max(500, 'must be at most 500 characters'), z.number().finite(), z.boolean()]);

export const identifySchema = z.strictObject({
  /** The site's own id of the signed-in user: linked only with a valid `userHash` under the deployment's identity secret. */
  userId: z
    .string()
    .min(1, 'must not be empty')
    .max(255, 'must be at most 255 characters')
    .regex(/^[^\u0000-\u001f\u007f]+$/, 'must not contain control characters')
    .optional(),
  /** Hex HMAC-SHA256 of `userId` under the deployment's identity secret. */
  userHash: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be the hex HMAC-SHA256 of userId: 64 hexadecimal digits').optional(),
  name: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional(),
  email: z.email('must be an email address').max(254, 'must be at most 254 characters').optional(),
  /** Merged into the contact's attributes (numbers and booleans stored as text); null removes one. */
  attributes: z
    .record(z.string().regex(NAME, `attribute ${NAME_RULE}`), scalar.nullable())
    .refine((attributes) => Object.keys(attributes).length <= MAX_ATTRIBUTES, `at most ${MAX_ATTRIBUTES} attributes at a time`)
    .optional(),
});
export type IdentifyRequest = z.output<typeof identifySchema>;

export const trackSchema = z.strictObject({
  event: z.string().regex(/^[A-Za-z][A-Za-z0-9 _.:-]{0,63}$/, 'event names are 1-64 characters: a letter, then letters, digits, spaces, _ . : or -'),
  /** A flat object of at most 20 keys, 2048 bytes as JSON. */
  data: z
    .record(z.string().regex(NAME, `key ${NAME_RULE}`), scalar.nullable())
    .refine((data) => Object.keys(data).length <= MAX_EVENT_DATA_KEYS, `at most ${MAX_EVENT_DATA_KEYS} keys`)
    .refine((data) => Buffer.byteLength(JSON.stringify(data)) <= MAX_EVENT_DATA_BYTES, `at most ${MAX_EVENT_DATA_BYTES} bytes as JSON`)
    .optional(),
});
export type TrackRequest = z.output<typeof trackSchema>;

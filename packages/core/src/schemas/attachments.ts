import { z } from 'zod';

/** A file carried by a message. `url` is a short-lived signed address, present where the reader may fetch it. */
export interface Attachment {
  id: string;
  name: string;
  contentType: string;
  size: number;
  url?: string;
  /** When `url` stops working (epoch ms). */
  urlExpiresAt?: number;
}

/** The largest upload any deployment may allow: 25 MiB. */
export const MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024;
/** What a deployment allows unless it says otherwise: 10 MiB. */
export const DEFAULT_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;
/** Raster images (shown inline and previewed), PDF and plain text. */
export const DEFAULT_ATTACHMENT_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain'] as const;
/** The types served inline and previewed as images; every other type is served as a download. */
export const INLINE_IMAGE_TYPES: readonly string[] = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];

const mediaTypePattern = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/(\*|[a-z0-9][a-z0-9!#$&^_.+-]{0,126})$/, 'must be a media type such as image/png, or a family such as image/*');

/** Which files visitors of a web deployment may send. */
export const attachmentSettingsSchema = z.strictObject({
  enabled: z.boolean({ error: 'must be true or false' }).default(true),
  maxBytes: z
    .number({ error: 'must be a number of bytes' })
    .int('must be a whole number of bytes')
    .min(1, 'must be at least 1 byte')
    .max(MAX_ATTACHMENT_BYTES, `must be at most ${MAX_ATTACHMENT_BYTES} bytes (25 MiB)`)
    .default(DEFAULT_ATTACHMENT_MAX_BYTES),
  allowedTypes: z
    .array(mediaTypePattern)
    .min(1, 'must list at least one media type')
    .max(50, 'must list at most 50 media types')
    .default([...DEFAULT_ATTACHMENT_TYPES]),
});
export type AttachmentSettings = z.output<typeof attachmentSettingsSchema>;
export type AttachmentSettingsRequest = z.input<typeof attachmentSettingsSchema>;

export { bareMediaType, mediaTypeAllowed } from '../media-types.js';

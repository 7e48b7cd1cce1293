import { z } from 'zod';
import { whatsappPhoneNumberIdSchema } from '@switchboard/core';
import type { ConnectionContext } from '../adapter.js';

export const DEFAULT_GRAPH_VERSION = 'v21.0';

/** Normalises a Graph API version: `21.0` and `v21.0` both become `v21.0`. */
export function normaliseGraphVersion(value: string): string {
  const trimmed = value.trim();
  return /^v/i.test(trimmed) ? `v${trimmed.slice(1)}` : `v${trimmed}`;
}

const GRAPH_VERSION = /^v?\d{1,3}\.\d{1,2}$/i;

/** Non-secret settings of a `meta` connection. */
export const metaSettingsSchema = z
  .strictObject({
    /** Graph API version used for every call, stored as `vNN.N`. */
    graphVersion: z
      .string()
      .trim()
      .regex(GRAPH_VERSION, 'must be a Graph API version such as v21.0 or 21.0')
      .transform(normaliseGraphVersion)
      .default(DEFAULT_GRAPH_VERSION),
    /** WhatsApp phone number id used when a WhatsApp channel's configuration names none. */
    phoneNumberId: whatsappPhoneNumberIdSchema.optional(),
  });

export type MetaSettings = z.output<typeof metaSettingsSchema>;

/** `{apiBaseUrl}/vNN.N`, tolerant of settings stored before normalisation. */
export function graphRoot(connection: ConnectionContext): string {
  const raw = connection.settings.graphVersion;
  const version =
    typeof raw === 'string' && GRAPH_VERSION.test(raw.trim()) ? normaliseGraphVersion(raw) : DEFAULT_GRAPH_VERSION;
  return `${connection.apiBaseUrl.replace(/\/+$/, '')}/${version}`;
}

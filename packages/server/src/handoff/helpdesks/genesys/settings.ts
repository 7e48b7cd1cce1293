import { z } from 'zod';
import type { ConnectionContext } from '../../../channels/adapter.js';
import { apiRoot, settingsOf } from '../http.js';
import { httpUrlSchema } from '@switchboard/core';

const REGION = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Non-secret settings of a `genesys` connection.
 *
 * - `integrationId`: the Open Messaging integration (Admin → Message → Platforms).
 * - `region`: the Genesys Cloud domain, e.g. `mypurecloud.com` (US East, the default),
 *   `usw2.pure.cloud`, `mypurecloud.ie`, `mypurecloud.de`, `euw2.pure.cloud`, `mypurecloud.com.au`,
 *   `mypurecloud.jp`, `cac1.pure.cloud`, `aps1.pure.cloud`, …: the API is `https://api.{region}`,
 *   the OAuth login `https://login.{region}`.
 * - `loginBaseUrl`: overrides the login server (tests point it at a fake, like the API base URL).
 */
export const genesysSettingsSchema = z.strictObject({
  integrationId: z.string().trim().regex(UUID, 'must be the Open Messaging integration id (a UUID)'),
  region: z
    .string()
    .trim()
    .toLowerCase()
    .transform((value) => value.replace(/^https?:\/\//, '').replace(/^(api|login|apps)\./, '').replace(/\/+$/, ''))
    .pipe(z.string().regex(REGION, 'must be a Genesys Cloud region domain such as mypurecloud.com or usw2.pure.cloud'))
    .default('mypurecloud.com'),
  loginBaseUrl: httpUrlSchema.optional(),
});

export type GenesysSettings = z.output<typeof genesysSettingsSchema>;

export const GENESYS_DEFAULT_API_BASE_URL = 'https://api.{region}';

export function genesysSettings(connection: ConnectionContext, what: string): GenesysSettings {
  return settingsOf(genesysSettingsSchema, connection, what);
}

export function genesysApiRoot(connection: ConnectionContext, settings: GenesysSettings): string {
  return apiRoot(connection, () => `https://api.${settings.region}`);
}

export function genesysLoginRoot(settings: GenesysSettings): string {
  return (settings.loginBaseUrl ?? `https://login.${settings.region}`).replace(/\/+$/, '');
}

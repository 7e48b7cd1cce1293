import { z } from 'zod';
import { DeliveryError, type ConnectionContext } from '../../../channels/adapter.js';
import { apiRoot, settingsOf } from '../http.js';

const SUBDOMAIN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const TAG = /^[a-z0-9_/:.-]{1,80}$/;

/**
 * Non-secret settings of a `zendesk` connection.
 *
 * - `mode: 'ticket'` (default): Zendesk Support tickets. Needs `subdomain` and the `email` of the
 *   agent whose API token is the `apiToken` credential.
 * - `mode: 'sunshine'`: Sunshine Conversations (Zendesk messaging). Needs `appId`; the API lives at
 *   `https://{subdomain}.zendesk.com/sc` unless the connection's API base URL says otherwise
 *   (`https://api.smooch.io` for accounts from before the Zendesk migration).
 */
export const zendeskSettingsSchema = z
  .strictObject({
    mode: z.enum(['ticket', 'sunshine']).default('ticket'),
    /** `acme` for acme.zendesk.com (a full `acme.zendesk.com` is accepted and trimmed). */
    subdomain: z
      .string()
      .trim()
      .toLowerCase()
      .transform((value) => value.replace(/^https?:\/\//, '').replace(/\.zendesk\.com\/?$/, ''))
      .pipe(z.string().regex(SUBDOMAIN, 'must be the Zendesk subdomain, e.g. "acme" for acme.zendesk.com'))
      .optional(),
    /** Ticket mode: the agent the API token belongs to (Basic auth `{email}/token:{apiToken}`). */
    email: z.email('must be the email address of the Zendesk agent the API token belongs to').optional(),
    /** Sunshine mode: the Sunshine Conversations app id. */
    appId: z.string().trim().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be the Sunshine Conversations app id').optional(),
    /** Ticket mode: the group new tickets go to. */
    groupId: z.number().int().positive().optional(),
    /** Ticket mode: the priority of new tickets. */
    priority: z.enum(['low', 'normal', 'high', 'urgent']).optional(),
    /** Ticket mode: tags added to new tickets (besides `switchboard` and `switchboard_handoff`). */
    tags: z.array(z.string().trim().toLowerCase().regex(TAG, 'must be a Zendesk tag: lower-case letters, digits, _ / : . -')).max(20).optional(),
  })
  .superRefine((settings, ctx) => {
    if (settings.mode === 'ticket') {
      if (!settings.subdomain) ctx.addIssue({ code: 'custom', path: ['subdomain'], message: 'is required in ticket mode' });
      if (!settings.email) ctx.addIssue({ code: 'custom', path: ['email'], message: 'is required in ticket mode' });
    } else if (!settings.appId) {
      ctx.addIssue({ code: 'custom', path: ['appId'], message: 'is required in sunshine mode' });
    }
  });

export type ZendeskSettings = z.output<typeof zendeskSettingsSchema>;

export const ZENDESK_DEFAULT_API_BASE_URL = 'https://{subdomain}.zendesk.com';

export function zendeskSettings(connection: ConnectionContext, what: string): ZendeskSettings {
  return settingsOf(zendeskSettingsSchema, connection, what);
}

/** The mode, read leniently (verify and parse must not fail on settings the schema would reject). */
export function zendeskMode(connection: ConnectionContext): 'ticket' | 'sunshine' {
  return connection.settings?.mode === 'sunshine' ? 'sunshine' : 'ticket';
}

/** Ticket mode: `https://{subdomain}.zendesk.com`. Sunshine mode: the same host + `/sc`. An explicit API base URL is used as given. */
export function zendeskApiRoot(connection: ConnectionContext, settings: ZendeskSettings): string {
  return apiRoot(connection, () => {
    if (!settings.subdomain) {
      throw new DeliveryError('Zendesk: the connection has neither a subdomain setting nor an API base URL', { retryable: false });
    }
    return `https://${settings.subdomain}.zendesk.com${settings.mode === 'sunshine' ? '/sc' : ''}`;
  });
}


import { z } from 'zod';
import type { ConnectionContext } from '../../../channels/adapter.js';
import { apiRoot, settingsOf } from '../http.js';

const HOST = /^[a-z0-9](?:[a-z0-9-]{0,62})(?:\.[a-z0-9-]{1,63})*$/;
const SYS_ID = /^[0-9a-f]{32}$/;

/**
 * Non-secret settings of a `servicenow` connection.
 *
 * - `instance`: `acme` for acme.service-now.com, or a full host name (`acme.servicenowservices.com`).
 * - `username`: the integration user (Basic auth with the `password` credential). Comments this
 *   user writes are never taken for agent replies.
 * - `mode: 'incident'` (default) opens an incident; `'live-agent'` escalates to Live Agent chat
 *   through the Virtual Agent Bot Integration API.
 */
export const serviceNowSettingsSchema = z.strictObject({
  mode: z.enum(['incident', 'live-agent']).default('incident'),
  instance: z
    .string()
    .trim()
    .toLowerCase()
    .transform((value) => value.replace(/^https?:\/\//, '').replace(/\/+$/, ''))
    .pipe(z.string().regex(HOST, 'must be the instance name ("acme" for acme.service-now.com) or its host name')),
  username: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
  /** Incident mode: the caller (sys_id or user_name) new incidents are raised for. */
  callerId: z.string().trim().min(1).max(100).optional(),
  /** Incident mode: the assignment group (sys_id or name) new incidents go to. */
  assignmentGroup: z.string().trim().min(1).max(100).optional(),
  /** Incident mode: category of new incidents (e.g. `inquiry`). */
  category: z.string().trim().min(1).max(40).optional(),
  /** Incident mode: urgency 1 (high) – 3 (low). */
  urgency: z.enum(['1', '2', '3']).optional(),
  /** Live-agent mode: context variables sent with the escalation (queue routing, language…). */
  contextVariables: z.record(z.string().regex(/^[A-Za-z0-9_]{1,80}$/, 'must be a context variable name'), z.string().max(1000)).optional(),
});

export type ServiceNowSettings = z.output<typeof serviceNowSettingsSchema>;

export const SERVICENOW_DEFAULT_API_BASE_URL = 'https://{instance}.service-now.com';

export function serviceNowSettings(connection: ConnectionContext, what: string): ServiceNowSettings {
  return settingsOf(serviceNowSettingsSchema, connection, what);
}

export function serviceNowMode(connection: ConnectionContext): 'incident' | 'live-agent' {
  return connection.settings?.mode === 'live-agent' ? 'live-agent' : 'incident';
}

export function serviceNowApiRoot(connection: ConnectionContext, settings: ServiceNowSettings): string {
  return apiRoot(connection, () => `https://${settings.instance.includes('.') ? settings.instance : `${settings.instance}.service-now.com`}`);
}

export const isSysId = (value: string) => SYS_ID.test(value);

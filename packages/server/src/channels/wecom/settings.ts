import { z } from 'zod';
import { InboundAuthError, type ConnectionContext } from '../adapter.js';

/** Non-secret settings of a WeCom (企业微信) self-built app connection. */
export const wecomSettingsSchema = z.strictObject({
  /** The CorpID (企业ID) from My Company → Company Info: `ww…` (older corps: `wx…`). */
  corpId: z.string().regex(/^(?:ww|wx)[0-9A-Za-z]{16}$/, 'must be the CorpID from My Company → Company Info (ww or wx followed by 16 characters)'),
  /** The app's AgentId (numeric). Accepted as a number or a string of digits; kept as a string. */
  agentId: z
    .union([z.string().regex(/^\d{1,20}$/, 'must be the numeric AgentId of the app'), z.number().int().nonnegative()], {
      error: 'must be the numeric AgentId of the app',
    })
    .transform(String),
});
export type WeComSettings = z.output<typeof wecomSettingsSchema>;

export function readWeComSettings(connection: ConnectionContext): WeComSettings | string {
  const parsed = wecomSettingsSchema.safeParse(connection.settings);
  if (parsed.success) return parsed.data;
  return `WeCom connection settings are invalid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(settings)'}: ${i.message}`).join('; ')}`;
}

export function wecomSettings(connection: ConnectionContext): WeComSettings {
  const settings = readWeComSettings(connection);
  if (typeof settings === 'string') throw new InboundAuthError(403, settings);
  return settings;
}

import { z } from 'zod';
import { InboundAuthError, type ConnectionContext } from '../adapter.js';

export const WECHAT_MODES = ['plain', 'safe'] as const;

/** Non-secret settings of a WeChat Official Account connection. */
export const wechatSettingsSchema = z.strictObject({
  /** The AppID (开发者ID) from Settings and Development → Basic Configuration: `wx` + 16 characters. */
  appId: z.string().regex(/^wx[0-9A-Za-z]{16}$/, 'must be the AppID from the Basic Configuration page (wx followed by 16 characters)'),
  /**
   * The message encryption mode chosen in the console: `safe` (安全模式, recommended: every
   * message is signed over its ciphertext and encrypted) or `plain` (明文模式: the signature only
   * covers token, timestamp and nonce, not the body). Compatible mode (兼容模式) works as `safe`.
   */
  mode: z.enum(WECHAT_MODES, { error: 'must be "plain" or "safe"' }).default('safe'),
});
export type WeChatSettings = z.output<typeof wechatSettingsSchema>;

/** The connection's settings, or a description of what is wrong with them. */
export function readWeChatSettings(connection: ConnectionContext): WeChatSettings | string {
  const parsed = wechatSettingsSchema.safeParse(connection.settings);
  if (parsed.success) return parsed.data;
  return `WeChat connection settings are invalid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(settings)'}: ${i.message}`).join('; ')}`;
}

/** The settings on the inbound side: invalid settings refuse the request (403). */
export function wechatSettings(connection: ConnectionContext): WeChatSettings {
  const settings = readWeChatSettings(connection);
  if (typeof settings === 'string') throw new InboundAuthError(403, settings);
  return settings;
}

/**
 * The Token typed into the console: the `token` credential, or else the connection's inbound
 * secret (the operator may paste the inbound secret as the WeChat Token).
 */
export function callbackToken(connection: ConnectionContext): string {
  return connection.secrets.token || connection.inboundSecret;
}

/** Signed timestamps older or newer than this are refused (replays). */
export const REPLAY_WINDOW_MS = 5 * 60 * 1000;

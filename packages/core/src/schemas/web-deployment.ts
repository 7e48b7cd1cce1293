import { z } from 'zod';
import { WidgetPosition } from '../enums.js';
import { caseInsensitiveEnum, idSchema, nameSchema } from './common.js';
import { webChannelRequestSchema } from './deployment-channel.js';
import { preChatFormSchema, type PreChatForm } from './prechat-form.js';
import { widgetStringOverridesSchema } from './widget-strings.js';

/** The accepted spelling of an origin, or undefined when the value cannot be one. */
export function canonicalOrigin(value: string): string | undefined {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

/**
 * An exact browser origin: `scheme://host[:port]`, nothing after it. Values that would
 * never equal a browser's `Origin` header (a path, a trailing slash, upper case, a
 * default port) are rejected with the form that would be accepted.
 */
export const originSchema = z.string().superRefine((value, ctx) => {
  if (value.includes('*')) {
    // A browser's Origin is always one exact origin, so a pattern would match nothing.
    const example = /^https?:\/\/\*\.[^*]+$/.test(value) ? canonicalOrigin(value.replace('*', 'a')) : undefined;
    ctx.addIssue({
      code: 'custom',
      message: `"${value}": wildcards are not supported: list each origin exactly, e.g. ${example ?? 'https://a.example.com'}`,
    });
    return;
  }
  const canonical = canonicalOrigin(value);
  if (canonical === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not an origin: expected scheme://host[:port], e.g. https://www.example.com` });
  } else if (canonical !== value) {
    ctx.addIssue({
      code: 'custom',
      message: `"${value}" is not an exact origin: use "${canonical}" (scheme://host[:port], no path or trailing slash)`,
    });
  }
});

const cssColor = z
  .string()
  .regex(/^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,30}|rgba?\(\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*(,\s*(0|1|0?\.\d+)\s*)?\))$/, 'must be a CSS colour: #rrggbb, a colour name or rgb()/rgba()');
const httpsUrl = z.string().max(2048).regex(/^https:\/\/[^\s"'()<>]+$/, 'must be an https:// URL');

export const widgetThemeSchema = z.strictObject({
  primaryColor: cssColor.optional(),
  launcherColor: cssColor.optional(),
  /** `chat` (the built-in icon) or the https URL of an image. */
  launcherIcon: z.union([z.literal('chat'), httpsUrl], { error: 'must be "chat" or an https:// image URL' }).optional(),
  position: caseInsensitiveEnum([WidgetPosition.LEFT, WidgetPosition.RIGHT]).optional(),
  greeting: z.string().max(500, 'must be at most 500 characters').optional(),
  avatarUrl: httpsUrl.optional(),
  headerTitle: z.string().max(100, 'must be at most 100 characters').optional(),
  fontFamily: z
    .string()
    .max(200)
    .regex(/^[\w\s,'"-]+$/, 'must be a CSS font-family list (letters, digits, spaces, commas, quotes, hyphens)')
    .optional(),
  /** `auto` follows the visitor's system setting (prefers-color-scheme). */
  colorScheme: z.enum(['auto', 'light', 'dark'], { error: 'must be "auto", "light" or "dark"' }).optional(),
  /** A short label beside the launcher's icon; none by default. */
  launcherText: z.string().trim().min(1, 'must not be empty').max(40, 'must be at most 40 characters').optional(),
  /** A short tone when a reply arrives while the chat is closed or the page hidden. */
  sound: z.boolean({ error: 'must be true or false' }).optional(),
  /** Texts by language tag, replacing the built-in ones (see docs/web-widget.md). */
  strings: widgetStringOverridesSchema.optional(),
});
export type WidgetTheme = z.output<typeof widgetThemeSchema>;

/** The theme a widget actually renders with: every field resolved. */
export interface ResolvedWidgetTheme {
  primaryColor: string;
  launcherColor: string;
  launcherIcon: string;
  position: WidgetPosition;
  greeting: string | null;
  avatarUrl: string | null;
  headerTitle: string;
  fontFamily: string;
  colorScheme: 'auto' | 'light' | 'dark';
  launcherText: string | null;
  sound: boolean;
}

const allowedOrigins = z
  .array(originSchema)
  .min(1, 'must list at least one origin')
  .max(50, 'must list at most 50 origins')
  .refine((list) => new Set(list).size === list.length, 'must not repeat an origin');

export const webDeploymentRequestSchema = z.strictObject({
  name: nameSchema.optional(),
  allowedOrigins,
  theme: widgetThemeSchema.prefault({}),
  /** What the widget asks before the chat starts (null or absent: nothing). */
  preChatForm: preChatFormSchema.nullable().default(null),
  /** An existing web channel to deploy on. */
  deploymentChannelId: idSchema.optional(),
  /** Or a web channel to create with the deployment (by default from the first allowed origin). */
  channel: webChannelRequestSchema.omit({ deploymentType: true }).optional(),
});
export type WebDeploymentRequest = z.input<typeof webDeploymentRequestSchema>;
export type ParsedWebDeploymentRequest = z.output<typeof webDeploymentRequestSchema>;

export const webDeploymentUpdateSchema = z.strictObject({
  id: idSchema.optional(),
  name: nameSchema.optional(),
  allowedOrigins: allowedOrigins.optional(),
  /** Replaces the whole theme. */
  theme: widgetThemeSchema.optional(),
  /** Replaces the whole pre-chat form; null removes it. */
  preChatForm: preChatFormSchema.nullable().optional(),
});
export type WebDeploymentUpdateRequest = z.input<typeof webDeploymentUpdateSchema>;
export type ParsedWebDeploymentUpdate = z.output<typeof webDeploymentUpdateSchema>;

export interface WebDeployment {
  id: string;
  agentId: string;
  deploymentChannelId: string;
  deploymentConfigurationId: string;
  name: string | null;
  /** The first characters of the current token; the token itself is shown only when issued. */
  tokenPrefix: string;
  allowedOrigins: string[];
  theme: WidgetTheme;
  preChatForm: PreChatForm | null;
  lastUsedAt: number | null;
  createdAt: number;
  updatedAt: number;
  revokedAt: number | null;
}

/** A deployment as answered when a token is issued (create, rotate): the only time the token is shown. */
export interface IssuedWebDeployment extends WebDeployment {
  token: string;
  embedSnippet: string;
}

export interface EmbedSnippet {
  snippet: string;
  loaderUrl: string;
  apiUrl: string;
}

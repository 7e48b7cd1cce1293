import { z } from 'zod';

/**
 * Every text the web widget shows visitors, by key, with the placeholders its template may use.
 * `n` is a count: a template with `{n}` may be a plural object (`{ one, other, … }`, the CLDR
 * categories of Intl.PluralRules) instead of one string. The English texts live with the
 * widget (packages/widget/src/widget/strings.ts), the translations with the server
 * (packages/server/src/runtime/widget-locales.ts); a test keeps the three in step.
 */
export const WIDGET_STRING_KEYS = {
  offline: [],
  unreachable: [],
  busy: ['n'],
  busySoon: [],
  revoked: [],
  paused: [],
  notHere: [],
  unavailable: [],
  agentFailed: [],
  notStored: [],
  notSent: ['reason'],
  openChat: [],
  closeChat: [],
  unread: ['n'],
  typing: ['name'],
  placeholder: [],
  disabledPlaceholder: [],
  inputLabel: [],
  send: [],
  attach: [],
  log: [],
  agent: [],
  you: [],
  avatar: ['name'],
} as const satisfies Record<string, readonly string[]>;

export type WidgetStringKey = keyof typeof WIDGET_STRING_KEYS;

/** The unread count is visible on the launcher's badge, and its name must contain what it shows. */
const REQUIRED_PLACEHOLDER: Partial<Record<WidgetStringKey, string>> = { unread: 'n' };

export const PLURAL_CATEGORIES = ['zero', 'one', 'two', 'few', 'many', 'other'] as const;
export type PluralTemplate = Partial<Record<(typeof PLURAL_CATEGORIES)[number], string>> & { other: string };
/** One text: a string, or for a count (`{n}`) the string of each plural category. */
export type WidgetTemplate = string | PluralTemplate;
export type WidgetStrings = Record<WidgetStringKey, WidgetTemplate>;

/** Languages written right to left: the widget mirrors its layout for them. */
export const RTL_LANGUAGES = ['ar', 'he', 'fa', 'ur', 'ps', 'sd', 'ug', 'yi', 'dv', 'ckb'];

/** A BCP 47 language tag as pages write it: `es`, `pt-BR`, `zh-Hant-TW` (an underscore is read as a hyphen). */
export const localeTagSchema = z
  .string()
  .regex(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8}){0,3}$/, 'must be a language tag such as en, es or pt-BR');

const text = z.string().trim().min(1, 'must not be empty').max(300, 'must be at most 300 characters');

function template(key: WidgetStringKey) {
  const allowed: readonly string[] = WIDGET_STRING_KEYS[key];
  const counted = allowed.includes('n');
  const required = REQUIRED_PLACEHOLDER[key];
  const checkPlaceholders = (value: string, ctx: z.RefinementCtx) => {
    if (required && !value.includes(`{${required}}`)) ctx.addIssue({ code: 'custom', message: `must contain {${required}}` });
    for (const [, name] of value.matchAll(/\{(\w+)\}/g)) {
      if (!allowed.includes(name!)) {
        ctx.addIssue({
          code: 'custom',
          message: allowed.length === 0 ? `{${name}} is not a placeholder of this text (it has none)` : `{${name}} is not a placeholder of this text: use ${allowed.map((a) => `{${a}}`).join(', ')}`,
        });
      }
    }
  };
  const single = text.superRefine(checkPlaceholders);
  if (!counted) return single;
  const plural = z.strictObject(Object.fromEntries(PLURAL_CATEGORIES.map((c) => [c, c === 'other' ? single : single.optional()])) as Record<
    (typeof PLURAL_CATEGORIES)[number],
    typeof single
  >);
  return z.union([single, plural], { error: 'must be a string, or an object of plural forms ({ one, other, … }) with at least "other"' });
}

/** One language's texts: any of the keys, each replacing the built-in text. */
export const widgetStringsSchema = z.strictObject(
  Object.fromEntries((Object.keys(WIDGET_STRING_KEYS) as WidgetStringKey[]).map((key) => [key, template(key).optional()])) as Record<
    WidgetStringKey,
    z.ZodOptional<ReturnType<typeof template>>
  >,
);

/**
 * The deployment theme's `strings`: texts by language tag. `{ "es": { "placeholder": "Escríbenos…" } }`
 * replaces one Spanish text; a language the widget does not ship (say `ko`) becomes available
 * when given here, its missing texts in English.
 */
export const widgetStringOverridesSchema = z.record(z.string(), widgetStringsSchema).superRefine((value, ctx) => {
  const tags = Object.keys(value);
  if (tags.length > 30) ctx.addIssue({ code: 'custom', message: 'must list at most 30 languages' });
  for (const tag of tags) {
    if (!localeTagSchema.safeParse(tag).success) ctx.addIssue({ code: 'custom', path: [tag], message: 'must be a language tag such as en, es or pt-BR' });
  }
});
export type WidgetStringOverrides = Record<string, Partial<WidgetStrings>>;

/**
 * What the widget says to visitors. It ships English only; the runtime answers the visitor's
 * language as `widget.strings` (see docs/web-widget.md), which `setStrings` lays over these.
 * A text with `{n}` may have plural forms by CLDR category, chosen with Intl.PluralRules.
 * The keys and placeholders are listed in packages/core/src/schemas/widget-strings.ts.
 */
// The same object the runtime answers for English; this entry point is plain data, so only it is bundled.
import { WIDGET_ENGLISH as EN } from '@switchboard/core/widget-english';

export type Plural = { [category: string]: string | undefined; other: string };
export type Template = string | Plural;

type English = typeof EN;
/** Each text as the widget may hold it: a plain string where English has one, else a plural template. */
export type Strings = { [K in keyof English]: English[K] extends string ? string : Template };

/** The texts in use (English until the runtime's answer arrives). */
export const TEXT: Strings = { ...EN };
export const ENGLISH: Readonly<Strings> = EN;
let lang = 'en';

/** The language to ask for: `init({ locale })`, else the page's `<html lang>`, else the browser's. */
export function pickLocale(requested?: string): string {
  for (const tag of [requested, document.documentElement.lang, navigator.language]) {
    if (tag && /^[a-z]{2,3}([-_][a-z\d]{1,8}){0,3}$/i.test(tag)) return tag;
  }
  return 'en';
}

/** Switches every text to `locale`: English, then the runtime's texts, then each layer of overrides. */
export function setStrings(locale: string, ...layers: Array<Partial<Record<string, Template>> | null | undefined>) {
  lang = locale;
  Object.assign(TEXT, EN);
  for (const layer of layers) {
    if (!layer || typeof layer !== 'object') continue;
    for (const key in EN) {
      const value = layer[key];
      // Plural forms only where English has them: elsewhere the text is used as it is.
      if (typeof value === 'string' || (typeof EN[key as keyof Strings] !== 'string' && value && typeof value.other === 'string')) {
        (TEXT as Record<string, Template>)[key] = value;
      }
    }
  }
}

/** The form of a template for `count`: its plural category in the current language, else `other`. */
export function plural(template: Template, count: number): string {
  if (typeof template === 'string') return template;
  let category = 'other';
  try {
    category = new Intl.PluralRules(lang).select(count);
  } catch {
    // an unknown locale or no Intl: `other`
  }
  return template[category] || template.other;
}

/** A template filled in: `{n}` (also choosing the plural form), `{name}`, `{reason}`. */
export const fmt = (template: Template, values: Record<string, string | number>): string =>
  plural(template, Number(values.n) || 0).replace(/\{(\w+)\}/g, (match, name: string) => (name in values ? String(values[name]) : match));

import { RTL_LANGUAGES, WIDGET_ENGLISH, type WidgetStringOverrides, type WidgetStrings } from '@switchboard/core';
import { TRANSLATIONS } from './widget-translations.js';

/** The widget's own English texts (the widget bundles the same object as its defaults). */
export const EN_STRINGS: WidgetStrings = WIDGET_ENGLISH;

/** The languages the widget speaks without any configuration. */
export const WIDGET_LOCALES = ['en', ...Object.keys(TRANSLATIONS)];

/** What the runtime answers under `widget`: the language chosen, its direction and its texts. */
export interface WidgetLocale {
  locale: string;
  dir: 'ltr' | 'rtl';
  strings: WidgetStrings;
}

const normal = (tag: string) => tag.trim().replace(/_/g, '-').toLowerCase();

/**
 * The language a visitor gets: the requested tag if there are texts for it (built in, or added by
 * the deployment theme's `strings`), else its base language (`pt-BR` → `pt`), else English. Any
 * unusable request (none, too long, not a tag) is English too: a page's odd `lang` never breaks
 * the chat. The texts are English, then the built-in translation, then the theme's texts for the
 * base language, then those for the exact tag.
 */
export function resolveWidgetLocale(requested: string | undefined, overrides: WidgetStringOverrides = {}): WidgetLocale {
  const own = new Map(Object.entries(overrides).map(([tag, strings]) => [normal(tag), { tag, strings }]));
  const tag = requested && requested.length <= 35 && /^[a-z]{2,3}(-[a-z0-9]{1,8}){0,3}$/.test(normal(requested)) ? normal(requested) : '';
  const base = tag.split('-')[0]!;
  const has = (t: string) => t !== '' && (t === 'en' || t in TRANSLATIONS || own.has(t));
  const chosen = has(tag) ? tag : has(base) ? base : 'en';
  const lang = chosen.split('-')[0]!;
  const strings: WidgetStrings = {
    ...EN_STRINGS,
    ...TRANSLATIONS[lang],
    ...own.get(lang)?.strings,
    ...(chosen !== lang && own.get(chosen)?.strings),
  };
  const locale = chosen === lang ? lang : (own.get(chosen)?.tag ?? chosen);
  return { locale, dir: RTL_LANGUAGES.includes(lang) ? 'rtl' : 'ltr', strings };
}

/** The first language of an Accept-Language header (`fr-CH, fr;q=0.9` → `fr-CH`). */
export function firstAcceptedLanguage(header: string | undefined): string | undefined {
  const first = header?.split(',')[0]?.split(';')[0]?.trim();
  return first && first !== '*' ? first : undefined;
}

/**
 * The widget's texts: templates and plurals, the language a page asks for, layering of the
 * runtime's texts and overrides (packages/widget/src/widget/strings.ts); the server's choice of
 * language and its translations (widget-locales.ts, widget-translations.ts); and the theme
 * schema's rules for `strings`, `colorScheme`, `launcherText` and `sound` (core).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PLURAL_CATEGORIES, WIDGET_STRING_KEYS, widgetThemeSchema, type WidgetTemplate } from '@switchboard/core';
import { ENGLISH, TEXT, fmt, pickLocale, plural, setStrings } from '../../packages/widget/src/widget/strings.js';
import { EN_STRINGS, WIDGET_LOCALES, firstAcceptedLanguage, resolveWidgetLocale } from '../../packages/server/src/runtime/widget-locales.js';
import { TRANSLATIONS } from '../../packages/server/src/runtime/widget-translations.js';

const placeholders = (template: WidgetTemplate) =>
  [...new Set((typeof template === 'string' ? [template] : Object.values(template)).flatMap((text) => [...(text ?? '').matchAll(/\{(\w+)\}/g)].map((m) => m[1])))].sort();

afterEach(() => {
  setStrings('en');
  vi.unstubAllGlobals();
});

describe('widget templates', () => {
  it('fills placeholders and picks the plural form of the current language', () => {
    expect(fmt(ENGLISH.unread, { n: 1 })).toBe('1 unread message');
    expect(fmt(ENGLISH.unread, { n: 2 })).toBe('2 unread messages');
    expect(fmt(ENGLISH.busy, { n: 1 })).toBe('Too many messages right now. Retrying in 1 second…');
    expect(fmt(ENGLISH.typing, { name: 'Ada' })).toBe('Ada is typing…');
    expect(fmt('{name} and {other}', { name: 'Ada' })).toBe('Ada and {other}'); // unknown placeholders stay as written

    setStrings('ar', TRANSLATIONS.ar);
    expect([0, 1, 2, 3, 11, 100].map((n) => fmt(TEXT.unread, { n }))).toEqual([
      '0 رسالة غير مقروءة',
      '1 رسالة غير مقروءة',
      '2 رسالتان غير مقروءتين',
      '3 رسائل غير مقروءة',
      '11 رسالة غير مقروءة',
      '100 رسالة غير مقروءة',
    ]);
    // A form the language lacks falls back to `other`; a locale Intl does not know reads as `other` too.
    expect(plural({ other: 'x {n}' }, 2)).toBe('x {n}');
    setStrings('zz-invalid-@', {});
    expect(plural({ one: 'one', other: 'other' }, 1)).toBe('other');
  });

  it('layers the runtime texts and overrides over English, and starts again from English each time', () => {
    setStrings('es', { placeholder: 'Escribe', unread: { one: '{n} sin leer', other: '{n} sin leer' } }, null, { send: 'Mandar' });
    expect(TEXT.placeholder).toBe('Escribe');
    expect(TEXT.send).toBe('Mandar');
    expect(fmt(TEXT.unread, { n: 3 })).toBe('3 sin leer');
    expect(TEXT.log).toBe('Conversation'); // not given: English

    // Wrong types are ignored; plural forms only where English has them.
    setStrings('es', { placeholder: 5 as never, offline: { other: 'nope' }, unread: { one: 'no other' } as never, nonsense: 'x' });
    expect(TEXT.placeholder).toBe('Write a message…');
    expect(TEXT.offline).toBe('You appear to be offline. Retrying…');
    expect(TEXT.unread).toEqual(ENGLISH.unread);
    expect('nonsense' in TEXT).toBe(false);

    setStrings('en');
    expect(TEXT).toEqual(ENGLISH);
  });

  it("asks for init's locale, else <html lang>, else the browser's language, skipping what is not a language tag", () => {
    const page = (lang: string, language: string) => {
      vi.stubGlobal('document', { documentElement: { lang } });
      vi.stubGlobal('navigator', { language });
    };
    page('es', 'de-DE');
    expect(pickLocale('fr-CA')).toBe('fr-CA');
    expect(pickLocale()).toBe('es');
    expect(pickLocale('')).toBe('es');
    page('', 'de-DE');
    expect(pickLocale()).toBe('de-DE');
    page('x-klingon!', 'pt_BR');
    expect(pickLocale('<script>')).toBe('pt_BR');
    page('', '');
    expect(pickLocale()).toBe('en');
  });
});

describe('widget languages on the server', () => {
  it("ships the widget's own English and every key of the contract in every language", () => {
    expect(EN_STRINGS).toEqual(ENGLISH);
    expect(Object.keys(ENGLISH).sort()).toEqual(Object.keys(WIDGET_STRING_KEYS).sort());
    expect(WIDGET_LOCALES).toEqual(expect.arrayContaining(['en', 'es', 'fr', 'de', 'pt', 'zh', 'ja', 'ar']));
    for (const [lang, strings] of Object.entries(TRANSLATIONS)) {
      expect(Object.keys(strings).sort(), lang).toEqual(Object.keys(WIDGET_STRING_KEYS).sort());
      expect(widgetThemeSchema.safeParse({ strings: { [lang]: strings } }).success, lang).toBe(true);
      // The forms a count up to 1000 can take (Spanish `many` is for millions: `other` serves).
      const rules = new Intl.PluralRules(lang);
      const categories = [...new Set(Array.from({ length: 1001 }, (_, n) => rules.select(n)))];
      for (const key of Object.keys(WIDGET_STRING_KEYS) as Array<keyof typeof WIDGET_STRING_KEYS>) {
        const template = strings[key];
        const english = placeholders(EN_STRINGS[key]);
        // Same placeholders as English (a plural form may spell out its number, e.g. Arabic "two seconds").
        if (key !== 'busy') expect(placeholders(template), `${lang}.${key}`).toEqual(english);
        if (typeof template !== 'string') {
          expect(Object.keys(template).sort(), `${lang}.${key} has the language's plural forms`).toEqual(categories.sort());
          expect(Object.keys(template).every((c) => (PLURAL_CATEGORIES as readonly string[]).includes(c))).toBe(true);
        }
      }
    }
  });

  it('chooses the requested language, else its base, else English; right to left for Arabic and Hebrew', () => {
    const pick = (tag: string | undefined, overrides = {}) => {
      const { locale, dir, strings } = resolveWidgetLocale(tag, overrides);
      return { locale, dir, openChat: strings.openChat };
    };
    expect(pick('es')).toEqual({ locale: 'es', dir: 'ltr', openChat: 'Abrir chat' });
    expect(pick('pt-BR')).toEqual({ locale: 'pt', dir: 'ltr', openChat: 'Abrir chat' });
    expect(pick('ZH_hans_CN')).toEqual({ locale: 'zh', dir: 'ltr', openChat: '打开聊天' });
    expect(pick('ja')).toEqual({ locale: 'ja', dir: 'ltr', openChat: 'チャットを開く' });
    expect(pick('ar-EG')).toEqual({ locale: 'ar', dir: 'rtl', openChat: 'فتح الدردشة' });
    expect(pick('he')).toEqual({ locale: 'he', dir: 'rtl', openChat: 'פתיחת הצ׳אט' });
    for (const odd of [undefined, '', 'ko', 'x-klingon!', '<script>', 'a'.repeat(40), 'fa']) {
      expect(pick(odd), String(odd)).toEqual({ locale: 'en', dir: 'ltr', openChat: 'Open chat' });
    }
  });

  it("applies the theme's texts: the base language's, then the exact tag's; a new language is English underneath", () => {
    const overrides = {
      es: { placeholder: 'Pregúntanos', openChat: 'Hablemos' },
      'es-MX': { openChat: '¿Platicamos?' },
      fa: { openChat: 'گفتگو' },
    };
    expect(resolveWidgetLocale('es-AR', overrides)).toMatchObject({ locale: 'es', strings: { placeholder: 'Pregúntanos', openChat: 'Hablemos', send: 'Enviar mensaje' } });
    expect(resolveWidgetLocale('es-mx', overrides)).toMatchObject({ locale: 'es-MX', strings: { placeholder: 'Pregúntanos', openChat: '¿Platicamos?' } });
    expect(resolveWidgetLocale('fa-IR', overrides)).toMatchObject({ locale: 'fa', dir: 'rtl', strings: { openChat: 'گفتگو', send: 'Send message' } });
  });

  it('reads the first language of Accept-Language', () => {
    expect(firstAcceptedLanguage('fr-CH, fr;q=0.9, en;q=0.8')).toBe('fr-CH');
    expect(firstAcceptedLanguage('de;q=0.7')).toBe('de');
    expect(firstAcceptedLanguage('*')).toBeUndefined();
    expect(firstAcceptedLanguage(undefined)).toBeUndefined();
  });
});

describe('theme schema: appearance fields', () => {
  const issues = (theme: unknown) => {
    const result = widgetThemeSchema.safeParse(theme);
    return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  };

  it('accepts the documented values', () => {
    const theme = {
      colorScheme: 'auto',
      launcherText: '  Chat with us ',
      sound: true,
      strings: { es: { placeholder: 'Escríbenos…', unread: { one: '{n} sin leer', other: '{n} sin leer' } }, 'pt-BR': { typing: '{name} digitando…' } },
    };
    expect(issues(theme)).toEqual([]);
    expect(widgetThemeSchema.parse(theme).launcherText).toBe('Chat with us');
  });

  it('names the field and the rule of each mistake', () => {
    expect(issues({ colorScheme: 'night' })).toEqual(['colorScheme: must be "auto", "light" or "dark"']);
    expect(issues({ sound: 'yes' })).toEqual(['sound: must be true or false']);
    expect(issues({ launcherText: 'x'.repeat(41) })).toEqual(['launcherText: must be at most 40 characters']);
    expect(issues({ launcherText: '   ' })).toEqual(['launcherText: must not be empty']);
    expect(issues({ strings: { es: { placeholdr: 'x' } } })[0]).toMatch(/^strings\.es: Unrecognized key/);
    expect(issues({ strings: { es: { typing: '{nombre} escribe' } } })).toEqual(['strings.es.typing: {nombre} is not a placeholder of this text: use {name}']);
    expect(issues({ strings: { es: { send: 'Enviar {n}' } } })).toEqual(['strings.es.send: {n} is not a placeholder of this text (it has none)']);
    expect(issues({ strings: { es: { unread: 'sin leer' } } })).toEqual(['strings.es.unread: must contain {n}']);
    expect(issues({ strings: { es: { placeholder: { other: 'x' } } } })[0]).toMatch(/^strings\.es\.placeholder: /);
    expect(issues({ strings: { es: { unread: { one: '{n} sin leer' } } } })[0]).toMatch(/^strings\.es\.unread: must be a string, or an object of plural forms/);
    expect(issues({ strings: { 'not a tag': {} } })).toEqual(['strings.not a tag: must be a language tag such as en, es or pt-BR']);
  });
});

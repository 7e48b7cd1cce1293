/** The console's theme editor checks the appearance fields as the API does (the API checks each text's key on save). */
import { describe, expect, it } from 'vitest';
import { checkTheme, THEME_KEYS } from '../../packages/console/src/pages/deploy/rules.js';

describe("the console's theme rules", () => {
  it('accepts the appearance fields and lists them among the keys', () => {
    const theme = { colorScheme: 'auto', launcherText: 'Chat with us', sound: true, strings: { es: { placeholder: 'Escríbenos…', unread: { one: '{n} sin leer', other: '{n} sin leer' } } } };
    expect(checkTheme(JSON.stringify(theme))).toEqual({ theme, problems: [] });
    expect(THEME_KEYS).toEqual(expect.arrayContaining(['colorScheme', 'launcherText', 'sound', 'strings']));
  });

  it('names the key and the rule of each mistake', () => {
    const problems = (theme: unknown) => checkTheme(JSON.stringify(theme)).problems;
    expect(problems({ colorScheme: 'night' })).toEqual(['colorScheme: must be "auto", "light" or "dark"']);
    expect(problems({ launcherText: ' ' })).toEqual(['launcherText: must be text of 1 to 40 characters']);
    expect(problems({ launcherText: 'x'.repeat(41) })).toEqual(['launcherText: must be text of 1 to 40 characters']);
    expect(problems({ sound: 'yes' })).toEqual(['sound: must be true or false']);
    for (const strings of [{ placeholder: 'x' }, { es: 'x' }, { es: { unread: { one: 'x' } } }, { es: { send: 5 } }, []]) {
      expect(problems({ strings }), JSON.stringify(strings)).toEqual(['strings: must be texts by language, e.g. {"es": {"placeholder": "Escríbenos…"}}']);
    }
  });
});

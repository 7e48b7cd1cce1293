/** The API's rules for allowed origins and widget themes, applied as the operator types. */

export function canonicalOrigin(value: string): string | undefined {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

/** Why a value is not an exact origin (scheme://host[:port]), or null when it is one. */
export function originProblem(value: string): string | null {
  if (value.trim() === '') return 'Required';
  if (value.includes('*')) {
    const example = /^https?:\/\/\*\.[^*]+$/.test(value) ? canonicalOrigin(value.replace('*', 'a')) : undefined;
    return `wildcards are not supported: list each origin exactly, e.g. ${example ?? 'https://a.example.com'}`;
  }
  const canonical = canonicalOrigin(value);
  if (canonical === undefined) return 'not an origin: expected scheme://host[:port], e.g. https://www.example.com';
  if (canonical !== value) return `not an exact origin: use "${canonical}" (scheme://host[:port], no path or trailing slash)`;
  return null;
}

/** Per-row problems of a list of origins, including repeats. */
export function originProblems(origins: string[]): (string | null)[] {
  return origins.map((origin, index) => originProblem(origin) ?? (origins.indexOf(origin) !== index ? 'repeats an origin listed above' : null));
}

const COLOUR = /^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,30}|rgba?\(\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*(,\s*(0|1|0?\.\d+)\s*)?\))$/;
const HTTPS = /^https:\/\/[^\s"'()<>]+$/;
const FONT = /^[\w\s,'"-]+$/;

const THEME_RULES: Record<string, (value: unknown) => string | null> = {
  primaryColor: (v) => (typeof v === 'string' && COLOUR.test(v) ? null : 'must be a CSS colour: #rrggbb, a colour name or rgb()/rgba()'),
  launcherColor: (v) => (typeof v === 'string' && COLOUR.test(v) ? null : 'must be a CSS colour: #rrggbb, a colour name or rgb()/rgba()'),
  launcherIcon: (v) => (v === 'chat' || (typeof v === 'string' && v.length <= 2048 && HTTPS.test(v)) ? null : 'must be "chat" or an https:// image URL'),
  position: (v) => (typeof v === 'string' && ['left', 'right'].includes(v.toLowerCase()) ? null : 'must be left or right'),
  greeting: (v) => (typeof v === 'string' && v.length <= 500 ? null : 'must be text of at most 500 characters'),
  avatarUrl: (v) => (typeof v === 'string' && v.length <= 2048 && HTTPS.test(v) ? null : 'must be an https:// URL'),
  headerTitle: (v) => (typeof v === 'string' && v.length <= 100 ? null : 'must be text of at most 100 characters'),
  fontFamily: (v) => (typeof v === 'string' && v.length <= 200 && FONT.test(v) ? null : 'must be a CSS font-family list (letters, digits, spaces, commas, quotes, hyphens)'),
  colorScheme: (v) => (v === 'auto' || v === 'light' || v === 'dark' ? null : 'must be "auto", "light" or "dark"'),
  launcherText: (v) => (typeof v === 'string' && v.trim().length >= 1 && v.trim().length <= 40 ? null : 'must be text of 1 to 40 characters'),
  sound: (v) => (typeof v === 'boolean' ? null : 'must be true or false'),
  // The shape only: the API checks each key and placeholder when the theme is saved.
  strings: (v) => (isObject(v) && Object.values(v).every((texts) => isObject(texts) && Object.values(texts).every(isText)) ? null : 'must be texts by language, e.g. {"es": {"placeholder": "Escríbenos…"}}'),
};

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
/** A text, or its plural forms (`{ "one": …, "other": … }`). */
const isText = (value: unknown) => typeof value === 'string' || (isObject(value) && typeof value.other === 'string' && Object.values(value).every((form) => typeof form === 'string'));

export const THEME_KEYS = Object.keys(THEME_RULES);

/** Parses theme JSON and checks it like the API; problems name the key. */
export function checkTheme(text: string): { theme: Record<string, unknown> | null; problems: string[] } {
  if (text.trim() === '') return { theme: {}, problems: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { theme: null, problems: [`Not valid JSON: ${(error as Error).message}`] };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { theme: null, problems: ['must be a JSON object, e.g. {"primaryColor": "#1f5fbf"}'] };
  const problems: string[] = [];
  for (const [key, value] of Object.entries(parsed)) {
    const rule = THEME_RULES[key];
    if (!rule) problems.push(`${key}: unknown key (known: ${THEME_KEYS.join(', ')})`);
    else {
      const problem = rule(value);
      if (problem) problems.push(`${key}: ${problem}`);
    }
  }
  return { theme: problems.length ? null : (parsed as Record<string, unknown>), problems };
}

/**
 * U+0000 in text. PostgreSQL cannot store it in a text column (the insert fails), while SQLite
 * keeps it, so a request carrying one would fail on one engine and not the other. Requests to the
 * API are refused with a 400 naming the field; what a provider sends is kept, with each NUL
 * replaced by U+FFFD, the character Unicode sets for one that cannot be represented.
 */
import { invalid } from './errors.js';

const NUL = '\u0000';
export const NUL_MESSAGE = 'must not contain the NUL character (U+0000)';

/** The path (`a.b.0.c`, as validation names fields) of the first key or string holding a NUL. */
export function nulField(value: unknown, path: string[] = []): string | undefined {
  if (typeof value === 'string') return value.includes(NUL) ? path.join('.') : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  const entries = Array.isArray(value) ? value.map((item, index) => [String(index), item] as const) : Object.entries(value);
  for (const [key, item] of entries) {
    if (key.includes(NUL)) return [...path, JSON.stringify(key).slice(1, -1)].join('.');
    const found = nulField(item, [...path, key]);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** A 400 for a parsed JSON body holding a NUL (`text` is the body as sent: JSON writes the NUL as an escape). */
export function nulInJsonBody(text: string, parsed: unknown): Error | undefined {
  if (!text.includes('\\u0000')) return undefined;
  const field = nulField(parsed);
  return field === undefined ? undefined : invalid([{ field, message: NUL_MESSAGE }]);
}

/** A 400 for a path or query parameter holding a NUL, which a URL can only carry as `%00`. */
export function nulInUrl(url: string, params: unknown, query: unknown): Error | undefined {
  if (!url.includes('%00')) return undefined;
  const field = nulField(params) ?? nulField(query);
  return field === undefined ? undefined : invalid([{ field, message: NUL_MESSAGE }]);
}

/**
 * The value with every NUL in its strings (keys included) replaced by U+FFFD: the value itself,
 * uncopied, when it holds none, as nearly every provider event does.
 */
export function withoutNul<T>(value: T): T {
  return holdsNul(value) ? replaced(value) : value;
}

/** Whether a string, or a string in a plain object or array (keys included), holds a NUL; allocates nothing. */
function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes(NUL);
  if (Array.isArray(value)) return value.some(holdsNul);
  if (!isPlainObject(value)) return false;
  for (const key in value) if (key.includes(NUL) || holdsNul(value[key])) return true;
  return false;
}

function replaced<T>(value: T): T {
  if (typeof value === 'string') return value.replaceAll(NUL, '\ufffd') as T;
  if (Array.isArray(value)) return value.map(replaced) as T;
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [replaced(key), replaced(item)])) as T;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;

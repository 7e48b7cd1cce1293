import type { Theme } from './types.js';

export const DEFAULT_THEME: Theme = {
  primaryColor: '#0b5fff',
  launcherColor: '#0b5fff',
  launcherIcon: 'chat',
  position: 'right',
  greeting: null,
  avatarUrl: null,
  headerTitle: 'Chat',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  colorScheme: 'light',
  launcherText: null,
  sound: false,
};

/** Later layers win; `undefined` (and, for strings that must exist, `null`/'') never overrides. Wrong types are ignored. */
export function mergeTheme(...layers: Array<Partial<Theme> | null | undefined>): Theme {
  const theme: Theme = { ...DEFAULT_THEME };
  for (const layer of layers) {
    if (!layer || typeof layer !== 'object') continue;
    for (const key of Object.keys(DEFAULT_THEME) as Array<keyof Theme>) {
      const value = layer[key];
      if (value === undefined) continue;
      const base = DEFAULT_THEME[key];
      // null-by-default fields (greeting, avatarUrl, launcherText) are strings that can be cleared
      if (value === null || value === '' ? base === null : typeof value === (base === null ? 'string' : typeof base)) {
        (theme as unknown as Record<string, unknown>)[key] = value || (base === null ? null : value);
      }
    }
  }
  if (theme.position !== 'left') theme.position = 'right';
  return theme;
}

const COLOR = /^(#[0-9a-f]{3,8}|(rgb|hsl)a?\([\d\s.,%/+-]+\)|[a-z]{3,30})$/i;

/** A colour safe to put in a custom property, or the fallback. */
export const color = (value: string, fallback: string): string => (COLOR.test(value.trim()) ? value.trim() : fallback);

/** Font family lists only: no characters that could end the declaration or open a url(). */
export const font = (value: string): string => (/^[\w\s,"'-]{1,200}$/.test(value) ? value : DEFAULT_THEME.fontFamily);

/** Black or white text, whichever reads better on a #hex background (white for other notations). */
export function textOn(background: string): string {
  let hex = background.replace('#', '');
  if (!/^[0-9a-f]{3,8}$/i.test(hex)) return '#fff';
  if (hex.length < 6) hex = hex.replace(/./g, '$&$&');
  const [r, g, b] = [0, 2, 4].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 ? '#111' : '#fff';
}

/** An image address the widget may load: https, http on an http page (no mixed content), or data:image. */
export function imageUrl(value: string | null): string | null {
  if (!value) return null;
  try {
    const url = new URL(value, location.href);
    if (url.protocol === 'https:' || (url.protocol === 'http:' && location.protocol === 'http:')) return url.href;
    if (url.protocol === 'data:' && /^data:image\//i.test(value)) return value;
  } catch {
    // not a URL
  }
  return null;
}

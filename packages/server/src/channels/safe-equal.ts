import { timingSafeEqual } from 'node:crypto';

/**
 * Compares a presented secret or signature with the expected one in constant time. Strings
 * are compared as their UTF-8 bytes; a length difference answers false at once (lengths are
 * not secret: every expected value of a kind has the same length).
 */
export function safeEqual(given: string | Buffer, expected: string | Buffer): boolean {
  const a = typeof given === 'string' ? Buffer.from(given, 'utf8') : given;
  const b = typeof expected === 'string' ? Buffer.from(expected, 'utf8') : expected;
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * What the connectors share on the way in: constant-time comparisons, the HMAC they sign with,
 * and reading a JSON body into loosely typed values.
 */
import { createHash, createHmac } from 'node:crypto';
import { InboundFormatError, type RawInbound } from '../../channels/adapter.js';
export { safeEqual } from '../../channels/safe-equal.js';

export type Json = Record<string, unknown>;

export const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A non-empty string, or a finite number as a string; else undefined. */
export function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim().length > 0 ? value : undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** base64 HMAC-SHA256 of the parts, in order, under `key`. */
export function hmacBase64(key: string | Buffer, ...parts: (string | Buffer)[]): string {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(typeof part === 'string' ? Buffer.from(part, 'utf8') : part);
  return mac.digest('base64');
}

/** Hex SHA-256 of the raw body: the dedupe key of last resort (a retried delivery repeats its bytes). */
export function bodyDigest(raw: RawInbound): string {
  return createHash('sha256').update(raw.body).digest('hex').slice(0, 32);
}

/** The body as a JSON object, or InboundFormatError. */
export function jsonObjectOf(raw: RawInbound, what: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(raw.body.toString('utf8'));
  } catch {
    throw new InboundFormatError(`${what}: the body is not JSON`);
  }
  if (!isObject(value)) throw new InboundFormatError(`${what}: expected a JSON object`);
  return value;
}

/** `{id?, name?}` without empty members, or undefined when both are missing. */
export function authorOf(id: unknown, name: unknown): { id?: string; name?: string } | undefined {
  const authorId = text(id);
  const authorName = text(name);
  if (!authorId && !authorName) return undefined;
  return { ...(authorId && { id: authorId }), ...(authorName && { name: authorName.trim() }) };
}

export const JSON_OK = (body: unknown = {}) => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

import { z } from 'zod';
import { ID_PATTERN, ID_RULE } from '../ids.js';
import { PATTERNS, RULES, isE164, isReverseDns, isWebUrl, normalizePhoneNumber } from '../validation.js';

export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 20;

type JsonSchema = Record<string, unknown>;

/**
 * How the OpenAPI document shows a schema that zod cannot describe from its own definition: a
 * query string read as a number or a boolean, an enum matched in lower or upper case. `input` is what
 * a client sends, `output` what the server answers once the value is read.
 */
export const wireFormat = z.registry<{ input: JsonSchema; output?: JsonSchema }>();

export const idSchema = z.string({ error: (issue) => (issue.input === undefined ? 'Required' : 'must be a string id') }).regex(ID_PATTERN, ID_RULE);

/** An enum matched case-insensitively on input; always lower-case on output. */
export function caseInsensitiveEnum<const T extends string>(values: readonly [T, ...T[]], aliases: Record<string, T> = {}) {
  const accepted = [...new Set([...values, ...values.map((v) => v.toUpperCase()), ...Object.keys(aliases)])];
  const canonical = [...new Set(values)];
  const alias = [...new Set(Object.entries(aliases).map(([from, to]) => `\`${from.toLowerCase()}\` for \`${to}\``))];
  const description =
    `Upper-case values are accepted too (\`${values[0].toUpperCase()}\` reads as \`${values[0]}\`)` +
    (alias.length > 0 ? `; so is ${alias.join(', ')}.` : '.');
  return z
    .enum(accepted as [string, ...string[]], {
      error: (issue) => (issue.input === undefined ? 'Required' : `must be one of ${values.join(', ')}`),
    })
    .transform((v): T => aliases[v] ?? (v.toLowerCase() as T))
    .register(wireFormat, { input: { type: 'string', enum: canonical, description }, output: { type: 'string', enum: canonical } });
}

/** A positive whole number read from a query string. */
function queryInt(name: string, min: number, max: number, fallback: number) {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw === '') return fallback;
      const n = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    })
    .register(wireFormat, {
      input: { type: 'integer', minimum: min, maximum: max, default: fallback },
      output: { type: 'integer', minimum: min, maximum: max },
    });
}

export const paginationQuerySchema = z.strictObject({
  page: queryInt('page', 1, 1_000_000, 1),
  pageSize: queryInt('pageSize', 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE),
});
export type PaginationQuery = z.output<typeof paginationQuerySchema>;

/** A page of channels, optionally only those whose name or identifier contains `search` (any case). */
export const channelListQuerySchema = paginationQuerySchema.extend({
  search: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional(),
});
export type ChannelListQuery = z.output<typeof channelListQuerySchema>;

export interface PaginationMeta {
  page: number;
  pageSize: number;
  totalCount: number;
  totalPages: number;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

export interface PaginatedResult<T> {
  data: T[];
  meta: PaginationMeta;
}

export function paginationMeta(page: number, pageSize: number, totalCount: number): PaginationMeta {
  const totalPages = Math.ceil(totalCount / pageSize);
  return { page, pageSize, totalCount, totalPages, hasNextPage: page < totalPages, hasPreviousPage: page > 1 };
}

/** An absolute http(s) URL with a host (webhook targets, callback URLs, API base URLs). */
export const httpUrlSchema = z
  .string({ error: 'must be a string' })
  .trim()
  .max(2048, 'must be at most 2048 characters')
  .refine(isWebUrl, 'must be an absolute http(s) URL');

export const nameSchema = z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');

/**
 * A string rule: the pattern (which the OpenAPI document shows) is checked first and stops
 * parsing when it fails, then the full check; either failure reports the one message.
 */
function ruledString(pattern: RegExp, check: (value: string) => boolean, message: string, maxLength?: number) {
  const base = maxLength === undefined ? z.string() : z.string().max(maxLength, { message, abort: true });
  return base.regex(pattern, { message, abort: true }).refine(check, message);
}

/**
 * A phone number, stored in E.164. Spaces, dots, dashes and parentheses after the '+' country
 * code are accepted and removed (`+1 (202) 555-0111` is `+12025550111`); the OpenAPI document
 * shows that looser input pattern, and the result must then be strict E.164.
 */
export const e164Schema = z
  .string()
  .regex(PATTERNS.phoneInput, { message: RULES.e164, abort: true })
  .overwrite(normalizePhoneNumber)
  .refine(isE164, RULES.e164);
export const webUrlSchema = ruledString(PATTERNS.webUrl, isWebUrl, RULES.webUrl);
export const reverseDnsSchema = ruledString(PATTERNS.reverseDns, isReverseDns, RULES.reverseDns, 255);

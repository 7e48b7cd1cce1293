import { phoneNumbers } from '#libraries';
import type { z } from 'zod';

export const RULES = {
  e164: 'Phone number must be in E.164 format, e.g. +12025551234',
  webUrl: 'Invalid website URL format',
  reverseDns: 'Invalid package name or bundle ID: expected reverse-DNS form such as com.example.app',
} as const;

/**
 * The part of each rule a regular expression can state. Schemas check it first, so the
 * OpenAPI document carries it as `pattern`; the full rule (below) runs after it. No flags:
 * JSON Schema patterns cannot carry them.
 */
export const PATTERNS = {
  e164: /^\+[1-9]\d{1,14}$/,
  /** What a phone number may look like on input: a '+', then digits with spaces, dots, dashes or parentheses between them. */
  phoneInput: /^\+[0-9 ().-]{2,40}$/,
  webUrl: /^[Hh][Tt][Tt][Pp][Ss]?:\/\//,
  reverseDns: /^[A-Za-z][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)+$/,
} as const;

/**
 * The E.164 form of a number written with separators after its '+' country code:
 * `+1 (202) 555-0111`, `+1 202 555 0111` and `+1.202.555.0111` all give `+12025550111`.
 * Anything else (no '+', letters, other characters) is returned unchanged, for the strict
 * check to refuse.
 */
export function normalizePhoneNumber(value: string): string {
  return PATTERNS.phoneInput.test(value) ? `+${value.slice(1).replace(/[ ().-]/g, '')}` : value;
}

/** Strict E.164: a leading '+', digits only, and a number valid for its country. */
export function isE164(value: string): boolean {
  if (!PATTERNS.e164.test(value)) return false;
  const { parsePhoneNumberFromString, isValidPhoneNumber } = phoneNumbers();
  const parsed = parsePhoneNumberFromString(value);
  return parsed !== undefined && parsed.number === value && isValidPhoneNumber(value);
}

/** An absolute http(s) URL with a host. */
export function isWebUrl(value: string): boolean {
  if (!PATTERNS.webUrl.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}

/** Android package names and iOS bundle ids: at least two dot-separated segments. */
export function isReverseDns(value: string): boolean {
  return PATTERNS.reverseDns.test(value) && value.length <= 255;
}

export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `configuration.platform`; empty for the body itself. */
  field: string;
  message: string;
}

/** Error map for parsing: names missing fields plainly instead of "received undefined". */
export const issueMessages: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'Required';
  if (issue.code === 'unrecognized_keys') {
    return `Unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`;
  }
  return undefined;
};

export function toFieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    field: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

/** One line naming the first broken rule and where, e.g. "channelIdentifier: Invalid website URL format". */
export function describeIssues(issues: FieldIssue[]): string {
  const first = issues[0];
  if (!first) return 'Invalid request';
  const head = first.field ? `${first.field}: ${first.message}` : first.message;
  return issues.length > 1 ? `${head} (and ${issues.length - 1} more)` : head;
}

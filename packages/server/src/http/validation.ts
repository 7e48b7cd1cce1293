import type { z } from 'zod';
import { issueMessages, toFieldIssues } from '@switchboard/core';
import { invalid } from './errors.js';

/**
 * Parses a value with a core schema; a failure becomes a 400 naming every broken rule.
 * `field` prefixes issue paths when the value is one part of a larger request.
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, field?: string): z.output<S> {
  // Given an error map, zod leaves its compiled fast path (a parse of a path parameter took 2.2
  // instead of 0.2 µs), and the map only words the issues: parse without it, and again with it
  // when there are issues to word.
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const result = schema.safeParse(value, { error: issueMessages });
  if (result.success) return result.data;
  const issues = toFieldIssues(result.error).map((issue) => ({
    ...issue,
    field: field ? [field, issue.field].filter(Boolean).join('.') : issue.field,
  }));
  throw invalid(issues);
}

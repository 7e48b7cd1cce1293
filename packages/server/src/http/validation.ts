import type { z } from 'zod';
import { issueMessages, toFieldIssues } from '@switchboard/core';
import { invalid } from './errors.js';

/**
 * Parses a value with a core schema; a failure becomes a 400 naming every broken rule.
 * `field` prefixes issue paths when the value is one part of a larger request.
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, field?: string): z.output<S> {
  const result = schema.safeParse(value, { error: issueMessages });
  if (result.success) return result.data;
  const issues = toFieldIssues(result.error).map((issue) => ({
    ...issue,
    field: field ? [field, issue.field].filter(Boolean).join('.') : issue.field,
  }));
  throw invalid(issues);
}

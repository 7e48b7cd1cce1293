import { issueMessages, toFieldIssues, type FieldIssue } from '@switchboard/core';
import { ValidationError } from './errors.js';

/** The part of a zod schema the SDK uses, so the SDK needs no direct zod dependency. */
export interface RequestSchema {
  safeParse(
    input: unknown,
    params?: { error?: typeof issueMessages },
  ): { success: true } | { success: false; error: Parameters<typeof toFieldIssues>[0] };
}

/** Lists the rules `input` breaks, using the same messages the server uses. */
export function findIssues(schema: RequestSchema, input: unknown): FieldIssue[] {
  const result = schema.safeParse(input, { error: issueMessages });
  return result.success ? [] : toFieldIssues(result.error);
}

/** Throws a ValidationError when `input` does not satisfy `schema`. The input itself is left untouched. */
export function assertValid(schema: RequestSchema, input: unknown): void {
  const issues = findIssues(schema, input);
  if (issues.length > 0) throw new ValidationError(issues);
}

function missingIdIssue(value: unknown, field: string): FieldIssue | undefined {
  return typeof value === 'string' && value.trim() !== '' ? undefined : { field, message: `${field} must be a non-empty string` };
}

/** Returns `value` when it is a non-empty string; throws a ValidationError naming `field` otherwise. */
export function requireId(value: unknown, field = 'id'): string {
  const issue = missingIdIssue(value, field);
  if (issue) throw new ValidationError([issue]);
  return value as string;
}

/**
 * Checks an update request of the form `{ id, ...fields }` against its schema and
 * returns the id and the remaining fields, exactly as given.
 */
export function splitUpdate<T extends { id: string }>(schema: RequestSchema, input: T): { id: string; fields: Omit<T, 'id'> } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ValidationError([{ field: '', message: 'Update request must be an object with an id' }]);
  }
  const idIssue = missingIdIssue(input.id, 'id');
  const issues = findIssues(schema, input);
  const all = idIssue ? [idIssue, ...issues.filter((issue) => issue.field !== 'id')] : issues;
  if (all.length > 0) throw new ValidationError(all);
  const { id, ...fields } = input;
  return { id, fields };
}

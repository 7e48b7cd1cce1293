import { ErrorCode, describeIssues, type FieldIssue } from '@switchboard/core';

/** An error with its place in the wire format: HTTP status, code, details and response meta. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details: unknown = null,
    readonly meta: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const notFound = (message: string, meta?: Record<string, unknown>) =>
  new ApiError(404, ErrorCode.NOT_FOUND, message, null, meta);

export const conflict = (message: string, meta?: Record<string, unknown>) =>
  new ApiError(409, ErrorCode.CONFLICT, message, null, meta);

export const unauthorized = (message: string) => new ApiError(401, ErrorCode.UNAUTHORIZED, message);

export const forbidden = (message: string, meta?: Record<string, unknown>) => new ApiError(403, ErrorCode.FORBIDDEN, message, null, meta);

export const invalid = (issues: FieldIssue[]) => new ApiError(400, ErrorCode.VALIDATION_ERROR, describeIssues(issues), issues);

export const invalidField = (field: string, message: string) => invalid([{ field, message }]);

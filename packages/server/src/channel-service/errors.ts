/**
 * Errors of the channel service, in its own wire format: plain JSON without the `/v1`
 * envelope, the way the public product answers:
 *
 * ```json
 * { "error": { "code": "NOT_FOUND", "message": "Channel not found", "details": null } }
 * ```
 *
 * `details` lists `{ field, message }` for validation errors (field paths use this API's own
 * snake_case names); `meta`, when present, carries facts such as the id of a conflicting
 * channel. Codes are the `/v1` codes plus `UPSTREAM_UNAVAILABLE` (502: a provider API such as
 * Graph could not be reached or failed). `DATABASE_UNAVAILABLE` (503, with Retry-After) is one of the `/v1` codes.
 */
import { ErrorCode } from '@switchboard/core';
import { DeliveryError } from '../channels/adapter.js';
import { ApiError } from '../http/errors.js';
import { databaseUnavailable, isDatabaseFault } from '../store/faults.js';

export const UPSTREAM_UNAVAILABLE = 'UPSTREAM_UNAVAILABLE';

/** An error with a status and a code outside the `/v1` set (provider failures). */
export class ChannelServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = null,
    readonly meta: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ChannelServiceError';
  }
}

export interface ChannelServiceErrorBody {
  error: { code: string; message: string; details: unknown; meta?: Record<string, unknown> };
}

/** Field names of the `/v1` deployment channel model, as this API names them. */
const FIELD_NAMES: [RegExp, string][] = [
  [/^configuration(?=\.|$)/, 'config'],
  [/^channelIdentifier$/, 'identifier'],
  [/^channelName$/, 'name'],
];

function renameField(field: string): string {
  for (const [pattern, name] of FIELD_NAMES) if (pattern.test(field)) return field.replace(pattern, name);
  return field;
}

/** Restates validation details of the deployment channel model with this API's field names. */
export function renameDetails(details: unknown): unknown {
  if (!Array.isArray(details)) return details;
  return details.map((issue) =>
    typeof issue === 'object' && issue !== null && typeof (issue as { field?: unknown }).field === 'string'
      ? { ...issue, field: renameField((issue as { field: string }).field) }
      : issue,
  );
}

/** Framework-level failures (body parsing, media types, limits) and everything else, as one shape. */
export function toChannelServiceError(error: unknown): ChannelServiceError {
  if (error instanceof ChannelServiceError) return error;
  if (error instanceof ApiError) return new ChannelServiceError(error.status, error.code, error.message, error.details, error.meta);
  if (isDatabaseFault(error)) return toChannelServiceError(databaseUnavailable());
  const code = (error as { code?: string }).code;
  const statusCode = (error as { statusCode?: number }).statusCode;
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ChannelServiceError(413, ErrorCode.PAYLOAD_TOO_LARGE, 'Request body exceeds the limit of 1 MiB');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ChannelServiceError(415, ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Content-Type must be application/json');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ChannelServiceError(400, ErrorCode.VALIDATION_ERROR, 'Content-Length does not match the body');
  }
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
    return new ChannelServiceError(statusCode, statusCode === 404 ? ErrorCode.NOT_FOUND : ErrorCode.VALIDATION_ERROR, (error as Error).message);
  }
  return new ChannelServiceError(500, ErrorCode.INTERNAL, 'Internal server error');
}

export function channelServiceErrorBody(error: ChannelServiceError): ChannelServiceErrorBody {
  return {
    error: {
      code: error.code,
      message: error.message,
      details: error.details,
      ...(Object.keys(error.meta).length > 0 && { meta: error.meta }),
    },
  };
}

/**
 * A provider API call failed. What the provider refused (a bad token, an unknown id) is the
 * caller's input: 400 naming `field`. Never 401/403, which would read as this API refusing the
 * caller's own key. Rate limits answer 429; outages and network failures 502.
 */
export function upstreamFailure(error: unknown, field: string, what: string): ChannelServiceError {
  if (error instanceof ChannelServiceError || error instanceof ApiError) return toChannelServiceError(error);
  const message = error instanceof Error ? error.message : String(error);
  const status = error instanceof DeliveryError ? error.options.status : undefined;
  if (status === 429) return new ChannelServiceError(429, ErrorCode.RATE_LIMITED, `${what}: ${message}`);
  if (status !== undefined && status >= 400 && status < 500) {
    return new ChannelServiceError(400, ErrorCode.VALIDATION_ERROR, `${what}: ${message}`, [{ field, message }]);
  }
  return new ChannelServiceError(502, UPSTREAM_UNAVAILABLE, `${what}: ${message}`);
}

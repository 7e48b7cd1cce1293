/** Error codes of the wire format; each maps to one HTTP status family. */
export const ErrorCode = {
  VALIDATION_ERROR: 'VALIDATION_ERROR',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  /** 403: a write signed in with the session cookie lacks a valid X-CSRF-Token header. */
  CSRF_TOKEN_INVALID: 'CSRF_TOKEN_INVALID',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  /** 431: the request line and headers are larger than the server reads. */
  HEADERS_TOO_LARGE: 'HEADERS_TOO_LARGE',
  /** 408: the request did not arrive in time. */
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  RATE_LIMITED: 'RATE_LIMITED',
  INTERNAL: 'INTERNAL',
  /** 503: the database could not be reached or used; retry after the Retry-After header. */
  DATABASE_UNAVAILABLE: 'DATABASE_UNAVAILABLE',
  /** 503: this node is shutting down; retry (another node answers). */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ResponseMetadata {
  timestamp: number;
  version: 'v1';
  [key: string]: unknown;
}

export interface SuccessEnvelope<T> {
  success: true;
  data: T;
  metadata: ResponseMetadata;
}

export interface ErrorBody {
  success: false;
  status: number;
  code: ErrorCode;
  message: string;
  meta: Record<string, unknown>;
  timestamp: number;
  error: { code: ErrorCode; message: string; details: unknown };
}

import type { FieldIssue } from '@switchboard/core';

/** Base class of every error the SDK throws; catch it to handle them all. */
export class SwitchboardError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SwitchboardError';
  }
}

/** The client was constructed with unusable options (missing apiKey, bad baseUrl, …). */
export class ConfigurationError extends SwitchboardError {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

/**
 * A request was rejected before it was sent because it breaks a validation rule.
 * `message` is the message of the first rule broken; `issues` lists them all.
 */
export class ValidationError extends SwitchboardError {
  readonly issues: FieldIssue[];

  constructor(issues: FieldIssue[]) {
    super(issues[0]?.message ?? 'Invalid request');
    this.name = 'ValidationError';
    this.issues = issues;
  }
}

/** The server could not be reached, or did not answer within the timeout. */
export class NetworkError extends SwitchboardError {
  /** True when the request was aborted because the client's timeout elapsed. */
  readonly timeout: boolean;

  constructor(message: string, options: { cause?: unknown; timeout?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NetworkError';
    this.timeout = options.timeout ?? false;
  }
}

export interface APIErrorInit {
  statusCode: number;
  code: string;
  message: string;
  details?: unknown;
  meta?: Record<string, unknown>;
}

/** The server answered with an error status. `message` is the server's own message. */
export class APIError extends SwitchboardError {
  /** HTTP status of the response, e.g. 404. */
  readonly statusCode: number;
  /** Error code from the body (`NOT_FOUND`, `CONFLICT`, …), or `HTTP_<status>` when the body had none. */
  readonly code: string;
  /** `error.details` from the body; lists field paths for validation errors. */
  readonly details: unknown;
  /** `meta` from the body (empty object when absent). */
  readonly meta: Record<string, unknown>;

  constructor(init: APIErrorInit) {
    super(init.message);
    this.name = 'APIError';
    this.statusCode = init.statusCode;
    this.code = init.code;
    this.details = init.details;
    this.meta = init.meta ?? {};
  }
}

/** 401: the API key is missing, unknown or revoked. */
export class AuthenticationError extends APIError {
  constructor(init: APIErrorInit) {
    super(init);
    this.name = 'AuthenticationError';
  }
}

/** 404: the resource does not exist (or belongs to another workspace). */
export class NotFoundError extends APIError {
  constructor(init: APIErrorInit) {
    super(init);
    this.name = 'NotFoundError';
  }
}

/** 409: the request conflicts with existing state, e.g. a channel identifier already in use. */
export class ConflictError extends APIError {
  constructor(init: APIErrorInit) {
    super(init);
    this.name = 'ConflictError';
  }
}

/** Builds the most specific APIError subclass for a status code. */
export function createAPIError(init: APIErrorInit): APIError {
  switch (init.statusCode) {
    case 401:
      return new AuthenticationError(init);
    case 404:
      return new NotFoundError(init);
    case 409:
      return new ConflictError(init);
    default:
      return new APIError(init);
  }
}

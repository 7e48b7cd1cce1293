/**
 * Database faults: failures of the database connection or server rather than of the statement.
 * A request that hits one answers 503 DATABASE_UNAVAILABLE with Retry-After, and background work
 * backs off and tries again; nothing about them ends the process.
 */
import { ErrorCode } from '@switchboard/core';
import { ApiError } from '../http/errors.js';

/** What a client is told to wait before trying again after a database fault. */
export const DATABASE_RETRY_AFTER_SECONDS = 1;

/** Socket-level failures reaching the database server. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * PostgreSQL SQLSTATEs of a server going away or refusing sessions: class 08 (connection exception),
 * 57P01 admin shutdown (pg_terminate_backend, a restart), 57P02 crash shutdown, 57P03 cannot connect
 * now (starting up, in recovery), 53300 too many connections.
 */
const POSTGRES_STATES = /^(08[0-9A-Z]{3}|57P0[1-3]|53300)$/;

/** SQLite: the file is locked past busy_timeout, or the disk failed. */
const SQLITE_CODES = /^SQLITE_(BUSY|IOERR)(_|$)/;

/** node-postgres and pg-pool report these without a code. */
const DRIVER_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect$/,
  /^Client has encountered a connection error and is not queryable$/,
  /^Client was closed and is not queryable$/,
  /^Cannot use a pool after calling end on the pool$/,
  /^Connection terminated due to connection timeout$/,
];

function faultOf(error: unknown, depth: number): boolean {
  if (typeof error !== 'object' || error === null || depth > 4) return false;
  const { code, message, cause, errors } = error as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || POSTGRES_STATES.test(code) || SQLITE_CODES.test(code))) return true;
  if (typeof message === 'string' && DRIVER_MESSAGES.some((pattern) => pattern.test(message))) return true;
  // Node's connection attempts to several addresses fail with an AggregateError of socket errors.
  if (Array.isArray(errors) && errors.some((inner) => faultOf(inner, depth + 1))) return true;
  return faultOf(cause, depth + 1);
}

/** True when the error says the database could not be reached or used right now, not that the statement was wrong. */
export function isDatabaseFault(error: unknown): boolean {
  return faultOf(error, 0);
}

/** The answer to a request that hit a database fault. */
export function databaseUnavailable(): ApiError {
  return new ApiError(503, ErrorCode.DATABASE_UNAVAILABLE, `The database is not available right now; retry in ${DATABASE_RETRY_AFTER_SECONDS} s`, null, {
    retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
  });
}

import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { ErrorCode } from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { inboundRefusalsRepository } from '../store/repositories/inbound-refusals.js';
import { ApiError } from '../http/errors.js';
import { InboundAuthError, InboundFormatError } from './adapter.js';

/**
 * The answer to a webhook its adapter refused (bad signature, replay, malformed body), or
 * undefined for any other failure. The refusal is kept on the connection so an operator sees
 * why a provider's calls do not arrive; failing to keep it never changes the answer.
 */
export async function refuseInbound(
  db: Kysely<DB>,
  log: FastifyBaseLogger,
  connection: { id: string; workspaceId: string; provider: string },
  error: unknown,
  receivedAt: number,
): Promise<ApiError | undefined> {
  let refusal: ApiError;
  if (error instanceof InboundAuthError) {
    log.warn({ provider: connection.provider, connectionId: connection.id, reason: error.message }, 'inbound webhook rejected');
    refusal = new ApiError(error.status, error.status === 401 ? ErrorCode.UNAUTHORIZED : ErrorCode.FORBIDDEN, error.message);
  } else if (error instanceof InboundFormatError) {
    refusal = new ApiError(400, ErrorCode.VALIDATION_ERROR, error.message);
  } else {
    return undefined;
  }
  try {
    await inboundRefusalsRepository(db).record({
      workspaceId: connection.workspaceId,
      connectionId: connection.id,
      httpStatus: refusal.status,
      reason: refusal.message,
      receivedAt,
    });
  } catch (recordError) {
    log.warn({ err: recordError, connectionId: connection.id }, 'could not keep an inbound refusal');
  }
  return refusal;
}

import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { ErrorCode } from '@switchboard/core';
import { ApiError } from './errors.js';
import { errorBody } from './envelope.js';

/** The most bytes of request line and headers Node's parser reads before answering 431. */
export const MAX_HEADER_BYTES = 16 * 1024;

/** What the HTTP parser refused, as the error the wire format carries. */
function clientErrorOf(error: NodeJS.ErrnoException): ApiError {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return new ApiError(
        431,
        ErrorCode.HEADERS_TOO_LARGE,
        `Request line and headers exceed the limit of ${MAX_HEADER_BYTES} bytes (${MAX_HEADER_BYTES / 1024} KiB)`,
      );
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new ApiError(408, ErrorCode.REQUEST_TIMEOUT, 'The request was not received in time');
    default:
      return new ApiError(400, ErrorCode.VALIDATION_ERROR, 'Malformed HTTP request');
  }
}

/**
 * Answers what Node's HTTP parser refuses before any route runs (headers too large, a malformed
 * request, a request that never finished arriving). There is no request or response object
 * then, so a raw HTTP/1.1 response in the wire format is written to the socket, which closes.
 */
export function writeClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // A response already under way on this connection cannot be followed by another.
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const apiError = clientErrorOf(error);
    const body = JSON.stringify(errorBody(apiError));
    socket.write(
      `HTTP/1.1 ${apiError.status} ${STATUS_CODES[apiError.status]}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy(error);
}

/**
 * Requests that reach a node while it shuts down answer 503 in the wire format (with
 * `Connection: close` and `Retry-After`), so a client retries them on another node. Use with
 * Fastify's `return503OnClosing: false`, whose own answer is outside the wire format.
 */
export function refuseWhileClosing(server: FastifyInstance): void {
  let closing = false;
  server.addHook('preClose', async () => {
    closing = true;
  });
  // A callback hook: every request passes it, and an async one would cost each a promise.
  server.addHook('onRequest', (_request, reply, done) => {
    if (!closing) return done();
    reply.header('connection', 'close').header('retry-after', '1');
    done(new ApiError(503, ErrorCode.SERVICE_UNAVAILABLE, 'The server is shutting down: retry the request'));
  });
}

/**
 * The HTTP scaffolding the helpdesk fakes share: a local server that reads each request's whole
 * body, JSON body parsing that tolerates bad input, and failures planned on demand (a status with
 * an optional Retry-After, or a dropped connection).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A failure a fake gives instead of its normal answer. */
export interface PlannedFailure {
  status: number;
  retryAfter?: number;
  body?: unknown;
  drop?: boolean;
}

/** A request to send to Switchboard's inbound URL (a fake's signed callback). */
export interface CallbackRequest {
  method: 'POST';
  headers: Record<string, string>;
  body: string;
}

/** Writes a JSON answer and returns its status (for the request record). */
export type Answer = (res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>) => number;

export interface LocalServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  close(): Promise<void>;
}

/** Starts an HTTP server on a free local port; `handle` gets each request once its whole body is read. */
export async function serveHttp(handle: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void): Promise<LocalServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The parsed JSON body; undefined when the body is empty or not valid JSON. */
export function parseJsonBody(raw: string): unknown {
  if (!raw) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/**
 * Gives the planned failure, if there is one: a drop destroys the connection (status -1); otherwise
 * the planned status with the planned body (or `defaultBody`) and Retry-After when one is set.
 * Returns the status to record, or undefined when nothing was planned.
 */
export function answerPlannedFailure(res: ServerResponse, planned: PlannedFailure | undefined, answer: Answer, defaultBody: unknown): number | undefined {
  if (!planned) return undefined;
  if (planned.drop) {
    res.socket?.destroy();
    return -1;
  }
  return answer(res, planned.status, planned.body ?? defaultBody, planned.retryAfter !== undefined ? { 'retry-after': String(planned.retryAfter) } : {});
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type FakeHandler = (request: ReceivedRequest, response: ServerResponse) => void | Promise<void>;

/** A node:http server on 127.0.0.1 and a free port; each test sets `handler` and reads `requests`. */
export interface FakeServer {
  url: string;
  handler: FakeHandler;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

export async function startFakeServer(): Promise<FakeServer> {
  const fake: FakeServer = {
    url: '',
    handler: (_request, response) => {
      response.writeHead(500).end('no handler set');
    },
    requests: [],
    close: async () => undefined,
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      fake.requests.push(received);
      Promise.resolve(fake.handler(received, res)).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500);
        res.end(String(error));
      });
    });
  });
  // Writes must reach the client as separate packets, not be coalesced.
  server.on('connection', (socket) => socket.setNoDelay(true));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A logger that keeps what it was told. */
export function recordingLogger() {
  const entries: { level: 'error' | 'warn'; obj: Record<string, unknown>; msg: string | undefined }[] = [];
  return {
    entries,
    error: (obj: object, msg?: string) => void entries.push({ level: 'error', obj: obj as Record<string, unknown>, msg }),
    warn: (obj: object, msg?: string) => void entries.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }),
  };
}

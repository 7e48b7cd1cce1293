/**
 * What the HTTP layer answers by itself (bad JSON, too large a body, a wrong media type, headers
 * Node's parser refuses, a request during shutdown) is in the documented error envelope, on a
 * real listening server; and the token-free runtime endpoints (origin-check, CORS preflights),
 * which each read the database, are rate limited per client address.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { startLiveServer, type LiveServer } from '../helpers/live-server.js';

const ORIGIN = 'http://localhost:5500';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function expectEnvelope(body: any, status: number, code: string): void {
  expect(body).toMatchObject({ success: false, status, code, message: expect.any(String), error: { code, message: body.message } });
  expect(Object.keys(body).sort()).toEqual(['code', 'error', 'message', 'meta', 'status', 'success', 'timestamp']);
}

/** Writes raw bytes on a new connection and resolves with everything read until the server closes it. */
function rawExchange(baseUrl: string, ...chunks: { bytes: string; before?: () => Promise<void> }[]): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => (received += chunk));
    socket.on('error', () => {}); // a reset after the answer is expected
    socket.on('close', () => resolve(received));
    socket.setTimeout(10_000, () => {
      socket.destroy();
      reject(new Error(`no close within 10 s; got ${received}`));
    });
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        await chunk.before?.();
        socket.write(chunk.bytes);
      }
    });
  });
}

/** The status line, headers and JSON body of the last response in `raw`. */
function lastResponse(raw: string): { status: number; headers: string; body: any } {
  const start = raw.lastIndexOf('HTTP/1.1 ');
  const response = raw.slice(start);
  const split = response.indexOf('\r\n\r\n');
  return { status: Number(response.slice(9, 12)), headers: response.slice(0, split).toLowerCase(), body: JSON.parse(response.slice(split + 4)) };
}

describe.each(ENGINES)('the HTTP layer on %s', (engine) => {
  describe('framework answers', () => {
    let server: LiveServer;
    let key: string;
    beforeAll(async () => {
      server = await startLiveServer(engine);
      key = (await server.newWorkspace()).apiKey;
    });
    afterAll(async () => {
      await server.close();
    });

    const post = (body: string, contentType = 'application/json') =>
      fetch(`${server.baseUrl}/v1/agents`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': contentType }, body });

    it('answers malformed JSON with 400 in the envelope', async () => {
      const response = await post('{"name": "Broken",');
      expect(response.status).toBe(400);
      const body = await response.json();
      expectEnvelope(body, 400, 'VALIDATION_ERROR');
      expect(body.message).toMatch(/^Malformed JSON body/);
    });

    it('answers a body over 1 MiB with 413 in the envelope', async () => {
      const response = await post(JSON.stringify({ name: 'Big', instructions: 'x'.repeat(2 * 1024 * 1024) }));
      expect(response.status).toBe(413);
      expectEnvelope(await response.json(), 413, 'PAYLOAD_TOO_LARGE');
    });

    it('answers a body that is not JSON with 415 in the envelope', async () => {
      const response = await post('name=Plain', 'application/x-www-form-urlencoded');
      expect(response.status).toBe(415);
      expectEnvelope(await response.json(), 415, 'UNSUPPORTED_MEDIA_TYPE');
    });

    it('answers a 100 KB header, refused by the HTTP parser, with 431 in the envelope', async () => {
      const response = await fetch(`${server.baseUrl}/v1/agents`, { headers: { authorization: `Bearer ${'k'.repeat(100 * 1024)}` } });
      expect(response.status).toBe(431);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      const body = await response.json();
      expectEnvelope(body, 431, 'HEADERS_TOO_LARGE');
      expect(body.message).toContain('16384 bytes');
      // The server is fine afterwards.
      expect((await fetch(`${server.baseUrl}/health`)).status).toBe(200);
    });

    it('answers a request the HTTP parser cannot read with 400 in the envelope', async () => {
      const answer = lastResponse(await rawExchange(server.baseUrl, { bytes: 'NOT AN HTTP REQUEST\r\n\r\n' }));
      expect(answer.status).toBe(400);
      expect(answer.headers).toContain('content-type: application/json');
      expectEnvelope(answer.body, 400, 'VALIDATION_ERROR');
    });
  });

  it('answers a request that arrives while the node shuts down with 503 in the envelope', async () => {
    const server = await startLiveServer(engine);
    const { apiKey } = await server.newWorkspace();
    let closing: Promise<void> | undefined;
    try {
      // A request whose body is still arriving keeps its connection busy while shutdown starts;
      // a second request pipelined behind it then arrives at a closing server.
      const raw = await rawExchange(
        server.baseUrl,
        { bytes: `POST /v1/agents HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${apiKey}\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{"name":` },
        {
          bytes: '"Late"}GET /v1/agents HTTP/1.1\r\nHost: x\r\n\r\n',
          before: async () => {
            await sleep(100);
            closing = server.app.server.close();
            await sleep(100);
          },
        },
      );
      expect(raw).toMatch(/^HTTP\/1\.1 201 /);
      const answer = lastResponse(raw);
      expect(answer.status).toBe(503);
      expect(answer.headers).toContain('retry-after: 1');
      expectEnvelope(answer.body, 503, 'SERVICE_UNAVAILABLE');
    } finally {
      await (closing ?? server.app.server.close());
      await server.database.destroy();
    }
  });

  describe('token-free runtime endpoints', () => {
    const LIMIT = 5;
    /**
     * Counters live in fixed one-minute windows, so a run may straddle a window's end: of
     * 2 × LIMIT + 1 requests some window still sees more than LIMIT.
     */
    const ATTEMPTS = 2 * LIMIT + 1;

    async function limitedServer(): Promise<LiveServer> {
      const server = await startLiveServer(engine, { runtimeRateLimits: { perIp: LIMIT, perToken: 1_000 } });
      const { apiKey } = await server.newWorkspace();
      const api = (path: string, body: unknown) =>
        fetch(`${server.baseUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const agent = (await (await api('/v1/agents', { name: 'Widget' })).json()) as any;
      const deployed = await api(`/v1/agents/${agent.data.id}/deployments`, { allowedOrigins: [ORIGIN] });
      expect(deployed.status).toBe(201);
      return server;
    }

    async function untilLimited(send: () => Promise<Response>, allowedStatus: number) {
      const statuses: number[] = [];
      for (let i = 0; i < ATTEMPTS; i++) {
        const response = await send();
        statuses.push(response.status);
        if (response.status === 429) return { response, statuses };
        expect(response.status).toBe(allowedStatus);
        await response.arrayBuffer();
      }
      throw new Error(`never limited: ${statuses.join(', ')}`);
    }

    it('limits origin-check per client address, answering 429 in the envelope', async () => {
      const server = await limitedServer();
      try {
        const { response, statuses } = await untilLimited(
          () => fetch(`${server.baseUrl}/v1/public/runtime/origin-check?tokenPrefix=cdp_abcdef`, { headers: { origin: ORIGIN } }),
          200,
        );
        expect(statuses.length).toBeGreaterThan(LIMIT);
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(response.headers.get('access-control-allow-origin')).toBe('*');
        const body = await response.json();
        expectEnvelope(body, 429, 'RATE_LIMITED');
        expect(body.meta.retryAfterSeconds).toBeGreaterThan(0);
      } finally {
        await server.close();
      }
    });

    it('limits CORS preflights per client address, answering 429 in the envelope', async () => {
      const server = await limitedServer();
      try {
        const { response, statuses } = await untilLimited(
          () =>
            fetch(`${server.baseUrl}/v1/public/runtime/sessions`, {
              method: 'OPTIONS',
              headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
            }),
          204,
        );
        expect(statuses.length).toBeGreaterThan(LIMIT);
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
        expectEnvelope(await response.json(), 429, 'RATE_LIMITED');
      } finally {
        await server.close();
      }
    });
  });
});

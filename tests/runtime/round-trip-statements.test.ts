import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLiveServer, type LiveServer } from '../helpers/live-server.js';
import { openSse, type SseStream } from '../helpers/sse.js';

const ORIGIN = 'http://localhost:5500';

/**
 * The widget round trip (a visitor's message, the agent's reply on the stream) is the runtime's
 * hot path: every SQL statement it runs costs every conversation. This pins how many it runs.
 */
describe('statements of a widget round trip on SQLite', () => {
  let server: LiveServer;
  let token: string;

  beforeAll(async () => {
    // The outbox and inbox polls would add their statements at random moments: an hour apart here.
    const hour = 3_600_000;
    server = await startLiveServer('sqlite', { runtimeRateLimits: { perIp: 10_000, perToken: 10_000 }, delivery: { pollMs: hour }, inbox: { pollMs: hour } });
    const { apiKey } = await server.newWorkspace();
    const api = async (path: string, body: unknown) => {
      const response = await fetch(`${server.baseUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return (await response.json()) as any;
    };
    const agent = await api('/v1/agents', { name: 'Echo', backend: { type: 'echo' } });
    const deployment = await api(`/v1/agents/${agent.data.id}/deployments`, { allowedOrigins: [ORIGIN] });
    token = deployment.data.token;
  });
  afterAll(async () => {
    await server.close();
  });

  const runtime = async (path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${server.baseUrl}/v1/public/runtime${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${token}`, origin: ORIGIN, ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as any };
  };

  async function roundTrip(sessionId: string, visitorToken: string, stream: SseStream, text: string): Promise<void> {
    const sent = await runtime(`/sessions/${sessionId}/messages`, { text, clientMessageId: `m-${text}` }, { 'x-visitor-token': visitorToken });
    expect(sent.status).toBe(202);
    await stream.waitFor((event) => event.event === 'message' && event.data.role === 'agent' && event.data.text.includes(text));
    await server.app.conversations.drain();
  }

  it('runs the message and the agent reply in few statements', async () => {
    const started = await runtime('/sessions', {});
    expect(started.status).toBe(201);
    const { sessionId, visitorToken } = started.body.data;
    const stream = await openSse(`${server.baseUrl}/v1/public/runtime/sessions/${sessionId}/events`, {
      authorization: `Bearer ${token}`,
      origin: ORIGIN,
      'x-visitor-token': visitorToken,
    });
    try {
      await roundTrip(sessionId, visitorToken, stream, 'first');
      const before = server.database.statementsExecuted();
      await roundTrip(sessionId, visitorToken, stream, 'second');
      const statements = server.database.statementsExecuted() - before;
      // The session read (with its channel and agent), then one transaction of 7 storing the message with the
      // echo agent's reply (known before anything is written); credentials come from a cache.
      expect(statements).toBeLessThanOrEqual(10);
    } finally {
      stream.close();
    }
  });
});

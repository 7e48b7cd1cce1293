/**
 * Shared helpers for the helpdesk connector tests: a HandoffContext with a realistic transcript,
 * RawInbound from a fake's callback request, error assertions, and a local HTTP endpoint that
 * captures callbacks exactly as they arrive over the wire.
 */
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { serveHttp } from '../../fakes/http-fake.js';
import { DeliveryError, InboundAuthError, InboundFormatError, type ConnectionContext, type RawInbound } from '../../../packages/server/src/channels/adapter.js';
import type { HandoffContext, HelpdeskInbound, HelpdeskRef } from '../../../packages/server/src/handoff/helpdesks/connector.js';

export const T0 = Date.UTC(2025, 5, 9, 10, 0, 0);

export const TRANSCRIPT: HandoffContext['transcript'] = [
  { role: 'contact', text: 'Hi, my order #1042 never arrived.', at: T0 },
  { role: 'agent', text: 'Sorry to hear that! Let me check order #1042.', at: T0 + 2_000 },
  { role: 'agent', text: 'It shows as delivered on June 2nd.', at: T0 + 4_000 },
  { role: 'contact', text: 'It was not. I want to talk to a real person.', at: T0 + 30_000 },
];

export function connectionContext(init: Partial<ConnectionContext> & Pick<ConnectionContext, 'id' | 'provider' | 'inboundSecret'>): ConnectionContext {
  return { workspaceId: 'ws_test', settings: {}, secrets: {}, apiBaseUrl: '', ...init };
}

export function handoffContext(connection: ConnectionContext, overrides: Partial<Omit<HandoffContext, 'connection'>> = {}): HandoffContext {
  return {
    connection,
    conversation: { id: 'conv_7Hq2LmX9', channelType: 'whatsapp', contactId: 'ct_ada01', contactName: 'Ada Lovelace', contactExternalId: '+447700900123' },
    transcript: TRANSCRIPT,
    reason: 'The contact asked for a person',
    inboundUrl: `https://switchboard.example.com/v1/public/helpdesks/${connection.provider}/${connection.id}`,
    ...overrides,
  };
}

/** A callback request (a fake's helper output) as the inbound route hands it to a connector. */
export function rawFrom(request: { headers: Record<string, string>; body: string | Buffer }, options: { receivedAt?: number; publicUrl?: string } = {}): RawInbound {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  return {
    method: 'POST',
    publicUrl: options.publicUrl ?? 'https://switchboard.example.com/v1/public/helpdesks/x/conn_1',
    subpath: '',
    query: {},
    headers,
    body: Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body, 'utf8'),
    receivedAt: options.receivedAt ?? Date.now(),
  };
}

/** The request with some headers replaced (undefined removes one). */
export function withHeaders<R extends { headers: Record<string, string> }>(request: R, changes: Record<string, string | undefined>): R {
  const headers = { ...request.headers };
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete headers[name];
    else headers[name] = value;
  }
  return { ...request, headers };
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, nothing was thrown');
}

export function expectAuthError(fn: () => unknown, status: 401 | 403 = 401): InboundAuthError {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(InboundAuthError);
  expect((error as InboundAuthError).status).toBe(status);
  return error as InboundAuthError;
}

export function expectFormatError(fn: () => unknown): InboundFormatError {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(InboundFormatError);
  return error as InboundFormatError;
}

export async function expectDeliveryError(promise: Promise<unknown>): Promise<DeliveryError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(DeliveryError);
    return error as DeliveryError;
  }
  throw new Error('expected a DeliveryError, the promise resolved');
}

/** The inbound route finds a conversation when every key/value of the event's ref is in the stored ref. */
export function refMatches(stored: HelpdeskRef, event: HelpdeskInbound): boolean {
  const wanted = Object.entries(event.ref);
  return wanted.length > 0 && wanted.every(([key, value]) => stored[key] === value);
}

/** A fetch that answers every call itself and records what was asked (for default-URL checks). */
export function stubFetch(respond: (url: string, init: RequestInit | undefined) => Response): { fetch: typeof fetch; calls: { url: string; init: RequestInit | undefined }[] } {
  const calls: { url: string; init: RequestInit | undefined }[] = [];
  const stub = (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const url = String(input);
    calls.push({ url, init });
    return respond(url, init);
  }) as typeof fetch;
  return { fetch: stub, calls };
}

export const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/**
 * One fake helpdesk for a whole test file: started before the first test and handed to `set`,
 * reset (then `afterReset`, e.g. a token cache clear) before each test, closed after the last.
 */
export function useFakeHelpdesk<F extends { reset(): void; close(): Promise<void> }>(start: () => Promise<F>, set: (fake: F) => void, afterReset?: () => void): void {
  let fake: F;
  beforeAll(async () => {
    fake = await start();
    set(fake);
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.reset();
    afterReset?.();
  });
}

/** A local endpoint standing in for Switchboard's inbound route: it keeps each request's raw bytes and headers. */
export async function startCapture(): Promise<{ url: string; received: { headers: IncomingMessage['headers']; body: Buffer }[]; close(): Promise<void> }> {
  const received: { headers: IncomingMessage['headers']; body: Buffer }[] = [];
  const server = await serveHttp((req, res, body) => {
    received.push({ headers: req.headers, body });
    res.writeHead(200).end();
  });
  return { url: `${server.url}/v1/public/helpdesks/x/conn_1`, received, close: server.close };
}

/** A captured request as RawInbound (header values joined as Node gives them). */
export function rawFromCapture(captured: { headers: IncomingMessage['headers']; body: Buffer }): RawInbound {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(captured.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return { method: 'POST', publicUrl: 'https://switchboard.example.com/v1/public/helpdesks/x/conn_1', subpath: '', query: {}, headers, body: captured.body, receivedAt: Date.now() };
}

/**
 * Shared helpers for the provider adapter unit tests in tests/channels: error assertions,
 * RawInbound and ConnectionContext builders. Provider-specific defaults stay in each test file.
 */
import { expect } from 'vitest';
import {
  DeliveryError,
  InboundAuthError,
  InboundFormatError,
  type ConnectionContext,
  type RawInbound,
} from '../../packages/server/src/channels/adapter.js';
import { fakesEgress } from '../helpers/egress.js';

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

/** Asserts that `error` is an instance of `kind` and returns it typed as such. */
function caughtAs<E extends Error>(kind: ErrorClass<E>, error: unknown): E {
  expect(error).toBeInstanceOf(kind);
  return error as E;
}

/** Runs `fn` and returns what it threw, failing the test if it returned instead. */
function thrownBy(fn: () => unknown, expected: string): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error(`expected an ${expected}, nothing was thrown`);
}

/** Runs `fn`, asserts that it throws an InboundAuthError, and returns that error for further checks. */
export function expectAuthError(fn: () => unknown): InboundAuthError {
  return caughtAs(InboundAuthError, thrownBy(fn, 'InboundAuthError'));
}

/** Runs `fn`, asserts that it throws an InboundFormatError, and returns that error for further checks. */
export function expectFormatError(fn: () => unknown): InboundFormatError {
  return caughtAs(InboundFormatError, thrownBy(fn, 'InboundFormatError'));
}

/** Awaits `promise`, asserts that it rejects with a DeliveryError, and returns that error for further checks. */
export async function expectDeliveryError(promise: Promise<unknown>): Promise<DeliveryError> {
  try {
    await promise;
  } catch (error) {
    return caughtAs(DeliveryError, error);
  }
  throw new Error('expected a DeliveryError, the promise resolved');
}

/** The public inbound URL of a connection (`…/v1/public/channels/{provider}/{connectionId}{subpath}?{query}`). */
export function inboundUrl(provider: string, connectionId: string, options: { subpath?: string; query?: Record<string, string> } = {}): string {
  const search = new URLSearchParams(options.query ?? {}).toString();
  return `https://switchboard.example.com/v1/public/channels/${provider}/${connectionId}${options.subpath ?? ''}${search ? `?${search}` : ''}`;
}

/** What `rawInbound` takes: only `publicUrl` is required. */
export interface RawInboundInit {
  publicUrl: string;
  /** Defaults to POST. */
  method?: RawInbound['method'];
  /** Defaults to ''. */
  subpath?: string;
  /** Defaults to the query string of `publicUrl`. */
  query?: Record<string, string>;
  /** Defaults to no headers. */
  headers?: Record<string, string | undefined>;
  /** A string is encoded as UTF-8; defaults to an empty body. */
  body?: string | Buffer;
  /** Defaults to now. */
  receivedAt?: number;
}

/** A RawInbound as the public inbound route hands it to an adapter. */
export function rawInbound(init: RawInboundInit): RawInbound {
  const body = init.body ?? '';
  return {
    method: init.method ?? 'POST',
    publicUrl: init.publicUrl,
    subpath: init.subpath ?? '',
    query: init.query ?? Object.fromEntries(new URL(init.publicUrl).searchParams),
    headers: init.headers ?? {},
    body: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'),
    receivedAt: init.receivedAt ?? Date.now(),
  };
}

/** A test file's connection defaults: `id`, `provider` and `inboundSecret` are required, the rest default to empty. */
export type ConnectionDefaults = Pick<ConnectionContext, 'id' | 'provider' | 'inboundSecret'> & Partial<ConnectionContext>;

/**
 * A ConnectionContext from a file's defaults (workspace `ws_test`, no settings or secrets, no API
 * base URL unless given, the fakes' egress exception) with per-test overrides on top.
 */
export function connectionContext(defaults: ConnectionDefaults, overrides: Partial<ConnectionContext> = {}): ConnectionContext {
  return { workspaceId: 'ws_test', settings: {}, secrets: {}, apiBaseUrl: '', egress: fakesEgress, ...defaults, ...overrides };
}

/** A fetch that records every requested URL in `seen`, then answers with `respond` (the real fetch unless given). */
export function recordingFetch(respond: typeof fetch = fetch): { fetch: typeof fetch; seen: string[] } {
  const seen: string[] = [];
  const recording: typeof fetch = async (input, init) => {
    seen.push(String(input));
    return respond(input, init);
  };
  return { fetch: recording, seen };
}

let keyCounter = 0;

/** An idempotency key unique within a test file: `{prefix}_{n}_{epoch ms}`. */
export function uniqueKey(prefix: string): string {
  keyCounter += 1;
  return `${prefix}_${keyCounter}_${Date.now()}`;
}

/** The official WXBizMsgCrypt sample shared by WeChat and WeCom (providers.md): a URL check and a message callback. */
export const WXBIZMSGCRYPT_SAMPLE = {
  token: 'QDG6eK',
  encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  /** The appId (WeChat) or corpId (WeCom) the sample is encrypted for. */
  receiverId: 'wx5823bf96d3bd56c7',
  url: {
    msg_signature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
    timestamp: '1409659589',
    nonce: '263014780',
    echostr: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
  },
  // The sample's message callback (same key and receiver id): decrypts to a text message "hello" from "mycreate".
  message: {
    msg_signature: '477715d11cdb4164915debcba66cb864d751f3e6',
    timestamp: '1409659813',
    nonce: '1372623149',
    encrypt:
      'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==',
  },
};

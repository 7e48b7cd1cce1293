/**
 * The fetch every operator-configured call goes through. The URL is judged before anything is
 * sent (scheme, literal addresses); then every connection resolves the host itself, checks each
 * address it got and connects to the checked address, so a name that re-resolves to an internal
 * address between two lookups (DNS rebinding) is still refused. Redirects are never followed:
 * the caller sees the 3xx.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { buildConnector as BuildConnector } from 'undici';
import { EgressRefusedError, type EgressPolicy } from './policy.js';

export type FetchFunction = typeof globalThis.fetch;

/** Every address a host name resolves to (the system resolver unless replaced). */
export type LookupAll = (hostname: string) => Promise<{ address: string }[]>;

const systemLookup: LookupAll = (hostname) => lookup(hostname, { all: true, verbatim: true });

/** Resolves a host and returns the address to connect to, or throws EgressRefusedError. */
export async function resolveAllowed(policy: EgressPolicy, hostname: string, lookupAll: LookupAll = systemLookup): Promise<string> {
  const bare = hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(bare)) {
    if (policy.allowsHostName(bare)) return bare;
    const refusal = policy.refusalForAddress(bare);
    if (refusal) throw new EgressRefusedError(refusal);
    return bare;
  }
  // RFC 6761: .invalid never resolves, so placeholders fail here without a DNS query.
  if (/(^|\.)invalid\.?$/i.test(bare)) throw new Error(`${bare} is a placeholder host that never resolves: configure the real one`);
  const hostRefusal = policy.refusalForHostName(bare);
  if (hostRefusal) throw new EgressRefusedError(hostRefusal);
  const answers = await lookupAll(bare);
  if (answers.length === 0) throw new Error(`${bare} did not resolve to any address`);
  if (policy.allowsHostName(bare)) return answers[0]!.address;
  for (const answer of answers) {
    const refusal = policy.refusalForAddress(answer.address);
    if (refusal) throw new EgressRefusedError(`${bare} resolves to ${refusal}`);
  }
  return answers[0]!.address;
}

function guardedConnector(buildConnector: typeof BuildConnector, policy: EgressPolicy, lookupAll: LookupAll | undefined): BuildConnector.connector {
  const connect = buildConnector({ timeout: 10_000 });
  return (options, callback) => {
    resolveAllowed(policy, options.hostname, lookupAll).then(
      (address) => connect({ ...options, hostname: address, host: options.host ?? options.hostname }, callback),
      (error: Error) => callback(error, null),
    );
  };
}

function urlOf(input: Parameters<FetchFunction>[0]): string {
  if (typeof input === 'string') return input;
  if (input instanceof URL) return input.href;
  return input.url;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url.slice(0, 100);
  }
}

/** The refusal hidden in a fetch failure ('fetch failed' with the connector's error as its cause). */
function egressRefusalIn(error: unknown): EgressRefusedError | undefined {
  for (let current = error, depth = 0; current && depth < 4; current = (current as { cause?: unknown }).cause, depth++) {
    if (current instanceof EgressRefusedError) return current;
  }
  return undefined;
}

/** undici's fetch through a dispatcher that connects only to checked addresses; undici is loaded on the first call. */
function guardedNetworkFetch(policy: EgressPolicy, lookupAll: LookupAll | undefined): FetchFunction {
  let loading: Promise<FetchFunction> | undefined;
  const load = async (): Promise<FetchFunction> => {
    const { Agent, buildConnector, fetch: undiciFetch } = await import('undici');
    const dispatcher = new Agent({ connect: guardedConnector(buildConnector, policy, lookupAll) });
    return (input, init) => undiciFetch(input as never, { ...(init as object), dispatcher } as never) as unknown as Promise<Response>;
  };
  return async (input, init) => (await (loading ??= load()))(input, init);
}

/**
 * A fetch that obeys the policy. `inner` replaces the network fetch (tests route calls with it);
 * the URL is still judged first, but connect-time checks need the built-in one.
 */
export function createEgressFetch(policy: EgressPolicy, inner?: FetchFunction, options: { lookup?: LookupAll } = {}): FetchFunction {
  const network: FetchFunction = inner ?? guardedNetworkFetch(policy, options.lookup);
  return async (input, init) => {
    const url = urlOf(input);
    const refusal = policy.refusalForTarget(url);
    if (refusal) throw new EgressRefusedError(`${hostOf(url)}: ${refusal}`);
    try {
      return await network(input, { ...init, redirect: 'manual' });
    } catch (error) {
      throw egressRefusalIn(error) ?? error;
    }
  };
}

import { createHash, createHmac } from 'node:crypto';
import { parse as parseQuerystring, stringify as stringifyQuerystring } from 'node:querystring';
import { InboundAuthError, type ConnectionContext, type RawInbound } from '../adapter.js';
import { bodyHashOf, requestParams, type TwilioParams } from './params.js';
import { safeEqual } from '../safe-equal.js';

/**
 * Twilio request validation (X-Twilio-Signature), as the official SDKs do it:
 *
 *   base64( HMAC-SHA1( authToken, url + for each param name in sorted order: name + value ) )
 *
 * - A name sent more than once (an "array" param) contributes each distinct value once, values sorted.
 * - Requests with a JSON body carry `bodySHA256=<hex sha256(body)>` in the URL and are signed with no params;
 *   the hash must then also match the raw body.
 * - GET requests are signed over the URL alone (their params are in it).
 * - The URL is the public one Twilio called. Like the official validator we accept it as given, without a
 *   port, and with the scheme's default port (`:443`/`:80`) added, and the same three after WHATWG URL
 *   normalisation (with and without Node's legacy query escaping).
 */
export function twilioSignature(authToken: string, url: string, params: TwilioParams | Record<string, string | string[]>): string {
  return signatureOver(authToken, url, signedParams(params));
}

/** What the params contribute to the signed data: each name and value in sorted order. */
function signedParams(params: TwilioParams | Record<string, string | string[]>): string {
  const entries: [string, string[]][] =
    params instanceof Map
      ? [...params.entries()]
      : Object.entries(params).map(([name, value]) => [name, Array.isArray(value) ? value : [value]]);
  let data = '';
  for (const [name, values] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    for (const value of [...new Set(values)].sort()) data += name + value;
  }
  return data;
}

function signatureOver(authToken: string, url: string, paramsData: string): string {
  return createHmac('sha1', authToken).update(url + paramsData, 'utf8').digest('base64');
}

interface UrlParts {
  scheme: string;
  userInfo: string;
  host: string;
  port: string;
  rest: string;
}

/** Splits a URL without normalising it, so path and query keep the exact characters Twilio signed. */
function splitUrl(url: string): UrlParts | undefined {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i.exec(url);
  if (!match) return undefined;
  const [prefix, scheme = '', authority = ''] = match;
  const userInfoEnd = authority.lastIndexOf('@');
  const hostAndPort = authority.slice(userInfoEnd + 1);
  const portStart = hostAndPort.indexOf(':', hostAndPort.lastIndexOf(']') + 1);
  return {
    scheme,
    userInfo: authority.slice(0, userInfoEnd + 1),
    host: portStart === -1 ? hostAndPort : hostAndPort.slice(0, portStart),
    port: portStart === -1 ? '' : hostAndPort.slice(portStart),
    rest: url.slice(prefix.length),
  };
}

function withoutPort(url: string): string {
  const parts = splitUrl(url);
  return parts ? parts.scheme + parts.userInfo + parts.host + parts.rest : url;
}

function withDefaultPort(url: string): string {
  const parts = splitUrl(url);
  if (!parts || parts.port) return url;
  const port = parts.scheme.toLowerCase() === 'https://' ? ':443' : ':80';
  return parts.scheme + parts.userInfo + parts.host + port + parts.rest;
}

function withLegacyQuery(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart === -1 || queryStart === url.length - 1) return url;
  return url.slice(0, queryStart) + '?' + stringifyQuerystring(parseQuerystring(url.slice(queryStart + 1)));
}

/** Candidates of the URLs seen lately: a number's webhooks come to the same few URLs again and again. */
const candidatesByUrl = new Map<string, readonly string[]>();
const REMEMBERED_URLS = 256;

/** Every form of the public URL a genuine Twilio signature may have been computed over. */
export function signedUrlCandidates(publicUrl: string): string[] {
  let candidates = candidatesByUrl.get(publicUrl);
  if (!candidates) {
    if (candidatesByUrl.size >= REMEMBERED_URLS) candidatesByUrl.clear();
    candidatesByUrl.set(publicUrl, (candidates = urlCandidates(publicUrl)));
  }
  return [...candidates];
}

function urlCandidates(publicUrl: string): string[] {
  const candidates = [withoutPort(publicUrl), withDefaultPort(publicUrl), publicUrl];
  let normalized: string | undefined;
  try {
    normalized = new URL(publicUrl).toString();
  } catch {
    normalized = undefined;
  }
  if (normalized !== undefined) {
    const bare = withoutPort(normalized);
    const ported = withDefaultPort(normalized);
    candidates.push(bare, ported, withLegacyQuery(bare), withLegacyQuery(ported));
  }
  return [...new Set(candidates)];
}

/** The connection's Auth Token, which Twilio signs webhooks with. */
export function authTokenOf(connection: ConnectionContext): string | undefined {
  const token = connection.secrets.authToken;
  return typeof token === 'string' && token.length > 0 ? token : undefined;
}

/**
 * Throws InboundAuthError unless `raw` carries a valid X-Twilio-Signature made with `authToken`
 * (and, for JSON bodies, unless the body matches the signed `bodySHA256`).
 */
export function verifyTwilioRequest(raw: RawInbound, authToken: string | undefined): void {
  const header = raw.headers['x-twilio-signature']?.trim();
  if (!header) {
    throw new InboundAuthError(401, 'Missing X-Twilio-Signature header: the request is not signed by Twilio');
  }
  if (!authToken) {
    throw new InboundAuthError(403, 'Cannot verify X-Twilio-Signature: the Twilio connection has no authToken credential');
  }
  const bodyHash = bodyHashOf(raw.publicUrl);
  // JSON bodies and GETs are signed over the URL alone; form POSTs over the URL and every body param.
  const paramsData = bodyHash !== undefined || raw.method === 'GET' ? '' : signedParams(requestParams(raw));

  let valid = false;
  for (const url of signedUrlCandidates(raw.publicUrl)) {
    // No early exit: every candidate is compared, in constant time.
    if (safeEqual(header, signatureOver(authToken, url, paramsData))) valid = true;
  }
  if (!valid) {
    throw new InboundAuthError(
      403,
      `X-Twilio-Signature does not match: check that the connection's authToken is the account's current Auth Token ` +
        `and that PUBLIC_URL makes the exact URL configured in Twilio (checked against ${raw.publicUrl})`,
    );
  }
  if (bodyHash !== undefined) {
    const actual = createHash('sha256').update(raw.body).digest('hex');
    if (!safeEqual(bodyHash.toLowerCase(), actual)) {
      throw new InboundAuthError(403, 'The request body does not match the bodySHA256 signed in the URL: the body was altered');
    }
  }
}

import type { RawInbound } from '../adapter.js';

/**
 * Twilio request parameters as Twilio signs them: every name with every value it was
 * sent with, in arrival order. A name sent once is a one-element list.
 */
export type TwilioParams = Map<string, string[]>;

/** The value of `bodySHA256` in the public URL, if Twilio sent a JSON body (its URL then carries the body's hash). */
export function bodyHashOf(publicUrl: string): string | undefined {
  const queryStart = publicUrl.indexOf('?');
  if (queryStart === -1) return undefined;
  const end = publicUrl.indexOf('#', queryStart);
  const query = publicUrl.slice(queryStart + 1, end === -1 ? undefined : end);
  const value = new URLSearchParams(query).get('bodySHA256');
  return value ?? undefined;
}

/** Decodes an `application/x-www-form-urlencoded` body ('+' is a space, repeated names keep every value). */
export function formParams(body: Buffer | string): TwilioParams {
  const params: TwilioParams = new Map();
  const text = typeof body === 'string' ? body : body.toString('utf8');
  for (const [name, value] of new URLSearchParams(text)) {
    const values = params.get(name);
    if (values) values.push(value);
    else params.set(name, [value]);
  }
  return params;
}

/**
 * The parameters a request carries, whatever its shape:
 * - form POST: the decoded body;
 * - JSON body (URL with `bodySHA256`): the body's top-level scalar fields (the signature covers the URL and the hash);
 * - GET: the query string (Twilio signs the URL alone).
 */
export function requestParams(raw: RawInbound): TwilioParams {
  // Verifying and parsing a request both need its parameters: decoded once per request.
  let params = decoded.get(raw);
  if (!params) decoded.set(raw, (params = decodeParams(raw)));
  return params;
}

const decoded = new WeakMap<RawInbound, TwilioParams>();

function decodeParams(raw: RawInbound): TwilioParams {
  if (bodyHashOf(raw.publicUrl) !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.body.toString('utf8'));
    } catch {
      return new Map();
    }
    const params: TwilioParams = new Map();
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
        if (typeof value === 'string') params.set(name, [value]);
        else if (typeof value === 'number' || typeof value === 'boolean') params.set(name, [String(value)]);
      }
    }
    return params;
  }
  if (raw.method === 'GET') {
    const params: TwilioParams = new Map();
    for (const [name, value] of Object.entries(raw.query)) params.set(name, [value]);
    return params;
  }
  return formParams(raw.body);
}

/** First value of a parameter, or undefined when absent. */
export function param(params: TwilioParams, name: string): string | undefined {
  return params.get(name)?.[0];
}

import type { TestApp } from './app.js';

export interface ConsoleSession {
  memberId: string;
  email: string;
  password: string;
  /** The sb_session cookie's value. */
  session: string;
  /** The CSRF secret cookie and the token from GET /v1/session. */
  csrfCookie: string;
  csrfToken: string;
}

export interface CookieResponse {
  status: number;
  body: any;
  headers: Record<string, unknown>;
  cookies: Array<{ name: string; value: string; httpOnly?: boolean; sameSite?: string; secure?: boolean; path?: string; expires?: Date; maxAge?: number }>;
}

let counter = 0;
export const uniqueEmail = (label = 'person') => `${label}-${++counter}-${Date.now()}@example.com`;
export const PASSWORD = 'correct horse battery';

/** A request with the session cookie (and, for writes, the CSRF token unless `csrf: false`); no API key. */
export async function asMember(
  t: TestApp,
  member: Pick<ConsoleSession, 'session' | 'csrfCookie' | 'csrfToken'>,
  method: string,
  url: string,
  body?: unknown,
  options: { csrf?: boolean | string; headers?: Record<string, string> } = {},
): Promise<CookieResponse> {
  const csrf = options.csrf ?? true;
  return send(t, method, url, body, {
    cookie: `sb_session=${member.session}; sb_csrf=${member.csrfCookie}`,
    ...(csrf !== false && method !== 'GET' && { 'x-csrf-token': typeof csrf === 'string' ? csrf : member.csrfToken }),
    ...options.headers,
  });
}

/** A request with exactly the given headers (no API key unless given). */
export async function send(t: TestApp, method: string, url: string, body?: unknown, headers: Record<string, string> = {}, remoteAddress?: string): Promise<CookieResponse> {
  const response = await t.app.server.inject({
    method: method as 'GET',
    url,
    headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
    ...(body !== undefined && { payload: JSON.stringify(body) }),
    ...(remoteAddress && { remoteAddress }),
  });
  let parsed: unknown = response.body;
  try {
    parsed = JSON.parse(response.body);
  } catch {
    // not JSON
  }
  return { status: response.statusCode, body: parsed, headers: response.headers, cookies: response.cookies as CookieResponse['cookies'] };
}

export const cookieOf = (response: CookieResponse, name: string) => response.cookies.find((c) => c.name === name);

/** Invites a member with the workspace's API key, accepts the invitation and returns its signed-in session. */
export async function memberSession(t: TestApp, role: 'owner' | 'admin' | 'agent', apiKey = t.apiKey): Promise<ConsoleSession> {
  const email = uniqueEmail(role);
  const invited = await send(t, 'POST', '/v1/members', { email, role, name: `A ${role}` }, { authorization: `Bearer ${apiKey}` });
  if (invited.status !== 201) throw new Error(`invite failed: ${JSON.stringify(invited.body)}`);
  const token = (invited.body.data.invitation.url as string).split('/').pop()!;
  const accepted = await send(t, 'POST', `/v1/invitations/${token}/accept`, { password: PASSWORD });
  if (accepted.status !== 201) throw new Error(`accept failed: ${JSON.stringify(accepted.body)}`);
  return {
    memberId: invited.body.data.member.id,
    email,
    password: PASSWORD,
    session: cookieOf(accepted, 'sb_session')!.value,
    csrfCookie: cookieOf(accepted, 'sb_csrf')!.value,
    csrfToken: accepted.body.data.csrfToken,
  };
}
